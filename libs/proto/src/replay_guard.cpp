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
  if (now >= next_purge_) PurgeLocked(now);
  auto [it, inserted] = keys_.try_emplace(std::move(key), forget_after);
  if (!inserted) {
    if (it->second >= now) {
      return Status::Unauthenticated("Seq: request (OperatorID, TimeStamp, Seq) = (" +
                                     std::string(operator_id) + ", " + std::string(timestamp) + ", " +
                                     std::string(seq) + ") was already received (replay)");
    }
    it->second = forget_after;  // expired entry not yet purged: treat as new
  }
  return Status::Ok();
}

std::size_t MemoryReplayGuard::size() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

void MemoryReplayGuard::PurgeLocked(SystemTime now) {
  std::erase_if(keys_, [now](const auto& kv) { return kv.second < now; });
  // A full sweep costs O(n); once a second keeps it negligible per request.
  next_purge_ = now + std::chrono::seconds(1);
}

}  // namespace vgi::proto
