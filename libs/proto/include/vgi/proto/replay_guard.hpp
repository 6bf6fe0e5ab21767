#pragma once
// Freshness and replay defence (protocol.md, Decision "freshness and replay").
//
// A request is fresh when its TimeStamp is within the peer's clock skew of our clock. A fresh
// request is admitted once: a second request with the same (OperatorID, TimeStamp, Seq) inside
// the window is a replay. Both answer Ret 4009. Outside the window a stored key is useless (the
// freshness check refuses it first), so a guard forgets keys once their window has passed.
//
// ReplayGuard is an interface so the server can back it with its database and keep refusing
// replays after a restart; MemoryReplayGuard serves tests and single-process tools.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "vgi/base/clock.hpp"
#include "vgi/base/status.hpp"

namespace vgi::proto {

// Ok when |now - request_time| <= skew, else Unauthenticated naming TimeStamp and the skew.
Status CheckFreshness(SystemTime request_time, SystemTime now, std::chrono::seconds skew);

class ReplayGuard {
 public:
  virtual ~ReplayGuard() = default;
  // Records the key. Ok the first time; Unauthenticated ("replayed") when the key is already
  // held; another code if the backing store failed (the caller answers Ret 500 and must not
  // process the request). The key may be forgotten after `forget_after`.
  virtual Status Admit(std::string_view operator_id, std::string_view timestamp,
                       std::string_view seq, SystemTime forget_after) = 0;
};

// Thread-safe, in-process guard. Memory grows with the admitted request rate times the window;
// only requests whose signature verified reach it, so only real peers can fill it.
class MemoryReplayGuard final : public ReplayGuard {
 public:
  explicit MemoryReplayGuard(const Clock& clock) : clock_(clock) {}

  Status Admit(std::string_view operator_id, std::string_view timestamp, std::string_view seq,
               SystemTime forget_after) override;
  [[nodiscard]] std::size_t size() const;

 private:
  void PurgeLocked(SystemTime now);

  const Clock& clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, SystemTime> keys_;  // key -> forget_after
  SystemTime next_purge_{};
};

}  // namespace vgi::proto
