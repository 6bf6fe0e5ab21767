#include "vgi/proto/replay_guard.hpp"

#include <string>

namespace vgi::proto {

Status CheckFreshness(SystemTime request_time, SystemTime now, std::chrono::seconds skew) {
  const auto diff = request_time > now ? request_time - now : now - request_time;
  if (diff > skew) {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(diff).count();
    return Status::Unauthenticated("TimeStamp: " + std::to_string(secs) + " s " +
                                   (request_time > now ? "ahead of" : "behind") +
                                   " the grid's clock, more than the allowed " +
                                   std::to_string(skew.count()) +
                                   " s (sync the clock with NTP; TimeStamp is Beijing time)");
  }
  return Status::Ok();
}

Status MemoryReplayGuard::Admit(std::string_view operator_id, std::string_view timestamp,
                                std::string_view seq, SystemTime forget_after) {
  std::string key;
  key.reserve(operator_id.size() + timestamp.size() + seq.size() + 2);
  key.append(operator_id).append(1, '|').append(timestamp).append(1, '|').append(seq);
  const SystemTime now = clock_.Now();
  std::lock_guard lock(mu_);
  ForgetLocked(now);
  auto [it, inserted] = keys_.try_emplace(std::move(key), forget_after);
  if (inserted) {
    expiry_.push(Expiry{forget_after, &it->first});
    return Status::Ok();
  }
  if (it->second >= now) {
    return Status::Unauthenticated("Seq: request (OperatorID, TimeStamp, Seq) = (" + std::string(operator_id) +
                                   ", " + std::string(timestamp) + ", " + std::string(seq) +
                                   ") was already received (replay)");
  }
  // Expired, not forgotten yet: admitted as new. Its expiry entry is due no later than the new
  // forget_after, and moves when it comes up (ForgetLocked).
  it->second = forget_after;
  return Status::Ok();
}

std::size_t MemoryReplayGuard::size() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

void MemoryReplayGuard::ForgetLocked(SystemTime now) {
  for (int n = 0; n < kForgetPerAdmit && !expiry_.empty() && expiry_.top().at < now; ++n) {
    const Expiry e = expiry_.top();
    expiry_.pop();
    const auto it = keys_.find(*e.key);
    if (it->second < now) {
      keys_.erase(it);
    } else {
      expiry_.push(Expiry{it->second, e.key});  // admitted again since: look again then
    }
  }
}

}  // namespace vgi::proto
