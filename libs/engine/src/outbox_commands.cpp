#include "vgi/engine/outbox_commands.hpp"

#include <algorithm>

#include "vgi/proto/codec.hpp"
#include "vgi/proto/keys.hpp"
#include "vgi/proto/interfaces.hpp"

namespace vgi::engine {
namespace {

// The Data as it will be sent, decoded again so a command the operator would refuse (Ret 4003)
// is refused here, naming the field, instead of waiting in the outbox.
template <class T>
Result<std::string> ValidData(const T& value, const char* what) {
  std::string json = proto::EncodeData(value);
  auto back = proto::DecodeData<T>(json);
  if (!back.ok()) return Status(back.status().code(), std::string(what) + ": " + back.status().message());
  return json;
}

Status CheckOperator(std::string_view operator_id) {
  if (!proto::IsOperatorId(operator_id)) {
    return Status::Invalid("operator: \"" + std::string(operator_id) + "\" is not an OperatorID (9 characters of [0-9A-Z])");
  }
  return Status::Ok();
}

store::OutboxCommand NewCommand(SystemTime now, std::string_view operator_id, proto::Interface interface,
                                std::string task_id, std::string regulation_id, std::string data_json,
                                SystemTime deadline) {
  store::OutboxCommand c;
  c.operator_id = std::string(operator_id);
  c.interface = interface;
  c.task_id = std::move(task_id);
  c.regulation_id = std::move(regulation_id);
  c.data_json = std::move(data_json);
  c.created_at = now;
  c.next_attempt_at = now;
  c.deadline = deadline;
  return c;
}

}  // namespace

Result<store::EngineWrite::Command> SendTaskCommand(SystemTime now, std::string_view operator_id,
                                                    const proto::Instruction& instruction) {
  VGI_RETURN_IF_ERROR(CheckOperator(operator_id));
  auto json = ValidData(instruction, "send_task Data");
  if (!json.ok()) return json.status();
  if (instruction.targets.empty()) return Status::Invalid("adjustTargetList: an instruction needs a window");
  // A new instruction is useless once its first window started; a change or a cancel still
  // matters until the last window ended (endTime is the window's last minute).
  const bool is_new = instruction.synchro_type == proto::SynchroType::kNew;
  SystemTime deadline = is_new ? SystemTime::max() : SystemTime::min();
  for (const auto& t : instruction.targets) {
    deadline = is_new ? std::min(deadline, proto::ToSystemTime(t.start_time))
                      : std::max(deadline, proto::ToSystemTime(t.end_time) + std::chrono::minutes(1));
  }
  if (deadline <= now) {
    return Status::Invalid(std::string("adjustTargetList: ") +
                           (is_new ? "the first window has started" : "the last window has ended") + " (" +
                           proto::FormatTimeStamp(deadline) + "); an instruction is never sent late");
  }
  store::EngineWrite::Command out;
  out.command = NewCommand(now, operator_id, proto::Interface::kSendTask, instruction.task_id,
                           instruction.regulation_id, std::move(*json), deadline);
  out.instruction = store::InstructionRow{std::string(operator_id), instruction, now};
  return out;
}

Result<store::EngineWrite::Command> QueryTaskResultCommand(SystemTime now, std::string_view operator_id,
                                                           const proto::InstructionRef& ref, SystemTime deadline) {
  VGI_RETURN_IF_ERROR(CheckOperator(operator_id));
  auto json = ValidData(ref, "query_task_result Data");
  if (!json.ok()) return json.status();
  store::EngineWrite::Command out;
  out.command = NewCommand(now, operator_id, proto::Interface::kQueryTaskResult, ref.task_id, ref.regulation_id,
                           std::move(*json), deadline);
  return out;
}

Result<store::EngineWrite::Command> SettlementCommand(SystemTime now, std::string_view operator_id,
                                                      const proto::SettlementPush& push, SystemTime deadline) {
  VGI_RETURN_IF_ERROR(CheckOperator(operator_id));
  auto json = ValidData(push, "exchange_inviteplan_push Data");
  if (!json.ok()) return json.status();
  store::EngineWrite::Command out;
  out.command = NewCommand(now, operator_id, proto::Interface::kExchangeInviteplanPush, push.task_id,
                           push.regulation_id, std::move(*json), deadline);
  return out;
}

}  // namespace vgi::engine
