// Per-model validation of the Stake rules (seed 6.2) of send_station_info Data: its enums,
// numbers and the topPower/bottomPower rule. The coordinate rules, which Station shares, are
// checked here with the other numbers. StationInfoPage and Station are in codec_station_test.cpp.
#include <string>

#include <gtest/gtest.h>

#include "vgi/proto/codec.hpp"
#include "vgi/proto/ret.hpp"
#include "vgi/testing/samples.hpp"

#include "codec_test_util.hpp"

namespace vgi::proto {
namespace {

using vgi::testing::SampleStationInfoPage;
using namespace test_util;

// ---- helpers --------------------------------------------------------------------------------

// A page of 4 stations with 2 stakes each (stake 0: DC 120.00 kW, stake 1: AC 7.00 kW).
const StationInfoPage& Page() {
  static const StationInfoPage page = SampleStationInfoPage(4, 2);
  return page;
}

// ---- the issue's example and the enums ------------------------------------------------------

TEST(CodecStation, IssueExampleNamesTheFullPath) {
  const Status s = DecodeWith(Page(), "/stationList/3/stakeList/0/type", "9");
  EXPECT_TRUE(IsInvalid(s, "stationList[3].stakeList[0].type: 9 is not one of 1..7"));
  EXPECT_EQ(s.ToString(), "invalid: stationList[3].stakeList[0].type: 9 is not one of 1..7");
}

TEST(CodecStation, StakeEnumsListTheirValues) {
  ExpectRefused(Page(), {
      {"/stationList/0/stakeList/1/type", "0", "stationList[0].stakeList[1].type: 0 is not one of 1..7"},
      {"/stationList/0/stakeList/1/type", "8", "stationList[0].stakeList[1].type: 8 is not one of 1..7"},
      {"/stationList/1/stakeList/0/operatingState", "5",
       "stationList[1].stakeList[0].operatingState: 5 is not one of 1..4"},
      {"/stationList/1/stakeList/0/operatingState", "0",
       "stationList[1].stakeList[0].operatingState: 0 is not one of 1..4"},
      {"/stationList/0/stakeList/0/debugStatus", "4", "stationList[0].stakeList[0].debugStatus: 4 is not one of 1..3"},
      {"/stationList/0/stakeList/0/isPublic", "-1", "stationList[0].stakeList[0].isPublic: -1 is not one of 0, 1"},
      {"/stationList/0/stakeList/0/isAdjust", "2", "stationList[0].stakeList[0].isAdjust: 2 is not one of 0, 1"},
  });
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/stakeList/0/type", "7").stations[0].stakes[0].type, StakeType::kOther);
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/stakeList/0/type", "5").stations[0].stakes[0].type, StakeType::kV2g);
  EXPECT_EQ(
      AcceptedWith(Page(), "/stationList/0/stakeList/0/operatingState", "4").stations[0].stakes[0].operating_state,
      OperatingState::kRetired);
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/stakeList/0/debugStatus", "3").stations[0].stakes[0].debug_status,
            DebugStatus::kPendingDebug);
  EXPECT_FALSE(AcceptedWith(Page(), "/stationList/0/stakeList/0/isAdjust", "0").stations[0].stakes[0].is_adjust);
}

// ---- numbers --------------------------------------------------------------------------------

TEST(CodecStation, DecimalPlaces) {
  ExpectRefused(Page(), {
      {"/stationList/0/stakeList/0/ratedPower", "25.456",
       "stationList[0].stakeList[0].ratedPower: 25.456 has more than 2 decimal places"},
      {"/stationList/0/stakeList/0/topPower", "120.001",
       "stationList[0].stakeList[0].topPower: 120.001 has more than 2 decimal places"},
      {"/stationList/0/stakeList/0/bottomPower", "0.005",
       "stationList[0].stakeList[0].bottomPower: 0.005 has more than 2 decimal places"},
      {"/stationList/0/stakeList/0/ratedVoltage", "750.05",
       "stationList[0].stakeList[0].ratedVoltage: 750.05 has more than 1 decimal places"},
      {"/stationList/0/stakeList/0/ratedAmpere", "250.25",
       "stationList[0].stakeList[0].ratedAmpere: 250.25 has more than 1 decimal places"},
      // Coordinates are sensitive: the value is not echoed.
      {"/stationList/0/longitude", "117.2000001", "stationList[0].longitude: value has more than 6 decimal places"},
      {"/stationList/0/stakeList/1/latitude", "39.0800015",
       "stationList[0].stakeList[1].latitude: value has more than 6 decimal places"},
  });
  // Binary noise from a peer's float formatting is not extra precision.
  const auto page = AcceptedWith(Page(), "/stationList/0/stakeList/0/ratedPower", "25.450000000000003");
  EXPECT_EQ(page.stations[0].stakes[0].rated_power, Kilowatts::FromUnits(2545));
  EXPECT_EQ(page.stations[0].stakes[0].rated_power.ToString(), "25.45");
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/longitude", "116.397128").stations[0].longitude,
            Degrees::FromUnits(116'397'128));
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/stakeList/0/ratedVoltage", "220").stations[0].stakes[0].rated_voltage,
            Volts::FromInt(220));
}

TEST(CodecStation, Ranges) {
  ExpectRefused(Page(), {
      {"/stationList/0/longitude", "181", "stationList[0].longitude: value is outside -180..180"},
      {"/stationList/0/longitude", "-180.000001", "stationList[0].longitude: value is outside -180..180"},
      {"/stationList/0/latitude", "-91", "stationList[0].latitude: value is outside -90..90"},
      {"/stationList/0/latitude", "90.5", "stationList[0].latitude: value is outside -90..90"},
      {"/stationList/1/stakeList/0/longitude", "200", "stationList[1].stakeList[0].longitude: value is outside -180..180"},
      {"/stationList/1/stakeList/0/latitude", "-95", "stationList[1].stakeList[0].latitude: value is outside -90..90"},
      {"/stationList/0/stakeList/0/ratedPower", "-1", "stationList[0].stakeList[0].ratedPower: -1 is outside 0..1000000"},
      {"/stationList/0/stakeList/0/ratedPower", "1000000.01",
       "stationList[0].stakeList[0].ratedPower: 1000000.01 is outside 0..1000000"},
      {"/stationList/0/stakeList/0/ratedVoltage", "-220", "stationList[0].stakeList[0].ratedVoltage: -220 is outside 0..100000"},
      {"/stationList/0/stakeList/0/ratedAmpere", "100000.1",
       "stationList[0].stakeList[0].ratedAmpere: 100000.1 is outside 0..100000"},
      {"/stationList/0/stakeList/0/topPower", "1000001", "stationList[0].stakeList[0].topPower: 1000001 is outside -1000000..1000000"},
      {"/stationList/0/stakeList/0/bottomPower", "-1000001",
       "stationList[0].stakeList[0].bottomPower: -1000001 is outside -1000000..1000000"},
  });
  // The bounds themselves are in range.
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/longitude", "-180").stations[0].longitude, Degrees::FromInt(-180));
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/latitude", "90").stations[0].latitude, Degrees::FromInt(90));
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/stakeList/0/ratedPower", "0").stations[0].stakes[0].rated_power,
            Kilowatts::FromInt(0));
  // A stake may discharge (V2G, storage): a negative adjustable range is allowed.
  const auto page = AcceptedWith(Page(), "/stationList/0/stakeList/0/bottomPower", "-60.5");
  EXPECT_EQ(page.stations[0].stakes[0].bottom_power, Kilowatts::FromUnits(-6050));
}

// Library defect: a number too large for Decimal (|x| > 1e15 / 10^scale) is reported as "has more
// than N decimal places" instead of as out of range.
TEST(CodecStation, HugeNumbersAreReportedAsOutOfRange) {
  EXPECT_TRUE(IsInvalid(DecodeWith(Page(), "/stationList/0/stakeList/0/ratedPower", "100000000000000"),
                        "stationList[0].stakeList[0].ratedPower: 100000000000000 is outside 0..1000000"));
  EXPECT_TRUE(IsInvalid(DecodeWith(Page(), "/stationList/0/longitude", "10000000000"),
                        "stationList[0].longitude: value is outside -180..180"));
}

// ---- cross-field rules ----------------------------------------------------------------------

TEST(CodecStation, StakeBottomPowerMustNotExceedTopPower) {
  EXPECT_TRUE(IsInvalid(DecodeWith(Page(), "/stationList/0/stakeList/1/bottomPower", "7.01"),
                        "stationList[0].stakeList[1].bottomPower: 7.01 is above topPower 7.00"));
  EXPECT_TRUE(IsInvalid(DecodeWith(Page(), "/stationList/3/stakeList/0/topPower", "-0.5"),
                        "stationList[3].stakeList[0].bottomPower: 0.00 is above topPower -0.50"));
  // Equal bounds (a stake that cannot be regulated) are fine.
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/stakeList/1/bottomPower", "7").stations[0].stakes[1].bottom_power,
            Kilowatts::FromInt(7));
}

}  // namespace
}  // namespace vgi::proto
