#include "vgi/engine/potential.hpp"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "vgi/engine/allocation.hpp"

namespace vgi::engine {
namespace {

using proto::Kilowatts;

std::string KindName(DayKind kind) {
  return kind == DayKind::kWeekday ? "weekday" : "weekend or holiday";
}

// One key for (operator, station): a station code is unique only within its operator.
std::string StationKey(std::string_view operator_id, std::string_view station_code) {
  std::string key;
  key.reserve(operator_id.size() + 1 + station_code.size());
  key.append(operator_id).push_back('\0');
  key.append(station_code);
  return key;
}

void Add(PotentialTotals& t, const StationReading& r) {
  ++t.stations;
  t.load = t.load + r.current;
  t.top = t.top + r.top;
  t.bottom = t.bottom + r.bottom;
  t.down = t.down + DownPotential(r);
  t.up = t.up + UpPotential(r);
}

std::vector<PotentialTotals> Sorted(std::map<std::string, PotentialTotals, std::less<>>& groups) {
  std::vector<PotentialTotals> out;
  out.reserve(groups.size());
  for (auto& [key, totals] : groups) {
    totals.key = key;
    out.push_back(std::move(totals));
  }
  return out;
}

}  // namespace

std::optional<StationReading> LatestReading(const store::StationDay& today, proto::BeijingMinute now,
                                            int max_age_minutes) {
  if (max_age_minutes < 0 || today.centi_kw.size() != static_cast<std::size_t>(kSlotsPerDay)) return std::nullopt;
  // Slots of `today` within [now − max_age, now]; `now` may lie on another day (a reading of
  // 23:59 is still fresh at 00:02 of the next day), which simply clips the range.
  const std::int64_t now_slot = now.minutes - proto::StartOf(today.day).minutes;
  const std::int64_t hi = std::min<std::int64_t>(now_slot, kSlotsPerDay - 1);
  const std::int64_t lo = std::max<std::int64_t>(now_slot - max_age_minutes, 0);
  for (std::int64_t s = hi; s >= lo; --s) {
    const auto slot = static_cast<std::size_t>(s);
    if (!today.present.test(slot)) continue;
    return StationReading{today.operator_id,
                          today.station_code,
                          proto::BeijingMinute{proto::StartOf(today.day).minutes + s},
                          Kilowatts::FromUnits(today.centi_kw[slot]),
                          today.adjust_top_power,
                          today.adjust_bottom_power};
  }
  return std::nullopt;
}

std::optional<StationReading> ReadingOf(const store::LatestPower& latest, proto::BeijingMinute now,
                                        int max_age_minutes) {
  if (max_age_minutes < 0 || latest.at > now || now.minutes - latest.at.minutes > max_age_minutes) return std::nullopt;
  return StationReading{latest.operator_id, latest.station_code, latest.at, latest.power, latest.adjust_top_power,
                        latest.adjust_bottom_power};
}

Kilowatts DownPotential(const StationReading& r) {
  return PotentialOf(proto::RegulationType::kPeakShaving, r.current, r.bottom, r.top);
}

Kilowatts UpPotential(const StationReading& r) {
  return PotentialOf(proto::RegulationType::kValleyFilling, r.current, r.bottom, r.top);
}

Kilowatts PotentialFor(proto::RegulationType type, const StationReading& r) {
  return PotentialOf(type, r.current, r.bottom, r.top);
}

Result<Forecast> ForecastDay(proto::BeijingDate day, std::span<const DayCurve> history, int days,
                             std::span<const proto::BeijingDate> holidays) {
  if (days < 1) return Status::Invalid("forecast days: must be >= 1, got " + std::to_string(days));
  const DayKind kind = KindOf(day, holidays);
  std::vector<const DayCurve*> similar;
  for (const DayCurve& d : history) {
    if (d.event_day || d.date >= day || KindOf(d.date, holidays) != kind) continue;
    similar.push_back(&d);
  }
  if (similar.empty()) {
    return Status::Refused("no " + KindName(kind) + " history before " + proto::FormatDate(day));
  }
  std::sort(similar.begin(), similar.end(), [](const DayCurve* a, const DayCurve* b) { return a->date > b->date; });
  for (std::size_t i = 1; i < similar.size(); ++i) {
    // The same date twice would count one day double: the caller's history is broken.
    if (similar[i]->date == similar[i - 1]->date) {
      return Status::Invalid("forecast history: date " + proto::FormatDate(similar[i]->date) + " appears twice");
    }
  }
  if (similar.size() > static_cast<std::size_t>(days)) similar.resize(static_cast<std::size_t>(days));

  Forecast out;
  out.day = day;
  std::vector<std::int64_t> sums(static_cast<std::size_t>(kSlotsPerDay), 0);
  for (const DayCurve* used : similar) {
    const DayCurve& d = *used;
    if (d.centi_kw.size() != static_cast<std::size_t>(kSlotsPerDay)) {
      return Status::Invalid("forecast history day " + proto::FormatDate(d.date) + ": has " +
                             std::to_string(d.centi_kw.size()) + " slots, need 1440");
    }
    for (int m = 0; m < kSlotsPerDay; ++m) {
      if (d.Present(m)) sums[static_cast<std::size_t>(m)] += d.centi_kw[static_cast<std::size_t>(m)];
    }
    out.days_used.push_back(d.date);
  }
  const auto n = static_cast<std::int64_t>(similar.size());
  out.centi_kw.resize(sums.size());
  for (std::size_t m = 0; m < sums.size(); ++m) {
    out.centi_kw[m] = static_cast<std::int32_t>(RoundHalfAwayFromZero(sums[m], n));
  }
  return out;
}

Kilowatts ExpectedPotential(proto::RegulationType type, const Forecast& forecast, MinuteWindow window, Kilowatts top,
                            Kilowatts bottom) {
  // A window outside the day is clipped to it; an empty one has no potential.
  const int begin = std::max(window.begin, 0);
  const int end = std::min(window.end, kSlotsPerDay);
  if (begin >= end) return Kilowatts{};
  const bool shaving = type == proto::RegulationType::kPeakShaving;
  std::int64_t sum = 0;
  for (int m = begin; m < end; ++m) {
    const auto slot = static_cast<std::size_t>(m);
    const std::int64_t load = slot < forecast.centi_kw.size() ? forecast.centi_kw[slot] : 0;  // missing: 0 kW
    const std::int64_t p = shaving ? load - bottom.units() : top.units() - load;
    sum += std::max<std::int64_t>(p, 0);
  }
  return Kilowatts::FromUnits(RoundHalfAwayFromZero(sum, end - begin));
}

PotentialSummary SummarizePotential(std::span<const StationReading> readings, std::span<const AreaOf> areas,
                                    int area_prefix_digits) {
  const auto digits = static_cast<std::size_t>(std::clamp(area_prefix_digits, 1, 6));
  std::unordered_map<std::string, std::string_view> area_of;
  area_of.reserve(areas.size());
  for (const AreaOf& a : areas) area_of.emplace(StationKey(a.operator_id, a.station_code), a.area_code);

  PotentialSummary out;
  std::map<std::string, PotentialTotals, std::less<>> operators;
  std::map<std::string, PotentialTotals, std::less<>> by_area;
  // Readings usually come operator by operator: remember the last group to skip most lookups.
  PotentialTotals* last_operator = nullptr;
  std::string_view last_operator_id;
  for (const StationReading& r : readings) {
    Add(out.total, r);
    if (last_operator == nullptr || r.operator_id != last_operator_id) {
      last_operator = &operators[r.operator_id];
      last_operator_id = r.operator_id;
    }
    Add(*last_operator, r);

    const auto it = area_of.find(StationKey(r.operator_id, r.station_code));
    // Too short a code cannot name the area at the requested level.
    const bool known = it != area_of.end() && it->second.size() >= digits;
    const std::string_view area = known ? it->second.substr(0, digits) : std::string_view("unknown");
    auto group = by_area.find(area);
    if (group == by_area.end()) group = by_area.emplace(std::string(area), PotentialTotals{}).first;
    Add(group->second, r);
  }
  out.by_operator = Sorted(operators);
  out.by_area = Sorted(by_area);
  return out;
}

PotentialCurve PotentialByTime(proto::BeijingDate day, std::span<const store::StationDay> days) {
  // The store sums an operator's day the same way (OperatorDay); one definition for both.
  store::OperatorDay sum = store::SumStationDays("", day, days);
  return PotentialCurve{day, std::move(sum.load), std::move(sum.down), std::move(sum.up), std::move(sum.present)};
}

}  // namespace vgi::engine
