#include "memory_outbox.hpp"

#include <algorithm>
#include <tuple>

#include "record_codec.hpp"

namespace vgi::store::memory {
namespace {

using record::TruncateTime;

Status NoSealer() {
  return Status::Internal("store: StoreOptions.sealer is not set; open the store with the master key's Sealer");
}

bool Due(const OutboxCommand& c, SystemTime now) {
  return c.state == OutboxState::kPending && c.next_attempt_at <= now && c.deadline > now &&
         (!c.lease_until || *c.lease_until <= now);
}

void ReleaseLease(OutboxCommand& c) {
  c.lease_owner.clear();
  c.lease_until.reset();
}

}  // namespace

Result<record::StoredCommand> OutboxTables::Prepare(const OutboxCommand& command) const {
  VGI_RETURN_IF_ERROR(record::CheckCommand(command));
  if (sealer_ == nullptr) return NoSealer();
  record::StoredCommand s;
  OutboxCommand& c = s.command;
  c.operator_id = command.operator_id;
  c.interface = command.interface;
  c.task_id = command.task_id;
  c.regulation_id = command.regulation_id;
  c.data_json = sealer_->Seal(command.data_json, record::OutboxContext(command.operator_id));
  c.created_at = TruncateTime(command.created_at);
  c.deadline = TruncateTime(command.deadline);
  c.next_attempt_at = c.created_at;
  s.interface_name = record::InterfaceName(command.interface);
  return s;
}

std::int64_t OutboxTables::Insert(record::StoredCommand command) {
  command.command.id = ++last_command_id_;
  const std::int64_t id = command.command.id;
  commands_.emplace(id, std::move(command));
  return id;
}

Result<OutboxCommand> OutboxTables::Open(const record::StoredCommand& stored) const {
  if (sealer_ == nullptr) return NoSealer();
  return record::OpenCommand(*sealer_, stored);
}

Result<std::vector<OutboxCommand>> OutboxTables::Claim(std::string_view node, SystemTime now,
                                                       std::chrono::milliseconds lease, std::size_t limit) {
  VGI_RETURN_IF_ERROR(record::CheckClaim(node, lease));
  if (sealer_ == nullptr) return NoSealer();
  const SystemTime until = TruncateTime(now + lease);
  now = TruncateTime(now);
  std::vector<record::StoredCommand*> due;
  for (auto& [id, s] : commands_) {
    if (Due(s.command, now)) due.push_back(&s);
  }
  std::sort(due.begin(), due.end(), [](const record::StoredCommand* a, const record::StoredCommand* b) {
    return std::tie(a->command.next_attempt_at, a->command.id) < std::tie(b->command.next_attempt_at, b->command.id);
  });
  if (due.size() > limit) due.resize(limit);
  std::vector<OutboxCommand> out;
  out.reserve(due.size());
  for (record::StoredCommand* s : due) {
    s->command.lease_owner = node;
    s->command.lease_until = until;
    ++s->command.attempts;
    VGI_ASSIGN_OR_RETURN(OutboxCommand c, Open(*s));
    out.push_back(std::move(c));
  }
  return out;
}

Status OutboxTables::Finish(std::int64_t id, std::string_view node, const OutboxOutcome& outcome) {
  VGI_RETURN_IF_ERROR(record::CheckOutcome(outcome));
  if (sealer_ == nullptr) return NoSealer();
  auto it = commands_.find(id);
  if (it == commands_.end()) return record::OutboxNotFound(id);
  return record::ApplyOutcome(*sealer_, node, outcome, it->second.command);
}

Result<std::vector<OutboxCommand>> OutboxTables::Expire(SystemTime now) {
  if (sealer_ == nullptr) return NoSealer();
  now = TruncateTime(now);
  std::vector<OutboxCommand> out;
  for (auto& [id, s] : commands_) {
    OutboxCommand& c = s.command;
    if (c.state != OutboxState::kPending || c.deadline > now || (c.lease_until && *c.lease_until > now)) continue;
    c.state = OutboxState::kDead;
    c.last_error = record::kDeadlinePassed;
    c.finished_at = now;
    ReleaseLease(c);
    VGI_ASSIGN_OR_RETURN(OutboxCommand opened, Open(s));
    out.push_back(std::move(opened));
  }
  return out;
}

Result<std::optional<OutboxCommand>> OutboxTables::Get(std::int64_t id) const {
  auto it = commands_.find(id);
  if (it == commands_.end()) return std::optional<OutboxCommand>();
  VGI_ASSIGN_OR_RETURN(OutboxCommand c, Open(it->second));
  return std::optional<OutboxCommand>(std::move(c));
}

Result<std::vector<OutboxCommand>> OutboxTables::List(const OutboxFilter& filter) const {
  std::vector<OutboxCommand> out;
  for (const auto& [id, s] : commands_) {
    if (out.size() >= filter.limit) break;
    const OutboxCommand& c = s.command;
    if ((filter.operator_id && c.operator_id != *filter.operator_id) ||
        (filter.regulation_id && c.regulation_id != *filter.regulation_id) ||
        (filter.state && c.state != *filter.state)) {
      continue;
    }
    VGI_ASSIGN_OR_RETURN(OutboxCommand opened, Open(s));
    out.push_back(std::move(opened));
  }
  return out;
}

Result<AlarmRow> OutboxTables::Raise(const AlarmRow& alarm) {
  VGI_RETURN_IF_ERROR(record::CheckAlarm(alarm));
  for (auto& [id, row] : alarms_) {
    if (row.state == AlarmState::kClosed || row.type != alarm.type || row.object != alarm.object) continue;
    ++row.count;
    row.last_at = TruncateTime(alarm.last_at);
    row.detail = alarm.detail;
    row.level = alarm.level;
    row.title = alarm.title;
    return row;
  }
  AlarmRow row = alarm;
  row.id = ++last_alarm_id_;
  row.state = AlarmState::kOpen;
  row.count = 1;
  row.first_at = TruncateTime(alarm.first_at);
  row.last_at = TruncateTime(alarm.last_at);
  alarms_[row.id] = row;
  return row;
}

std::vector<AlarmRow> OutboxTables::ListAlarms(bool include_closed) const {
  std::vector<AlarmRow> out;
  for (const auto& [id, row] : alarms_) {
    if (include_closed || row.state != AlarmState::kClosed) out.push_back(row);
  }
  std::sort(out.begin(), out.end(),
            [](const AlarmRow& a, const AlarmRow& b) { return std::tie(b.last_at, b.id) < std::tie(a.last_at, a.id); });
  return out;
}

Status OutboxTables::SetAlarmState(std::int64_t id, AlarmState state) {
  VGI_RETURN_IF_ERROR(record::CheckAlarmState(state));
  auto it = alarms_.find(id);
  if (it == alarms_.end()) return record::AlarmNotFound(id);
  AlarmRow& row = it->second;
  if (row.state == AlarmState::kClosed && state != AlarmState::kClosed) {
    for (const auto& [other_id, other] : alarms_) {
      if (other_id != id && other.state != AlarmState::kClosed && other.type == row.type &&
          other.object == row.object) {
        return record::AlarmStillLive(id, other_id);
      }
    }
  }
  row.state = state;
  return Status::Ok();
}

}  // namespace vgi::store::memory
