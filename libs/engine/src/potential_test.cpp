#include "vgi/engine/potential.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace vgi::engine {
namespace {

using proto::BeijingDate;
using proto::BeijingMinute;
using proto::Kilowatts;
using proto::RegulationType;

BeijingDate D(const char* text) {
  return *proto::ParseDate(text);
}
BeijingMinute M(const char* text) {
  return *proto::ParseMinute(text);
}
Kilowatts Kw(std::int64_t centi) {
  return Kilowatts::FromUnits(centi);
}

// A station-day of 2026-11-23 (a Monday) with top 80.00 kW and bottom 20.00 kW, no data yet.
store::StationDay Day(const char* date = "2026-11-23") {
  store::StationDay d;
  d.operator_id = "OP1";
  d.station_code = "S1";
  d.day = D(date);
  d.adjust_top_power = Kw(8000);
  d.adjust_bottom_power = Kw(2000);
  return d;
}

void Set(store::StationDay& d, int minute, std::int32_t centi_kw) {
  d.centi_kw[static_cast<std::size_t>(minute)] = centi_kw;
  d.present.set(static_cast<std::size_t>(minute));
}

constexpr int k0958 = 9 * 60 + 58;
constexpr int k1000 = 10 * 60;
constexpr int k1003 = 10 * 60 + 3;

// ---- LatestReading

TEST(Potential, LatestReadingPicksTheLastPresentMinuteAtOrBeforeNow) {
  store::StationDay d = Day();
  Set(d, k0958, 1000);
  Set(d, k1000, 2000);
  Set(d, k1003, 3000);           // after now: not yet
  d.centi_kw[k1000 + 1] = 9999;  // a value without its present bit is no reading

  const auto r = LatestReading(d, M("2026-11-23 10:01"), 5);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->operator_id, "OP1");
  EXPECT_EQ(r->station_code, "S1");
  EXPECT_EQ(r->at, M("2026-11-23 10:00"));
  EXPECT_EQ(r->current, Kw(2000));
  EXPECT_EQ(r->top, Kw(8000));
  EXPECT_EQ(r->bottom, Kw(2000));

  // At `now` itself, even with no allowed age.
  const auto at_now = LatestReading(d, M("2026-11-23 10:03"), 0);
  ASSERT_TRUE(at_now.has_value());
  EXPECT_EQ(at_now->at, M("2026-11-23 10:03"));
  EXPECT_EQ(at_now->current, Kw(3000));
}

TEST(Potential, LatestReadingStaleBeyondMaxAgeIsNone) {
  store::StationDay d = Day();
  Set(d, k0958, 1500);
  // 10:03 − 09:58 = 5 minutes: fresh with max_age 5, stale with 4.
  const auto fresh = LatestReading(d, M("2026-11-23 10:03"), 5);
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->at, M("2026-11-23 09:58"));
  EXPECT_EQ(fresh->current, Kw(1500));
  EXPECT_FALSE(LatestReading(d, M("2026-11-23 10:03"), 4).has_value());
  EXPECT_FALSE(LatestReading(d, M("2026-11-23 10:03"), -1).has_value());
  // No data at all.
  EXPECT_FALSE(LatestReading(Day(), M("2026-11-23 10:03"), 1440).has_value());
}

TEST(Potential, LatestReadingOnAnotherDay) {
  store::StationDay d = Day();
  Set(d, 0, 700);      // 00:00
  Set(d, 1439, 1200);  // 23:59
  // `now` before the day begins: nothing of it has happened yet.
  EXPECT_FALSE(LatestReading(d, M("2026-11-22 23:59"), 1440).has_value());
  // `now` just after midnight of the next day: 23:59 is 3 minutes old.
  const auto r = LatestReading(d, M("2026-11-24 00:02"), 5);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->at, M("2026-11-23 23:59"));
  EXPECT_EQ(r->current, Kw(1200));
  EXPECT_FALSE(LatestReading(d, M("2026-11-24 00:02"), 2).has_value());
  EXPECT_FALSE(LatestReading(d, M("2026-11-25 00:00"), 60).has_value());
}

// ---- instantaneous potential

StationReading Reading(std::int64_t current, std::int64_t top, std::int64_t bottom) {
  return StationReading{"OP1", "S1", M("2026-11-23 10:00"), Kw(current), Kw(top), Kw(bottom)};
}

TEST(Potential, DownAndUpPotential) {
  const StationReading r = Reading(5000, 8000, 2000);
  EXPECT_EQ(DownPotential(r), Kw(3000));
  EXPECT_EQ(UpPotential(r), Kw(3000));
  EXPECT_EQ(PotentialFor(RegulationType::kPeakShaving, Reading(5000, 9000, 2000)), Kw(3000));
  EXPECT_EQ(PotentialFor(RegulationType::kValleyFilling, Reading(5000, 9000, 2000)), Kw(4000));
}

TEST(Potential, NeverNegative) {
  // Bottom above the current load: nothing to shave.
  const StationReading low = Reading(1000, 8000, 2000);
  EXPECT_EQ(DownPotential(low), Kw(0));
  EXPECT_EQ(UpPotential(low), Kw(7000));
  // Top below the current load: nothing to fill.
  const StationReading high = Reading(9000, 8000, 2000);
  EXPECT_EQ(UpPotential(high), Kw(0));
  EXPECT_EQ(PotentialFor(RegulationType::kValleyFilling, high), Kw(0));
  EXPECT_EQ(DownPotential(high), Kw(7000));
}

TEST(Potential, NegativeBottomIsVehicleToGrid) {
  // 10.00 kW drawn, may go to −15.00 kW (discharging): 25.00 kW down.
  const StationReading r = Reading(1000, 3000, -1500);
  EXPECT_EQ(DownPotential(r), Kw(2500));
  EXPECT_EQ(UpPotential(r), Kw(2000));
  // Already discharging at −5.00 kW.
  EXPECT_EQ(DownPotential(Reading(-500, 3000, -1500)), Kw(1000));
  EXPECT_EQ(UpPotential(Reading(-500, 3000, -1500)), Kw(3500));
}

// ---- forecast

// Owns the curves' data so the DayCurve views stay valid (deque: stable addresses).
class History {
 public:
  std::vector<std::int32_t>& Add(const char* date, std::int32_t level, bool event_day = false) {
    auto& v = data_.emplace_back(kSlotsPerDay, level);
    curves_.push_back(DayCurve{D(date), v, nullptr, event_day});
    return v;
  }
  DayCurve& back() { return curves_.back(); }
  std::span<const DayCurve> curves() const { return curves_; }

 private:
  std::deque<std::vector<std::int32_t>> data_;
  std::vector<DayCurve> curves_;
};

// Weekdays before Monday 2026-11-23, most recent first: Fri 20 (1001), Wed 18 (2000),
// Tue 17 (4000), Mon 16 (9999). Skipped: Thu 19 (event day), the weekend 21/22, the day itself
// and the day after. Given in no particular order.
History Mixed(PresentBits& present_20) {
  History h;
  h.Add("2026-11-17", 4000);
  h.Add("2026-11-22", 50000);  // Sunday
  h.Add("2026-11-19", 70000, /*event_day=*/true);
  h.Add("2026-11-23", 80000);  // the day itself
  h.Add("2026-11-24", 90000);  // after it
  auto& fri = h.Add("2026-11-20", 1001);
  fri[1] = -1001;
  fri[2] = 700;  // not present: counts as 0
  present_20.set();
  present_20.reset(2);
  h.back().present = &present_20;
  h.Add("2026-11-21", 60000);  // Saturday
  auto& wed = h.Add("2026-11-18", 2000);
  wed[1] = -2000;
  wed[2] = 300;
  h.Add("2026-11-16", 9999);
  return h;
}

TEST(Potential, ForecastAveragesTheMostRecentSimilarDays) {
  PresentBits present_20;
  const History h = Mixed(present_20);
  auto f = ForecastDay(D("2026-11-23"), h.curves(), 2, {});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->day, D("2026-11-23"));
  EXPECT_EQ(f->days_used, (std::vector<BeijingDate>{D("2026-11-20"), D("2026-11-18")}));
  ASSERT_EQ(f->centi_kw.size(), 1440U);
  EXPECT_EQ(f->centi_kw[0], 1501);   // (1001 + 2000) / 2 = 1500.5, half away from zero
  EXPECT_EQ(f->centi_kw[1], -1501);  // (−1001 − 2000) / 2 = −1500.5
  EXPECT_EQ(f->centi_kw[2], 150);    // (0 + 300) / 2: Friday's 700 is not present
  EXPECT_EQ(f->centi_kw[1439], 1501);

  f = ForecastDay(D("2026-11-23"), h.curves(), 3, {});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->days_used, (std::vector<BeijingDate>{D("2026-11-20"), D("2026-11-18"), D("2026-11-17")}));
  EXPECT_EQ(f->centi_kw[0], 2334);  // 7001 / 3 = 2333.67
  EXPECT_EQ(f->centi_kw[1], 333);   // (−1001 − 2000 + 4000) / 3 = 333
  EXPECT_EQ(f->centi_kw[2], 1433);  // (0 + 300 + 4000) / 3 = 1433.33
}

TEST(Potential, ForecastUsesFewerDaysWhenThatIsAllThereIs) {
  PresentBits present_20;
  const History h = Mixed(present_20);
  const auto f = ForecastDay(D("2026-11-23"), h.curves(), 10, {});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->days_used,
            (std::vector<BeijingDate>{D("2026-11-20"), D("2026-11-18"), D("2026-11-17"), D("2026-11-16")}));
  EXPECT_EQ(f->centi_kw[0], 4250);  // (1001 + 2000 + 4000 + 9999) / 4 = 4250.0
}

TEST(Potential, ForecastOfAWeekendOrHoliday) {
  PresentBits present_20;
  const History h = Mixed(present_20);
  // Sunday 2026-11-29: Sunday 22 and Saturday 21 are before it; the weekdays are not similar.
  auto f = ForecastDay(D("2026-11-29"), h.curves(), 5, {});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->days_used, (std::vector<BeijingDate>{D("2026-11-22"), D("2026-11-21")}));
  EXPECT_EQ(f->centi_kw[0], 55000);
  // Tuesday 2026-11-24 as a holiday: same two days.
  const std::vector<BeijingDate> holidays{D("2026-11-24")};
  f = ForecastDay(D("2026-11-24"), h.curves(), 5, holidays);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->days_used, (std::vector<BeijingDate>{D("2026-11-22"), D("2026-11-21")}));
}

TEST(Potential, ForecastRefusedWithoutSimilarDays) {
  History h;
  h.Add("2026-11-22", 1000);  // Sunday
  h.Add("2026-11-20", 1000, /*event_day=*/true);
  h.Add("2026-11-24", 1000);  // after
  auto f = ForecastDay(D("2026-11-23"), h.curves(), 5, {});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kRefused);
  EXPECT_EQ(f.status().message(), "no weekday history before 2026-11-23");

  f = ForecastDay(D("2026-11-21"), h.curves(), 5, {});  // Saturday: Sunday 22 is after it
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kRefused);
  EXPECT_EQ(f.status().message(), "no weekend or holiday history before 2026-11-21");
}

TEST(Potential, ForecastInvalidInput) {
  History h;
  h.Add("2026-11-20", 1000);
  auto f = ForecastDay(D("2026-11-23"), h.curves(), 0, {});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kInvalid);
  EXPECT_EQ(f.status().message(), "forecast days: must be >= 1, got 0");

  const std::vector<std::int32_t> short_day(1439, 0);
  std::vector<DayCurve> curves{DayCurve{D("2026-11-19"), short_day, nullptr, false}};
  f = ForecastDay(D("2026-11-23"), curves, 1, {});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kInvalid);
  EXPECT_EQ(f.status().message(), "forecast history day 2026-11-19: has 1439 slots, need 1440");

  h.Add("2026-11-20", 2000);
  f = ForecastDay(D("2026-11-23"), h.curves(), 1, {});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kInvalid);
  EXPECT_EQ(f.status().message(), "forecast history: date 2026-11-20 appears twice");
}

// ---- expected potential

TEST(Potential, ExpectedPotentialOverAThreeMinuteWindow) {
  Forecast f;
  f.day = D("2026-11-23");
  f.centi_kw.assign(1440, 0);
  f.centi_kw[600] = 5000;
  f.centi_kw[601] = 3000;
  f.centi_kw[602] = 1000;
  f.centi_kw[603] = 99999;  // outside the window
  const MinuteWindow w{600, 603};
  // Shaving to 20.00 kW: 3000 + 1000 + 0 = 4000 / 3 = 1333.33 → 13.33 kW.
  EXPECT_EQ(ExpectedPotential(RegulationType::kPeakShaving, f, w, Kw(4002), Kw(2000)), Kw(1333));
  // Filling to 40.02 kW: 0 + 1002 + 3002 = 4004 / 3 = 1334.67 → 13.35 kW.
  EXPECT_EQ(ExpectedPotential(RegulationType::kValleyFilling, f, w, Kw(4002), Kw(2000)), Kw(1335));
  // Down to −10.00 kW (V2G): 6000 + 4000 + 2000 = 12000 / 3 = 40.00 kW.
  EXPECT_EQ(ExpectedPotential(RegulationType::kPeakShaving, f, w, Kw(4002), Kw(-1000)), Kw(4000));
  // One minute: 50.00 − 20.00.
  EXPECT_EQ(ExpectedPotential(RegulationType::kPeakShaving, f, MinuteWindow{600, 601}, Kw(0), Kw(2000)), Kw(3000));
  // An empty window offers nothing.
  EXPECT_EQ(ExpectedPotential(RegulationType::kPeakShaving, f, MinuteWindow{600, 600}, Kw(0), Kw(2000)), Kw(0));
}

// ---- aggregations

TEST(Potential, SummarizeByOperatorAreaAndTotal) {
  const std::vector<StationReading> readings{
      // operator B first: the views come out sorted anyway
      {"B", "S3", M("2026-11-23 10:00"), Kw(3000), Kw(2500), Kw(-1000)},  // down 4000, up 0
      {"A", "S1", M("2026-11-23 10:00"), Kw(5000), Kw(8000), Kw(2000)},   // down 3000, up 3000
      {"A", "S2", M("2026-11-23 10:00"), Kw(1000), Kw(3000), Kw(2000)},   // down 0, up 2000
      {"A", "S4", M("2026-11-23 10:00"), Kw(500), Kw(500), Kw(0)},        // down 500, up 0
  };
  const std::vector<AreaOf> areas{
      {"A", "S1", "110101"}, {"A", "S2", "110102"},
      {"B", "S3", "120101"}, {"B", "S1", "440300"},  // another operator's S1: not A's
      {"B", "S9", "440300"},                         // no reading
  };

  const PotentialSummary s = SummarizePotential(readings, areas, 2);
  EXPECT_EQ(s.total, (PotentialTotals{"", 4, Kw(9500), Kw(14000), Kw(3000), Kw(7500), Kw(5000)}));
  ASSERT_EQ(s.by_operator.size(), 2U);
  EXPECT_EQ(s.by_operator[0], (PotentialTotals{"A", 3, Kw(6500), Kw(11500), Kw(4000), Kw(3500), Kw(5000)}));
  EXPECT_EQ(s.by_operator[1], (PotentialTotals{"B", 1, Kw(3000), Kw(2500), Kw(-1000), Kw(4000), Kw(0)}));
  ASSERT_EQ(s.by_area.size(), 3U);
  EXPECT_EQ(s.by_area[0], (PotentialTotals{"11", 2, Kw(6000), Kw(11000), Kw(4000), Kw(3000), Kw(5000)}));
  EXPECT_EQ(s.by_area[1], (PotentialTotals{"12", 1, Kw(3000), Kw(2500), Kw(-1000), Kw(4000), Kw(0)}));
  EXPECT_EQ(s.by_area[2], (PotentialTotals{"unknown", 1, Kw(500), Kw(500), Kw(0), Kw(500), Kw(0)}));

  const PotentialSummary county = SummarizePotential(readings, areas, 6);
  EXPECT_EQ(county.total, s.total);
  ASSERT_EQ(county.by_area.size(), 4U);
  EXPECT_EQ(county.by_area[0], (PotentialTotals{"110101", 1, Kw(5000), Kw(8000), Kw(2000), Kw(3000), Kw(3000)}));
  EXPECT_EQ(county.by_area[1], (PotentialTotals{"110102", 1, Kw(1000), Kw(3000), Kw(2000), Kw(0), Kw(2000)}));
  EXPECT_EQ(county.by_area[2].key, "120101");
  EXPECT_EQ(county.by_area[3].key, "unknown");

  const PotentialSummary city = SummarizePotential(readings, areas, 4);
  ASSERT_EQ(city.by_area.size(), 3U);
  EXPECT_EQ(city.by_area[0].key, "1101");
  EXPECT_EQ(city.by_area[0].stations, 2U);
  EXPECT_EQ(city.by_area[1].key, "1201");
  EXPECT_EQ(city.by_area[2].key, "unknown");
}

TEST(Potential, SummarizeNothing) {
  const PotentialSummary s = SummarizePotential({}, {}, 2);
  EXPECT_EQ(s.total, PotentialTotals{});
  EXPECT_TRUE(s.by_operator.empty());
  EXPECT_TRUE(s.by_area.empty());
}

TEST(Potential, PotentialByTimeSumsPresentMinutes) {
  // X: top 100.00, bottom 20.00. Y: top 30.00, bottom −10.00 (V2G).
  store::StationDay x = Day();
  x.station_code = "X";
  x.adjust_top_power = Kw(10000);
  x.adjust_bottom_power = Kw(2000);
  Set(x, 0, 5000);       // down 3000, up 5000
  Set(x, 1, 1000);       // down 0,    up 9000
  x.centi_kw[2] = 4444;  // not present: no load, no potential
  store::StationDay y = Day();
  y.station_code = "Y";
  y.adjust_top_power = Kw(3000);
  y.adjust_bottom_power = Kw(-1000);
  Set(y, 0, 4000);                              // down 5000, up 0
  Set(y, 2, 2000);                              // down 3000, up 1000
  store::StationDay other = Day("2026-11-22");  // another day: not in this curve
  other.station_code = "Z";
  for (int m = 0; m < 1440; ++m) Set(other, m, 7777);

  const std::vector<store::StationDay> days{x, y, other};
  const PotentialCurve c = PotentialByTime(D("2026-11-23"), days);
  EXPECT_EQ(c.day, D("2026-11-23"));
  ASSERT_EQ(c.load.size(), 1440U);
  ASSERT_EQ(c.down.size(), 1440U);
  ASSERT_EQ(c.up.size(), 1440U);
  ASSERT_EQ(c.stations_present.size(), 1440U);

  EXPECT_EQ(c.load[0], 9000);
  EXPECT_EQ(c.down[0], 8000);
  EXPECT_EQ(c.up[0], 5000);
  EXPECT_EQ(c.stations_present[0], 2);

  EXPECT_EQ(c.load[1], 1000);
  EXPECT_EQ(c.down[1], 0);
  EXPECT_EQ(c.up[1], 9000);
  EXPECT_EQ(c.stations_present[1], 1);

  EXPECT_EQ(c.load[2], 2000);
  EXPECT_EQ(c.down[2], 3000);
  EXPECT_EQ(c.up[2], 1000);
  EXPECT_EQ(c.stations_present[2], 1);

  for (int m = 3; m < 1440; ++m) {
    const auto s = static_cast<std::size_t>(m);
    ASSERT_EQ(c.load[s], 0) << m;
    ASSERT_EQ(c.down[s], 0) << m;
    ASSERT_EQ(c.up[s], 0) << m;
    ASSERT_EQ(c.stations_present[s], 0) << m;
  }
}

}  // namespace
}  // namespace vgi::engine
