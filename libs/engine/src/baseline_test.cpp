#include "vgi/engine/baseline.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace vgi::engine {
namespace {

using proto::BeijingDate;

BeijingDate D(const char* text) {
  return *proto::ParseDate(text);
}

// 18:00–20:00, the event window of every case below; 2026-11-23 is a Monday.
constexpr MinuteWindow kWindow{1080, 1200};

// Owns the curves' data so DayCurve views stay valid (deque: stable addresses).
class Days {
 public:
  // A day at `window_level` centi-kW over kWindow and `other_level` elsewhere.
  std::vector<std::int32_t>& Add(const char* date, std::int32_t window_level, std::int32_t other_level = 0,
                                 bool event_day = false) {
    auto& v = data_.emplace_back(kSlotsPerDay, other_level);
    for (int m = kWindow.begin; m < kWindow.end; ++m) v[static_cast<std::size_t>(m)] = window_level;
    curves_.push_back(DayCurve{D(date), v, nullptr, event_day});
    return v;
  }
  std::span<const DayCurve> curves() const { return curves_; }

 private:
  std::deque<std::vector<std::int32_t>> data_;
  std::vector<DayCurve> curves_;
};

BaselineRequest Request(const Days& days, const std::vector<std::int32_t>& event_data,
                        const char* date = "2026-11-23") {
  return BaselineRequest{DayCurve{D(date), event_data, nullptr, true}, kWindow, days.curves(), {}};
}

const std::vector<std::int32_t> kFlatEvent(kSlotsPerDay, 0);

TEST(Baseline, RoundHalfAwayFromZero) {
  EXPECT_EQ(RoundHalfAwayFromZero(5, 2), 3);
  EXPECT_EQ(RoundHalfAwayFromZero(-5, 2), -3);
  EXPECT_EQ(RoundHalfAwayFromZero(7, 2), 4);
  EXPECT_EQ(RoundHalfAwayFromZero(-7, 2), -4);
  EXPECT_EQ(RoundHalfAwayFromZero(4, 3), 1);
  EXPECT_EQ(RoundHalfAwayFromZero(-4, 3), -1);
  EXPECT_EQ(RoundHalfAwayFromZero(5, 3), 2);
  EXPECT_EQ(RoundHalfAwayFromZero(1, 3), 0);
  EXPECT_EQ(RoundHalfAwayFromZero(0, 7), 0);
}

TEST(Baseline, KindOfWeekendsAndHolidays) {
  const std::vector<BeijingDate> holidays{D("2026-10-01")};
  EXPECT_EQ(KindOf(D("2026-11-23"), holidays), DayKind::kWeekday);           // Monday
  EXPECT_EQ(KindOf(D("2026-11-20"), holidays), DayKind::kWeekday);           // Friday
  EXPECT_EQ(KindOf(D("2026-11-21"), holidays), DayKind::kWeekendOrHoliday);  // Saturday
  EXPECT_EQ(KindOf(D("2026-11-22"), holidays), DayKind::kWeekendOrHoliday);  // Sunday
  EXPECT_EQ(KindOf(D("2026-10-01"), holidays), DayKind::kWeekendOrHoliday);  // Thursday, listed
  EXPECT_EQ(KindOf(D("2026-10-01"), {}), DayKind::kWeekday);
  EXPECT_EQ(KindOf(D("1970-01-01"), {}), DayKind::kWeekday);           // Thursday, day 0
  EXPECT_EQ(KindOf(D("1969-12-27"), {}), DayKind::kWeekendOrHoliday);  // Saturday, day -5
}

// Eligible weekdays before Monday 2026-11-23, most recent first, with their window levels:
//   19:1000 18:3000 17:2000 16:5000 13:4000 12:7000 11:6000 10:9000 09:8000 06:10000
// skipped: the weekend 21/22 (50000), the event day 20 (77777); 05 (99999) is the 11th, beyond Y.
// Every day draws 90000 outside the window: the choice looks at the window only.
TEST(Baseline, HighFiveOfTenPicksTheHighestWindowDays) {
  Days days;
  days.Add("2026-11-22", 50000);
  days.Add("2026-11-21", 50000);
  days.Add("2026-11-20", 77777, 0, /*event_day=*/true);
  days.Add("2026-11-19", 1000, 90000);
  days.Add("2026-11-18", 3000, 90000);
  days.Add("2026-11-17", 2000, 90000);
  days.Add("2026-11-16", 5000, 90000);
  days.Add("2026-11-13", 4000, 90000);
  auto& d12 = days.Add("2026-11-12", 7000, 90000);
  days.Add("2026-11-11", 6000, 90000);
  days.Add("2026-11-10", 9000, 90000);
  days.Add("2026-11-09", 8000, 90000);
  auto& d06 = days.Add("2026-11-06", 10000, 90000);
  days.Add("2026-11-05", 99999, 90000);
  // Minute 18:00 of two chosen days: (7003 + 6000 + 9000 + 8000 + 10000) / 5 = 8000.6 → 8001;
  // minute 18:01: 40002 / 5 = 8000.4 → 8000.
  d12[1080] = 7003;
  d06[1081] = 10002;

  auto b = ComputeBaseline(BaselineConfig{}, Request(days, kFlatEvent));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->window, kWindow);
  ASSERT_EQ(b->centi_kw.size(), 120u);
  EXPECT_EQ(b->centi_kw[0], 8001);
  EXPECT_EQ(b->centi_kw[1], 8000);
  for (std::size_t k = 2; k < 120; ++k) EXPECT_EQ(b->centi_kw[k], 8000) << k;
  EXPECT_EQ(b->days_used, (std::vector<BeijingDate>{D("2026-11-12"), D("2026-11-11"), D("2026-11-10"), D("2026-11-09"),
                                                    D("2026-11-06")}));
}

TEST(Baseline, XOfYTieGoesToTheMoreRecentDay) {
  Days days;
  days.Add("2026-11-19", 700);
  days.Add("2026-11-18", 500);
  days.Add("2026-11-16", 700);  // listed out of order on purpose
  days.Add("2026-11-17", 700);
  BaselineConfig c;
  c.x = 2;
  c.y = 4;
  auto b = ComputeBaseline(c, Request(days, kFlatEvent));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->days_used, (std::vector<BeijingDate>{D("2026-11-19"), D("2026-11-17")}));
  EXPECT_EQ(b->centi_kw[0], 700);
}

TEST(Baseline, WeekendAndHolidayEventsUseWeekendAndHolidayHistory) {
  Days days;
  days.Add("2026-11-21", 400);   // Saturday
  days.Add("2026-11-20", 9000);  // Friday, a weekday
  days.Add("2026-11-18", 200);   // Wednesday, listed as a holiday
  days.Add("2026-11-15", 600);   // Sunday
  days.Add("2026-11-14", 800);   // Saturday
  BaselineConfig c;
  c.x = 2;
  c.y = 3;
  const std::vector<BeijingDate> holidays{D("2026-11-18")};
  BaselineRequest r = Request(days, kFlatEvent, "2026-11-22");  // Sunday
  r.holidays = holidays;
  auto b = ComputeBaseline(c, r);
  ASSERT_TRUE(b.ok()) << b.status();
  // The 3 most recent: 21 (400), 18 (200), 15 (600); the high 2: 21 and 15 → 500.
  EXPECT_EQ(b->days_used, (std::vector<BeijingDate>{D("2026-11-21"), D("2026-11-15")}));
  EXPECT_EQ(b->centi_kw[0], 500);
}

TEST(Baseline, XOfYRefusesShortHistory) {
  Days days;
  days.Add("2026-11-22", 100);
  days.Add("2026-11-21", 100);
  days.Add("2026-11-20", 100, 0, /*event_day=*/true);
  days.Add("2026-11-19", 100);
  days.Add("2026-11-18", 100);
  days.Add("2026-11-17", 100);
  days.Add("2026-09-23", 100);  // a Wednesday 61 days before: outside the 60-day lookback
  days.Add("2026-11-24", 100);  // after the event day
  auto b = ComputeBaseline(BaselineConfig{}, Request(days, kFlatEvent));
  EXPECT_EQ(b.status(), Status::Refused("high-5-of-10: only 3 non-event weekdays in the last 60 days before "
                                        "2026-11-23, need 5"));
  days.Add("2026-09-24", 100);  // Thursday, exactly 60 days before: inside
  days.Add("2026-11-16", 100);
  EXPECT_TRUE(ComputeBaseline(BaselineConfig{}, Request(days, kFlatEvent)).ok());
}

TEST(Baseline, HistoryDatesMustBeDistinct) {
  Days days;
  days.Add("2026-11-19", 100);
  days.Add("2026-11-19", 200);
  BaselineConfig c;
  c.x = 1;
  c.y = 1;
  EXPECT_EQ(ComputeBaseline(c, Request(days, kFlatEvent)).status(),
            Status::Invalid("baseline history: date 2026-11-19 appears twice"));
}

// Ten weekdays: five at 1000 and five at 1010 over the window (average 1005), all 1000 over the
// adjustment window 15:00–17:00 (2 h ending 1 h before 18:00), so the factor is the event day's
// 15:00–17:00 level / 1000.
Days TenWeekdays(std::int32_t window_sign = 1) {
  Days days;
  const char* dates[] = {"2026-11-20", "2026-11-19", "2026-11-18", "2026-11-17", "2026-11-16",
                         "2026-11-13", "2026-11-12", "2026-11-11", "2026-11-10", "2026-11-09"};
  for (int i = 0; i < 10; ++i) days.Add(dates[i], window_sign * (i % 2 == 0 ? 1000 : 1010), 1000);
  days.Add("2026-11-21", 5000, 5000);  // Saturday: not used
  return days;
}

std::vector<std::int32_t> EventDay(std::int32_t adjustment_level) {
  std::vector<std::int32_t> v(kSlotsPerDay, 0);
  for (int m = 900; m < 1020; ++m) v[static_cast<std::size_t>(m)] = adjustment_level;
  v[1020] = 999'999;  // 17:00, inside the 1-hour gap: ignored
  return v;
}

BaselineConfig TenOfTen() {
  BaselineConfig c;
  c.method = BaselineMethod::kAverageAdjusted;
  return c;
}

TEST(Baseline, TenOfTenAdjustedUncapped) {
  Days days = TenWeekdays();
  const auto event = EventDay(1100);  // f = 1100 / 1000 = 11/10
  auto b = ComputeBaseline(TenOfTen(), Request(days, event));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->adjustment_num, 11);
  EXPECT_EQ(b->adjustment_den, 10);
  EXPECT_DOUBLE_EQ(b->adjustment_factor(), 1.1);
  EXPECT_EQ(b->days_used.size(), 10u);
  EXPECT_EQ(b->days_used.front(), D("2026-11-20"));
  EXPECT_EQ(b->days_used.back(), D("2026-11-09"));
  // 1005 × 1.1 = 1105.5 → 1106 (half away from zero).
  for (std::int32_t v : b->centi_kw) ASSERT_EQ(v, 1106);

  Days negative = TenWeekdays(-1);  // discharging over the window: −1105.5 → −1106
  auto n = ComputeBaseline(TenOfTen(), Request(negative, event));
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->centi_kw[0], -1106);
}

TEST(Baseline, TenOfTenAdjustmentCappedAtTwentyPercent) {
  Days days = TenWeekdays();
  struct Case {
    std::int32_t level;
    std::int64_t num, den;
    std::int32_t expected;  // 1005 × factor, rounded
  };
  for (const Case& c : {Case{1200, 6, 5, 1206}, Case{1201, 6, 5, 1206}, Case{1500, 6, 5, 1206}, Case{800, 4, 5, 804},
                        Case{799, 4, 5, 804}, Case{0, 4, 5, 804}, Case{1000, 1, 1, 1005}}) {
    const auto event = EventDay(c.level);
    auto b = ComputeBaseline(TenOfTen(), Request(days, event));
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ(b->adjustment_num, c.num) << c.level;
    EXPECT_EQ(b->adjustment_den, c.den) << c.level;
    EXPECT_EQ(b->centi_kw[0], c.expected) << c.level;
  }
  // 1190: uncapped, 119/100; 1005 × 1.19 = 1195.95 → 1196.
  BaselineConfig ten = TenOfTen();
  auto b = ComputeBaseline(ten, Request(days, EventDay(1190)));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->adjustment_num, 119);
  EXPECT_EQ(b->adjustment_den, 100);
  EXPECT_EQ(b->centi_kw[0], 1196);
  // A 10 % cap.
  ten.adjustment_cap_percent = 10;
  b = ComputeBaseline(ten, Request(days, EventDay(1190)));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->adjustment_num, 11);
  EXPECT_EQ(b->adjustment_den, 10);
}

TEST(Baseline, TenOfTenErrors) {
  Days days = TenWeekdays();
  days.Add("2026-11-06", 1000, 1000, /*event_day=*/true);
  const auto event = EventDay(1000);
  BaselineRequest r = Request(days, event);
  auto few = days.curves().subspan(1);  // drop 2026-11-20: nine weekdays left
  r.history = few;
  EXPECT_EQ(ComputeBaseline(TenOfTen(), r).status(),
            Status::Refused("10-of-10-adjusted: only 9 non-event weekdays in the last 60 days before "
                            "2026-11-23, need 10"));
  r = Request(days, event);
  r.window = {120, 180};  // 02:00: the adjustment window would begin at 23:00 the day before
  EXPECT_EQ(ComputeBaseline(TenOfTen(), r).status().code(), StatusCode::kInvalid);
  r.window = {1080, 1441};
  EXPECT_EQ(ComputeBaseline(TenOfTen(), r).status(),
            Status::Invalid("window: [1080, 1441) must satisfy 0 <= begin < end <= 1440"));
}

TEST(Baseline, TenOfTenWithoutLoadInTheAdjustmentWindowIsUnadjusted) {
  Days days;
  const char* dates[] = {"2026-11-20", "2026-11-19", "2026-11-18", "2026-11-17", "2026-11-16",
                         "2026-11-13", "2026-11-12", "2026-11-11", "2026-11-10", "2026-11-09"};
  for (const char* d : dates) days.Add(d, 300, 0);
  auto b = ComputeBaseline(TenOfTen(), Request(days, EventDay(500)));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->adjustment_num, 1);
  EXPECT_EQ(b->adjustment_den, 1);
  EXPECT_EQ(b->centi_kw[0], 300);
}

// The event day: 16:00–18:00 at 3000 (one minute 3060), the window at 1000, 20:00–22:00 at 4000.
std::vector<std::int32_t> SameDayCurve() {
  std::vector<std::int32_t> v(kSlotsPerDay, 0);
  for (int m = 960; m < 1080; ++m) v[static_cast<std::size_t>(m)] = 3000;
  v[1000] = 3060;
  for (int m = 1080; m < 1200; ++m) v[static_cast<std::size_t>(m)] = 1000;
  for (int m = 1200; m < 1320; ++m) v[static_cast<std::size_t>(m)] = 4000;
  return v;
}

TEST(Baseline, SameDayBeforeAndAfter) {
  const auto v = SameDayCurve();
  BaselineConfig c;
  c.method = BaselineMethod::kSameDay;
  BaselineRequest r{DayCurve{D("2026-11-23"), v, nullptr, true}, kWindow, {}, {}};
  auto b = ComputeBaseline(c, r);
  ASSERT_TRUE(b.ok()) << b.status();
  // (119 × 3000 + 3060 + 120 × 4000) / 240 = 840060 / 240 = 3500.25 → 3500.
  EXPECT_EQ(b->centi_kw, std::vector<std::int32_t>(120, 3500));
  EXPECT_TRUE(b->days_used.empty());

  // The hours after not reported yet (live): before only, 360060 / 120 = 3000.5 → 3001.
  PresentBits present;
  for (int m = 0; m < 1200; ++m) present.set(static_cast<std::size_t>(m));
  for (int m = 1200; m < 1319; ++m) present.set(static_cast<std::size_t>(m));  // 21:59 missing
  r.event_day.present = &present;
  b = ComputeBaseline(c, r);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->centi_kw[0], 3001);
  present.set(1319);
  EXPECT_EQ(ComputeBaseline(c, r)->centi_kw[0], 3500);

  c.use_after = false;
  EXPECT_EQ(ComputeBaseline(c, r)->centi_kw[119], 3001);

  // After-hours past midnight are unavailable: 22:40–24:00 uses 20:40–22:40 only,
  // (20 × 1000 + 100 × 4000) / 120 = 3500.
  c.use_after = true;
  r.window = {1300, 1440};
  EXPECT_EQ(ComputeBaseline(c, r)->centi_kw[0], 3500);
  // 00:00–01:00 without the hours after: no reference at all.
  c.use_after = false;
  r.window = {0, 60};
  EXPECT_EQ(ComputeBaseline(c, r).status(),
            Status::Refused("same-day: no reference minutes on 2026-11-23 (the event starts at 00:00 and the "
                            "hours after it are not available)"));
}

// Back-test of high-1-of-1 on 2 days: 19 (1000) is predicted by 18 (1200): error +200 each
// minute; 18 (1200) by 17 (1000): −200. RMSE 200, mean actual 1100: RRMSE 200/1100 = 18.18 %.
BaselineConfig OneOfOne() {
  BaselineConfig c;
  c.x = 1;
  c.y = 1;
  c.backtest_days = 2;
  return c;
}

Days ThreeWeekdays() {
  Days days;
  days.Add("2026-11-19", 1000, 5);
  days.Add("2026-11-18", 1200, 5);
  days.Add("2026-11-17", 1000, 5);
  days.Add("2026-11-20", 1, 1, /*event_day=*/true);  // never a back-test day
  return days;
}

TEST(Baseline, BacktestRrmseByHand) {
  Days days = ThreeWeekdays();
  auto acc = BacktestAccuracy(OneOfOne(), Request(days, kFlatEvent));
  ASSERT_TRUE(acc.ok()) << acc.status();
  EXPECT_EQ(acc->days, 2);
  EXPECT_EQ(acc->backtest_dates, (std::vector<BeijingDate>{D("2026-11-19"), D("2026-11-18")}));
  EXPECT_NEAR(acc->rrmse_percent, 100.0 * 200.0 / 1100.0, 1e-9);

  auto checked = ComputeCheckedBaseline(OneOfOne(), Request(days, kFlatEvent));
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(checked->baseline.centi_kw, std::vector<std::int32_t>(120, 1000));  // from 19
  EXPECT_EQ(checked->accuracy.days, 2);
}

TEST(Baseline, CheckedBaselineRefusesAboveTheThreshold) {
  Days days = ThreeWeekdays();
  BaselineConfig c = OneOfOne();
  c.max_rrmse_percent = 18.0;
  EXPECT_EQ(ComputeCheckedBaseline(c, Request(days, kFlatEvent)).status(),
            Status::Refused("baseline high-1-of-1 refused: RRMSE 18.2 % on 2 back-test days exceeds 18.0 %"));
  c.max_rrmse_percent = 18.19;  // 18.1818… is within
  EXPECT_TRUE(ComputeCheckedBaseline(c, Request(days, kFlatEvent)).ok());
}

TEST(Baseline, BacktestNeedsHistoryForEveryBacktestDay) {
  Days days = ThreeWeekdays();
  BaselineConfig c = OneOfOne();
  c.backtest_days = 3;  // 17 would need a weekday before it
  EXPECT_EQ(BacktestAccuracy(c, Request(days, kFlatEvent)).status(),
            Status::Refused("back-test on 2026-11-17: high-1-of-1: only 0 non-event weekdays in the last 60 "
                            "days before 2026-11-17, need 1"));
  c.backtest_days = 4;
  EXPECT_EQ(BacktestAccuracy(c, Request(days, kFlatEvent)).status(),
            Status::Refused("back-test: high-1-of-1: only 3 non-event weekdays in the last 60 days before "
                            "2026-11-23, need 4"));
}

TEST(Baseline, BacktestRefusesWithoutPositiveLoad) {
  Days days;
  days.Add("2026-11-19", 0);
  days.Add("2026-11-18", 0);
  days.Add("2026-11-17", 0);
  EXPECT_EQ(BacktestAccuracy(OneOfOne(), Request(days, kFlatEvent)).status(),
            Status::Refused("baseline high-1-of-1 refused: the mean actual load over 2 back-test days is "
                            "0.00 kW, RRMSE is undefined"));
}

}  // namespace
}  // namespace vgi::engine
