#pragma once
// ScaledClock: simulated wall time that runs `factor` times faster than real time, for demos and
// load tests of the operator simulator (and the grid sharing the same clock object).
//
//   Now() = start + (real time elapsed since construction or the last SetFactor) * factor
//
// factor 1 is real time; 60 is one simulated minute per real second. Real time comes from
// std::chrono::steady_clock (monotonic: the simulated time never steps back), or from `real`
// when given (tests pass a FakeClock to make it deterministic).
//
// Thread safety: every method may be called from any thread.

#include <chrono>
#include <memory>
#include <mutex>

#include "vgi/base/clock.hpp"
#include "vgi/base/status.hpp"

namespace vgi::sim {

class ScaledClock final : public Clock {
 public:
  // `factor` must be finite and > 0 (Create checks it). `real`, when given, must outlive the clock.
  static Result<std::unique_ptr<ScaledClock>> Create(SystemTime start, double factor, const Clock* real = nullptr);

  [[nodiscard]] SystemTime Now() const override;

  // Changes the speed from now on; the simulated time continues from where it is.
  Status SetFactor(double factor);
  [[nodiscard]] double factor() const;

 private:
  ScaledClock(SystemTime start, double factor, const Clock* real);
  // Real elapsed time since construction, from steady_clock or `real_`.
  [[nodiscard]] std::chrono::nanoseconds RealNow() const;

  const Clock* real_;
  const std::chrono::steady_clock::time_point steady_origin_;
  const SystemTime real_origin_;
  mutable std::mutex mu_;
  SystemTime base_sim_;                // simulated time at base_real_
  std::chrono::nanoseconds base_real_;  // real elapsed at the last (re)base
  double factor_;
};

}  // namespace vgi::sim
