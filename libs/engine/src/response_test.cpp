#include "vgi/engine/response.hpp"

#include <gtest/gtest.h>

namespace vgi::engine {
namespace {

proto::BeijingDate Day() {
  return *proto::ParseDate("2026-11-23");
}

// 18:00–18:08, baseline 1000 (10.00 kW) each minute, target 500 (5.00 kW), peak shaving:
//   minute  actual           response  short  cause
//   18:00    400               600      -
//   18:01    500               500      -      (exactly on target)
//   18:02    600               400     100     under-delivery
//   18:03    700               300     200     under-delivery
//   18:04    missing             0     500     missing data
//   18:05    missing, offline    0     500     offline
//   18:06    900, offline      100     400     offline
//   18:07   1100              -100     600     under-delivery
// Σ = 1800 centi-kW·min: average 225 (2.25 kW), energy 30 centi-kWh (0.30 kWh), ratio 0.45.
struct Fixture {
  std::vector<std::int32_t> actual = std::vector<std::int32_t>(kSlotsPerDay, 0);
  std::vector<std::int32_t> baseline = std::vector<std::int32_t>(8, 1000);
  PresentBits present;
  PresentBits offline;
  Fixture() {
    present.set();
    const std::int32_t values[] = {400, 500, 600, 700, 0, 0, 900, 1100};
    for (int k = 0; k < 8; ++k) actual[static_cast<std::size_t>(1080 + k)] = values[k];
    present.reset(1084);
    present.reset(1085);
    offline.set(1085);
    offline.set(1086);
  }
  ResponseRequest Request() const {
    return ResponseRequest{
        Direction::kPeakShaving, {1080, 1088}, baseline, DayCurve{Day(), actual, &present, true}, 500, &offline};
  }
};

TEST(Response, PeakShavingPerMinuteAndWindow) {
  Fixture f;
  auto r = MeasureResponse(f.Request());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->per_minute_centi_kw, (std::vector<std::int64_t>{600, 500, 400, 300, 0, 0, 100, -100}));
  EXPECT_EQ(r->sum_centi_kw_minutes, 1800);
  EXPECT_EQ(r->minutes(), 8);
  EXPECT_EQ(r->average_centi_kw(), 225);
  EXPECT_EQ(r->energy_centi_kwh(), 30);
  EXPECT_DOUBLE_EQ(r->energy_kwh(), 0.3);
  EXPECT_EQ(r->target_centi_kw, 500);
  EXPECT_DOUBLE_EQ(r->completion_ratio(), 0.45);
}

TEST(Response, DeviationRunsWithCauses) {
  Fixture f;
  auto r = MeasureResponse(f.Request());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->deviations, (std::vector<Deviation>{
                               {{1082, 1084}, DeviationCause::kUnderDelivery, 300, 200},
                               {{1084, 1085}, DeviationCause::kMissingData, 500, 500},
                               {{1085, 1087}, DeviationCause::kOffline, 900, 500},
                               {{1087, 1088}, DeviationCause::kUnderDelivery, 600, 600},
                           }));
  // Without the offline marks the missing minutes merge into one run and 18:06 is under-delivery.
  ResponseRequest req = f.Request();
  req.offline = nullptr;
  r = MeasureResponse(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deviations, (std::vector<Deviation>{
                               {{1082, 1084}, DeviationCause::kUnderDelivery, 300, 200},
                               {{1084, 1086}, DeviationCause::kMissingData, 1000, 500},
                               {{1086, 1088}, DeviationCause::kUnderDelivery, 1000, 600},
                           }));
}

TEST(Response, ValleyFilling) {
  std::vector<std::int32_t> actual(kSlotsPerDay, 0);
  actual[120] = 1600;  // 02:00, +6.00 kW over the baseline
  actual[121] = 1300;  // +3.00 kW
  actual[122] = 1001;  // +0.01 kW; missing next minute counts no response
  const std::vector<std::int32_t> baseline{1000, 1000, 1000, 1000};
  PresentBits present;
  present.set();
  present.reset(123);
  ResponseRequest req{
      Direction::kValleyFilling, {120, 124}, baseline, DayCurve{Day(), actual, &present, true}, 400, nullptr};
  auto r = MeasureResponse(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->per_minute_centi_kw, (std::vector<std::int64_t>{600, 300, 1, 0}));
  EXPECT_EQ(r->sum_centi_kw_minutes, 901);
  EXPECT_EQ(r->average_centi_kw(), 225);  // 225.25
  EXPECT_EQ(r->energy_centi_kwh(), 15);   // 15.0166…
  EXPECT_DOUBLE_EQ(r->completion_ratio(), 901.0 / 1600.0);
  EXPECT_EQ(r->deviations, (std::vector<Deviation>{
                               {{121, 123}, DeviationCause::kUnderDelivery, 100 + 399, 399},
                               {{123, 124}, DeviationCause::kMissingData, 400, 400},
                           }));
}

TEST(Response, InvalidInputs) {
  Fixture f;
  ResponseRequest req = f.Request();
  req.target_centi_kw = 0;
  EXPECT_EQ(MeasureResponse(req).status(), Status::Invalid("response target: must be > 0 kW"));
  req = f.Request();
  req.window = {1080, 1089};
  EXPECT_EQ(MeasureResponse(req).status(), Status::Invalid("response baseline: has 8 slots, the window 9"));
  req = f.Request();
  req.actual.centi_kw = std::span<const std::int32_t>(f.actual).first(1439);
  EXPECT_EQ(MeasureResponse(req).status(), Status::Invalid("response actual 2026-11-23: has 1439 slots, need 1440"));
}

TEST(Response, DetectorFiresAtExactlyNMinutesOnce) {
  SustainedShortfallDetector d(1000, 50, 3);  // below 5.00 kW for 3 minutes
  EXPECT_FALSE(d.Add(400));
  EXPECT_FALSE(d.Add(499));
  EXPECT_FALSE(d.Add(500));  // exactly the share is not below: the run restarts
  EXPECT_EQ(d.run(), 0);
  EXPECT_FALSE(d.Add(0));
  EXPECT_FALSE(d.Add(-50));
  EXPECT_TRUE(d.Add(499));   // the third minute
  EXPECT_FALSE(d.Add(100));  // still the same run: no second alarm
  EXPECT_EQ(d.run(), 4);
  EXPECT_FALSE(d.Add(900));
  EXPECT_FALSE(d.Add(1));
  EXPECT_FALSE(d.Add(1));
  EXPECT_TRUE(d.Add(1));  // a new run alarms again
}

// 18:00–18:30, target 10.00 kW, baseline 10.00 kW; response 4.00 kW (below 50 %) or 6.00 kW.
WindowResponse Measured(const std::vector<bool>& below) {
  std::vector<std::int32_t> actual(kSlotsPerDay, 0);
  for (std::size_t k = 0; k < below.size(); ++k) actual[1080 + k] = below[k] ? 600 : 400;
  const std::vector<std::int32_t> baseline(below.size(), 1000);
  ResponseRequest req{Direction::kPeakShaving,
                      {1080, 1080 + static_cast<int>(below.size())},
                      baseline,
                      DayCurve{Day(), actual, nullptr, true},
                      1000,
                      nullptr};
  return *MeasureResponse(req);
}

TEST(Response, FirstSustainedShortfallEdge) {
  // 14 minutes below, one above, then 15 below: the alarm is the 15th of the second run, 18:29.
  std::vector<bool> below(30, true);
  below[14] = false;
  EXPECT_EQ(FirstSustainedShortfall(Measured(below), 50, 15), 1109);
  // N − 1 = 14 consecutive minutes never alarm.
  below[29] = false;
  EXPECT_EQ(FirstSustainedShortfall(Measured(below), 50, 15), std::nullopt);
  // Exactly N at the start: the alarm is at 18:14.
  below.assign(15, true);
  EXPECT_EQ(FirstSustainedShortfall(Measured(below), 50, 15), 1094);
}

}  // namespace
}  // namespace vgi::engine
