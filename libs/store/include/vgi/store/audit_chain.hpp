#pragma once
// The audit log's hash chain (issue 6 "Audit and logs"): each row's hash covers its fields and
// the previous row's hash, so an edited row breaks its own hash and a deleted or inserted row
// breaks the chain (seq gap or prev_hash mismatch) from there on. A truncated tail leaves a
// valid shorter chain: compare the head (last seq and hash) with one kept elsewhere (the audit
// log file records every appended row's seq and hash).
//
// Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "vgi/store/store.hpp"

namespace vgi::store {

// 64 '0': the prev_hash of the first row.
inline constexpr std::string_view kAuditGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

// Lower-case hex SHA-256 over seq, at (microseconds since the epoch), username, source,
// operation, object, result, detail and prev_hash, each length-prefixed (so no two different
// rows encode the same bytes). `row.hash` is not read.
std::string AuditHash(const AuditRow& row);

struct AuditBreak {
  std::int64_t seq = 0;  // the first row that does not verify
  std::string reason;    // e.g. "row 7: its hash does not match its content (edited?)"
};

// Checks rows in order: seq continues from `expected_seq` (the first row's seq when starting at
// 1), prev_hash equals the previous hash (`prev_hash` for the first row given), hash equals
// AuditHash. nullopt when every row verifies. Verifying a long log page by page: pass the last
// verified row's seq + 1 and hash.
std::optional<AuditBreak> VerifyAuditChain(std::span<const AuditRow> rows, std::int64_t expected_seq = 1,
                                           std::string_view prev_hash = kAuditGenesis);

}  // namespace vgi::store
