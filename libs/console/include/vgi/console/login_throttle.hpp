#pragma once
// Login throttling (issue 6). Per key (the caller uses "user:<name>" and "addr:<ip>"), failures
// are counted inside a sliding window; the `max_failures`-th failure locks the key for `lockout`,
// each further lockout of the same key doubles it, up to `max_lockout`. A success clears the key
// (its failures and its lockout history). A failure reported while the key is locked extends
// nothing (the caller should not have tried).
//
// Memory is bounded: at most `max_keys` keys are tracked; past that the key touched least
// recently that is not locked is dropped first (an attacker spraying addresses forgets old keys
// and never grows memory, and cannot unlock a locked account by flooding).
//
// Thread safety: all members may be called from any thread (one mutex). The Clock must outlive
// the throttle.

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vgi/base/clock.hpp"

namespace vgi::console {

struct ThrottleConfig {
  int max_failures = 5;
  std::chrono::seconds window{900};
  std::chrono::seconds lockout{300};
  std::chrono::seconds max_lockout{3600};
  std::size_t max_keys = 100000;
};

class LoginThrottle {
 public:
  LoginThrottle(const Clock& clock, ThrottleConfig config = {});

  // nullopt when a login may be tried now; else how long until it may, rounded up to whole
  // seconds (the caller answers 429 with Retry-After).
  std::optional<std::chrono::seconds> Blocked(std::string_view key) const;
  void Failure(std::string_view key);
  void Success(std::string_view key);

  // Keys currently tracked (for tests and metrics).
  std::size_t size() const;

 private:
  struct Entry {
    std::vector<SystemTime> failures;  // inside the window, oldest first
    SystemTime locked_until{};
    int lockouts = 0;  // lockouts so far: the next one lasts lockout * 2^lockouts
    std::list<std::string>::iterator lru;
  };

  const Clock& clock_;
  ThrottleConfig config_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // front = touched least recently
};

}  // namespace vgi::console
