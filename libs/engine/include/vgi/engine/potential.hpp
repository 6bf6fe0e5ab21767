#pragma once
// Potential: how far the stations can move their load now and in a coming window, from the
// stored 1440 data (issue 5, "Demand and potential"), and its aggregations by operator, by area
// and by time (seed 002 §4.2).
//
// Pure functions over store::StationDay values: no I/O, no clock. Thread safety: none shared.
//
//  - down-potential (peak shaving)  = current − adjustBottomPower, never below 0
//  - up-potential   (valley filling) = adjustTopPower − current, never below 0
//  - expected potential over a window: the same formulas applied minute by minute to a day-ahead
//    forecast of the load (similar-day profile: the minute-by-minute average of the most recent
//    days of the same DayKind), averaged over the window, with the latest bounds. Without any
//    similar day the current potential stands in (and the explanation says so).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vgi/base/status.hpp"
#include "vgi/engine/baseline.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/decimal.hpp"
#include "vgi/proto/task.hpp"
#include "vgi/store/store.hpp"

namespace vgi::engine {

// One station's latest reading.
struct StationReading {
  std::string operator_id;
  std::string station_code;
  proto::BeijingMinute at;  // the minute the reading is of
  proto::Kilowatts current;
  proto::Kilowatts top;     // adjustTopPower
  proto::Kilowatts bottom;  // adjustBottomPower
};

// The latest present minute of `today` at or before `now` and no more than `max_age_minutes`
// older; nullopt when there is none (no data, or stale: such a station offers no potential).
std::optional<StationReading> LatestReading(const store::StationDay& today, proto::BeijingMinute now,
                                            int max_age_minutes);

// The same from a station's stored latest reading (store::LatestPower, one small row instead of
// the day's 1440 slots): nullopt when it is older than `max_age_minutes` or later than `now` (a
// peer's clock ahead of ours: the caller falls back to the day's slots for "at or before now").
std::optional<StationReading> ReadingOf(const store::LatestPower& latest, proto::BeijingMinute now,
                                        int max_age_minutes);

// Never negative (see the top of this file).
proto::Kilowatts DownPotential(const StationReading& r);
proto::Kilowatts UpPotential(const StationReading& r);
proto::Kilowatts PotentialFor(proto::RegulationType type, const StationReading& r);

// A day-ahead forecast of one station's (or aggregate's) load.
struct Forecast {
  proto::BeijingDate day;
  std::vector<std::int32_t> centi_kw;  // 1440 slots
  std::vector<proto::BeijingDate> days_used;  // most recent first
};

// Similar-day profile for `day`: the minute-by-minute average (rounded half away from zero) of
// the `days` most recent history days before `day` of the same DayKind (KindOf with `holidays`),
// not marked event_day; missing minutes count as 0 like everywhere. Refused when there is none
// ("no weekday history before 2026-11-23"); Invalid when days < 1 or a curve lacks 1440 slots.
Result<Forecast> ForecastDay(proto::BeijingDate day, std::span<const DayCurve> history, int days,
                             std::span<const proto::BeijingDate> holidays);

// Expected potential over `window` of the forecast day: mean over its minutes of
// max(0, forecast − bottom) (peak shaving) or max(0, top − forecast) (valley filling), rounded
// half away from zero to 0.01 kW.
proto::Kilowatts ExpectedPotential(proto::RegulationType type, const Forecast& forecast, MinuteWindow window,
                                   proto::Kilowatts top, proto::Kilowatts bottom);

// ---- aggregations

struct PotentialTotals {
  std::string key;             // operator ID, area code (prefix), or "" for the total
  std::size_t stations = 0;    // stations with a live reading
  proto::Kilowatts load;       // Σ current
  proto::Kilowatts top;        // Σ adjustTopPower
  proto::Kilowatts bottom;     // Σ adjustBottomPower
  proto::Kilowatts down;       // Σ down-potential
  proto::Kilowatts up;         // Σ up-potential
  friend bool operator==(const PotentialTotals&, const PotentialTotals&) = default;
};

struct AreaOf {  // a station's area code (GB/T 2260, 6 digits), for the by-area view
  std::string operator_id;
  std::string station_code;
  std::string area_code;
};

// Sums of readings by operator (sorted by operator ID), by area code truncated to
// `area_prefix_digits` (2 = province, 4 = city, 6 = county; sorted; stations whose area is
// unknown go under "unknown"), and overall.
struct PotentialSummary {
  PotentialTotals total;
  std::vector<PotentialTotals> by_operator;
  std::vector<PotentialTotals> by_area;
};
PotentialSummary SummarizePotential(std::span<const StationReading> readings, std::span<const AreaOf> areas,
                                    int area_prefix_digits);

// By time: per minute of one day, over the given station-days, Σ load, Σ down-potential and
// Σ up-potential (each station's bounds as last stored for that day). A minute a station did not
// report adds neither load nor potential (no data, no flexibility: counting it as 0 kW load would
// show its whole top as up-potential) and is not in stations_present. Station-days of another
// day are skipped. Slots in centi-kW, 1440 each.
struct PotentialCurve {
  proto::BeijingDate day;
  std::vector<std::int64_t> load;
  std::vector<std::int64_t> down;
  std::vector<std::int64_t> up;
  std::vector<std::int32_t> stations_present;  // stations with data in each minute
};
PotentialCurve PotentialByTime(proto::BeijingDate day, std::span<const store::StationDay> days);

}  // namespace vgi::engine
