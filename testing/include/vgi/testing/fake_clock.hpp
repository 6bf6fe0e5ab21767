#pragma once
// FakeClock: a Clock that moves only when a test moves it.

#include <atomic>
#include <chrono>

#include "vgi/base/clock.hpp"

namespace vgi::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(SystemTime start = SystemTime(std::chrono::seconds(1'700'000'000)))
      : now_(start.time_since_epoch().count()) {}

  [[nodiscard]] SystemTime Now() const override {
    return SystemTime(SystemTime::duration(now_.load(std::memory_order_acquire)));
  }
  void Set(SystemTime t) { now_.store(t.time_since_epoch().count(), std::memory_order_release); }
  void Advance(SystemTime::duration d) { now_.fetch_add(d.count(), std::memory_order_acq_rel); }

 private:
  std::atomic<SystemTime::rep> now_;
};

// The instant of a Beijing civil time (UTC+8), for readable test set-ups.
SystemTime BeijingTime(int year, int month, int day, int hour = 0, int minute = 0, int second = 0);

}  // namespace vgi::testing
