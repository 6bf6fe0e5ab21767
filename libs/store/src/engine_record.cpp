#include "engine_record.hpp"

#include <string>

#include "outbox_record.hpp"

namespace vgi::store::record {

Status CheckEngineWrite(const EngineWrite& write) {
  if (write.demand) {
    const DemandRow& d = *write.demand;
    if (d.task_id.empty()) return Status::Invalid("demand task_id: must not be empty");
    const int s = static_cast<int>(d.state);
    if (s < 0 || s > 3) return Status::Invalid("demand state: " + std::to_string(s) + " is not 0..3");
    if (d.version < 0) return Status::Invalid("demand version: must not be negative, got " + std::to_string(d.version));
  }
  for (std::size_t i = 0; i < write.regulations.size(); ++i) {
    const RegulationRow& r = write.regulations[i];
    if (r.operator_id.empty() || r.regulation_id.empty()) {
      return Status::Invalid("regulations[" + std::to_string(i) + "]: operator_id and regulation_id must not be empty");
    }
  }
  for (std::size_t i = 0; i < write.settlements.size(); ++i) {
    const SettlementRow& r = write.settlements[i];
    if (r.operator_id.empty() || r.regulation_id.empty()) {
      return Status::Invalid("settlements[" + std::to_string(i) + "]: operator_id and regulation_id must not be empty");
    }
  }
  for (std::size_t i = 0; i < write.commands.size(); ++i) {
    const EngineWrite::Command& c = write.commands[i];
    const std::string what = "commands[" + std::to_string(i) + "]";
    VGI_RETURN_IF_ERROR(CheckCommand(c.command).WithPrefix(what));
    if (c.instruction && (c.instruction->operator_id.empty() || c.instruction->instruction.regulation_id.empty())) {
      return Status::Invalid(what + " instruction: operator_id and regulationID must not be empty");
    }
  }
  return Status::Ok();
}

Status DemandExists(std::string_view task_id) {
  // vgi::Status has no AlreadyExists code: Conflict ("the object exists or changed") with a
  // message saying which.
  return Status::Conflict("demand " + std::string(task_id) + ": already exists (inserted with version 0)");
}

Status DemandConflict(std::string_view task_id, std::int64_t expected, std::int64_t stored) {
  if (stored == 0) {
    return Status::Conflict("demand " + std::string(task_id) + ": version " + std::to_string(expected) +
                            " expected, but no such demand is stored");
  }
  return Status::Conflict("demand " + std::string(task_id) + ": version " + std::to_string(expected) +
                          " is stale (stored version " + std::to_string(stored) + ")");
}

Status CheckLease(std::string_view name, std::string_view holder) {
  if (name.empty()) return Status::Invalid("lease name: must not be empty");
  if (holder.empty()) return Status::Invalid("lease holder: must not be empty");
  return Status::Ok();
}

Status CheckLeaseTtl(std::chrono::milliseconds ttl) {
  if (ttl.count() <= 0)
    return Status::Invalid("lease ttl: must be positive, got " + std::to_string(ttl.count()) + " ms");
  return Status::Ok();
}

}  // namespace vgi::store::record
