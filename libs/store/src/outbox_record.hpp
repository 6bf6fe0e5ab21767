#pragma once
// Private to the store: how outbox commands and alarms are checked, sealed and worded, shared by
// every backend so they store the same bytes and answer with the same messages (store.hpp's
// outbox and alarms sections are the contract).
//
//   - data_json and response_json are sealed under OutboxContext(operator_id); an empty
//     response_json is stored as no value (NULL), never sealed.
//   - The interface is stored by its protocol name ("send_task"), not its enum value, so
//     reordering the enum never changes what a row means.
//
// Thread safety: free functions on values; call from any thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "vgi/store/store.hpp"

namespace vgi::store::record {

inline constexpr std::string_view kDeadlinePassed = "deadline passed before delivery";

std::string OutboxContext(std::string_view operator_id);  // "outbox:<operator_id>"

// A command as a row holds it: data_json (and response_json when not empty) still sealed.
struct StoredCommand {
  OutboxCommand command;
  std::string interface_name;
};

// The interface's protocol name; the enum value must be a known interface (CheckCommand).
std::string_view InterfaceName(proto::Interface interface);
// Opens the sealed documents and resolves the interface name. Internal naming the command when a
// document does not open or the name is unknown (a corrupted row).
Result<OutboxCommand> OpenCommand(const Sealer& sealer, StoredCommand stored);

// Enqueue's checks: operator_id not empty, a known interface. Invalid naming the field.
Status CheckCommand(const OutboxCommand& command);
// ClaimOutbox's checks: a node name (the lease owner; "" means none) and a positive lease.
Status CheckClaim(std::string_view node, std::chrono::milliseconds lease);
// FinishOutbox's check: a known state.
Status CheckOutcome(const OutboxOutcome& outcome);

// FinishOutbox applied to a row as stored (`row.response_json` sealed): Conflict (OutboxNotHeld)
// unless the row is kPending and leased to `node`; else the outcome's fields per store.hpp, the
// lease released, a non-empty response sealed.
Status ApplyOutcome(const Sealer& sealer, std::string_view node, const OutboxOutcome& outcome, OutboxCommand& row);

std::string_view StateName(OutboxState state);  // "pending", "sent", "failed", "dead"

// FinishOutbox refusals. NotFound: no command `id`. Conflict: the row is `state` (finished) or
// leased to `owner` ("" = nobody) rather than `node`.
Status OutboxNotFound(std::int64_t id);
Status OutboxNotHeld(std::int64_t id, std::string_view node, OutboxState state, std::string_view owner);

// RaiseAlarm's checks: type not empty, a known level.
Status CheckAlarm(const AlarmRow& alarm);
// SetAlarmState's checks and refusals.
Status CheckAlarmState(AlarmState state);
Status AlarmNotFound(std::int64_t id);
// Reopening closed alarm `id` would make a second live alarm beside `live_id` (same type, object).
Status AlarmStillLive(std::int64_t id, std::int64_t live_id);

}  // namespace vgi::store::record
