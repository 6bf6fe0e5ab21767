#pragma once
// Response measurement: how much a station (or operator, or any aggregate) delivered against its
// baseline in an event window, where it fell short and why, and the live "below share for N
// minutes" alarm (issue 5, "Measurement and verification").
//
// Pure functions: no I/O, no clock, no store. Thread safety: no shared state, except that one
// SustainedShortfallDetector must not be fed from two threads at once.
//
// Units: centi-kW (exact 2-decimal kW) per minute; sums are centi-kW·minutes (exact integers;
// kWh = sum / 6000). A minute without actual data (present bit clear) has a response of 0 in
// both directions (no data, no credit; counting it as 0 kW would credit a full cut when peak
// shaving) and is reported as the cause of its shortfall.

#include <bitset>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "vgi/base/status.hpp"
#include "vgi/engine/baseline.hpp"

namespace vgi::engine {

enum class Direction {
  kPeakShaving,    // response = baseline − actual (load reduced)
  kValleyFilling,  // response = actual − baseline (load added)
};

struct ResponseRequest {
  Direction direction = Direction::kPeakShaving;
  MinuteWindow window;
  std::span<const std::int32_t> baseline;  // window.size() slots, as Baseline::centi_kw
  DayCurve actual;                         // the event day: 1440 slots
  std::int64_t target_centi_kw = 0;        // the window's target, > 0, constant over the window
  const PresentBits* offline = nullptr;    // optional: minutes the operator was known offline
};

enum class DeviationCause {
  kOffline,        // the caller marked the minute offline (takes precedence over missing data)
  kMissingData,    // no actual data for the minute (counted as 0 kW)
  kUnderDelivery,  // data present, response below target
};

// A run of consecutive minutes below target with one cause.
struct Deviation {
  MinuteWindow minutes;  // minutes of the day, [begin, end)
  DeviationCause cause = DeviationCause::kUnderDelivery;
  std::int64_t shortfall_centi_kw_minutes = 0;  // Σ (target − response) over the run, > 0
  std::int64_t max_shortfall_centi_kw = 0;      // the largest one-minute shortfall in the run
  friend bool operator==(const Deviation&, const Deviation&) = default;
};

struct WindowResponse {
  MinuteWindow window;
  std::vector<std::int64_t> per_minute_centi_kw;  // window.size() slots; negative = counter-response
  std::int64_t sum_centi_kw_minutes = 0;          // Σ per_minute
  std::int64_t target_centi_kw = 0;
  std::vector<Deviation> deviations;  // in time order

  [[nodiscard]] int minutes() const { return window.size(); }
  // Average response, rounded half away from zero.
  [[nodiscard]] std::int64_t average_centi_kw() const { return RoundHalfAwayFromZero(sum_centi_kw_minutes, minutes()); }
  // Energy in centi-kWh (sum / 60), rounded half away from zero; energy_kwh() unrounded.
  [[nodiscard]] std::int64_t energy_centi_kwh() const { return RoundHalfAwayFromZero(sum_centi_kw_minutes, 60); }
  [[nodiscard]] double energy_kwh() const { return static_cast<double>(sum_centi_kw_minutes) / 6000.0; }
  // (sum / minutes) / target, unrounded; the exact inputs are the three integers above.
  [[nodiscard]] double completion_ratio() const {
    return static_cast<double>(sum_centi_kw_minutes) /
           (static_cast<double>(minutes()) * static_cast<double>(target_centi_kw));
  }
};

// Invalid when the window is not within the day, the baseline does not have window.size() slots,
// the actual day does not have 1440, or the target is not > 0.
Result<WindowResponse> MeasureResponse(const ResponseRequest& request);

// The live alarm: feed one minute's response at a time; Add returns true on the minute that
// completes a run of exactly `minutes` consecutive minutes with response < share × target
// (share = share_percent / 100, compared exactly: response × 100 < share_percent × target). It
// fires once per run; a minute at or above the share ends the run and re-arms it.
class SustainedShortfallDetector {
 public:
  // target_centi_kw > 0, share_percent >= 0, minutes >= 1 (caller's contract).
  SustainedShortfallDetector(std::int64_t target_centi_kw, int share_percent, int minutes)
      : target_(target_centi_kw), share_percent_(share_percent), minutes_(minutes) {}

  bool Add(std::int64_t response_centi_kw) {
    if (response_centi_kw * 100 < static_cast<std::int64_t>(share_percent_) * target_) {
      return ++run_ == minutes_;
    }
    run_ = 0;
    return false;
  }
  [[nodiscard]] int run() const { return run_; }  // current run of minutes below the share

 private:
  std::int64_t target_;
  int share_percent_;
  int minutes_;
  int run_ = 0;
};

// Over a measured window: the minute of the day at which the first such run completes (its last
// minute), or nullopt.
std::optional<int> FirstSustainedShortfall(const WindowResponse& response, int share_percent, int minutes);

}  // namespace vgi::engine
