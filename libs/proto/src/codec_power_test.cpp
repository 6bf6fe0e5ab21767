// Per-model validation of send_station_power_1440 Data: StationPowerBatch, StationPower (seed 6.3)
// and PowerPoint (seed 6.4). The generic rules are in codec_test.cpp.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "vgi/proto/codec.hpp"
#include "vgi/proto/crypto.hpp"
#include "vgi/proto/ret.hpp"
#include "vgi/testing/samples.hpp"

#include "codec_test_util.hpp"

namespace vgi::proto {
namespace {

using vgi::testing::kSampleCreditCode;
using vgi::testing::SampleStationPower;
using vgi::testing::SampleStationPowerBatch;
using namespace test_util;

// ---- helpers --------------------------------------------------------------------------------

// Two stations of 10 minutes from 2024-04-09 00:00 (point 6 is missing: no "power").
// Bounds: adjustTopPower 3025.00, adjustBottomPower 19.25.
const StationPowerBatch& Batch() {
  static const StationPowerBatch batch = SampleStationPowerBatch(2, 10);
  return batch;
}

Result<StationPowerBatch> Decode(const std::string& json, const CodecOptions& options = {}) {
  return DecodeData<StationPowerBatch>(json, options);
}

// The seed's 7.2.3 example, made valid JSON: the comments dropped, the trailing comma after the
// second station's adjustBottomPower removed, and the powerPointList the seed prints after the
// closing code fence put back into that station.
constexpr const char* kSeed723 = R"({
  "stationPowerList": [
    {
      "stationCode": 105,
      "creditCode": "92131102MA09D2DT17",
      "adjustTopPower": 30.25,
      "adjustBottomPower": 19.25,
      "powerPointList": [
        {
          "point": "2020-04-09 12:15",
          "power": 25.45
        }
      ]
    },
    {
      "stationCode": 106,
      "creditCode": "92131102MA09D2DT17",
      "adjustTopPower": 31.25,
      "adjustBottomPower": 14.25,
      "powerPointList": [
        {
          "point": "2020-04-09 12:16",
          "power": 26.28
        }
      ]
    }
  ]
})";

TEST(CodecPower, SeedExample723Decodes) {
  auto batch = Decode(kSeed723);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->stations.size(), 2U);
  const StationPower& a = batch->stations[0];
  EXPECT_EQ(a.station_code, "105");  // a JSON number, taken as its decimal text
  EXPECT_EQ(a.credit_code, "92131102MA09D2DT17");
  EXPECT_EQ(a.adjust_top_power, Kilowatts::FromUnits(3025));
  EXPECT_EQ(a.adjust_bottom_power, Kilowatts::FromUnits(1925));
  ASSERT_EQ(a.points.size(), 1U);
  EXPECT_EQ(a.points[0].point, ParseMinute("2020-04-09 12:15"));
  EXPECT_EQ(a.points[0].power, Kilowatts::FromUnits(2545));
  const StationPower& b = batch->stations[1];
  EXPECT_EQ(b.station_code, "106");
  EXPECT_EQ(b.adjust_top_power, Kilowatts::FromUnits(3125));
  EXPECT_EQ(b.adjust_bottom_power, Kilowatts::FromUnits(1425));
  ASSERT_EQ(b.points.size(), 1U);
  EXPECT_EQ(FormatMinute(b.points[0].point), "2020-04-09 12:16");
  EXPECT_EQ(b.points[0].power, Kilowatts::FromUnits(2628));
  // Re-encoded canonically: the ID as a string, powers at 2 decimals.
  const std::string canonical = EncodeData(*batch);
  EXPECT_NE(canonical.find(R"("stationCode":"105")"), std::string::npos) << canonical;
  EXPECT_NE(canonical.find(R"("power":25.45)"), std::string::npos) << canonical;

  // Read literally, the seed's second station has no powerPointList: refused, named.
  EXPECT_TRUE(IsInvalid(Decode(Erase(kSeed723, "/stationPowerList/1/powerPointList")).status(),
                        "stationPowerList[1].powerPointList: required field is missing"));
}

TEST(CodecPower, NullAndAbsentPowerAreMissingPoints) {
  auto batch = Decode(R"({"stationPowerList":[{"stationCode":"S1","creditCode":"92131102MA09D2DT17",
      "adjustTopPower":30,"adjustBottomPower":0,"powerPointList":[
        {"point":"2020-04-09 12:15","power":null},
        {"point":"2020-04-09 12:16"},
        {"point":"2020-04-09 12:17","power":0},
        {"point":"2020-04-09 12:18","power":0.00}]}]})");
  ASSERT_TRUE(batch.ok()) << batch.status();
  const auto& points = batch->stations[0].points;
  ASSERT_EQ(points.size(), 4U);
  EXPECT_EQ(points[0].power, std::nullopt);
  EXPECT_EQ(points[1].power, std::nullopt);
  // A reported zero is a value, not a missing point.
  EXPECT_EQ(points[2].power, Kilowatts::FromInt(0));
  EXPECT_EQ(points[3].power, Kilowatts::FromInt(0));
  // A missing point is written without "power" and reads back as missing.
  const std::string json = EncodeData(*batch);
  EXPECT_NE(json.find(R"({"point":"2020-04-09 12:15"})"), std::string::npos) << json;
  EXPECT_EQ(*Decode(json), *batch);
  // The sample's every 7th minute is missing too.
  auto sample = Decode(EncodeData(Batch()));
  ASSERT_TRUE(sample.ok()) << sample.status();
  EXPECT_EQ(sample->stations[0].points[6].power, std::nullopt);
  EXPECT_TRUE(sample->stations[0].points[5].power.has_value());
}

TEST(CodecPower, PointsAreBeijingMinutes) {
  auto batch = Decode(kSeed723);
  ASSERT_TRUE(batch.ok()) << batch.status();
  const BeijingMinute m = batch->stations[0].points[0].point;
  // 2020-04-09 is day 18361 since 1970-01-01; 12:15 is minute 735 of that day.
  EXPECT_EQ(m.minutes, std::int64_t{18361} * 1440 + 735);
  EXPECT_EQ(MinuteOfDay(m), 735);
  EXPECT_EQ(DateOf(m), *ParseDate("2020-04-09"));
  // Beijing is UTC+8: 12:15 in Beijing is 04:15 UTC.
  using namespace std::chrono;
  EXPECT_EQ(ToSystemTime(m), SystemTime(sys_days{year{2020} / April / 9} + hours(4) + minutes(15)));
}

TEST(CodecPower, PointTimesAreStrictMinutes) {
  ExpectRefused(Batch(), {
      {"/stationPowerList/0/powerPointList/0/point", R"("2020-04-09 24:00")",
       R"(stationPowerList[0].powerPointList[0].point: "2020-04-09 24:00" is not a yyyy-MM-dd HH:mm time)"},
      {"/stationPowerList/1/powerPointList/3/point", R"("2020-4-9 12:00")",
       R"(stationPowerList[1].powerPointList[3].point: "2020-4-9 12:00" is not a yyyy-MM-dd HH:mm time)"},
      {"/stationPowerList/0/powerPointList/9/point", R"("2023-02-29 00:00")",
       R"(stationPowerList[0].powerPointList[9].point: "2023-02-29 00:00" is not a yyyy-MM-dd HH:mm time)"},
      {"/stationPowerList/0/powerPointList/0/point", R"("2020-04-09")",
       R"(stationPowerList[0].powerPointList[0].point: "2020-04-09" is not a yyyy-MM-dd HH:mm time)"},
      {"/stationPowerList/0/powerPointList/0/point", R"("2020-04-09 12:29:00")",
       R"(stationPowerList[0].powerPointList[0].point: "2020-04-09 12:29:00" is not a yyyy-MM-dd HH:mm time)"},
      {"/stationPowerList/0/powerPointList/0/point", R"("")",
       R"(stationPowerList[0].powerPointList[0].point: "" is not a yyyy-MM-dd HH:mm time)"},
      {"/stationPowerList/0/powerPointList/0/point", "202004091215",
       "stationPowerList[0].powerPointList[0].point: expected a string, got 202004091215"},
  });
  const auto batch = AcceptedWith(Batch(), "/stationPowerList/0/powerPointList/0/point", R"("2024-02-29 23:59")");
  EXPECT_EQ(FormatMinute(batch.stations[0].points[0].point), "2024-02-29 23:59");
}

TEST(CodecPower, DecimalPlacesAndRanges) {
  ExpectRefused(Batch(), {
      {"/stationPowerList/0/powerPointList/2/power", "25.456",
       "stationPowerList[0].powerPointList[2].power: 25.456 has more than 2 decimal places"},
      {"/stationPowerList/1/adjustTopPower", "30.255", "stationPowerList[1].adjustTopPower: 30.255 has more than 2 decimal places"},
      {"/stationPowerList/1/adjustBottomPower", "0.001",
       "stationPowerList[1].adjustBottomPower: 0.001 has more than 2 decimal places"},
      {"/stationPowerList/0/powerPointList/2/power", "1000000.01",
       "stationPowerList[0].powerPointList[2].power: 1000000.01 is outside -1000000..1000000"},
      {"/stationPowerList/0/powerPointList/2/power", "-1000000.01",
       "stationPowerList[0].powerPointList[2].power: -1000000.01 is outside -1000000..1000000"},
      {"/stationPowerList/0/adjustTopPower", "2000000", "stationPowerList[0].adjustTopPower: 2000000 is outside -1000000..1000000"},
      {"/stationPowerList/0/powerPointList/2/power", R"("25.45")",
       "stationPowerList[0].powerPointList[2].power: expected a number, got string"},
  });
  auto batch = AcceptedWith(Batch(), "/stationPowerList/0/powerPointList/2/power", "25.450000000000003");
  EXPECT_EQ(batch.stations[0].points[2].power, Kilowatts::FromUnits(2545));
  EXPECT_EQ(batch.stations[0].points[2].power->ToString(), "25.45");
  // A station that feeds back (V2G, storage) reports a negative power.
  batch = AcceptedWith(Batch(), "/stationPowerList/0/powerPointList/2/power", "-12.5");
  EXPECT_EQ(batch.stations[0].points[2].power, Kilowatts::FromUnits(-1250));
  batch = AcceptedWith(Batch(), "/stationPowerList/0/powerPointList/2/power", "1000000");
  EXPECT_EQ(batch.stations[0].points[2].power, Kilowatts::FromInt(1'000'000));
}

TEST(CodecPower, StationCodeAndCreditCode) {
  ExpectRefused(Batch(), {
      {"/stationPowerList/0/stationCode", R"("")", "stationPowerList[0].stationCode: must not be empty"},
      {"/stationPowerList/0/stationCode", Quoted(std::string(65, 'S')).c_str(),
       "stationPowerList[0].stationCode: longer than 64 bytes"},
      {"/stationPowerList/0/stationCode", "-105", "stationPowerList[0].stationCode: expected a string or an integer ID, got -105"},
      {"/stationPowerList/1/creditCode", R"("92131102MA09D2DT1")",
       "stationPowerList[1].creditCode: value is not 18 characters of 0-9 and A-Z"},
      {"/stationPowerList/1/creditCode", R"("92131102ma09d2dt17")",
       "stationPowerList[1].creditCode: value is not 18 characters of 0-9 and A-Z"},
      {"/stationPowerList/1/creditCode", R"("")", "stationPowerList[1].creditCode: must not be empty"},
  });
  // The sensitive credit code is never echoed.
  const Status s = DecodeWith(Batch(), "/stationPowerList/1/creditCode", R"("92131102ma09d2dt17")");
  EXPECT_EQ(s.message().find("ma09d2dt17"), std::string::npos) << s;
  EXPECT_EQ(AcceptedWith(Batch(), "/stationPowerList/0/stationCode", "105").stations[0].station_code, "105");
}

TEST(CodecPower, RequiredFields) {
  EXPECT_TRUE(IsEmpty(Decode("{}").status()));
  EXPECT_TRUE(IsEmpty(Decode("null").status()));
  // stationPowerList is the only field: without it Data is empty (4000), unless something else is there.
  EXPECT_TRUE(IsEmpty(DecodeWithout(Batch(), "/stationPowerList")));
  EXPECT_TRUE(IsInvalid(Decode(R"({"stationList":[]})").status(), "stationPowerList: required field is missing"));
  for (const char* field : {"stationCode", "creditCode", "adjustTopPower", "adjustBottomPower", "powerPointList"}) {
    SCOPED_TRACE(field);
    EXPECT_TRUE(IsInvalid(DecodeWithout(Batch(), (std::string("/stationPowerList/1/") + field).c_str()),
                          std::string("stationPowerList[1].") + field + ": required field is missing"));
    EXPECT_TRUE(IsInvalid(DecodeWith(Batch(), (std::string("/stationPowerList/1/") + field).c_str(), "null"),
                          std::string("stationPowerList[1].") + field + ": must not be null"));
  }
  EXPECT_TRUE(IsInvalid(DecodeWithout(Batch(), "/stationPowerList/0/powerPointList/4/point"),
                        "stationPowerList[0].powerPointList[4].point: required field is missing"));
  EXPECT_TRUE(IsInvalid(DecodeWith(Batch(), "/stationPowerList/0/powerPointList/4/point", "null"),
                        "stationPowerList[0].powerPointList[4].point: must not be null"));
  EXPECT_TRUE(IsInvalid(DecodeWith(Batch(), "/stationPowerList/0/powerPointList/4", R"("2024-04-09 00:04")"),
                        "stationPowerList[0].powerPointList[4]: expected an object, got string"));
}

TEST(CodecPower, ListLimits) {
  // 1441 points: one more than a day has.
  StationPower day = SampleStationPower(0, kMinutesPerDay);
  ASSERT_EQ(day.points.size(), kMaxPowerPoints);
  EXPECT_TRUE(Decode(EncodeData(StationPowerBatch{{day}})).ok());
  day.points.push_back(PowerPoint{*ParseMinute("2024-04-10 00:00"), Kilowatts::FromInt(1)});
  EXPECT_TRUE(IsInvalid(Decode(EncodeData(StationPowerBatch{{SampleStationPower(0, 1), day}})).status(),
                        "stationPowerList[1].powerPointList: more than 1440 items (the limit)"));

  EXPECT_TRUE(IsInvalid(Decode(R"({"stationPowerList":[]})").status(), "stationPowerList: must not be empty"));
  EXPECT_TRUE(IsInvalid(DecodeWith(Batch(), "/stationPowerList", "[]"), "stationPowerList: must not be empty"));

  StationPowerBatch many;
  many.stations.assign(kMaxStationPowers + 1, SampleStationPower(0, 0));
  EXPECT_TRUE(IsInvalid(Decode(EncodeData(many)).status(), "stationPowerList: more than 20000 items (the limit)"));
  many.stations.pop_back();
  EXPECT_TRUE(Decode(EncodeData(many)).ok());

  // A station may have no points in a message (nothing new this minute).
  EXPECT_TRUE(AcceptedWith(Batch(), "/stationPowerList/0/powerPointList", "[]").stations[0].points.empty());
}

TEST(CodecPower, AdjustBottomPowerMustNotExceedAdjustTopPower) {
  EXPECT_TRUE(IsInvalid(DecodeWith(Batch(), "/stationPowerList/1/adjustBottomPower", "3025.01"),
                        "stationPowerList[1].adjustBottomPower: 3025.01 is above adjustTopPower 3025.00"));
  EXPECT_TRUE(IsInvalid(Decode(R"({"stationPowerList":[{"stationCode":105,"creditCode":"92131102MA09D2DT17",
      "adjustTopPower":14.25,"adjustBottomPower":31.25,"powerPointList":[]}]})").status(),
                        "stationPowerList[0].adjustBottomPower: 31.25 is above adjustTopPower 14.25"));
  EXPECT_EQ(AcceptedWith(Batch(), "/stationPowerList/1/adjustBottomPower", "3025").stations[1].adjust_bottom_power,
            Kilowatts::FromInt(3025));
}

// ---- field-level encryption -----------------------------------------------------------------

TEST(CodecPower, FieldEncryptionCarriesTheCreditCodeAsCiphertext) {
  const DataCipher cipher = Cipher();
  CodecOptions options;
  options.field_cipher = &cipher;
  const std::string json = EncodeData(Batch(), options);
  EXPECT_EQ(json.find(kSampleCreditCode), std::string::npos);
  const std::string wire = ValueAt(json, "/stationPowerList/1/creditCode");
  EXPECT_TRUE(Base64Decode(wire).ok()) << wire;
  std::string clear;
  ASSERT_TRUE(cipher.Decrypt(wire, clear).ok());
  EXPECT_EQ(clear, kSampleCreditCode);
  // Only the credit code is sensitive in StationPower.
  EXPECT_EQ(ValueAt(json, "/stationPowerList/1/stationCode"), "STA1");
  EXPECT_EQ(ValueAt(json, "/stationPowerList/1/adjustTopPower"), "3025.0");
  auto batch = Decode(json, options);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(*batch, Batch());
}

TEST(CodecPower, FieldEncryptionRefusesPlainAndForeignValues) {
  const DataCipher cipher = Cipher();
  CodecOptions options;
  options.field_cipher = &cipher;
  const char* kMessage = "stationPowerList[1].creditCode: cannot be decrypted (field-level encryption is on for this peer)";
  const Status plain = DecodeWith(Batch(), "/stationPowerList/1/creditCode", Quoted(kSampleCreditCode), options);
  EXPECT_TRUE(IsInvalid(plain, kMessage));
  EXPECT_EQ(plain.message().find(kSampleCreditCode), std::string::npos);
  EXPECT_TRUE(IsInvalid(DecodeWith(Batch(), "/stationPowerList/1/creditCode",
                                   Quoted(OtherCipher().Encrypt(kSampleCreditCode)), options),
                        kMessage));
  // A ciphertext of a malformed code: the form is named, the decrypted text is not echoed.
  const Status bad = DecodeWith(Batch(), "/stationPowerList/1/creditCode",
                                Quoted(cipher.Encrypt("92131102ma09d2dt17")), options);
  EXPECT_TRUE(IsInvalid(bad, "stationPowerList[1].creditCode: value is not 18 characters of 0-9 and A-Z"));
  EXPECT_EQ(bad.message().find("ma09d2dt17"), std::string::npos);
}

}  // namespace
}  // namespace vgi::proto
