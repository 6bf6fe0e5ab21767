#pragma once
// Grid -> operator commands as outbox rows (store::EngineWrite::Command), built and checked the
// same way whoever enqueues them: the Regulator, `vgi task`, the relay's Enqueue* helpers.
//
// Pure functions: no I/O. Thread safety: none shared.

#include <string_view>

#include "vgi/base/clock.hpp"
#include "vgi/base/status.hpp"
#include "vgi/proto/settlement.hpp"
#include "vgi/proto/task.hpp"
#include "vgi/store/store.hpp"

namespace vgi::engine {

// send_task, with the instruction row (sent_at = now) to store in the same transaction. The
// deadline (never sent late) is, for a new instruction, its first window's start; for a change or
// a cancel, the end of its last window. Invalid when the operator ID or the instruction is not
// valid (codec rules; the message names the field), it has no window, or the deadline has passed.
Result<store::EngineWrite::Command> SendTaskCommand(SystemTime now, std::string_view operator_id,
                                                    const proto::Instruction& instruction);
// query_task_result for an instruction sent before; the deadline is the caller's (before
// execution: normally the first window's start).
Result<store::EngineWrite::Command> QueryTaskResultCommand(SystemTime now, std::string_view operator_id,
                                                           const proto::InstructionRef& ref, SystemTime deadline);
// exchange_inviteplan_push.
Result<store::EngineWrite::Command> SettlementCommand(SystemTime now, std::string_view operator_id,
                                                      const proto::SettlementPush& push, SystemTime deadline);

}  // namespace vgi::engine
