// The effect of instructions on the simulated load, through the Simulator's API (no HTTPS).
#include <gtest/gtest.h>

#include "sim_test_util.hpp"

namespace vgi::sim::test {
namespace {

using proto::InstructionStatus;
using proto::Kilowatts;
using proto::RangeType;
using proto::RegulationType;
using proto::SynchroType;

// How far the operator's power is from its baseline at `minute` (0.01 kW; negative = lowered).
std::int64_t Moved(const SimHarness& h, const char* minute, std::size_t op = 0) {
  auto sample = h.sim->OperatorSample(h.op(op), At(minute));
  EXPECT_TRUE(sample.ok()) << sample.status();
  return sample.ok() ? (sample->power - sample->baseline).units() : 0;
}

TEST(Regulation, PeakShavingLowersTheOperatorByTheTargetDuringTheWindowOnly) {
  SimHarness h;
  ASSERT_TRUE(h.sim
                  ->SubmitInstruction(h.op(), Task("T1", "R1", RegulationType::kPeakShaving, RangeType::kOperator,
                                                   {h.op()}, 30, "2024-04-09 17:10", "2024-04-09 17:19"))
                  .ok());
  h.RunTo("2024-04-09 17:30");
  for (int m = 1; m < 30; ++m) {
    const proto::BeijingMinute minute{At("2024-04-09 17:00").minutes + m};
    auto sample = h.sim->OperatorSample(h.op(), minute);
    ASSERT_TRUE(sample.ok()) << sample.status();
    EXPECT_LE(sample->bottom, sample->power);
    if (m >= 10 && m <= 19) {
      ASSERT_GE((sample->baseline - sample->bottom).units(), 3000) << "the fleet has room for 30 kW";
      EXPECT_EQ(sample->power, sample->baseline - Kilowatts::FromInt(30)) << proto::FormatMinute(minute);
    } else if (m < 10) {
      EXPECT_EQ(sample->power, sample->baseline) << proto::FormatMinute(minute);
    } else {  // after the window the curtailed vehicles take their deferred energy (the rebound)
      EXPECT_GE(sample->power, sample->baseline) << proto::FormatMinute(minute);
    }
  }
  // The other operator is not touched.
  EXPECT_EQ(Moved(h, "2024-04-09 17:15", 1), 0);
  const OperatorStats stats = h.sim->Stats(h.op());
  EXPECT_EQ(stats.instructions_received, 1u);
  EXPECT_EQ(stats.accepted, 1u);
  EXPECT_EQ(stats.regulations_in_force, 1u);
  EXPECT_EQ(h.sim->Instruction(h.op(), "R1")->status, InstructionStatus::kAccepted);
}

TEST(Regulation, TheStationsReportedPowerSumsToTheOperatorsPower) {
  SimHarness h;
  ASSERT_TRUE(h.sim
                  ->SubmitInstruction(h.op(), Task("T1", "R1", RegulationType::kPeakShaving, RangeType::kOperator,
                                                   {h.op()}, 45, "2024-04-09 17:02", "2024-04-09 17:03"))
                  .ok());
  h.RunTo("2024-04-09 17:05");
  Kilowatts sum;
  for (const auto& station : h.sim->Stations(h.op())) {
    auto power = h.sim->StationPower(h.op(), station.code, At("2024-04-09 17:02"));
    ASSERT_TRUE(power.ok()) << power.status();
    sum = sum + *power;
  }
  EXPECT_EQ(sum, *h.sim->OperatorPower(h.op(), At("2024-04-09 17:02")));
}

TEST(Regulation, ValleyFillingRaisesTheLoad) {
  SimHarness h(SmallOptions(), vgi::testing::BeijingTime(2024, 4, 9, 13, 0));
  ASSERT_TRUE(h.sim
                  ->SubmitInstruction(h.op(), Task("T1", "R1", RegulationType::kValleyFilling, RangeType::kOperator,
                                                   {h.op()}, 40, "2024-04-09 13:05", "2024-04-09 13:09"))
                  .ok());
  h.RunTo("2024-04-09 13:12");
  auto sample = h.sim->OperatorSample(h.op(), At("2024-04-09 13:05"));
  ASSERT_TRUE(sample.ok());
  ASSERT_GE((sample->top - sample->baseline).units(), 4000);
  EXPECT_EQ(Moved(h, "2024-04-09 13:04"), 0);
  EXPECT_EQ(Moved(h, "2024-04-09 13:05"), 4000);
  EXPECT_EQ(Moved(h, "2024-04-09 13:09"), 4000);
  EXPECT_EQ(Moved(h, "2024-04-09 13:10"), 0);
  EXPECT_LE(sample->power, sample->top);
}

TEST(Regulation, PartialAcceptanceAppliesTheOperatorsOwnTargets) {
  SimHarness h;
  ASSERT_TRUE(h.sim->SetPolicy(h.op(), Policy{Policy::Decision::kPartial, 0.6, {}}).ok());
  ASSERT_TRUE(h.sim
                  ->SubmitInstruction(h.op(), Task("T1", "R1", RegulationType::kPeakShaving, RangeType::kOperator,
                                                   {h.op()}, 50, "2024-04-09 17:02", "2024-04-09 17:04"))
                  .ok());
  h.RunTo("2024-04-09 17:06");
  EXPECT_EQ(Moved(h, "2024-04-09 17:03"), -3000) << "60 % of 50 kW";
  const auto held = h.sim->Instruction(h.op(), "R1");
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->status, InstructionStatus::kAccepted);
  EXPECT_EQ(held->instruction.targets[0].target_power, Kilowatts::FromInt(30));
  EXPECT_EQ(h.sim->Stats(h.op()).partial, 1u);
}

TEST(Regulation, AChangeReplacesTheTasksEffect) {
  SimHarness h;
  ASSERT_TRUE(h.sim
                  ->SubmitInstruction(h.op(), Task("T1", "R1", RegulationType::kPeakShaving, RangeType::kOperator,
                                                   {h.op()}, 50, "2024-04-09 17:02", "2024-04-09 17:30"))
                  .ok());
  h.RunTo("2024-04-09 17:10");
  ASSERT_TRUE(h.sim
                  ->SubmitInstruction(h.op(), Task("T1", "R2", RegulationType::kPeakShaving, RangeType::kOperator,
                                                   {h.op()}, 20, "2024-04-09 17:02", "2024-04-09 17:30",
                                                   SynchroType::kChange))
                  .ok());
  h.RunTo("2024-04-09 17:15");
  EXPECT_EQ(Moved(h, "2024-04-09 17:10"), -5000) << "stepped before the change arrived";
  EXPECT_EQ(Moved(h, "2024-04-09 17:11"), -2000) << "replaced, not added";
  EXPECT_EQ(Moved(h, "2024-04-09 17:14"), -2000);
  EXPECT_EQ(h.sim->Stats(h.op()).regulations_in_force, 1u);
}

TEST(Regulation, ACancelRemovesTheEffect) {
  SimHarness h;
  ASSERT_TRUE(h.sim
                  ->SubmitInstruction(h.op(), Task("T1", "R1", RegulationType::kPeakShaving, RangeType::kOperator,
                                                   {h.op()}, 25, "2024-04-09 17:02", "2024-04-09 17:30"))
                  .ok());
  h.RunTo("2024-04-09 17:05");
  ASSERT_TRUE(h.sim
                  ->SubmitInstruction(h.op(), Task("T1", "R9", RegulationType::kPeakShaving, RangeType::kOperator,
                                                   {h.op()}, 0, "", "", SynchroType::kCancel))
                  .ok());
  h.RunTo("2024-04-09 17:10");
  EXPECT_EQ(Moved(h, "2024-04-09 17:05"), -2500);
  EXPECT_GE(Moved(h, "2024-04-09 17:06"), 0) << "no longer lowered (at most the rebound remains)";
  EXPECT_GE(Moved(h, "2024-04-09 17:09"), 0);
  const OperatorStats stats = h.sim->Stats(h.op());
  EXPECT_EQ(stats.cancelled, 1u);
  EXPECT_EQ(stats.regulations_in_force, 0u);
  EXPECT_EQ(h.sim->Instruction(h.op(), "R9")->status, InstructionStatus::kAccepted);
}

TEST(Regulation, AResentRegulationIdHasNoSecondEffect) {
  SimHarness h;
  const auto task = Task("T1", "R1", RegulationType::kPeakShaving, RangeType::kOperator, {h.op()}, 30,
                         "2024-04-09 17:02", "2024-04-09 17:05");
  ASSERT_TRUE(h.sim->SubmitInstruction(h.op(), task).ok());
  ASSERT_TRUE(h.sim->SubmitInstruction(h.op(), task).ok());
  h.RunTo("2024-04-09 17:04");
  EXPECT_EQ(Moved(h, "2024-04-09 17:03"), -3000);
  const OperatorStats stats = h.sim->Stats(h.op());
  EXPECT_EQ(stats.duplicates, 1u);
  EXPECT_EQ(stats.instructions_received, 1u);
  EXPECT_EQ(stats.accepted, 1u);
}

TEST(Regulation, ARejectedInstructionChangesNothing) {
  SimHarness h;
  ASSERT_TRUE(h.sim->SetPolicy(h.op(), Policy{Policy::Decision::kReject, 0.6, {}}).ok());
  ASSERT_TRUE(h.sim
                  ->SubmitInstruction(h.op(), Task("T1", "R1", RegulationType::kPeakShaving, RangeType::kOperator,
                                                   {h.op()}, 30, "2024-04-09 17:02", "2024-04-09 17:05"))
                  .ok());
  h.RunTo("2024-04-09 17:06");
  EXPECT_EQ(Moved(h, "2024-04-09 17:03"), 0);
  EXPECT_EQ(h.sim->Instruction(h.op(), "R1")->status, InstructionStatus::kRejected);
  EXPECT_EQ(h.sim->Stats(h.op()).rejected, 1u);
}

TEST(Regulation, ADelayedDecisionTakesEffectWhenMade) {
  SimHarness h;
  ASSERT_TRUE(h.sim->SetPolicy(h.op(), Policy{Policy::Decision::kAccept, 0.6, std::chrono::minutes(5)}).ok());
  ASSERT_TRUE(h.sim
                  ->SubmitInstruction(h.op(), Task("T1", "R1", RegulationType::kPeakShaving, RangeType::kOperator,
                                                   {h.op()}, 30, "2024-04-09 17:01", "2024-04-09 17:20"))
                  .ok());
  h.RunTo("2024-04-09 17:04");
  EXPECT_EQ(h.sim->Instruction(h.op(), "R1")->status, InstructionStatus::kProcessing);
  EXPECT_EQ(h.sim->Stats(h.op()).pending, 1u);
  h.RunTo("2024-04-09 17:08");
  EXPECT_EQ(h.sim->Instruction(h.op(), "R1")->status, InstructionStatus::kAccepted);
  EXPECT_EQ(Moved(h, "2024-04-09 17:04"), 0) << "not decided yet";
  EXPECT_EQ(Moved(h, "2024-04-09 17:06"), -3000);
  EXPECT_EQ(h.sim->Stats(h.op()).pending, 0u);
}

TEST(Regulation, AnOlderInstructionDecidedLateDoesNotOverrideANewerOne) {
  SimHarness h;
  ASSERT_TRUE(h.sim->SetPolicy(h.op(), Policy{Policy::Decision::kAccept, 0.6, std::chrono::minutes(5)}).ok());
  ASSERT_TRUE(h.sim
                  ->SubmitInstruction(h.op(), Task("T1", "R1", RegulationType::kPeakShaving, RangeType::kOperator,
                                                   {h.op()}, 50, "2024-04-09 17:01", "2024-04-09 17:20"))
                  .ok());
  ASSERT_TRUE(h.sim->SetPolicy(h.op(), Policy{}).ok());
  ASSERT_TRUE(h.sim
                  ->SubmitInstruction(h.op(), Task("T1", "R2", RegulationType::kPeakShaving, RangeType::kOperator,
                                                   {h.op()}, 10, "2024-04-09 17:01", "2024-04-09 17:20",
                                                   SynchroType::kChange))
                  .ok());
  h.RunTo("2024-04-09 17:08");
  EXPECT_EQ(Moved(h, "2024-04-09 17:02"), -1000);
  EXPECT_EQ(Moved(h, "2024-04-09 17:07"), -1000) << "R1, decided at 17:05, is not the latest word on T1";
  EXPECT_EQ(h.sim->Instruction(h.op(), "R1")->status, InstructionStatus::kAccepted);
}

TEST(Regulation, StationScopeMovesOnlyThatStation) {
  SimHarness h;
  const auto& stations = h.sim->Stations(h.op());
  // The station with the most down room at 17:00.
  std::string code;
  std::int64_t best = -1;
  for (const auto& s : stations) {
    auto sample = h.sim->StationSample(h.op(), s.code, At("2024-04-09 17:00"));
    ASSERT_TRUE(sample.ok()) << sample.status();
    if ((sample->power - sample->bottom).units() > best) {
      best = (sample->power - sample->bottom).units();
      code = s.code;
    }
  }
  ASSERT_GE(best, 1000);
  auto in = Task("T1", "R1", RegulationType::kPeakShaving, RangeType::kStation, {code}, 5, "2024-04-09 17:01",
                 "2024-04-09 17:01");
  in.credit_code = stations[0].credit_code;
  ASSERT_TRUE(h.sim->SubmitInstruction(h.op(), in).ok());
  h.RunTo("2024-04-09 17:02");
  for (const auto& s : stations) {
    auto sample = h.sim->StationSample(h.op(), s.code, At("2024-04-09 17:01"));
    ASSERT_TRUE(sample.ok());
    const std::int64_t moved = (sample->power - sample->baseline).units();
    const std::int64_t room = (sample->baseline - sample->bottom).units();
    EXPECT_EQ(moved, s.code == code ? -std::min<std::int64_t>(500, room) : 0) << s.code;
  }
}

TEST(Regulation, StakeScopeMovesOnlyThatStake) {
  SimHarness h;
  const auto& station = h.sim->Stations(h.op())[0];
  auto in = Task("T1", "R1", RegulationType::kValleyFilling, RangeType::kStake, {station.stakes[0].code}, 1000,
                 "2024-04-09 17:01", "2024-04-09 17:01");
  in.credit_code = station.credit_code;
  ASSERT_TRUE(h.sim->SubmitInstruction(h.op(), in).ok());
  h.RunTo("2024-04-09 17:02");
  // A target far beyond one stake: it goes to its top, bounded by its rating.
  auto sample = h.sim->StationSample(h.op(), station.code, At("2024-04-09 17:01"));
  ASSERT_TRUE(sample.ok());
  EXPECT_LE((sample->power - sample->baseline), station.stakes[0].rated_power);
  EXPECT_LE(sample->power, sample->top);
  EXPECT_EQ(Moved(h, "2024-04-09 17:01"), (sample->power - sample->baseline).units()) << "no other station moved";
}

TEST(Regulation, TransformerAreaScopeMovesOnlyThatAreasStations) {
  SimHarness h;
  auto fleets = BuildFleet(SmallOptions().fleet);
  ASSERT_TRUE(fleets.ok()) << fleets.status();
  const OperatorFleet& fleet = (*fleets)[0];
  ASSERT_EQ(fleet.operator_id, h.op());
  ASSERT_EQ(fleet.transformer_areas.size(), fleet.stations.size());
  const std::string area = fleet.transformer_areas[0];
  auto in = Task("T1", "R1", RegulationType::kPeakShaving, RangeType::kTransformerArea, {area}, 1000000,
                 "2024-04-09 17:01", "2024-04-09 17:01");
  ASSERT_TRUE(h.sim->SubmitInstruction(h.op(), in).ok());
  h.RunTo("2024-04-09 17:02");
  std::int64_t inside = 0;
  for (std::size_t i = 0; i < fleet.stations.size(); ++i) {
    auto sample = h.sim->StationSample(h.op(), fleet.stations[i].code, At("2024-04-09 17:01"));
    ASSERT_TRUE(sample.ok());
    const std::int64_t moved = (sample->power - sample->baseline).units();
    if (fleet.transformer_areas[i] == area) {
      // A target beyond the area's room: every station in it goes to its bottom.
      EXPECT_EQ(sample->power, std::min(sample->baseline, sample->bottom)) << fleet.stations[i].code;
      inside += moved;
    } else {
      EXPECT_EQ(moved, 0) << fleet.stations[i].code << " is not in " << area;
    }
  }
  EXPECT_LT(inside, 0);
  EXPECT_EQ(Moved(h, "2024-04-09 17:01"), inside);
}

TEST(Regulation, RefusesAMarketWithoutItsStations) {
  SimHarness h;
  auto in = Task("T1", "R1", RegulationType::kPeakShaving, RangeType::kMarket, {"M9999"}, 5, "2024-04-09 17:01",
                 "2024-04-09 17:01");
  const Status st = h.sim->SubmitInstruction(h.op(), in);
  EXPECT_EQ(st.code(), StatusCode::kInvalid);
  EXPECT_EQ(st.message(), "adjustIDList: operator " + h.op() + " has no station in market M9999");
}

TEST(Regulation, RefusesAScopeItDoesNotHave) {
  SimHarness h;
  auto in = Task("T1", "R1", RegulationType::kPeakShaving, RangeType::kStation, {"NOSUCHSTATION"}, 5,
                 "2024-04-09 17:01", "2024-04-09 17:01");
  in.credit_code = h.sim->Peers()[0].credit_code;
  Status st = h.sim->SubmitInstruction(h.op(), in);
  EXPECT_EQ(st.code(), StatusCode::kInvalid);
  EXPECT_EQ(st.message(), "adjustIDList[0]: NOSUCHSTATION is not a station of operator " + h.op());
  st = h.sim->SubmitInstruction(h.op(), Task("T2", "R2", RegulationType::kPeakShaving, RangeType::kOperator,
                                             {"OTHER0001"}, 5, "2024-04-09 17:01", "2024-04-09 17:01"));
  EXPECT_EQ(st.message(), "adjustIDList: does not name this operator (" + h.op() + ") although rangeType is 3 (operator)");
  EXPECT_EQ(h.sim->Stats(h.op()).instructions_received, 0u);
  EXPECT_FALSE(h.sim->Instruction(h.op(), "R1").has_value());
}

TEST(Regulation, SameSeedSameCurves) {
  SimHarness a, b;
  a.RunTo("2024-04-09 17:20");
  b.RunTo("2024-04-09 17:20");
  for (int m = 0; m <= 20; ++m) {
    const proto::BeijingMinute minute{At("2024-04-09 17:00").minutes + m};
    EXPECT_EQ(*a.sim->OperatorSample(a.op(), minute), *b.sim->OperatorSample(b.op(), minute));
  }
  EXPECT_EQ(a.sim->Stations(a.op()), b.sim->Stations(b.op()));
}

TEST(Regulation, UnknownOperatorsAndMinutesAreNotFound) {
  SimHarness h;
  EXPECT_EQ(h.sim->OperatorPower("NOSUCHOP1", At("2024-04-09 17:00")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(h.sim->OperatorPower(h.op(), At("2024-04-09 18:00")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(h.sim->StationPower(h.op(), "NOPE", At("2024-04-09 17:00")).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(h.sim->Stations("NOSUCHOP1").empty());
  EXPECT_TRUE(h.sim->Stats("NOSUCHOP1").operator_id.empty());
  EXPECT_EQ(h.sim->SetPolicy("NOSUCHOP1", Policy{}).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vgi::sim::test
