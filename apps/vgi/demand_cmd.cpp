// `vgi demand create|list|show|change|cancel` and `vgi settlement list|statement`: the dispatcher's
// side of the regulation engine, on the store the config names. The commands act on the data
// through an engine::Regulator of their own (settings from the config's `engine:`); the running
// server's engine picks a new or changed demand up at its next tick.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "cli_util.hpp"
#include "commands.hpp"
#include "vgi/engine/demand.hpp"
#include "vgi/engine/regulator.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/server/config.hpp"
#include "vgi/server/grid_server.hpp"

namespace vgi::app {
namespace {

struct DemandArgs {
  std::string config;
  // create / change
  std::string type = "peak";
  std::string scope = "all";
  std::vector<std::string> ids;
  std::vector<std::string> windows;
  bool force = false;
  std::string accept_by;
  std::string reserve_margin;
  std::string task_id;
  std::string note;
  // cancel
  std::string reason;
  bool yes = false;
  // list
  std::string state;
  std::size_t limit = 50;
  // settlement
  std::string operator_id;
  std::string from, to;
  bool daily = false, monthly = false, csv = false;
};

// Invalid input (a window in the past, an unknown ID form) is the caller's to fix: exit 2.
int DemandStatus(const std::string& what, const Status& st) {
  const std::string text = what + ": " + st.message();
  return st.code() == StatusCode::kInvalid ? Usage(text)
                                           : Fail(text + " (" + std::string(StatusCodeName(st.code())) + ")");
}

// The store a config names and a Regulator over it. The Regulator refers to the store: keep the
// order of the members.
struct Engine {
  server::StoreHandle db;
  std::unique_ptr<engine::Regulator> regulator;
};

Result<std::unique_ptr<Engine>> OpenEngine(const std::string& config_path) {
  VGI_ASSIGN_OR_RETURN(const server::Config config, server::LoadConfig(config_path));
  auto e = std::make_unique<Engine>();
  VGI_ASSIGN_OR_RETURN(e->db, server::OpenConfiguredStore(config, Clock::System(), /*create_key=*/false));
  e->regulator =
      std::make_unique<engine::Regulator>(*e->db.store, Clock::System(), server::ToRegulatorConfig(config), nullptr);
  return e;
}

std::string Stamp(SystemTime t) {
  return proto::FormatMinute(proto::ToBeijingMinute(t));
}

std::string Window(const proto::AdjustTarget& w) {
  return w.target_power.ToString() + " kW " + proto::FormatMinute(w.start_time) + " .. " +
         proto::FormatMinute(w.end_time);
}

std::string ScopeText(const engine::DemandScope& s) {
  std::string out(engine::ScopeKindName(s.kind));
  for (std::size_t i = 0; i < s.ids.size(); ++i) out += (i == 0 ? " " : ",") + s.ids[i];
  return out;
}

std::optional<store::DemandState> ParseDemandState(std::string_view name) {
  for (auto s : {store::DemandState::kDraft, store::DemandState::kDispatched, store::DemandState::kDone,
                 store::DemandState::kCancelled}) {
    if (engine::DemandStateName(s) == name) return s;
  }
  return std::nullopt;
}

Result<std::vector<proto::AdjustTarget>> ParseWindows(const std::vector<std::string>& texts) {
  std::vector<proto::AdjustTarget> out;
  for (const auto& t : texts) {
    auto w = engine::ParseWindow(t);
    if (!w.ok()) return w.status().WithPrefix("--window");
    out.push_back(*w);
  }
  return out;
}

int Create(const DemandArgs& a) {
  engine::DemandSpec spec;
  const auto type = engine::ParseRegulationType(a.type);
  if (!type) return Usage("--type: must be peak (peak shaving) or valley (valley filling)");
  spec.type = *type;
  const auto scope = engine::ParseScopeKind(a.scope);
  if (!scope) return Usage("--scope: must be " + std::string(engine::ScopeKindChoices()));
  spec.scope.kind = *scope;
  spec.scope.ids = a.ids;
  auto windows = ParseWindows(a.windows);
  if (!windows.ok()) return Usage(windows.status().message());
  spec.windows = std::move(*windows);
  spec.is_force = a.force;
  if (!a.accept_by.empty()) {
    spec.accept_deadline = proto::ParseMinute(a.accept_by);
    if (!spec.accept_deadline) return Usage("--accept-by \"" + a.accept_by + "\": expected yyyy-MM-dd HH:mm (Beijing)");
  }
  if (!a.reserve_margin.empty()) {
    const auto pct = proto::Decimal<2>::Parse(a.reserve_margin);
    if (!pct || pct->units() < 0 || pct->units() >= 10000) {
      return Usage("--reserve-margin \"" + a.reserve_margin + "\": must be a percentage from 0 to below 100");
    }
    spec.reserve_margin_bp = static_cast<int>(pct->units());
  }
  spec.task_id = a.task_id;
  spec.note = a.note;
  const char* user = std::getenv("USER");
  spec.created_by = user != nullptr && *user != '\0' ? std::string(user) + " (cli)" : "cli";

  auto e = OpenEngine(a.config);
  if (!e.ok()) return Fail(e.status().ToString());
  auto view = (*e)->regulator->CreateDemand(std::move(spec));
  if (!view.ok()) return DemandStatus("the demand was not created", view.status());
  const auto& d = view->spec;
  std::printf("created demand %s (%s): %s, scope %s, %zu window(s)\n", d.task_id.c_str(),
              std::string(engine::DemandStateName(view->state)).c_str(),
              std::string(engine::RegulationTypeName(d.type)).c_str(), ScopeText(d.scope).c_str(), d.windows.size());
  std::printf("the running server's engine decomposes it at its next tick; follow it with: vgi demand show -c %s %s\n",
              a.config.c_str(), d.task_id.c_str());
  return kExitOk;
}

int List(const DemandArgs& a) {
  store::DemandFilter f;
  f.limit = a.limit;
  if (!a.state.empty()) {
    const auto s = ParseDemandState(a.state);
    if (!s) return Usage("--state: must be draft, dispatched, done or cancelled");
    f.states.push_back(*s);
  }
  auto e = OpenEngine(a.config);
  if (!e.ok()) return Fail(e.status().ToString());
  auto demands = (*e)->regulator->ListDemands(f);
  if (!demands.ok()) return Fail(demands.status().ToString());
  std::printf("%-24s %-10s %-6s %-5s %-16s %-16s %-12s %-12s %-5s %s\n", "TASK", "STATE", "TYPE", "FORCE",
              "FIRST START", "LAST END", "TARGET KW", "ACCEPTED KW", "INSTR", "SCOPE");
  for (const auto& d : *demands) {
    proto::Kilowatts target, accepted;
    for (const auto& c : d.coverage) {
      target = std::max(target, c.window.target_power);
      accepted = std::max(accepted, c.accepted);
    }
    const auto& w = d.spec.windows;
    std::printf("%-24s %-10s %-6s %-5s %-16s %-16s %-12s %-12s %-5zu %s\n", d.spec.task_id.c_str(),
                std::string(engine::DemandStateName(d.state)).c_str(),
                std::string(engine::RegulationTypeName(d.spec.type)).c_str(), d.spec.is_force ? "yes" : "no",
                w.empty() ? "-" : proto::FormatMinute(w.front().start_time).c_str(),
                w.empty() ? "-" : proto::FormatMinute(w.back().end_time).c_str(), target.ToString().c_str(),
                accepted.ToString().c_str(), d.instructions.size(), ScopeText(d.spec.scope).c_str());
  }
  return kExitOk;
}

void PrintView(const engine::DemandView& d) {
  const auto& s = d.spec;
  std::printf("demand %s: %s (version %lld)\n", s.task_id.c_str(),
              std::string(engine::DemandStateName(d.state)).c_str(), static_cast<long long>(d.version));
  std::printf("  type %s%s, scope %s\n", std::string(engine::RegulationTypeName(s.type)).c_str(),
              s.is_force ? " (forced)" : "", ScopeText(s.scope).c_str());
  if (s.accept_deadline) std::printf("  answers due by %s\n", proto::FormatMinute(*s.accept_deadline).c_str());
  if (s.reserve_margin_bp)
    std::printf("  reserve margin %s %%\n", proto::Decimal<2>::FromUnits(*s.reserve_margin_bp).ToString().c_str());
  std::printf("  created %s by %s, updated %s\n", Stamp(d.created_at).c_str(),
              s.created_by.empty() ? "-" : s.created_by.c_str(), Stamp(d.updated_at).c_str());
  if (!s.note.empty()) std::printf("  note: %s\n", s.note.c_str());
  std::printf("coverage:\n");
  for (const auto& c : d.coverage) {
    std::printf("  %s: allocated %s, accepted %s, uncovered %s kW\n", Window(c.window).c_str(),
                c.allocated.ToString().c_str(), c.accepted.ToString().c_str(), c.uncovered.ToString().c_str());
  }
  std::printf("instructions: %zu\n", d.instructions.size());
  for (const auto& in : d.instructions) {
    std::printf("  %s %s: %s (round %d, synchroType %d, rangeType %d%s%s)\n", in.operator_id.c_str(),
                in.regulation_id.c_str(), std::string(engine::RegulationStateName(in.state)).c_str(), in.round,
                static_cast<int>(in.synchro), static_cast<int>(in.range), in.adjust_ids.empty() ? "" : ": ",
                [&] {
                  std::string ids;
                  for (std::size_t i = 0; i < in.adjust_ids.size(); ++i) ids += (i ? "," : "") + in.adjust_ids[i];
                  return ids;
                }()
                    .c_str());
    for (std::size_t i = 0; i < in.allocated.size(); ++i) {
      std::printf("    window %zu: allocated %s", i + 1, Window(in.allocated[i]).c_str());
      if (i < in.accepted.size()) std::printf(", accepted %s kW", in.accepted[i].target_power.ToString().c_str());
      std::printf("\n");
    }
    for (const auto& line : in.explanation) std::printf("    why: %s\n", line.c_str());
    if (!in.note.empty()) std::printf("    latest: %s (%s)\n", in.note.c_str(), Stamp(in.updated_at).c_str());
    if (!in.baseline.empty()) std::printf("    baseline: %s\n", in.baseline.c_str());
    for (const auto& m : in.measured) {
      std::printf("    measured %s: delivered %s kWh (%.1f %%), baseline avg %s kW, actual avg %s kW\n",
                  Window(m.window).c_str(), m.delivered.ToString().c_str(), m.completion_percent,
                  m.baseline_average.ToString().c_str(), m.actual_average.ToString().c_str());
    }
    if (in.earnings) std::printf("    earnings: %s yuan\n", in.earnings->ToString().c_str());
  }
  std::printf("events:\n");
  for (const auto& ev : d.events) std::printf("  %s\n", ev.c_str());
}

int Show(const DemandArgs& a) {
  auto e = OpenEngine(a.config);
  if (!e.ok()) return Fail(e.status().ToString());
  auto view = (*e)->regulator->GetDemand(a.task_id);
  if (!view.ok()) {
    if (view.status().code() == StatusCode::kNotFound) {
      return Fail("no demand " + a.task_id + " (see vgi demand list -c " + a.config + ")");
    }
    return Fail(view.status().ToString());
  }
  PrintView(*view);
  return kExitOk;
}

int Change(const DemandArgs& a) {
  auto windows = ParseWindows(a.windows);
  if (!windows.ok()) return Usage(windows.status().message());
  auto e = OpenEngine(a.config);
  if (!e.ok()) return Fail(e.status().ToString());
  auto view = (*e)->regulator->ChangeDemand(a.task_id, std::move(*windows));
  if (!view.ok()) return DemandStatus("demand " + a.task_id + " was not changed", view.status());
  std::printf("changed demand %s: %zu window(s); %s\n", view->spec.task_id.c_str(), view->spec.windows.size(),
              view->instructions.empty() ? "the engine decomposes it at its next tick"
                                         : "the operators get the change through the outbox");
  for (const auto& c : view->coverage) std::printf("  %s\n", Window(c.window).c_str());
  return kExitOk;
}

int Cancel(const DemandArgs& a) {
  auto e = OpenEngine(a.config);
  if (!e.ok()) return Fail(e.status().ToString());
  if (!a.yes) {
    if (::isatty(STDIN_FILENO) == 0) {
      return Usage("cancelling demand " + a.task_id + " needs confirmation: run it on a terminal or add --yes");
    }
    auto view = (*e)->regulator->GetDemand(a.task_id);
    if (!view.ok()) return Fail(view.status().ToString());
    std::size_t live = 0;
    for (const auto& in : view->instructions) live += engine::IsFinal(in.state) ? 0 : 1;
    std::printf("cancel demand %s (%s); %zu operator instruction(s) get a cancel? [y/N] ", a.task_id.c_str(),
                std::string(engine::DemandStateName(view->state)).c_str(), live);
    std::fflush(stdout);
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes") {
      std::printf("not cancelled\n");
      return kExitFailed;
    }
  }
  auto view =
      (*e)->regulator->CancelDemand(a.task_id, a.reason.empty() ? "cancelled with vgi demand cancel" : a.reason);
  if (!view.ok()) return DemandStatus("demand " + a.task_id + " was not cancelled", view.status());
  std::size_t cancels = 0;
  for (const auto& in : view->instructions) cancels += in.state == engine::RegulationState::kCancelled ? 1 : 0;
  std::printf("demand %s is %s; %zu instruction(s) cancelled (the operators get a cancel through the outbox)\n",
              view->spec.task_id.c_str(), std::string(engine::DemandStateName(view->state)).c_str(), cancels);
  return kExitOk;
}

Result<store::SettlementFilter> Filter(const DemandArgs& a) {
  store::SettlementFilter f;
  if (!a.operator_id.empty()) f.operator_id = a.operator_id;
  if (!a.from.empty()) {
    f.from_day = proto::ParseDate(a.from);
    if (!f.from_day) return Status::Invalid("--from \"" + a.from + "\": expected yyyy-MM-dd");
  }
  if (!a.to.empty()) {
    f.to_day = proto::ParseDate(a.to);
    if (!f.to_day) return Status::Invalid("--to \"" + a.to + "\": expected yyyy-MM-dd");
  }
  if (f.from_day && f.to_day && *f.to_day < *f.from_day) return Status::Invalid("--to: must not be before --from");
  return f;
}

int SettlementList(const DemandArgs& a) {
  auto f = Filter(a);
  if (!f.ok()) return Usage(f.status().message());
  auto e = OpenEngine(a.config);
  if (!e.ok()) return Fail(e.status().ToString());
  auto rows = (*e)->db.store->ListSettlements(*f);
  if (!rows.ok()) return Fail(rows.status().ToString());
  // Earnings come from the demand's view (the engine owns the settlement document).
  std::map<std::string, std::optional<engine::DemandView>> demands;
  std::printf("%-10s %-10s %-24s %-24s %-12s %s\n", "OPERATOR", "DAY", "TASK", "REGULATION", "EARNINGS", "SETTLED");
  for (const auto& r : *rows) {
    auto [it, fresh] = demands.try_emplace(r.task_id);
    if (fresh) {
      if (auto v = (*e)->regulator->GetDemand(r.task_id); v.ok()) it->second = std::move(*v);
    }
    std::string earnings = "?";
    if (it->second) {
      for (const auto& in : it->second->instructions) {
        if (in.operator_id == r.operator_id && in.regulation_id == r.regulation_id && in.earnings) {
          earnings = in.earnings->ToString();
        }
      }
    }
    std::printf("%-10s %-10s %-24s %-24s %-12s %s\n", r.operator_id.c_str(), proto::FormatDate(r.day).c_str(),
                r.task_id.c_str(), r.regulation_id.c_str(), earnings.c_str(), Stamp(r.created_at).c_str());
  }
  return kExitOk;
}

int Statement(const DemandArgs& a) {
  if (a.daily == a.monthly) return Usage("settlement statement: give exactly one of --daily or --monthly");
  auto f = Filter(a);
  if (!f.ok()) return Usage(f.status().message());
  auto e = OpenEngine(a.config);
  if (!e.ok()) return Fail(e.status().ToString());
  auto statements = (*e)->regulator->Statements(*f, a.monthly);
  if (!statements.ok()) return Fail(statements.status().ToString());
  if (a.csv) {
    std::printf(
        "operator,period,instructions,periods,target_kwh,delivered_kwh,paid_kwh,payments_yuan,"
        "penalties_yuan,earnings_yuan\n");
    for (const auto& s : *statements) {
      std::printf("%s,%s,%zu,%zu,%s,%s,%s,%s,%s,%s\n", s.operator_id.c_str(), s.period.c_str(), s.instructions,
                  s.periods, s.target_energy.ToString().c_str(), s.delivered_energy.ToString().c_str(),
                  s.paid_energy.ToString().c_str(), s.payments.ToString().c_str(), s.penalties.ToString().c_str(),
                  s.earnings.ToString().c_str());
    }
    return kExitOk;
  }
  std::printf("%-10s %-10s %5s %7s %14s %14s %14s %14s %12s %14s\n", "OPERATOR", a.monthly ? "MONTH" : "DAY", "INSTR",
              "PERIODS", "TARGET KWH", "DELIVERED KWH", "PAID KWH", "PAYMENTS", "PENALTIES", "EARNINGS");
  proto::Yuan total;
  for (const auto& s : *statements) {
    std::printf("%-10s %-10s %5zu %7zu %14s %14s %14s %14s %12s %14s\n", s.operator_id.c_str(), s.period.c_str(),
                s.instructions, s.periods, s.target_energy.ToString().c_str(), s.delivered_energy.ToString().c_str(),
                s.paid_energy.ToString().c_str(), s.payments.ToString().c_str(), s.penalties.ToString().c_str(),
                s.earnings.ToString().c_str());
    total = total + s.earnings;
  }
  if (statements->empty()) {
    std::printf("(no settlements in the range)\n");
  } else {
    std::printf("total earnings: %s yuan\n", total.ToString().c_str());
  }
  return kExitOk;
}

}  // namespace

void RegisterDemand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<DemandArgs>();
  auto config = [&](CLI::App* sub) {
    sub->add_option("--config,-c", args->config, "YAML config file (names data_dir, database and engine settings)")
        ->required();
  };
  auto* demand = app.add_subcommand("demand", "Regulation demands: the engine decomposes them over the operators");
  demand->require_subcommand(1);

  auto* create = demand->add_subcommand("create", "Create a demand (draft); the engine dispatches it at its next tick");
  config(create);
  create->add_option("--type", args->type, "peak (peak shaving) or valley (valley filling)")->capture_default_str();
  create->add_option("--scope", args->scope, std::string(engine::ScopeKindChoices()) + " (markets and transformer-areas need `vgi topology import`)")->capture_default_str();
  create->add_option("--id", args->ids,
                     "Scope member; repeatable: OperatorID, area code prefix (2-6 digits), OPERATORID/STATIONCODE "
                     "or OPERATORID/STAKECODE");
  create
      ->add_option("--window", args->windows,
                   "KW,START,END with times as \"yyyy-MM-dd HH:mm\" (Beijing, END is the last minute); repeatable")
      ->required();
  create->add_flag("--force", args->force, "Forced demand (isForce = 1)");
  create->add_option("--accept-by", args->accept_by,
                     "Operators answer by then, \"yyyy-MM-dd HH:mm\" (default: "
                     "engine.accept_lead before the first window)");
  create->add_option("--reserve-margin", args->reserve_margin,
                     "Percent of each potential kept back (default: "
                     "engine.reserve_margin)");
  create->add_option("--task-id", args->task_id, "taskID (default: generated)");
  create->add_option("--note", args->note, "Free text kept with the demand");
  create->callback([args, exit_code] { *exit_code = Create(*args); });

  auto* list = demand->add_subcommand("list", "List demands, newest first");
  config(list);
  list->add_option("--state", args->state, "draft, dispatched, done or cancelled");
  list->add_option("--limit", args->limit, "At most this many demands")->capture_default_str();
  list->callback([args, exit_code] { *exit_code = List(*args); });

  auto* show =
      demand->add_subcommand("show", "One demand: coverage, instructions and why, measurement, earnings, events");
  config(show);
  show->add_option("task_id", args->task_id, "The demand's taskID (vgi demand list)")->required();
  show->callback([args, exit_code] { *exit_code = Show(*args); });

  auto* change = demand->add_subcommand("change", "Replace a demand's windows before its first window starts");
  config(change);
  change->add_option("task_id", args->task_id, "The demand's taskID")->required();
  change->add_option("--window", args->windows, "The new windows, KW,START,END; repeatable")->required();
  change->callback([args, exit_code] { *exit_code = Change(*args); });

  auto* cancel = demand->add_subcommand("cancel", "Cancel a demand: every open instruction gets a cancel");
  config(cancel);
  cancel->add_option("task_id", args->task_id, "The demand's taskID")->required();
  cancel->add_option("--reason", args->reason, "Why (kept in the demand's events)");
  cancel->add_flag("--yes,-y", args->yes, "Do not ask for confirmation");
  cancel->callback([args, exit_code] { *exit_code = Cancel(*args); });

  auto* settlement = app.add_subcommand("settlement", "Settlements of delivered response and statements");
  settlement->require_subcommand(1);
  auto filters = [&](CLI::App* sub) {
    config(sub);
    sub->add_option("--operator", args->operator_id, "Only this OperatorID");
    sub->add_option("--from", args->from, "First day, yyyy-MM-dd (Beijing)");
    sub->add_option("--to", args->to, "Last day, yyyy-MM-dd (inclusive)");
  };
  auto* slist = settlement->add_subcommand("list", "One line per settled instruction");
  filters(slist);
  slist->callback([args, exit_code] { *exit_code = SettlementList(*args); });
  auto* statement = settlement->add_subcommand("statement", "Totals per operator per day or month");
  filters(statement);
  statement->add_flag("--daily", args->daily, "Per day");
  statement->add_flag("--monthly", args->monthly, "Per month");
  statement->add_flag("--csv", args->csv, "Comma-separated values with a header line");
  statement->callback([args, exit_code] { *exit_code = Statement(*args); });
}

}  // namespace vgi::app
