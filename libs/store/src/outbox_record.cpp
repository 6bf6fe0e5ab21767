#include "outbox_record.hpp"

#include "record_codec.hpp"

namespace vgi::store::record {

std::string OutboxContext(std::string_view operator_id) {
  return "outbox:" + std::string(operator_id);
}

std::string_view InterfaceName(proto::Interface interface) {
  return proto::Info(interface).name;
}

Result<OutboxCommand> OpenCommand(const Sealer& sealer, StoredCommand stored) {
  OutboxCommand& c = stored.command;
  const std::string what = "outbox command " + std::to_string(c.id);
  const proto::InterfaceInfo* info = proto::FindInterface(stored.interface_name);
  if (info == nullptr) {
    return Status::Internal(what + ": interface \"" + stored.interface_name +
                            "\" is not a protocol interface; the database is corrupted, restore a backup");
  }
  c.interface = info->id;
  const std::string context = OutboxContext(c.operator_id);
  auto data = sealer.Open(c.data_json, context);
  if (!data.ok()) return data.status().WithPrefix(what + " data");
  c.data_json = std::move(*data);
  if (!c.response_json.empty()) {
    auto response = sealer.Open(c.response_json, context);
    if (!response.ok()) return response.status().WithPrefix(what + " response");
    c.response_json = std::move(*response);
  }
  return std::move(c);
}

Status CheckCommand(const OutboxCommand& command) {
  if (command.operator_id.empty()) return Status::Invalid("outbox command operator_id: must not be empty");
  const auto n = static_cast<std::size_t>(command.interface);
  if (n >= proto::AllInterfaces().size()) {
    return Status::Invalid("outbox command interface: " + std::to_string(n) + " is not a protocol interface");
  }
  return Status::Ok();
}

Status CheckClaim(std::string_view node, std::chrono::milliseconds lease) {
  if (node.empty()) return Status::Invalid("ClaimOutbox node: must not be empty (it names the lease owner)");
  if (lease.count() <= 0) {
    return Status::Invalid("ClaimOutbox lease: must be positive, got " + std::to_string(lease.count()) + " ms");
  }
  return Status::Ok();
}

Status CheckOutcome(const OutboxOutcome& outcome) {
  const int s = static_cast<int>(outcome.state);
  if (s < 0 || s > 3) return Status::Invalid("outbox outcome state: " + std::to_string(s) + " is not 0..3");
  return Status::Ok();
}

Status ApplyOutcome(const Sealer& sealer, std::string_view node, const OutboxOutcome& outcome, OutboxCommand& row) {
  if (row.state != OutboxState::kPending || row.lease_owner != node) {
    return OutboxNotHeld(row.id, node, row.state, row.lease_owner);
  }
  row.lease_owner.clear();
  row.lease_until.reset();
  switch (outcome.state) {
    case OutboxState::kPending:
      row.next_attempt_at = TruncateTime(outcome.next_attempt_at);
      row.last_error = outcome.error;
      return Status::Ok();
    case OutboxState::kSent:
      row.ret = outcome.ret;
      row.msg = outcome.msg;
      row.response_json = outcome.response_json.empty()
                              ? std::string()
                              : sealer.Seal(outcome.response_json, OutboxContext(row.operator_id));
      break;
    case OutboxState::kFailed:
    case OutboxState::kDead:
      row.last_error = outcome.error;
      break;
  }
  row.state = outcome.state;
  row.finished_at = TruncateTime(outcome.at);
  return Status::Ok();
}

std::string_view StateName(OutboxState state) {
  switch (state) {
    case OutboxState::kPending:
      return "pending";
    case OutboxState::kSent:
      return "sent";
    case OutboxState::kFailed:
      return "failed";
    case OutboxState::kDead:
      return "dead";
  }
  return "unknown";
}

Status OutboxNotFound(std::int64_t id) {
  return Status::NotFound("outbox command " + std::to_string(id) + ": no such command");
}

Status OutboxNotHeld(std::int64_t id, std::string_view node, OutboxState state, std::string_view owner) {
  const std::string what = "outbox command " + std::to_string(id);
  if (state != OutboxState::kPending) {
    return Status::Conflict(what + " is already finished (" + std::string(StateName(state)) + "); the outcome from " +
                            std::string(node) + " was not recorded");
  }
  if (owner.empty()) {
    return Status::Conflict(what + " is not leased to " + std::string(node) +
                            " (no node holds it); the outcome was not recorded");
  }
  return Status::Conflict(what + " is leased to " + std::string(owner) + ", not " + std::string(node) +
                          ": another node owns it now; the outcome was not recorded");
}

Status CheckAlarm(const AlarmRow& alarm) {
  if (alarm.type.empty()) return Status::Invalid("alarm type: must not be empty");
  const int level = static_cast<int>(alarm.level);
  if (level < 1 || level > 4) return Status::Invalid("alarm level: " + std::to_string(level) + " is not 1..4");
  return Status::Ok();
}

Status CheckAlarmState(AlarmState state) {
  const int s = static_cast<int>(state);
  if (s < 1 || s > 3) return Status::Invalid("alarm state: " + std::to_string(s) + " is not 1..3");
  return Status::Ok();
}

Status AlarmNotFound(std::int64_t id) {
  return Status::NotFound("alarm " + std::to_string(id) + ": no such alarm");
}

Status AlarmStillLive(std::int64_t id, std::int64_t live_id) {
  return Status::Conflict("alarm " + std::to_string(id) + " cannot be reopened: alarm " + std::to_string(live_id) +
                          " with the same type and object is not closed; act on that one");
}

}  // namespace vgi::store::record
