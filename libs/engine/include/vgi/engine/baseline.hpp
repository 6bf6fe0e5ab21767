#pragma once
// Baselines: what a station (or any aggregate) would have drawn in an event window had there been
// no demand-response event (issue 5, "Measurement and verification").
//
// Pure functions: no I/O, no clock, no store. The caller loads the 1440 data (store::StationDay or
// a sum of them) and hands views of it in; every result is computed from those inputs only, so a
// test can check each figure by hand. Thread safety: no shared state; call from any thread.
//
// Units and rounding: power is in centi-kW (an exact 2-decimal kW, as proto::Kilowatts and the
// store hold it). A missing minute (present bit clear) counts as 0 kW, as the store keeps it.
// Sums are exact integers; each method rounds exactly once, on its final average, half away from
// zero (RoundHalfAwayFromZero below).
//
// Methods (BaselineMethod):
//  - kXOfY ("high-X-of-Y", default high 5 of 10): from the Y most recent eligible days (see
//    "Eligible history"), pick the X with the highest load over the event window (highest sum, a
//    tie goes to the more recent day) and average those X days minute by minute. Needs at least X
//    eligible days; with X..Y-1 of them the top X of those are used.
//  - kAverageAdjusted ("10-of-10-adjusted", default 10 days, ±20 %): the minute-by-minute average
//    of the N most recent eligible days (all N are required), scaled by an adjustment factor
//      f = (event day's actual sum over the adjustment window) / (the average's sum over it)
//    where the adjustment window is `adjustment_minutes` long and ends `adjustment_gap_minutes`
//    before the event start (default 2 h ending 1 h before). f is capped to
//    [1 - cap, 1 + cap] (cap = `adjustment_cap_percent`, default 20). When the average's sum over
//    the adjustment window is <= 0 the factor is undefined and 1 is used. The adjustment window
//    must lie within the day [00:00, event start). Result per minute: round(avg_sum × f / N),
//    computed exactly as a rational, rounded once.
//  - kSameDay ("same-day"): the event day's own load, averaged over the `before_minutes` before
//    the event start (clipped at 00:00) and, when `use_after` and every one of the `after_minutes`
//    after the event end is present (the event is over and reported), those minutes too; flat over
//    the window. After-minutes past 24:00 make the after part unavailable. Needs at least one
//    minute of reference (Refused otherwise).
//
// Eligible history (kXOfY, kAverageAdjusted): days of `history` dated before the event day and no
// more than `lookback_days` before it, not marked event_day, and of the same DayKind as the event
// day (weekday vs weekend/holiday). The history may come in any order; dates must be distinct.
//
// Windows are within one Beijing day: an event that crosses midnight is two windows.

#include <bitset>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vgi/base/status.hpp"
#include "vgi/proto/civil_time.hpp"

namespace vgi::engine {

inline constexpr int kSlotsPerDay = proto::kMinutesPerDay;
using PresentBits = std::bitset<kSlotsPerDay>;

// One station's (or aggregate's) day. A non-owning view: the caller keeps the data alive for the
// call. `centi_kw` must have exactly 1440 slots (slot i = minute i of the Beijing day).
struct DayCurve {
  proto::BeijingDate date;
  std::span<const std::int32_t> centi_kw;
  const PresentBits* present = nullptr;  // nullptr: every minute present
  bool event_day = false;                // a demand-response day: never baseline history

  [[nodiscard]] bool Present(int minute) const { return present == nullptr || present->test(minute); }
};

// Minutes of one day, [begin, end), 0 <= begin < end <= 1440.
struct MinuteWindow {
  int begin = 0;
  int end = 0;
  [[nodiscard]] int size() const { return end - begin; }
  friend bool operator==(const MinuteWindow&, const MinuteWindow&) = default;
};

enum class DayKind { kWeekday, kWeekendOrHoliday };

// Saturday and Sunday (Beijing calendar) and every date in `holidays` (any order) are
// kWeekendOrHoliday. (A make-up working Saturday, 调休, is not modelled: list it nowhere and it
// stays a weekend.)
DayKind KindOf(proto::BeijingDate date, std::span<const proto::BeijingDate> holidays);

// Round num/den to the nearest integer, half away from zero. den > 0.
std::int64_t RoundHalfAwayFromZero(std::int64_t num, std::int64_t den);

enum class BaselineMethod { kXOfY, kAverageAdjusted, kSameDay };

struct BaselineConfig {
  BaselineMethod method = BaselineMethod::kXOfY;
  int lookback_days = 60;  // eligible history: at most this many days before the event day

  // kXOfY
  int x = 5;
  int y = 10;

  // kAverageAdjusted
  int average_days = 10;
  int adjustment_minutes = 120;
  int adjustment_gap_minutes = 60;
  int adjustment_cap_percent = 20;

  // kSameDay
  int before_minutes = 120;
  int after_minutes = 120;
  bool use_after = true;

  // Accuracy check (CheckedBaseline): back-test on the most recent `backtest_days` eligible days.
  int backtest_days = 5;
  double max_rrmse_percent = 20.0;
};

// "high-5-of-10", "10-of-10-adjusted", "same-day": the name used in messages.
std::string BaselineName(const BaselineConfig& config);

struct BaselineRequest {
  // The event day: its date chooses the history and the day kind; its data is read by
  // kAverageAdjusted (adjustment window) and kSameDay. Its event_day flag is not consulted.
  DayCurve event_day;
  MinuteWindow window;
  std::span<const DayCurve> history;  // may also hold days after the event day
  std::span<const proto::BeijingDate> holidays;
};

struct Baseline {
  MinuteWindow window;
  std::vector<std::int32_t> centi_kw;  // window.size() slots; slot i = minute window.begin + i
  // History days averaged (kXOfY: the X chosen; kAverageAdjusted: the N), most recent first.
  // Empty for kSameDay.
  std::vector<proto::BeijingDate> days_used;
  // kAverageAdjusted: the factor applied, after the cap, as the exact fraction num/den (den > 0).
  std::int64_t adjustment_num = 1;
  std::int64_t adjustment_den = 1;
  [[nodiscard]] double adjustment_factor() const {
    return static_cast<double>(adjustment_num) / static_cast<double>(adjustment_den);
  }
};

// The baseline over request.window, or:
//  - Invalid: a bad config or window, a curve without 1440 slots, a duplicated history date;
//  - Refused: not enough history ("high-5-of-10: only 3 non-event weekdays in the last 60 days
//    before 2026-11-23, need 5"), or no same-day reference minutes.
Result<Baseline> ComputeBaseline(const BaselineConfig& config, const BaselineRequest& request);

struct Accuracy {
  double rrmse_percent = 0;  // 100 × sqrt(Σ(b−a)² / M) / (Σa / M) over all M back-test minutes
  int days = 0;              // back-test days used
  std::vector<proto::BeijingDate> backtest_dates;  // most recent first
};

// Back-tests the method: each of the `backtest_days` most recent eligible days (relative to the
// event day) in turn plays the event day over the same window, its baseline computed from the
// history as of that day, and is compared with what it actually drew. Errors: Refused when fewer
// than `backtest_days` eligible days exist, when a back-test day's baseline cannot be computed
// (prefixed "back-test on <date>"), or when the mean actual load is <= 0 (RRMSE undefined).
Result<Accuracy> BacktestAccuracy(const BaselineConfig& config, const BaselineRequest& request);

// BacktestAccuracy, then ComputeBaseline. Refused when the RRMSE exceeds the threshold:
// "baseline high-5-of-10 refused: RRMSE 23.4 % on 5 back-test days exceeds 20.0 %".
struct CheckedBaseline {
  Baseline baseline;
  Accuracy accuracy;
};
Result<CheckedBaseline> ComputeCheckedBaseline(const BaselineConfig& config, const BaselineRequest& request);

}  // namespace vgi::engine
