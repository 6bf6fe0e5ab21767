#include "vgi/engine/regulator.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "regulator_impl.hpp"
#include "vgi/base/random.hpp"
#include "vgi/engine/outbox_commands.hpp"
#include "vgi/proto/codec.hpp"

namespace vgi::engine {

std::string_view RegulationStateName(RegulationState state) {
  switch (state) {
    case RegulationState::kSent: return "sent";
    case RegulationState::kAccepted: return "accepted";
    case RegulationState::kPartial: return "partially accepted";
    case RegulationState::kRejected: return "rejected";
    case RegulationState::kExecuting: return "executing";
    case RegulationState::kCompleted: return "completed";
    case RegulationState::kEvaluated: return "evaluated";
    case RegulationState::kSettled: return "settled";
    case RegulationState::kCancelled: return "cancelled";
    case RegulationState::kFailed: return "failed";
    case RegulationState::kSuperseded: return "superseded";
  }
  return "?";
}

std::string_view DemandStateName(store::DemandState state) {
  switch (state) {
    case store::DemandState::kDraft: return "draft";
    case store::DemandState::kDispatched: return "dispatched";
    case store::DemandState::kDone: return "done";
    case store::DemandState::kCancelled: return "cancelled";
  }
  return "?";
}

bool IsFinal(RegulationState s) {
  return s == RegulationState::kRejected || s == RegulationState::kSettled || s == RegulationState::kCancelled ||
         s == RegulationState::kFailed || s == RegulationState::kSuperseded;
}

bool IsLive(RegulationState s) {
  return s == RegulationState::kSent || s == RegulationState::kAccepted || s == RegulationState::kPartial ||
         s == RegulationState::kExecuting;
}

proto::Kilowatts TargetIn(const std::vector<proto::AdjustTarget>& targets, const proto::AdjustTarget& window) {
  for (const auto& t : targets) {
    if (t.start_time == window.start_time && t.end_time == window.end_time) return t.target_power;
  }
  return {};
}

// ---- Impl helpers ------------------------------------------------------------------------------

void Regulator::Impl::Event(Loaded& d, const std::string& text) const {
  d.doc.events.push_back(proto::FormatMinute(NowMinute()) + " " + text);
  d.demand_dirty = true;
  if (log) log->info("demand {}: {}", d.row.task_id, text);
}

store::AlarmRow Regulator::Impl::Alarm(std::string type, std::string object, store::AlarmLevel level,
                                       std::string title, std::string detail) const {
  store::AlarmRow a;
  a.type = std::move(type);
  a.object = std::move(object);
  a.level = level;
  a.module = "engine";
  a.title = std::move(title);
  a.detail = std::move(detail);
  a.first_at = a.last_at = Now();
  return a;
}

std::string Regulator::Impl::NextRegulationId(Loaded& d) const {
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "-%03d", d.doc.next_seq++);
  d.demand_dirty = true;
  return d.row.task_id + suffix;
}

Result<Loaded> Regulator::Impl::Load(std::string_view task_id) {
  auto row = store.GetDemand(task_id);
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("demand " + std::string(task_id) + " does not exist (vgi demand list shows the demands)");
  Loaded d;
  d.row = std::move(**row);
  auto doc = doc::DecodeDemand(d.row.doc_json, "demand " + d.row.task_id);
  if (!doc.ok()) return doc.status();
  d.doc = std::move(*doc);
  store::RegulationFilter f;
  f.task_id = d.row.task_id;
  auto regs = store.ListRegulations(f);
  if (!regs.ok()) return regs.status();
  for (auto& r : *regs) {
    auto rd = doc::DecodeRegulation(r.doc_json, "regulation " + r.operator_id + "/" + r.regulation_id);
    if (!rd.ok()) return rd.status();
    d.regs.push_back(Reg{std::move(r), std::move(*rd), false});
  }
  return d;
}

Result<DemandView> Regulator::Impl::View(const Loaded& d) {
  DemandView v;
  v.spec = d.doc.spec;
  v.state = d.row.state;
  v.version = d.row.version;
  v.created_at = d.row.created_at;
  v.updated_at = d.row.updated_at;
  v.events = d.doc.events;
  for (const auto& w : d.doc.spec.windows) {
    WindowCoverage c;
    c.window = w;
    proto::Kilowatts awaiting;
    for (const auto& r : d.regs) {
      if (!IsLive(r.state()) && r.state() != RegulationState::kCompleted && r.state() != RegulationState::kEvaluated &&
          r.state() != RegulationState::kSettled) {
        continue;
      }
      c.allocated = c.allocated + TargetIn(r.doc.allocated, w);
      if (r.state() == RegulationState::kSent) {
        // A change awaiting its answer asks for the operator's whole new target; what the
        // instruction it replaces holds is counted there already.
        proto::Kilowatts held;
        for (const auto& old : d.regs) {
          if (!r.doc.replaces.empty() && old.row.regulation_id == r.doc.replaces && IsLive(old.state())) {
            held = TargetIn(old.doc.accepted, w);
          }
        }
        awaiting = awaiting + TargetIn(r.doc.allocated, w) - held;
      } else {
        c.accepted = c.accepted + TargetIn(r.doc.accepted, w);
      }
    }
    const auto rest = w.target_power - c.accepted - awaiting;
    c.uncovered = rest.units() > 0 ? rest : proto::Kilowatts{};
    v.coverage.push_back(c);
  }
  for (const auto& r : d.regs) {
    if (r.doc.synchro == proto::SynchroType::kCancel) continue;  // shown on the instruction it cancels
    InstructionView i;
    i.operator_id = r.row.operator_id;
    i.regulation_id = r.row.regulation_id;
    i.state = r.state();
    i.synchro = r.doc.synchro;
    i.range = r.doc.range;
    i.adjust_ids = r.doc.adjust_ids;
    i.allocated = r.doc.allocated;
    i.accepted = r.doc.accepted;
    i.explanation = r.doc.explanation;
    i.note = r.doc.note;
    i.round = r.doc.round;
    i.created_at = r.row.created_at;
    i.updated_at = r.row.updated_at;
    i.measured = r.doc.measured;
    i.baseline = r.doc.baseline;
    i.earnings = r.doc.earnings;
    v.instructions.push_back(std::move(i));
  }
  return v;
}

// ---- negotiation -------------------------------------------------------------------------------

namespace {

// The operator's targets matched to what was asked, window by window (a window it left out is 0).
std::vector<proto::AdjustTarget> Matched(const std::vector<proto::AdjustTarget>& asked,
                                         const std::vector<proto::AdjustTarget>& answered) {
  std::vector<proto::AdjustTarget> out;
  for (const auto& a : asked) out.push_back({TargetIn(answered, a), a.start_time, a.end_time});
  return out;
}

bool CoversAll(const std::vector<proto::AdjustTarget>& asked, const std::vector<proto::AdjustTarget>& accepted) {
  for (std::size_t i = 0; i < asked.size(); ++i) {
    if (accepted[i].target_power < asked[i].target_power) return false;
  }
  return true;
}

}  // namespace

Status Regulator::Impl::Negotiate(Loaded& d, StepOut& out) {
  const SystemTime now = Now();
  const proto::BeijingMinute deadline =
      d.doc.spec.accept_deadline.value_or(d.doc.spec.windows.front().start_time);
  for (auto& r : d.regs) {
    if (r.state() != RegulationState::kSent || r.doc.synchro == proto::SynchroType::kCancel) continue;
    const std::string& op = r.row.operator_id;
    const std::string& reg = r.row.regulation_id;
    const proto::BeijingMinute first_start = r.doc.allocated.front().start_time;
    // 1. A callback from the operator.
    auto feedback = store.ListFeedback(op, reg);
    if (!feedback.ok()) return feedback.status();
    std::optional<std::vector<proto::AdjustTarget>> accepted;
    bool rejected = false;
    std::string how;
    if (!feedback->empty()) {
      const auto& f = feedback->back();
      if (f.kind == store::FeedbackKind::kOverview && f.status) {
        if (*f.status == proto::Feedback::kAccept) {
          accepted = r.doc.allocated;
          how = "accepted by the operator (callback_task_overview)";
        } else {
          rejected = true;
          how = "rejected by the operator (callback_task_overview)";
        }
      } else if (f.kind == store::FeedbackKind::kCheck && f.adjustment) {
        accepted = Matched(r.doc.allocated, f.adjustment->targets);
        how = "answered with changed targets (callback_task_check)";
      }
    }
    // 2. The commands for it in the outbox: an undeliverable send_task, a query_task_result answer.
    if (!accepted && !rejected) {
      store::OutboxFilter of;
      of.operator_id = op;
      of.regulation_id = reg;
      auto commands = store.ListOutbox(of);
      if (!commands.ok()) return commands.status();
      for (const auto& c : *commands) {
        if (c.interface == proto::Interface::kSendTask &&
            (c.state == store::OutboxState::kFailed || c.state == store::OutboxState::kDead)) {
          r.Set(RegulationState::kFailed, "not delivered: " + c.last_error);
          ++out.stats.answers_taken;
        } else if (c.interface == proto::Interface::kSendTask && c.state == store::OutboxState::kSent && c.ret &&
                   *c.ret != 0) {
          r.Set(RegulationState::kFailed, "refused by the operator platform: Ret " + std::to_string(*c.ret) + " " + c.msg);
          ++out.stats.answers_taken;
        } else if (c.interface == proto::Interface::kQueryTaskResult && c.state == store::OutboxState::kSent &&
                   c.ret == 0 && !c.response_json.empty()) {
          auto result = proto::DecodeData<proto::InstructionResult>(c.response_json);
          if (!result.ok()) continue;
          if (result->status == proto::InstructionStatus::kAccepted) {
            accepted = Matched(r.doc.allocated, result->instruction.targets);
            how = "accepted (query_task_result)";
          } else if (result->status == proto::InstructionStatus::kRejected) {
            rejected = true;
            how = "rejected (query_task_result)";
          }
        }
      }
      if (r.state() != RegulationState::kSent) {
        Event(d, op + " " + reg + ": " + r.doc.note);
        continue;
      }
    }
    if (rejected) {
      r.Set(RegulationState::kRejected, how);
    } else if (accepted) {
      r.doc.accepted = *accepted;
      r.Set(CoversAll(r.doc.allocated, r.doc.accepted) ? RegulationState::kAccepted : RegulationState::kPartial, how);
    } else if (proto::ToBeijingMinute(now) >= first_start) {
      r.Set(RegulationState::kFailed, "no answer by the start of its first window");
    } else {
      if (proto::ToBeijingMinute(now) >= deadline && !r.doc.query_asked) {
        auto q = QueryTaskResultCommand(now, op, proto::InstructionRef{r.row.task_id, reg},
                                        proto::ToSystemTime(first_start));
        if (q.ok()) {
          out.commands.push_back(std::move(*q));
          r.doc.query_asked = true;
          r.dirty = true;
          Event(d, op + " " + reg + ": no answer by the acceptance deadline; asked query_task_result");
        }
      }
      continue;
    }
    ++out.stats.answers_taken;
    Event(d, op + " " + reg + ": " + r.doc.note);
    // A change that was taken replaces the instruction it changed.
    if (r.state() != RegulationState::kRejected && r.state() != RegulationState::kFailed && !r.doc.replaces.empty()) {
      for (auto& old : d.regs) {
        if (old.row.operator_id == op && old.row.regulation_id == r.doc.replaces && !IsFinal(old.state())) {
          old.Set(RegulationState::kSuperseded, "replaced by " + reg);
        }
      }
    }
  }
  return Status::Ok();
}

// ---- the public API ----------------------------------------------------------------------------

Regulator::Regulator(store::Store& store, const Clock& clock, RegulatorConfig config,
                     std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>(store, clock, std::move(config), std::move(log))) {}

Regulator::~Regulator() = default;

namespace {

std::string NewTaskId(SystemTime now) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  return "D" + proto::FormatTimeStamp(now) + RandomString(RandomSource::System(), 4, kHex);
}

// A step over thousands of station instructions could raise one alarm each (every station's
// measurement refused, say): beyond kAlarmsPerType of one type in one step they become one alarm
// about the demand, counting them and quoting the first, so the dispatcher reads one line and
// the store writes one row instead of thousands.
constexpr std::size_t kAlarmsPerType = 10;

std::vector<store::AlarmRow> Coalesce(const std::string& task_id, std::vector<store::AlarmRow> alarms) {
  std::map<std::string, std::size_t> per_type;
  for (const auto& a : alarms) ++per_type[a.type];
  std::vector<store::AlarmRow> out;
  std::map<std::string, std::size_t> merged;  // type -> index in out
  for (auto& a : alarms) {
    const std::size_t n = per_type[a.type];
    if (n <= kAlarmsPerType) {
      out.push_back(std::move(a));
      continue;
    }
    if (merged.contains(a.type)) continue;
    merged[a.type] = out.size();
    a.detail = std::to_string(n) + " instructions of demand " + task_id + ", the first: " + a.detail;
    a.object = task_id;
    out.push_back(std::move(a));
  }
  return out;
}

// Writes a step: the demand (compare-and-set), changed and new instructions, commands,
// settlements; then raises the alarms. Conflict when the demand changed meanwhile.
Status Commit(Regulator::Impl& impl, Loaded& d, StepOut& out) {
  out.alarms = Coalesce(d.row.task_id, std::move(out.alarms));
  store::EngineWrite w;
  const SystemTime now = impl.Now();
  bool any = d.demand_dirty || !out.new_regs.empty() || !out.commands.empty() || !out.settlements.empty();
  for (const auto& r : d.regs) any = any || r.dirty;
  if (!any) {
    for (const auto& a : out.alarms) (void)impl.store.RaiseAlarm(a);
    return Status::Ok();
  }
  d.row.doc_json = doc::Encode(d.doc);
  d.row.updated_at = now;
  w.demand = d.row;
  for (auto* regs : {&d.regs, &out.new_regs}) {
    for (auto& r : *regs) {
      if (!r.dirty) continue;
      r.row.doc_json = doc::Encode(r.doc);
      r.row.updated_at = now;
      w.regulations.push_back(r.row);
    }
  }
  w.commands = std::move(out.commands);
  w.settlements = std::move(out.settlements);
  auto result = impl.store.ApplyEngineWrite(w);
  if (!result.ok()) return result.status();
  d.row.version = result->demand_version;
  for (const auto& a : out.alarms) {
    auto raised = impl.store.RaiseAlarm(a);
    if (!raised.ok() && impl.log) impl.log->error("alarm {} {}: {}", a.type, a.object, raised.status().ToString());
  }
  return Status::Ok();
}

// Runs `step` on a freshly loaded demand and commits it, re-reading and retrying when another
// writer changed the demand meanwhile.
template <class F>
Result<Loaded> WithDemand(Regulator::Impl& impl, std::string_view task_id, F&& step, TickStats* stats = nullptr) {
  for (int attempt = 0;; ++attempt) {
    auto d = impl.Load(task_id);
    if (!d.ok()) return d.status();
    StepOut out;
    VGI_RETURN_IF_ERROR(step(*d, out));
    Status s = Commit(impl, *d, out);
    if (s.ok()) {
      if (stats) {
        stats->demands_dispatched += out.stats.demands_dispatched;
        stats->instructions_sent += out.stats.instructions_sent;
        stats->answers_taken += out.stats.answers_taken;
        stats->redispatched += out.stats.redispatched;
        stats->measured += out.stats.measured;
        stats->settled += out.stats.settled;
        stats->alarms += static_cast<int>(out.alarms.size());
      }
      return std::move(*d);
    }
    if (s.code() != StatusCode::kConflict || attempt >= 4) return s;
  }
}

}  // namespace

Result<DemandView> Regulator::CreateDemand(DemandSpec spec) {
  const SystemTime now = impl_->Now();
  VGI_RETURN_IF_ERROR(ValidateDemand(spec, proto::ToBeijingMinute(now)));
  VGI_RETURN_IF_ERROR(impl_->CheckTopologyScope(spec.scope));
  if (spec.task_id.empty()) spec.task_id = NewTaskId(now);
  if (!spec.reserve_margin_bp) spec.reserve_margin_bp = impl_->config.reserve_margin_bp;
  if (!spec.accept_deadline) {
    const auto lead = proto::BeijingMinute{spec.windows.front().start_time.minutes - impl_->config.accept_lead.count()};
    spec.accept_deadline = std::max(lead, proto::BeijingMinute{proto::ToBeijingMinute(now).minutes + 1});
    if (*spec.accept_deadline > spec.windows.front().start_time) spec.accept_deadline = spec.windows.front().start_time;
  }
  Loaded d;
  d.doc.spec = std::move(spec);
  d.row.task_id = d.doc.spec.task_id;
  d.row.state = store::DemandState::kDraft;
  d.row.created_at = now;
  impl_->Event(d, "created by " + (d.doc.spec.created_by.empty() ? std::string("an unnamed user") : d.doc.spec.created_by));
  StepOut out;
  auto s = Commit(*impl_, d, out);
  if (s.code() == StatusCode::kConflict) {
    return Status::Conflict("demand " + d.row.task_id + " already exists; choose another task ID");
  }
  VGI_RETURN_IF_ERROR(s);
  return GetDemand(d.row.task_id);
}

Result<DemandView> Regulator::ChangeDemand(std::string_view task_id, std::vector<proto::AdjustTarget> windows) {
  auto d = WithDemand(*impl_, task_id, [&](Loaded& d, StepOut& out) -> Status {
    if (d.row.state == store::DemandState::kCancelled || d.row.state == store::DemandState::kDone) {
      return Status::Refused("demand " + d.row.task_id + " is " + std::string(DemandStateName(d.row.state)) +
                             "; create a new demand instead");
    }
    const auto now = impl_->NowMinute();
    if (d.doc.spec.windows.front().start_time <= now) {
      return Status::Refused("demand " + d.row.task_id + ": its first window started at " +
                             proto::FormatMinute(d.doc.spec.windows.front().start_time) +
                             "; a demand is changed only before it starts (cancel it instead)");
    }
    DemandSpec spec = d.doc.spec;
    spec.windows = std::move(windows);
    spec.accept_deadline.reset();
    VGI_RETURN_IF_ERROR(ValidateDemand(spec, now));
    spec.accept_deadline = d.doc.spec.accept_deadline;
    if (*spec.accept_deadline > spec.windows.front().start_time) spec.accept_deadline = spec.windows.front().start_time;
    d.doc.spec = std::move(spec);
    impl_->Event(d, "windows changed");
    if (d.row.state == store::DemandState::kDraft) return Status::Ok();
    // Re-decompose: live instructions get a change, operators newly in get a new one, and those
    // that drop out get a cancel (Decompose in change mode).
    return impl_->Decompose(d, out);
  });
  if (!d.ok()) return d.status();
  return impl_->View(*d);
}

Result<DemandView> Regulator::CancelDemand(std::string_view task_id, std::string_view reason) {
  auto d = WithDemand(*impl_, task_id, [&](Loaded& d, StepOut& out) -> Status {
    if (d.row.state == store::DemandState::kCancelled || d.row.state == store::DemandState::kDone) {
      return Status::Refused("demand " + d.row.task_id + " is already " + std::string(DemandStateName(d.row.state)));
    }
    const std::string why = reason.empty() ? std::string("cancelled by the dispatcher") : "cancelled: " + std::string(reason);
    VGI_RETURN_IF_ERROR(impl_->CancelAll(d, out, why));
    d.row.state = store::DemandState::kCancelled;
    impl_->Event(d, why);
    return Status::Ok();
  });
  if (!d.ok()) return d.status();
  return impl_->View(*d);
}

Result<DemandView> Regulator::GetDemand(std::string_view task_id) {
  auto d = impl_->Load(task_id);
  if (!d.ok()) return d.status();
  return impl_->View(*d);
}

Result<std::vector<DemandView>> Regulator::ListDemands(const store::DemandFilter& filter) {
  auto rows = impl_->store.ListDemands(filter);
  if (!rows.ok()) return rows.status();
  std::vector<DemandView> out;
  for (const auto& row : *rows) {
    auto v = GetDemand(row.task_id);
    if (!v.ok()) return v.status();
    out.push_back(std::move(*v));
  }
  return out;
}

Result<TickStats> Regulator::Tick() {
  store::DemandFilter f;
  f.states = {store::DemandState::kDraft, store::DemandState::kDispatched};
  f.limit = 100000;
  auto rows = impl_->store.ListDemands(f);
  if (!rows.ok()) return rows.status();
  TickStats stats;
  Status first;
  for (const auto& row : *rows) {
    auto d = WithDemand(*impl_, row.task_id, [&](Loaded& d, StepOut& out) -> Status {
      if (d.row.state == store::DemandState::kDraft) return impl_->Decompose(d, out);
      if (d.row.state != store::DemandState::kDispatched) return Status::Ok();
      VGI_RETURN_IF_ERROR(impl_->Negotiate(d, out));
      VGI_RETURN_IF_ERROR(impl_->Redispatch(d, out));
      VGI_RETURN_IF_ERROR(impl_->Execute(d, out));
      bool all_final = true;
      for (const auto& r : d.regs) all_final = all_final && IsFinal(r.state());
      if (all_final && out.new_regs.empty()) {
        d.row.state = store::DemandState::kDone;
        impl_->Event(d, "done: every instruction reached a final state");
      }
      return Status::Ok();
    }, &stats);
    if (!d.ok() && d.status().code() == StatusCode::kInvalid && row.state == store::DemandState::kDraft) {
      // A demand that cannot become valid instructions (e.g. a station scope whose stations
      // carry no credit code) would fail at every tick: it is closed, saying why, and alarmed.
      const Status why = d.status();
      d = WithDemand(*impl_, row.task_id, [&](Loaded& d, StepOut& out) -> Status {
        if (d.row.state != store::DemandState::kDraft) return Status::Ok();
        d.row.state = store::DemandState::kDone;
        impl_->Event(d, "not sent: " + why.message());
        out.alarms.push_back(impl_->Alarm("demand.invalid", d.row.task_id, store::AlarmLevel::kMajor,
                                          "demand cannot be decomposed", "demand " + d.row.task_id + ": " + why.message()));
        return Status::Ok();
      });
    }
    if (!d.ok()) {
      if (impl_->log) impl_->log->error("demand {}: {}", row.task_id, d.status().ToString());
      if (first.ok()) first = d.status();
    }
  }
  if (impl_->config.forecast_days > 0) {
    auto made = impl_->WarmForecasts();
    if (made.ok()) {
      stats.forecasts_made = *made;
    } else {
      if (impl_->log) impl_->log->error("making today's forecasts: {}", made.status().ToString());
      if (first.ok()) first = made.status();
    }
  }
  auto warmed = impl_->WarmHistory();
  if (warmed.ok()) {
    stats.history_warmed = *warmed;
  } else {
    if (impl_->log) impl_->log->error("summing the baseline history: {}", warmed.status().ToString());
    if (first.ok()) first = warmed.status();
  }
  if (!first.ok()) return first;
  return stats;
}

Result<std::vector<Statement>> Regulator::Statements(const store::SettlementFilter& filter, bool monthly) {
  auto rows = impl_->store.ListSettlements(filter);
  if (!rows.ok()) return rows.status();
  std::vector<InstructionSettlement> settlements;
  for (const auto& row : *rows) {
    auto s = doc::DecodeSettlement(row.doc_json, "settlement " + row.operator_id + "/" + row.regulation_id);
    if (!s.ok()) return s.status();
    settlements.push_back(std::move(*s));
  }
  return monthly ? MonthlyStatements(settlements) : DailyStatements(settlements);
}

}  // namespace vgi::engine
