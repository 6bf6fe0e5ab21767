#include "vgi/sim/sim_clock.hpp"

#include <cmath>
#include <memory>

namespace vgi::sim {

namespace {
Status CheckFactor(double factor) {
  if (!std::isfinite(factor) || factor <= 0 || factor > 1e6) {
    return Status::Invalid("time factor: must be a number above 0 and at most 1000000 (1 = real time, 60 = one "
                           "simulated minute per second)");
  }
  return Status::Ok();
}
}  // namespace

Result<std::unique_ptr<ScaledClock>> ScaledClock::Create(SystemTime start, double factor, const Clock* real) {
  VGI_RETURN_IF_ERROR(CheckFactor(factor));
  return std::unique_ptr<ScaledClock>(new ScaledClock(start, factor, real));
}

ScaledClock::ScaledClock(SystemTime start, double factor, const Clock* real)
    : real_(real),
      steady_origin_(std::chrono::steady_clock::now()),
      real_origin_(real != nullptr ? real->Now() : SystemTime{}),
      base_sim_(start),
      base_real_(0),
      factor_(factor) {}

std::chrono::nanoseconds ScaledClock::RealNow() const {
  if (real_ != nullptr) return std::chrono::duration_cast<std::chrono::nanoseconds>(real_->Now() - real_origin_);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - steady_origin_);
}

SystemTime ScaledClock::Now() const {
  const auto real = RealNow();
  std::lock_guard lock(mu_);
  const double scaled = static_cast<double>((real - base_real_).count()) * factor_;
  return base_sim_ + std::chrono::duration_cast<SystemTime::duration>(std::chrono::duration<double, std::nano>(scaled));
}

Status ScaledClock::SetFactor(double factor) {
  VGI_RETURN_IF_ERROR(CheckFactor(factor));
  const auto real = RealNow();
  std::lock_guard lock(mu_);
  const double scaled = static_cast<double>((real - base_real_).count()) * factor_;
  base_sim_ += std::chrono::duration_cast<SystemTime::duration>(std::chrono::duration<double, std::nano>(scaled));
  base_real_ = real;
  factor_ = factor;
  return Status::Ok();
}

double ScaledClock::factor() const {
  std::lock_guard lock(mu_);
  return factor_;
}

}  // namespace vgi::sim
