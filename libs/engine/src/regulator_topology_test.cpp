// Market and transformer-area (台区) scopes: the grid topology says which stations they hold; each
// operator with such stations gets one instruction (rangeType 1 / 2) naming the markets (areas) its
// stations are in, sized by those stations' potential and measured on them only.
#include "regulator_test_fixture.hpp"

namespace vgi::engine {
namespace {

class RegulatorTopologyTest : public RegulatorTest {
 protected:
  // A has two stations: ST-OPA000001 in T1 and ST-OPA000001-2 in T2, both in market M1; B's station
  // is in T1 / M1, C's in market M2 with no transformer area. All draw 100 kW in 0..200 kW.
  void SetUp() override {
    RegulatorTest::SetUp();
    proto::StationInfoPage page = testing::SampleStationInfoPage(2, 2);
    page.stations[0].operator_id = page.stations[1].operator_id = kA;
    page.stations[0].code = "ST-OPA000001";
    page.stations[1].code = "ST-OPA000001-2";
    ASSERT_TRUE(store_->PutStationPage(kA, page).ok());
    Power(kA, At(14, 0), At(16, 0), 100, "ST-OPA000001-2");
    const std::vector<store::TopologyEntry> topology = {{kA, "ST-OPA000001", "M1", "T1"},
                                                        {kA, "ST-OPA000001-2", "M1", "T2"},
                                                        {kB, "ST-OPB000002", "M1", "T1"},
                                                        {kC, "ST-OPC000003", "M2", ""},
                                                        {kC, "ST-NOT-SYNCED", "M1", "T1"}};
    auto info = store_->ReplaceTopology(topology, "test");
    ASSERT_TRUE(info.ok()) << info.status();
  }

  std::map<std::string, proto::Instruction> SentByOperator() {
    std::map<std::string, proto::Instruction> out;
    for (const auto& c : Deliver()) out[c.operator_id] = Decode(c);
    return out;
  }
};

TEST_F(RegulatorTopologyTest, ATransformerAreaScopeSendsRangeType2ToTheOperatorsWithStationsThere) {
  auto spec = PeakSpec(100);
  spec.scope = {ScopeKind::kTransformerAreas, {"T1"}};
  ASSERT_TRUE(regulator_->CreateDemand(spec).ok());
  Tick();
  const auto sent = SentByOperator();
  // C's T1 station is not in its synced model: C is not asked.
  ASSERT_EQ(sent.size(), 2u);
  for (const char* op : {kA, kB}) {
    const proto::Instruction& in = sent.at(op);
    EXPECT_EQ(in.range_type, proto::RangeType::kTransformerArea) << op;
    EXPECT_EQ(in.adjust_ids, std::vector<std::string>{"T1"}) << op;
    EXPECT_FALSE(in.credit_code.has_value()) << op;
    // One station of 100 kW down-potential each: equal shares.
    ASSERT_EQ(in.targets.size(), 1u);
    EXPECT_EQ(in.targets[0].target_power, Kw(50)) << op;
  }
  const DemandView v = View("T1");
  const InstructionView* a = Of(v, kA, RegulationState::kSent);
  ASSERT_NE(a, nullptr);
  EXPECT_THAT(a->explanation.front(), HasSubstr("1 of 1 stations reporting"));
}

TEST_F(RegulatorTopologyTest, ARejectionIsReDispatchedToTheOtherOperatorsInTheArea) {
  auto spec = PeakSpec(60);
  spec.scope = {ScopeKind::kTransformerAreas, {"T1"}};
  ASSERT_TRUE(regulator_->CreateDemand(spec).ok());
  Tick();
  const auto sent = SentByOperator();
  ASSERT_EQ(sent.size(), 2u);
  Overview(kA, "T1", sent.at(kA).regulation_id, false);
  Overview(kB, "T1", sent.at(kB).regulation_id, true);
  EXPECT_EQ(Tick().redispatched, 1);
  const auto changes = SentByOperator();
  ASSERT_EQ(changes.size(), 1u);  // B alone: A refused
  const proto::Instruction& change = changes.at(kB);
  EXPECT_EQ(change.synchro_type, proto::SynchroType::kChange);
  EXPECT_EQ(change.range_type, proto::RangeType::kTransformerArea);
  EXPECT_EQ(change.adjust_ids, std::vector<std::string>{"T1"});
  EXPECT_EQ(change.targets[0].target_power, Kw(60));  // its 30 kW and A's 30 kW
}

TEST_F(RegulatorTopologyTest, AMarketScopeWeighsEachOperatorByItsStationsInTheMarket) {
  auto spec = PeakSpec(90);
  spec.scope = {ScopeKind::kMarkets, {"M1", "M2"}};
  ASSERT_TRUE(regulator_->CreateDemand(spec).ok());
  Tick();
  const auto sent = SentByOperator();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent.at(kA).range_type, proto::RangeType::kMarket);
  EXPECT_EQ(sent.at(kA).adjust_ids, std::vector<std::string>{"M1"});
  EXPECT_EQ(sent.at(kC).adjust_ids, std::vector<std::string>{"M2"});
  // A has 200 kW of potential in M1, B and C 100 kW each: 45 / 22.5 / 22.5 kW.
  EXPECT_EQ(sent.at(kA).targets[0].target_power, Kw(45));
  EXPECT_EQ(sent.at(kB).targets[0].target_power.ToString(), "22.50");
  EXPECT_EQ(sent.at(kC).targets[0].target_power.ToString(), "22.50");
}

TEST_F(RegulatorTopologyTest, ATransformerAreaInstructionIsMeasuredOnItsStationsOnly) {
  auto spec = PeakSpec(40);
  spec.scope = {ScopeKind::kTransformerAreas, {"T2"}};
  // Only A's second station is in T2: it cuts 100 -> 60 kW; its first station (T1) drops to 0,
  // which must not count.
  RunToMeasurement(
      spec,
      [&] {
        Power(kA, At(16, 0), At(18, 0), 100);
        Power(kA, At(16, 0), At(18, 0), 100, "ST-OPA000001-2");
      },
      [&] {
        Power(kA, At(18, 0), At(19, 5), 0);
        Power(kA, At(18, 0), At(19, 5), 60, "ST-OPA000001-2");
      });
  const DemandView v = View("T1");
  const InstructionView* in = Of(v, kA, RegulationState::kEvaluated);
  ASSERT_NE(in, nullptr);
  ASSERT_EQ(in->measured.size(), 1u);
  EXPECT_EQ(in->measured[0].baseline_average, Kw(100));
  EXPECT_EQ(in->measured[0].actual_average, Kw(60));
  EXPECT_EQ(in->measured[0].delivered.ToString(), "40.00");
}

TEST_F(RegulatorTopologyTest, ScopesNamingWhatTheTopologyLacksAreRefusedAtCreation) {
  auto spec = PeakSpec(10);
  spec.scope = {ScopeKind::kTransformerAreas, {"T1", "T9"}};
  auto made = regulator_->CreateDemand(spec);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), StatusCode::kInvalid);
  EXPECT_EQ(made.status().message(),
            "scope.ids[1]: \"T9\" is no transformer area of the grid topology (version 1, 5 stations; `vgi topology "
            "list` shows them)");
  spec.scope = {ScopeKind::kMarkets, {"M 1"}};
  made = regulator_->CreateDemand(spec);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().message(), "scope.ids[0]: \"M 1\" is not a market ID (1 to 64 characters of [0-9A-Za-z_.-])");

  ASSERT_TRUE(store_->ReplaceTopology({}, "cleared").ok());
  spec.scope = {ScopeKind::kMarkets, {"M1"}};
  made = regulator_->CreateDemand(spec);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().message(),
            "scope: the grid topology is empty, so no station is in any market; an administrator imports it with "
            "`vgi topology import FILE.csv`");
}

TEST_F(RegulatorTopologyTest, ADemandWhoseAreaLostItsStationsIsClosedSayingWhy) {
  auto spec = PeakSpec(10);
  spec.scope = {ScopeKind::kTransformerAreas, {"T2"}};
  ASSERT_TRUE(regulator_->CreateDemand(spec).ok());
  // Before the engine decomposes it, the only T2 station is retired by A's next sync.
  proto::StationInfoPage page = testing::SampleStationInfoPage(1, 2);
  page.stations[0].operator_id = kA;
  page.stations[0].code = "ST-OPA000001";
  ASSERT_TRUE(store_->PutStationPage(kA, page).ok());
  Tick();
  EXPECT_TRUE(Deliver().empty());
  const DemandView v = View("T1");
  EXPECT_EQ(v.state, store::DemandState::kDone);
  EXPECT_THAT(v.events.back(),
              HasSubstr("the grid topology places no active station of an enabled operator in these transformer "
                        "areas (it names 1 stations there"));
}

}  // namespace
}  // namespace vgi::engine
