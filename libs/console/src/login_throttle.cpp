#include "vgi/console/login_throttle.hpp"

#include <algorithm>

namespace vgi::console {

LoginThrottle::LoginThrottle(const Clock& clock, ThrottleConfig config) : clock_(clock), config_(config) {
  config_.max_failures = std::max(config_.max_failures, 1);
  config_.max_keys = std::max<std::size_t>(config_.max_keys, 1);
}

std::optional<std::chrono::seconds> LoginThrottle::Blocked(std::string_view key) const {
  const SystemTime now = clock_.Now();
  std::lock_guard lock(mu_);
  const auto it = entries_.find(std::string(key));
  if (it == entries_.end() || it->second.locked_until <= now) return std::nullopt;
  // Round up: answering "0 s" while still locked would invite an immediate retry.
  return std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now);
}

void LoginThrottle::Failure(std::string_view key) {
  const SystemTime now = clock_.Now();
  std::lock_guard lock(mu_);
  auto it = entries_.find(std::string(key));
  if (it == entries_.end()) {
    if (entries_.size() >= config_.max_keys) {
      // Forget the key touched least recently that is not locked (a flood of new keys must not
      // free a locked account); only when every key is locked, the least recent one.
      auto victim = std::find_if(lru_.begin(), lru_.end(),
                                 [&](const std::string& k) { return entries_.at(k).locked_until <= now; });
      if (victim == lru_.end()) victim = lru_.begin();
      entries_.erase(*victim);
      lru_.erase(victim);
    }
    lru_.emplace_back(key);
    it = entries_.emplace(std::string(key), Entry{}).first;
    it->second.lru = std::prev(lru_.end());
  } else {
    lru_.splice(lru_.end(), lru_, it->second.lru);
  }
  Entry& e = it->second;
  if (e.locked_until > now) return;  // already locked: the attempt should not have happened

  // Slide the window: failures at or before now - window no longer count.
  const SystemTime horizon = now - config_.window;
  e.failures.erase(e.failures.begin(),
                   std::find_if(e.failures.begin(), e.failures.end(), [&](SystemTime t) { return t > horizon; }));
  e.failures.push_back(now);
  if (static_cast<int>(e.failures.size()) < config_.max_failures) return;

  // Lock: lockout * 2^lockouts, capped (the shift is capped too, so it cannot overflow).
  std::chrono::seconds duration = config_.lockout;
  for (int i = 0; i < e.lockouts && duration < config_.max_lockout; ++i) duration *= 2;
  duration = std::min(duration, config_.max_lockout);
  e.locked_until = now + duration;
  ++e.lockouts;
  e.failures.clear();  // after the lock, a fresh series of max_failures failures locks again
}

void LoginThrottle::Success(std::string_view key) {
  std::lock_guard lock(mu_);
  const auto it = entries_.find(std::string(key));
  if (it == entries_.end()) return;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

std::size_t LoginThrottle::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace vgi::console
