// The Regulator's measurement reads: an operator-wide instruction is measured on the store's
// operator-day sums, one naming a station on that station's history only.
#include "regulator_test_fixture.hpp"

#include <set>

namespace vgi::engine {
namespace {

using RegulatorMeasureTest = RegulatorTest;

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

TEST_F(RegulatorMeasureTest, RecentDaysWithoutDataMakeTheBaselineReadItsWholeLookback) {
  // High 5 of 10 reads back only to its 10 most recent weekdays (two weeks here) unless some have
  // no data: A reported nothing in the last 7 days, 100 kW on days 8-14 back, 200 kW on days
  // 15-28 back. The 10 most recent weekdays with data are 5 at 100 kW and 5 at 200 kW; the high
  // 5 of them give 200 kW — reading two weeks only would have found just the five 100 kW days.
  config_.baseline = BaselineConfig{};
  config_.check_baseline_accuracy = false;
  for (int k = 8; k <= 28; ++k) {
    const proto::BeijingMinute start{At(0, 0).minutes - k * 1440};
    Power(kA, start, proto::BeijingMinute{start.minutes + 1440}, k >= 15 ? 200 : 100);
  }
  auto spec = PeakSpec(20);
  spec.scope = {ScopeKind::kOperators, {kA}};
  RunToMeasurement(
      spec, [&] { Power(kA, At(16, 0), At(18, 0), 150); }, [&] { Power(kA, At(18, 0), At(19, 5), 120); });
  const DemandView v = View("T1");
  const InstructionView* in = Of(v, kA, RegulationState::kEvaluated);
  ASSERT_NE(in, nullptr);
  ASSERT_EQ(in->measured.size(), 1u);
  EXPECT_EQ(in->measured[0].baseline_average, Kw(200));
  EXPECT_EQ(in->measured[0].actual_average, Kw(120));
}

TEST_F(RegulatorMeasureTest, ManyStationInstructionsAreMeasuredInParallelEachOnItsOwnStation) {
  // 70 stations of A plus B's and C's in area 1201: 72 station instructions (enough to be measured
  // on several threads). Station i draws 100 + i kW before the event and cuts 10 kW during it.
  proto::StationInfoPage page = testing::SampleStationInfoPage(70, 1);
  for (std::size_t i = 0; i < page.stations.size(); ++i) {
    page.stations[i].operator_id = kA;
    page.stations[i].code = "ST-" + std::string(kA) + (i == 0 ? "" : "-" + std::to_string(i));
  }
  ASSERT_TRUE(store_->PutStationPage(kA, page).ok());
  auto all_power = [&](proto::BeijingMinute from, proto::BeijingMinute to, std::int64_t cut) {
    for (std::size_t i = 0; i < page.stations.size(); ++i) {
      Power(kA, from, to, 100 + static_cast<std::int64_t>(i) - cut, page.stations[i].code);
    }
    Power(kB, from, to, 100 - cut);
    Power(kC, from, to, 100 - cut);
  };
  all_power(At(14, 0), At(16, 0), 0);
  auto spec = PeakSpec(720);
  spec.scope = {ScopeKind::kAreas, {"1201"}};
  RunToMeasurement(spec, [&] { all_power(At(16, 0), At(18, 0), 0); }, [&] { all_power(At(18, 0), At(19, 5), 10); });
  const DemandView v = View("T1");
  ASSERT_EQ(v.instructions.size(), 72u);
  std::set<std::string> stations;
  for (const auto& in : v.instructions) {
    ASSERT_EQ(in.state, RegulationState::kEvaluated) << in.regulation_id << ": " << in.note;
    ASSERT_EQ(in.measured.size(), 1u);
    ASSERT_EQ(in.adjust_ids.size(), 1u);
    stations.insert(in.adjust_ids[0]);
    // Its own station's level (the same-day baseline: the two hours before), 10 kW less during.
    const std::string& code = in.adjust_ids[0];  // "ST-OPA000001-<i>", or i = 0
    const std::string first = "ST-" + std::string(kA) + "-";
    const std::int64_t i = code.starts_with(first) ? std::stoll(code.substr(first.size())) : 0;
    EXPECT_EQ(in.measured[0].baseline_average, Kw(100 + i)) << code;
    EXPECT_EQ(in.measured[0].actual_average, Kw(90 + i)) << code;
    EXPECT_EQ(in.measured[0].delivered.ToString(), "10.00") << code;
  }
  EXPECT_EQ(stations.size(), 72u);
  auto settlements = store_->ListSettlements({});
  ASSERT_TRUE(settlements.ok());
  EXPECT_EQ(settlements->size(), 72u);
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

TEST_F(RegulatorMeasureTest, ThousandsOfRefusedMeasurementsRaiseOneAlarmAboutTheDemand) {
  // A has 12 stations in area 1201, B and C one each: 14 station instructions, none measurable
  // (high 5 of 10 without any history).
  config_.baseline = BaselineConfig{};
  Reopen();
  proto::StationInfoPage page = testing::SampleStationInfoPage(12, 1);
  for (std::size_t i = 0; i < page.stations.size(); ++i) {
    page.stations[i].operator_id = kA;
    page.stations[i].code = "ST-" + std::string(kA) + (i == 0 ? "" : "-" + std::to_string(i));
  }
  ASSERT_TRUE(store_->PutStationPage(kA, page).ok());
  auto all_power = [&](proto::BeijingMinute from, proto::BeijingMinute to) {
    for (const auto& st : page.stations) Power(kA, from, to, 100, st.code);
    Power(kB, from, to, 100);
    Power(kC, from, to, 100);
  };
  all_power(At(14, 0), At(16, 0));
  auto spec = PeakSpec(140);
  spec.scope = {ScopeKind::kAreas, {"1201"}};
  RunToMeasurement(spec, [&] { all_power(At(16, 0), At(18, 0)); }, [&] { all_power(At(18, 0), At(19, 5)); },
                   /*expect_measured=*/false);
  const DemandView v = View("T1");
  EXPECT_EQ(v.instructions.size(), 14u);
  for (const auto& in : v.instructions) EXPECT_THAT(in.note, HasSubstr("not measured yet")) << in.regulation_id;
  auto alarms = store_->ListAlarms(false);
  ASSERT_TRUE(alarms.ok());
  // Nobody cut either: the live watch's shortfall alarms are one about the demand too.
  ASSERT_EQ(alarms->size(), 2u);
  std::map<std::string, store::AlarmRow> by_type;
  for (const auto& a : *alarms) by_type[a.type] = a;
  ASSERT_TRUE(by_type.contains("measurement.refused"));
  ASSERT_TRUE(by_type.contains("execution.shortfall"));
  for (const auto& [type, a] : by_type) {
    EXPECT_EQ(a.object, "T1") << type;
    EXPECT_THAT(a.detail, ::testing::StartsWith("14 instructions of demand T1, the first: OPA000001 ")) << type;
  }
  EXPECT_THAT(by_type["measurement.refused"].detail, HasSubstr("need 5 (retried every 10 minutes)"));
  EXPECT_THAT(by_type["execution.shortfall"].detail, HasSubstr("below 80 % of its 10.00 kW target"));
}

}  // namespace
}  // namespace vgi::engine
