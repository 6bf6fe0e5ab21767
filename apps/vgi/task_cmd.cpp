// `vgi task send|change|cancel|query`, `vgi outbox list|show`, `vgi alarm list`: grid -> operator commands
// by hand, on the store the config names. A command is written to the durable outbox together
// with its instruction; the running server's relay delivers it (within a poll, ~0.25 s).
#include <algorithm>
#include <cstdio>
#include <ctime>

#include "cli_util.hpp"
#include "commands.hpp"
#include "vgi/base/random.hpp"
#include "vgi/engine/demand.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/interfaces.hpp"
#include "vgi/relay/outbox_relay.hpp"
#include "vgi/server/config.hpp"
#include "vgi/server/grid_server.hpp"

namespace vgi::app {
namespace {

struct TaskArgs {
  std::string config;
  std::string operator_id;
  std::string type = "peak";
  std::string range = "operator";
  std::vector<std::string> ids;
  std::string credit_code;
  std::vector<std::string> windows;  // "KW,yyyy-MM-dd HH:mm,yyyy-MM-dd HH:mm"
  std::string task_id;
  std::string regulation_id;
  std::string of;  // change/cancel: the regulationID being changed or cancelled
  bool force = false;
  // list
  std::string state;
  bool all = false;
  std::size_t limit = 50;
};


// The store a config names (its master key must exist: the server or `vgi peer` made it).
Result<server::StoreHandle> OpenStore(const std::string& config_path) {
  auto config = server::LoadConfig(config_path);
  if (!config.ok()) return config.status();
  return server::OpenConfiguredStore(*config, Clock::System(), /*create_key=*/false);
}

std::string Stamp(SystemTime t) { return proto::FormatMinute(proto::ToBeijingMinute(t)); }

// "T" + Beijing yyyyMMddHHmmss + 4 random hex digits: unique enough for hand-made tasks.
std::string NewId(char prefix) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  return std::string(1, prefix) + proto::FormatTimeStamp(Clock::System().Now()) +
         RandomString(RandomSource::System(), 4, kHex);
}

Result<proto::RangeType> ParseRange(const std::string& r) {
  if (r == "market") return proto::RangeType::kMarket;
  if (r == "area") return proto::RangeType::kTransformerArea;
  if (r == "operator") return proto::RangeType::kOperator;
  if (r == "station") return proto::RangeType::kStation;
  if (r == "stake") return proto::RangeType::kStake;
  return Status::Invalid("--range: must be market, area, operator, station or stake");
}

const char* StateName(store::OutboxState s) {
  switch (s) {
    case store::OutboxState::kPending: return "pending";
    case store::OutboxState::kSent: return "sent";
    case store::OutboxState::kFailed: return "failed";
    case store::OutboxState::kDead: return "dead";
  }
  return "?";
}

int Send(const std::string& action, const TaskArgs& a) {
  auto db = OpenStore(a.config);
  if (!db.ok()) return Fail(db.status().ToString());

  if (action == "query") {  // query_task_result: how the operator holds an instruction
    auto sent = db->store->GetInstruction(a.operator_id, a.of);
    if (!sent.ok()) return Fail(sent.status().ToString());
    if (!sent->has_value()) return Fail("--of: no instruction " + a.of + " was sent to " + a.operator_id);
    const auto& held = (*sent)->instruction;
    SystemTime deadline = SystemTime::max();
    for (const auto& t : held.targets) deadline = std::min(deadline, proto::ToSystemTime(t.start_time));
    auto id = relay::EnqueueQueryTaskResult(*db->store, Clock::System(), a.operator_id,
                                            proto::InstructionRef{held.task_id, held.regulation_id}, deadline);
    if (!id.ok()) return Fail(id.status().ToString());
    std::printf("queued outbox #%lld: query_task_result for regulationID %s to %s; the answer shows in: "
                "vgi outbox show -c %s %lld\n",
                static_cast<long long>(*id), held.regulation_id.c_str(), a.operator_id.c_str(), a.config.c_str(),
                static_cast<long long>(*id));
    return kExitOk;
  }
  proto::Instruction in;
  if (action == "send") {
    in.task_id = a.task_id.empty() ? NewId('T') : a.task_id;
    in.synchro_type = proto::SynchroType::kNew;
    if (a.type == "peak") {
      in.type = proto::RegulationType::kPeakShaving;
    } else if (a.type == "valley") {
      in.type = proto::RegulationType::kValleyFilling;
    } else {
      return Usage("--type: must be peak (peak shaving) or valley (valley filling)");
    }
    auto range = ParseRange(a.range);
    if (!range.ok()) return Usage(range.status().message());
    in.range_type = *range;
    in.adjust_ids = a.ids.empty() && in.range_type == proto::RangeType::kOperator ? std::vector{a.operator_id} : a.ids;
    if (!a.credit_code.empty()) in.credit_code = a.credit_code;
    in.is_force = a.force;
  } else {
    auto previous = db->store->GetInstruction(a.operator_id, a.of);
    if (!previous.ok()) return Fail(previous.status().ToString());
    if (!previous->has_value()) {
      return Fail("--of: no instruction " + a.of + " was sent to " + a.operator_id + " (see vgi outbox list)");
    }
    in = (*previous)->instruction;
    in.synchro_type = action == "change" ? proto::SynchroType::kChange : proto::SynchroType::kCancel;
  }
  in.regulation_id = a.regulation_id.empty() ? NewId('R') : a.regulation_id;
  if (action != "cancel") {
    if (a.windows.empty()) return Usage("--window: at least one window is needed");
    in.targets.clear();
    for (const auto& w : a.windows) {
      auto target = engine::ParseWindow(w);
      if (!target.ok()) return Usage("--" + target.status().message());
      in.targets.push_back(*target);
    }
  }
  auto id = relay::EnqueueInstruction(*db->store, Clock::System(), a.operator_id, in);
  if (!id.ok()) return Fail(id.status().ToString());
  std::printf("queued outbox #%lld: send_task (%s) taskID %s regulationID %s to %s\n",
              static_cast<long long>(*id), action.c_str(), in.task_id.c_str(), in.regulation_id.c_str(),
              a.operator_id.c_str());
  std::printf("the running server delivers it; follow it with: vgi outbox list -c %s --operator %s\n",
              a.config.c_str(), a.operator_id.c_str());
  return kExitOk;
}

int ListOutbox(const TaskArgs& a) {
  auto db = OpenStore(a.config);
  if (!db.ok()) return Fail(db.status().ToString());
  store::OutboxFilter f;
  if (!a.operator_id.empty()) f.operator_id = a.operator_id;
  if (!a.regulation_id.empty()) f.regulation_id = a.regulation_id;
  f.limit = a.limit;
  if (!a.state.empty()) {
    bool found = false;
    for (auto s : {store::OutboxState::kPending, store::OutboxState::kSent, store::OutboxState::kFailed,
                   store::OutboxState::kDead}) {
      if (a.state == StateName(s)) f.state = s, found = true;
    }
    if (!found) return Usage("--state: must be pending, sent, failed or dead");
  }
  auto rows = db->store->ListOutbox(f);
  if (!rows.ok()) return Fail(rows.status().ToString());
  std::printf("%-6s %-10s %-25s %-24s %-8s %-3s %-17s %s\n", "ID", "OPERATOR", "INTERFACE", "REGULATION", "STATE",
              "TRY", "DEADLINE", "RESULT");
  for (const auto& c : *rows) {
    const std::string result = c.ret ? "Ret " + std::to_string(*c.ret) + " " + c.msg : c.last_error;
    std::printf("%-6lld %-10s %-25s %-24s %-8s %-3d %-17s %s\n", static_cast<long long>(c.id), c.operator_id.c_str(),
                std::string(proto::Info(c.interface).name).c_str(), c.regulation_id.c_str(), StateName(c.state),
                c.attempts, Stamp(c.deadline).c_str(), result.c_str());
  }
  return kExitOk;
}

int ShowOutbox(const TaskArgs& a, std::int64_t id) {
  auto db = OpenStore(a.config);
  if (!db.ok()) return Fail(db.status().ToString());
  auto row = db->store->GetOutbox(id);
  if (!row.ok()) return Fail(row.status().ToString());
  if (!row->has_value()) return Fail("no outbox command #" + std::to_string(id) + " (see vgi outbox list)");
  const auto& c = **row;
  std::printf("command #%lld %s to %s\n  taskID %s regulationID %s\n  state %s after %d attempt(s); created %s, "
              "deadline %s\n",
              static_cast<long long>(c.id), std::string(proto::Info(c.interface).name).c_str(), c.operator_id.c_str(),
              c.task_id.c_str(), c.regulation_id.c_str(), StateName(c.state), c.attempts, Stamp(c.created_at).c_str(),
              Stamp(c.deadline).c_str());
  if (!c.last_error.empty()) std::printf("  last error: %s\n", c.last_error.c_str());
  if (c.ret) std::printf("  answer: Ret %d %s\n", *c.ret, c.msg.c_str());
  std::printf("  Data sent: %s\n", c.data_json.c_str());
  if (!c.response_json.empty()) std::printf("  Data received: %s\n", c.response_json.c_str());
  return kExitOk;
}

int ListAlarms(const TaskArgs& a) {
  auto db = OpenStore(a.config);
  if (!db.ok()) return Fail(db.status().ToString());
  auto rows = db->store->ListAlarms(a.all);
  if (!rows.ok()) return Fail(rows.status().ToString());
  static constexpr const char* kLevels[] = {"", "info", "warning", "major", "critical"};
  static constexpr const char* kStates[] = {"", "open", "acked", "closed"};
  std::printf("%-5s %-16s %-8s %-6s %-5s %-20s %s\n", "ID", "LAST", "LEVEL", "STATE", "COUNT", "TYPE", "DETAIL");
  for (const auto& r : *rows) {
    std::printf("%-5lld %-16s %-8s %-6s %-5lld %-20s %s\n", static_cast<long long>(r.id), Stamp(r.last_at).c_str(),
                kLevels[std::clamp(static_cast<int>(r.level), 0, 4)],
                kStates[std::clamp(static_cast<int>(r.state), 0, 3)], static_cast<long long>(r.count), r.type.c_str(), r.detail.c_str());
  }
  return kExitOk;
}

}  // namespace

void RegisterTask(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<TaskArgs>();
  auto* task = app.add_subcommand("task", "Send regulation instructions to an operator through the outbox");
  task->require_subcommand(1);
  auto common = [&](CLI::App* sub) {
    sub->add_option("--config,-c", args->config, "YAML config file (names data_dir and database)")->required();
    sub->add_option("--operator", args->operator_id, "The operator's 9-character OperatorID")->required();
    sub->add_option("--regulation-id", args->regulation_id, "regulationID (default: generated)");
  };
  auto* send = task->add_subcommand("send", "Queue a new instruction (send_task, synchroType 1)");
  common(send);
  send->add_option("--type", args->type, "peak (peak shaving) or valley (valley filling)")->capture_default_str();
  send->add_option("--range", args->range, "market, area, operator, station or stake")->capture_default_str();
  send->add_option("--ids", args->ids, "adjustIDList (default for --range operator: the operator)");
  send->add_option("--credit-code", args->credit_code, "creditCode (required for station and stake ranges)");
  send->add_option("--task-id", args->task_id, "taskID (default: generated)");
  send->add_flag("--force", args->force, "isForce = 1");
  send->add_option("--window", args->windows, "KW,START,END with times as \"yyyy-MM-dd HH:mm\" (Beijing); repeatable")
      ->required();
  auto* change = task->add_subcommand("change", "Queue a change (synchroType 2) of an instruction sent before");
  common(change);
  change->add_option("--of", args->of, "regulationID of the instruction being changed")->required();
  change->add_option("--window", args->windows, "the new windows, KW,START,END; repeatable")->required();
  auto* cancel = task->add_subcommand("cancel", "Queue a cancel (synchroType 3) of an instruction sent before");
  common(cancel);
  cancel->add_option("--of", args->of, "regulationID of the instruction being cancelled")->required();
  auto* query = task->add_subcommand("query", "Queue query_task_result: ask how the operator holds an instruction");
  common(query);
  query->add_option("--of", args->of, "regulationID of the instruction")->required();
  for (auto* sub : {send, change, cancel, query}) {
    sub->callback([args, exit_code, name = sub->get_name()] { *exit_code = Send(name, *args); });
  }

  auto* outbox = app.add_subcommand("outbox", "Inspect the grid -> operator outbox");
  outbox->require_subcommand(1);
  auto* list = outbox->add_subcommand("list", "List commands, oldest first");
  list->add_option("--config,-c", args->config, "YAML config file")->required();
  list->add_option("--operator", args->operator_id, "Only this operator");
  list->add_option("--regulation-id", args->regulation_id, "Only this regulationID");
  list->add_option("--state", args->state, "pending, sent, failed or dead");
  list->add_option("--limit", args->limit, "At most this many rows")->capture_default_str();
  list->callback([args, exit_code] { *exit_code = ListOutbox(*args); });
  auto show_id = std::make_shared<std::int64_t>(0);
  auto* show = outbox->add_subcommand("show", "One command in full: what was sent and what came back");
  show->add_option("--config,-c", args->config, "YAML config file")->required();
  show->add_option("id", *show_id, "The command's id (vgi outbox list)")->required();
  show->callback([args, exit_code, show_id] { *exit_code = ShowOutbox(*args, *show_id); });

  auto* alarm = app.add_subcommand("alarm", "Inspect alarms");
  alarm->require_subcommand(1);
  auto* alarms = alarm->add_subcommand("list", "List open and acknowledged alarms, latest first");
  alarms->add_option("--config,-c", args->config, "YAML config file")->required();
  alarms->add_flag("--all", args->all, "Closed alarms too");
  alarms->callback([args, exit_code] { *exit_code = ListAlarms(*args); });
}

}  // namespace vgi::app
