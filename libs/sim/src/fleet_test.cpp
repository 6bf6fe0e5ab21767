#include "vgi/sim/fleet.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "vgi/proto/codec.hpp"
#include "vgi/proto/keys.hpp"

namespace vgi::sim {
namespace {

FleetOptions Options(std::uint64_t seed = 7) {
  FleetOptions o;
  o.seed = seed;
  o.operators = 3;
  o.stations_per_operator = 40;
  o.stakes_per_station = 10;
  return o;
}

TEST(Fleet, SameSeedGivesTheSameFleet) {
  auto a = BuildFleet(Options());
  auto b = BuildFleet(Options());
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(a->size(), 3u);
  for (std::size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].stations, (*b)[i].stations);
    EXPECT_EQ((*a)[i].kinds, (*b)[i].kinds);
  }
  auto c = BuildFleet(Options(8));
  ASSERT_TRUE(c.ok());
  EXPECT_NE((*a)[0].stations, (*c)[0].stations);
}

TEST(Fleet, IdsFollowTheProtocolsForms) {
  auto fleet = BuildFleet(Options());
  ASSERT_TRUE(fleet.ok());
  EXPECT_EQ((*fleet)[0].operator_id, "SIM000001");
  EXPECT_EQ((*fleet)[2].operator_id, "SIM000003");
  for (const auto& op : *fleet) {
    EXPECT_TRUE(proto::IsOperatorId(op.operator_id)) << op.operator_id;
    ASSERT_EQ(op.credit_code.size(), 18u);
    EXPECT_EQ(op.credit_code.substr(8, 9), op.operator_id);  // characters 9-17
    EXPECT_EQ(op.stations.size(), 40u);
    std::set<std::string> stakes;
    for (const auto& s : op.stations) {
      EXPECT_EQ(s.operator_id, op.operator_id);
      EXPECT_EQ(s.code.substr(0, 9), op.operator_id);
      for (const auto& k : s.stakes) EXPECT_TRUE(stakes.insert(k.code).second) << "duplicate stake " << k.code;
    }
  }
}

TEST(Fleet, EveryStationPassesTheCodec) {
  auto fleet = BuildFleet(Options());
  ASSERT_TRUE(fleet.ok());
  for (const auto& op : *fleet) {
    proto::StationInfoPage page;
    page.total_count = static_cast<std::int64_t>(op.stations.size());
    page.page_count = 1;
    page.page_no = 1;
    page.stations = op.stations;
    const std::string json = proto::EncodeData(page);
    auto decoded = proto::DecodeData<proto::StationInfoPage>(json);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, page);
  }
}

TEST(Fleet, KindsMapOntoSection61Fields) {
  FleetOptions o = Options();
  o.operators = 1;
  o.stations_per_operator = 400;
  auto fleet = BuildFleet(o);
  ASSERT_TRUE(fleet.ok());
  const auto& op = (*fleet)[0];
  std::map<SiteKind, int> seen;
  for (std::size_t i = 0; i < op.stations.size(); ++i) {
    const auto& s = op.stations[i];
    ++seen[op.kinds[i]];
    ASSERT_FALSE(s.stakes.empty());
    const auto& k = s.stakes[0];
    switch (op.kinds[i]) {
      case SiteKind::kPublicDc:
        EXPECT_EQ(s.type, proto::StationType::kPublic);
        EXPECT_EQ(k.type, proto::StakeType::kDc);
        EXPECT_GE(k.rated_power, proto::Kilowatts::FromInt(60));
        EXPECT_LE(k.rated_power, proto::Kilowatts::FromInt(160));
        break;
      case SiteKind::kResidentialAc:
        EXPECT_EQ(s.type, proto::StationType::kPersonal);
        EXPECT_EQ(k.type, proto::StakeType::kAc);
        EXPECT_EQ(k.rated_power, proto::Kilowatts::FromInt(7));
        break;
      case SiteKind::kBusDepot:
        EXPECT_EQ(s.type, proto::StationType::kBus);
        EXPECT_EQ(k.rated_power, proto::Kilowatts::FromInt(150));
        break;
      case SiteKind::kLogistics: EXPECT_EQ(s.type, proto::StationType::kLogistics); break;
      case SiteKind::kBatterySwap: EXPECT_EQ(s.equipment_type, proto::EquipmentType::kBatterySwap); break;
      case SiteKind::kV2g:
        EXPECT_EQ(s.equipment_type, proto::EquipmentType::kV2g);
        EXPECT_EQ(k.type, proto::StakeType::kV2g);
        if (k.is_adjust) {
          EXPECT_EQ(k.bottom_power, -k.rated_power);  // may discharge
        }
        break;
      case SiteKind::kStorage:
        EXPECT_EQ(s.equipment_type, proto::EquipmentType::kStorage);
        EXPECT_EQ(k.type, proto::StakeType::kStorage);
        break;
      case SiteKind::kElectricHeating: EXPECT_EQ(s.equipment_type, proto::EquipmentType::kElectricHeating); break;
    }
    EXPECT_EQ(s.area_code.size(), 6u);
  }
  EXPECT_EQ(seen.size(), 8u) << "400 stations of the standard mix show every kind";
  EXPECT_GT(seen[SiteKind::kPublicDc], seen[SiteKind::kStorage]);
}

TEST(Fleet, StakesPerStationIsTheAverage) {
  FleetOptions o = Options();
  o.operators = 2;
  o.stations_per_operator = 500;
  o.stakes_per_station = 10;
  auto fleet = BuildFleet(o);
  ASSERT_TRUE(fleet.ok());
  std::size_t stakes = 0;
  for (const auto& op : *fleet) stakes += op.stake_count();
  const double mean = static_cast<double>(stakes) / 1000.0;
  EXPECT_GT(mean, 8.0);
  EXPECT_LT(mean, 12.0);
}

TEST(Fleet, HomeCityAreaCodes) {
  auto fleet = BuildFleet(Options());
  ASSERT_TRUE(fleet.ok());
  int nanjing = 0;
  for (const auto& s : (*fleet)[0].stations) nanjing += s.area_code.substr(0, 4) == "3201";
  EXPECT_GT(nanjing, 20) << "operator 1's home city is Nanjing (3201xx)";
}

TEST(Fleet, OnlyTheKindsAskedFor) {
  FleetOptions o = Options();
  o.kinds = {SiteKind::kBusDepot};
  auto fleet = BuildFleet(o);
  ASSERT_TRUE(fleet.ok());
  for (const auto& op : *fleet) {
    for (SiteKind k : op.kinds) EXPECT_EQ(k, SiteKind::kBusDepot);
  }
}

TEST(Fleet, RefusesBadOptions) {
  FleetOptions o = Options();
  o.operators = 0;
  EXPECT_EQ(BuildFleet(o).status().message(), "operators: must be 1..999");
  o = Options();
  o.operator_prefix = "sim";
  EXPECT_EQ(BuildFleet(o).status().code(), StatusCode::kInvalid);
  o = Options();
  o.stakes_per_station = 0;
  EXPECT_EQ(BuildFleet(o).status().message(), "stakes_per_station: must be 1..1000 (an average)");
}

TEST(Fleet, KindNamesRoundTrip) {
  for (SiteKind k : AllSiteKinds()) EXPECT_EQ(ParseSiteKind(SiteKindName(k)), k);
  EXPECT_EQ(ParseSiteKind("nuclear"), std::nullopt);
}

}  // namespace
}  // namespace vgi::sim
