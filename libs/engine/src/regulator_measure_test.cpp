// The Regulator's measurement reads: an operator-wide instruction is measured on the store's
// operator-day sums, one naming a station on that station's history only.
#include "regulator_test_fixture.hpp"

namespace vgi::engine {
namespace {

class RegulatorMeasureTest : public RegulatorTest {
 protected:
  // Sends the demand, has every operator accept, runs it from 18:00 with `before` (16:00–18:00)
  // and `during` (18:00–19:05) powers written by the caller, and measures at 19:05.
  void RunToMeasurement(const DemandSpec& spec, const std::function<void()>& before, const std::function<void()>& during) {
    ASSERT_TRUE(regulator_->CreateDemand(spec).ok());
    Tick();
    auto sent = Deliver();
    ASSERT_FALSE(sent.empty());
    clock_.Advance(std::chrono::minutes(1));
    for (const auto& c : sent) Overview(c.operator_id, spec.task_id, Decode(c).regulation_id, true);
    Tick();
    before();
    clock_.Set(BeijingTime(2026, 12, 4, 18, 0));
    Tick();
    during();
    clock_.Set(BeijingTime(2026, 12, 4, 19, 5));
    EXPECT_EQ(Tick().measured, static_cast<int>(sent.size()));
  }
};

TEST_F(RegulatorMeasureTest, AStationInstructionIsMeasuredOnItsOwnStationOnly) {
  // A's second station, ST-OPA000001-1, draws 50 kW; its first keeps 100 kW, then drops to 10 kW
  // during the event — which must not count for an instruction naming the second station.
  proto::StationInfoPage page = testing::SampleStationInfoPage(2, 2);
  page.stations[0].operator_id = page.stations[1].operator_id = kA;
  page.stations[0].code = "ST-OPA000001";
  page.stations[1].code = "ST-OPA000001-1";
  ASSERT_TRUE(store_->PutStationPage(kA, page).ok());
  Power(kA, At(14, 0), At(16, 0), 50, "ST-OPA000001-1");
  auto spec = PeakSpec(20);
  spec.scope = {ScopeKind::kStations, {"OPA000001/ST-OPA000001-1"}};
  RunToMeasurement(
      spec,
      [&] {
        Power(kA, At(16, 0), At(18, 0), 100);
        Power(kA, At(16, 0), At(18, 0), 50, "ST-OPA000001-1");
      },
      [&] {
        Power(kA, At(18, 0), At(19, 5), 10);
        Power(kA, At(18, 0), At(19, 5), 30, "ST-OPA000001-1");
      });
  const DemandView v = View("T1");
  const InstructionView* in = Of(v, kA, RegulationState::kEvaluated);
  ASSERT_NE(in, nullptr);
  ASSERT_EQ(in->measured.size(), 1u);
  EXPECT_EQ(in->measured[0].baseline_average, Kw(50));  // the station's own hours before
  EXPECT_EQ(in->measured[0].actual_average, Kw(30));
  EXPECT_EQ(in->measured[0].delivered.ToString(), "20.00");  // 20 kW for 60 minutes
  EXPECT_DOUBLE_EQ(in->measured[0].completion_percent, 100.0);
}

TEST_F(RegulatorMeasureTest, AnOperatorInstructionIsMeasuredOnAllItsStationsHistoryIncluded) {
  // High 5 of 10 on weekday history: A's two stations, 100 + 40 kW in the window on the ten
  // weekdays before (2026-11-20 … 12-03), cut to 90 + 30 kW during the event.
  config_.baseline = BaselineConfig{};
  config_.check_baseline_accuracy = false;
  proto::StationInfoPage page = testing::SampleStationInfoPage(2, 2);
  page.stations[0].operator_id = page.stations[1].operator_id = kA;
  page.stations[0].code = "ST-OPA000001";
  page.stations[1].code = "ST-OPA000001-2";
  ASSERT_TRUE(store_->PutStationPage(kA, page).ok());
  for (int k = 1; k <= 14; ++k) {
    const proto::BeijingMinute start{At(0, 0).minutes - k * 1440};
    Power(kA, start, proto::BeijingMinute{start.minutes + 1440}, 100);
    Power(kA, start, proto::BeijingMinute{start.minutes + 1440}, 40, "ST-OPA000001-2");
  }
  auto spec = PeakSpec(20);
  spec.scope = {ScopeKind::kOperators, {kA}};
  RunToMeasurement(
      spec,
      [&] {
        Power(kA, At(16, 0), At(18, 0), 100);
        Power(kA, At(14, 0), At(18, 0), 40, "ST-OPA000001-2");
      },
      [&] {
        Power(kA, At(18, 0), At(19, 5), 90);
        Power(kA, At(18, 0), At(19, 5), 30, "ST-OPA000001-2");
      });
  const DemandView v = View("T1");
  const InstructionView* in = Of(v, kA, RegulationState::kEvaluated);
  ASSERT_NE(in, nullptr);
  ASSERT_EQ(in->measured.size(), 1u);
  EXPECT_EQ(in->measured[0].baseline_average, Kw(140));
  EXPECT_EQ(in->measured[0].actual_average, Kw(120));
  EXPECT_EQ(in->measured[0].delivered.ToString(), "20.00");
  EXPECT_THAT(in->note, HasSubstr("against high-5-of-10"));
}

TEST_F(RegulatorMeasureTest, TheFirstTickOfADaySumsEveryOperatorsBaselineHistoryOnce) {
  // The fixture's same-day baseline needs no history: nothing to sum.
  EXPECT_EQ(Tick().history_warmed, 0);
  config_.baseline = BaselineConfig{};  // high 5 of 10 over 60 days
  Reopen();
  auto first = regulator_->Tick();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->history_warmed, 3);  // A, B and C
  auto second = regulator_->Tick();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->history_warmed, 0);
  clock_.Set(BeijingTime(2026, 12, 5, 0, 1));
  auto next_day = regulator_->Tick();
  ASSERT_TRUE(next_day.ok());
  EXPECT_EQ(next_day->history_warmed, 3);
}

}  // namespace
}  // namespace vgi::engine
