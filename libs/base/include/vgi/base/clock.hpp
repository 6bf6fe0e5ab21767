#pragma once
// Clock: the one source of wall time for vgi's libraries, so tests can fake it
// (testing/include/vgi/testing/fake_clock.hpp).
//
// Thread safety: implementations must be safe to call from any thread.

#include <chrono>

namespace vgi {

using SystemTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC instant). Need not be monotonic.
  [[nodiscard]] virtual SystemTime Now() const = 0;

  // The real system clock; lives for the whole program.
  static const Clock& System();
};

}  // namespace vgi
