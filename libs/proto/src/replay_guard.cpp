#include "vgi/proto/replay_guard.hpp"

#include <optional>
#include <string>

#include "vgi/base/random.hpp"

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

namespace {

// The value of exactly `width` ASCII digits, or nullopt.
std::optional<std::uint64_t> Digits(std::string_view text, std::size_t width) {
  if (text.size() != width) return std::nullopt;
  std::uint64_t v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

std::uint64_t Mix(std::uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t RandomSeed() {
  std::uint64_t seed = 0;
  RandomSource::System().Fill({reinterpret_cast<std::uint8_t*>(&seed), sizeof seed});
  return seed;
}

}  // namespace

// The hash is seeded per guard: peers choose TimeStamp and Seq, so they must not be able to
// predict which keys share a bucket.
MemoryReplayGuard::MemoryReplayGuard(const Clock& clock) : clock_(clock), keys_(0, KeyHash{RandomSeed()}) {}

std::size_t MemoryReplayGuard::KeyHash::operator()(const Key& k) const noexcept {
  return static_cast<std::size_t>(Mix(k.stamp ^ seed) + Mix(k.operator_index + seed));
}

Status MemoryReplayGuard::Admit(std::string_view operator_id, std::string_view timestamp,
                                std::string_view seq, SystemTime forget_after) {
  const std::optional<std::uint64_t> stamp = Digits(timestamp, 14);
  if (!stamp) return Status::Invalid("TimeStamp: must be 14 digits, yyyyMMddHHmmss");
  const std::optional<std::uint64_t> number = Digits(seq, 4);
  if (!number) return Status::Invalid("Seq: must be 4 digits, e.g. 0001");
  const SystemTime now = clock_.Now();
  std::lock_guard lock(mu_);
  ForgetLocked(now);
  const auto op = operators_.try_emplace(std::string(operator_id), static_cast<std::uint32_t>(operators_.size())).first;
  auto [it, inserted] = keys_.try_emplace(Key{*stamp * 10000 + *number, op->second}, forget_after);
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
