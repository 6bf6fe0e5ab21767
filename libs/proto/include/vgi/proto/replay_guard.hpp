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
#include <cstdint>
#include <mutex>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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
// only requests whose signature verified reach it, so only real peers can fill it. A key is held
// packed, in about 76 bytes (140 as strings; scripts/experiments/replay_guard_memory.cpp): the
// operator's index among those seen, and TimeStamp and Seq as one number (a 14-digit TimeStamp and a 4-digit Seq, as ParseRequestEnvelope requires; other forms
// are Invalid). Expired keys are forgotten a few at a time, oldest first, by each Admit (at most
// kForgetPerAdmit, more than the one it adds): no call pays for a sweep of the whole window,
// which at 10 000 requests/s holds 3 million keys.
class MemoryReplayGuard final : public ReplayGuard {
 public:
  explicit MemoryReplayGuard(const Clock& clock);

  Status Admit(std::string_view operator_id, std::string_view timestamp, std::string_view seq,
               SystemTime forget_after) override;

  // Keys held, expired ones not yet forgotten included.
  [[nodiscard]] std::size_t size() const;

  static constexpr int kForgetPerAdmit = 64;

 private:
  struct Key {
    std::uint64_t stamp;    // TimeStamp digits x 10 000 + Seq
    std::uint32_t operator_index;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::uint64_t seed;
    std::size_t operator()(const Key& k) const noexcept;
  };
  using Keys = std::unordered_map<Key, SystemTime, KeyHash>;  // key -> forget_after
  // One entry per held key: when to look at it again (never after its forget_after) and its
  // key, which stays where it is in keys_ until this entry erases it.
  struct Expiry {
    SystemTime at;
    const Key* key;
    bool operator>(const Expiry& o) const { return at > o.at; }
  };

  void ForgetLocked(SystemTime now);

  const Clock& clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::uint32_t> operators_;  // operator ID -> index
  Keys keys_;
  std::priority_queue<Expiry, std::vector<Expiry>, std::greater<>> expiry_;
};

}  // namespace vgi::proto
