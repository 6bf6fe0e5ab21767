#pragma once
// Private to the store: the regulation engine's checks and refusals (store.hpp's "regulation
// engine" and "leases" sections), shared by every backend so they answer with the same messages.
//
// Thread safety: free functions on values; call from any thread.

#include <chrono>
#include <cstdint>
#include <string_view>

#include "vgi/store/store.hpp"

namespace vgi::store::record {

// ApplyEngineWrite's checks before anything is written: keys not empty (demand task_id;
// regulation/settlement operator_id and regulation_id), a known demand state, a non-negative
// version, each command as Enqueue checks it (CheckCommand) and its instruction's keys.
// Invalid naming the field.
Status CheckEngineWrite(const EngineWrite& write);

// The demand compare-and-set refusals, both Conflict (Status has no AlreadyExists code; the
// messages tell them apart). DemandExists: version 0 but `task_id` is taken ("already exists").
// DemandConflict: the stored version is not `expected` (`stored` 0 = no such demand; "stale"
// otherwise).
Status DemandExists(std::string_view task_id);
Status DemandConflict(std::string_view task_id, std::int64_t expected, std::int64_t stored);

// AcquireLease / ReleaseLease checks: name and holder not empty, a positive ttl.
Status CheckLease(std::string_view name, std::string_view holder);
Status CheckLeaseTtl(std::chrono::milliseconds ttl);

}  // namespace vgi::store::record
