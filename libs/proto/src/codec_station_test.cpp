// Per-model validation of send_station_info Data: StationInfoPage and Station (seed 6.1). The
// Stake rules (seed 6.2) are in codec_stake_test.cpp, the generic rules (empty Data, JSON types,
// duplicates, ...) in codec_test.cpp; this file checks every rule of these two schemas, with its
// exact message.
#include <cstdint>
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
using vgi::testing::kSampleOperatorId;
using vgi::testing::SampleStation;
using vgi::testing::SampleStationInfoPage;
using namespace test_util;

// ---- helpers --------------------------------------------------------------------------------

// A page of 4 stations with 2 stakes each (stake 0: DC 120.00 kW, stake 1: AC 7.00 kW).
const StationInfoPage& Page() {
  static const StationInfoPage page = SampleStationInfoPage(4, 2);
  return page;
}

Result<StationInfoPage> Decode(const std::string& json, const CodecOptions& options = {}) {
  return DecodeData<StationInfoPage>(json, options);
}

// ---- enums --------------------------------------------------------------------------------

TEST(CodecStation, StationEnumsListTheirValues) {
  ExpectRefused(Page(), {
      {"/stationList/0/type", "9", "stationList[0].type: 9 is not one of 1, 50, 100, 101, 102, 103, 255"},
      {"/stationList/1/type", "2", "stationList[1].type: 2 is not one of 1, 50, 100, 101, 102, 103, 255"},
      {"/stationList/0/equipmentType", "7", "stationList[0].equipmentType: 7 is not one of 1..6"},
      {"/stationList/0/equipmentType", "0", "stationList[0].equipmentType: 0 is not one of 1..6"},
      {"/stationList/0/isPublic", "2", "stationList[0].isPublic: 2 is not one of 0, 1"},
      {"/stationList/0/state", "2", "stationList[0].state: 2 is not one of 0, 1, 5, 6, 50"},
      {"/stationList/2/state", "51", "stationList[2].state: 51 is not one of 0, 1, 5, 6, 50"},
      {"/stationList/0/construction", "12",
       "stationList[0].construction: 12 is not one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255"},
      {"/stationList/0/construction", "0",
       "stationList[0].construction: 0 is not one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255"},
  });
  // Every listed value is accepted, the sparse ones included.
  for (int v : {1, 50, 100, 101, 102, 103, 255}) {
    EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/type", std::to_string(v)).stations[0].type,
              static_cast<StationType>(v));
  }
  for (int v : {0, 1, 5, 6, 50}) {
    EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/state", std::to_string(v)).stations[0].state,
              static_cast<StationState>(v));
  }
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/equipmentType", "6").stations[0].equipment_type,
            EquipmentType::kOther);
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/construction", "255").stations[0].construction, Construction::kOther);
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/construction", "11").stations[0].construction,
            Construction::kExpresswayServiceArea);
  EXPECT_FALSE(AcceptedWith(Page(), "/stationList/0/isPublic", "0").stations[0].is_public);
}

// ---- dates and times ------------------------------------------------------------------------

TEST(CodecStation, DatesAreStrictYyyyMmDd) {
  ExpectRefused(Page(), {
      {"/stationList/0/stakeList/0/putDate", R"("2023-02-29")",
       R"(stationList[0].stakeList[0].putDate: "2023-02-29" is not a yyyy-MM-dd date)"},
      {"/stationList/0/stakeList/0/productionDate", R"("2023-6-18")",
       R"(stationList[0].stakeList[0].productionDate: "2023-6-18" is not a yyyy-MM-dd date)"},
      {"/stationList/0/putDate", R"("2023/06/18")", R"(stationList[0].putDate: "2023/06/18" is not a yyyy-MM-dd date)"},
      {"/stationList/0/putDate", R"("2023-13-01")", R"(stationList[0].putDate: "2023-13-01" is not a yyyy-MM-dd date)"},
      {"/stationList/0/putDate", R"("2023-06-18 08:00")",
       R"(stationList[0].putDate: "2023-06-18 08:00" is not a yyyy-MM-dd date)"},
      {"/stationList/0/putDate", "20230618", "stationList[0].putDate: expected a string, got 20230618"},
  });
  const auto page = AcceptedWith(Page(), "/stationList/0/stakeList/0/putDate", R"("2024-02-29")");
  EXPECT_EQ(page.stations[0].stakes[0].put_date, *ParseDate("2024-02-29"));
  EXPECT_EQ(FormatDate(page.stations[0].stakes[0].put_date), "2024-02-29");
}

TEST(CodecStation, OpenAndCloseTimesAreStrictMinutes) {
  ExpectRefused(Page(), {
      {"/stationList/0/openTime", R"("2020-04-09 24:00")",
       R"(stationList[0].openTime: "2020-04-09 24:00" is not a yyyy-MM-dd HH:mm time)"},
      {"/stationList/0/openTime", R"("2020-4-9 12:00")",
       R"(stationList[0].openTime: "2020-4-9 12:00" is not a yyyy-MM-dd HH:mm time)"},
      {"/stationList/0/closeTime", R"("2020-04-09 12:60")",
       R"(stationList[0].closeTime: "2020-04-09 12:60" is not a yyyy-MM-dd HH:mm time)"},
      {"/stationList/0/closeTime", R"("2020-04-09T12:00")",
       R"(stationList[0].closeTime: "2020-04-09T12:00" is not a yyyy-MM-dd HH:mm time)"},
      {"/stationList/0/closeTime", R"("2020-04-09 12:00:00")",
       R"(stationList[0].closeTime: "2020-04-09 12:00:00" is not a yyyy-MM-dd HH:mm time)"},
  });
  const auto page = AcceptedWith(Page(), "/stationList/0/closeTime", R"("2024-02-29 23:59")");
  EXPECT_EQ(page.stations[0].close_time, ParseMinute("2024-02-29 23:59"));
}

// ---- text forms and lengths -----------------------------------------------------------------

TEST(CodecStation, TextForms) {
  ExpectRefused(Page(), {
      {"/stationList/0/operatorID", R"("12345678")",
       R"(stationList[0].operatorID: "12345678" is not 9 characters of 0-9 and A-Z)"},
      {"/stationList/0/operatorID", R"("1234567890")",
       R"(stationList[0].operatorID: "1234567890" is not 9 characters of 0-9 and A-Z)"},
      {"/stationList/0/operatorID", R"("40000720z")",
       R"(stationList[0].operatorID: "40000720z" is not 9 characters of 0-9 and A-Z)"},
      {"/stationList/0/operatorID", "12345678",
       R"(stationList[0].operatorID: "12345678" is not 9 characters of 0-9 and A-Z)"},
      // creditCode is sensitive: the form is named, the value is not echoed.
      {"/stationList/0/creditCode", R"("91110190123456789")",
       "stationList[0].creditCode: value is not 18 characters of 0-9 and A-Z"},
      {"/stationList/0/creditCode", R"("9111019012345678901")",
       "stationList[0].creditCode: value is not 18 characters of 0-9 and A-Z"},
      {"/stationList/0/creditCode", R"("91110190-234567890")",
       "stationList[0].creditCode: value is not 18 characters of 0-9 and A-Z"},
      {"/stationList/0/areaCode", R"("12010")", R"(stationList[0].areaCode: "12010" is not 6 digits (GB/T 2260 area code))"},
      {"/stationList/0/areaCode", R"("12010A")", R"(stationList[0].areaCode: "12010A" is not 6 digits (GB/T 2260 area code))"},
      {"/stationList/0/areaCode", "1201010",
       R"(stationList[0].areaCode: "1201010" is not 6 digits (GB/T 2260 area code))"},
      {"/stationList/0/countryCode", R"("cn")", R"(stationList[0].countryCode: "cn" is not 2 capital letters (e.g. CN))"},
      {"/stationList/0/countryCode", R"("CHN")", R"(stationList[0].countryCode: "CHN" is not 2 capital letters (e.g. CN))"},
      {"/stationList/0/countryCode", R"("C1")", R"(stationList[0].countryCode: "C1" is not 2 capital letters (e.g. CN))"},
  });
  // The organisation code from protocol.md's example credit code 91110190400007201Z.
  auto page = AcceptedWith(Page(), "/stationList/0/operatorID", R"("400007201")");
  EXPECT_EQ(page.stations[0].operator_id, "400007201");
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/operatorID", R"("MA09D2DT1")").stations[0].operator_id, "MA09D2DT1");
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/creditCode", R"("91110190400007201Z")").stations[0].credit_code,
            "91110190400007201Z");
  // IDs may arrive as JSON integers (protocol.md, lenient numbers).
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/operatorID", "400007201").stations[0].operator_id, "400007201");
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/areaCode", "110101").stations[0].area_code, "110101");
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/code", "105").stations[0].code, "105");
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/stakeList/1/code", "10501").stations[0].stakes[1].code, "10501");
  EXPECT_EQ(
      AcceptedWith(Page(), "/stationList/0/depositorNoList", "[3100100000, \"3100100001\"]").stations[0].depositor_nos,
      (std::vector<std::string>{"3100100000", "3100100001"}));
  EXPECT_EQ(
      AcceptedWith(Page(), "/stationList/0/stakeList/0/electricMeterNo", "123456").stations[0].stakes[0].electric_meter_no,
      "123456");
}

TEST(CodecStation, TextLengthsAndEmptiness) {
  const std::string name257 = Quoted(std::string(257, 'n'));
  const std::string address513 = Quoted(std::string(513, 'a'));
  const std::string model129 = Quoted(std::string(129, 'm'));
  const std::string code65 = Quoted(std::string(65, '1'));
  ExpectRefused(Page(), {
      {"/stationList/0/name", name257.c_str(), "stationList[0].name: longer than 256 bytes"},
      {"/stationList/0/address", address513.c_str(), "stationList[0].address: longer than 512 bytes"},
      {"/stationList/0/stakeList/0/name", name257.c_str(), "stationList[0].stakeList[0].name: longer than 256 bytes"},
      {"/stationList/0/stakeList/0/model", model129.c_str(), "stationList[0].stakeList[0].model: longer than 128 bytes"},
      {"/stationList/0/code", code65.c_str(), "stationList[0].code: longer than 64 bytes"},
      {"/stationList/0/stakeList/0/code", code65.c_str(), "stationList[0].stakeList[0].code: longer than 64 bytes"},
      {"/stationList/0/stakeList/0/depositorNo", code65.c_str(),
       "stationList[0].stakeList[0].depositorNo: longer than 64 bytes"},
      {"/stationList/0/name", R"("")", "stationList[0].name: must not be empty"},
      {"/stationList/0/address", R"("")", "stationList[0].address: must not be empty"},
      {"/stationList/0/stakeList/1/model", R"("")", "stationList[0].stakeList[1].model: must not be empty"},
      {"/stationList/0/stakeList/1/electricMeterNo", R"("")",
       "stationList[0].stakeList[1].electricMeterNo: must not be empty"},
      {"/stationList/0/depositorNoList", R"(["3100100000", ""])", "stationList[0].depositorNoList[1]: must not be empty"},
      {"/stationList/0/electricMeterNoList", R"([1.5])",
       "stationList[0].electricMeterNoList[0]: expected a string or an integer ID, got 1.5"},
  });
  // Exactly at the limit is fine (256 bytes of UTF-8: 85 three-byte characters and one byte).
  std::string name256 = "\"";
  for (int i = 0; i < 85; ++i) name256 += "站";
  name256 += "1\"";
  EXPECT_EQ(AcceptedWith(Page(), "/stationList/0/name", name256).stations[0].name.size(), 256U);
}

TEST(CodecStation, ListLimits) {
  StationInfoPage big;
  big.page_count = 1;
  big.page_no = 1;
  big.stations.assign(kMaxStationsPerPage + 1, SampleStation(0, 0));
  big.total_count = static_cast<std::int64_t>(big.stations.size());
  EXPECT_TRUE(IsInvalid(Decode(EncodeData(big)).status(), "stationList: more than 5000 items (the limit)"));
  big.stations.pop_back();
  big.total_count = static_cast<std::int64_t>(big.stations.size());
  EXPECT_TRUE(Decode(EncodeData(big)).ok());

  StationInfoPage many_stakes = SampleStationInfoPage(1, 0);
  many_stakes.stations[0].stakes.assign(kMaxStakesPerStation + 1, vgi::testing::SampleStake(0, 0));
  EXPECT_TRUE(IsInvalid(Decode(EncodeData(many_stakes)).status(), "stationList[0].stakeList: more than 5000 items (the limit)"));
  many_stakes.stations[0].stakes.pop_back();
  EXPECT_TRUE(Decode(EncodeData(many_stakes)).ok());

  const std::string ids1001 = [] {
    std::string s = "[";
    for (int i = 0; i < 1001; ++i) s += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
    return s + "]";
  }();
  EXPECT_TRUE(IsInvalid(DecodeWith(Page(), "/stationList/0/depositorNoList", ids1001),
                        "stationList[0].depositorNoList: more than 1000 items (the limit)"));
  EXPECT_TRUE(IsInvalid(DecodeWith(Page(), "/stationList/0/electricMeterNoList", ids1001),
                        "stationList[0].electricMeterNoList: more than 1000 items (the limit)"));
  // A station without stakes (under construction) is allowed; so are empty optional lists.
  EXPECT_TRUE(AcceptedWith(Page(), "/stationList/0/stakeList", "[]").stations[0].stakes.empty());
  EXPECT_TRUE(AcceptedWith(Page(), "/stationList/0/depositorNoList", "[]").stations[0].depositor_nos.empty());
}

// ---- required and optional fields -----------------------------------------------------------

TEST(CodecStation, RequiredFieldsAreNamedWithTheirPath) {
  EXPECT_TRUE(IsEmpty(Decode("{}").status()));
  for (const char* field : {"totalCount", "pageCount", "pageNo", "stationList"}) {
    SCOPED_TRACE(field);
    EXPECT_TRUE(IsInvalid(DecodeWithout(Page(), (std::string("/") + field).c_str()),
                          std::string(field) + ": required field is missing"));
  }
  for (const char* field : {"code", "operatorID", "creditCode", "name", "countryCode", "areaCode", "address", "type",
                            "equipmentType", "isPublic", "state", "longitude", "latitude", "stakeList"}) {
    SCOPED_TRACE(field);
    EXPECT_TRUE(IsInvalid(DecodeWithout(Page(), (std::string("/stationList/2/") + field).c_str()),
                          std::string("stationList[2].") + field + ": required field is missing"));
    EXPECT_TRUE(IsInvalid(DecodeWith(Page(), (std::string("/stationList/2/") + field).c_str(), "null"),
                          std::string("stationList[2].") + field + ": must not be null"));
  }
  for (const char* field : {"code", "name", "operatingState", "putDate", "isPublic", "isAdjust", "type", "model",
                            "ratedPower", "topPower", "bottomPower"}) {
    SCOPED_TRACE(field);
    EXPECT_TRUE(IsInvalid(DecodeWithout(Page(), (std::string("/stationList/1/stakeList/1/") + field).c_str()),
                          std::string("stationList[1].stakeList[1].") + field + ": required field is missing"));
  }
}

TEST(CodecStation, OptionalFieldsMayBeAbsentOrNull) {
  std::string json = EncodeData(Page());
  for (const char* field :
       {"depositorNoList", "electricMeterNoList", "openTime", "construction", "putDate"}) {
    json = Erase(json, (std::string("/stationList/0/") + field).c_str());
  }
  json = Set(json, "/stationList/0/closeTime", "null");
  for (const char* field : {"depositorNo", "electricMeterNo", "debugStatus", "productionDate", "longitude", "latitude",
                            "ratedVoltage"}) {
    json = Erase(json, (std::string("/stationList/0/stakeList/0/") + field).c_str());
  }
  json = Set(json, "/stationList/0/stakeList/0/ratedAmpere", "null");
  json = Set(json, "/stationList/0/stakeList/0/latitude", "null");
  auto page = Decode(json);
  ASSERT_TRUE(page.ok()) << page.status();
  const Station& st = page->stations[0];
  EXPECT_TRUE(st.depositor_nos.empty());
  EXPECT_TRUE(st.electric_meter_nos.empty());
  EXPECT_FALSE(st.open_time);
  EXPECT_FALSE(st.close_time);
  EXPECT_FALSE(st.construction);
  EXPECT_FALSE(st.put_date);
  const Stake& sk = st.stakes[0];
  EXPECT_FALSE(sk.depositor_no);
  EXPECT_FALSE(sk.electric_meter_no);
  EXPECT_FALSE(sk.debug_status);
  EXPECT_FALSE(sk.production_date);
  EXPECT_FALSE(sk.longitude);
  EXPECT_FALSE(sk.latitude);
  EXPECT_FALSE(sk.rated_voltage);
  EXPECT_FALSE(sk.rated_ampere);
  // Everything else came through untouched.
  EXPECT_EQ(st.code, "STA0");
  EXPECT_EQ(st.credit_code, kSampleCreditCode);
  EXPECT_EQ(sk.rated_power, Kilowatts::FromInt(120));
  EXPECT_EQ(page->stations[1], Page().stations[1]);
}

// ---- cross-field rules ----------------------------------------------------------------------

TEST(CodecStation, PagingRules) {
  ExpectRefused(Page(), {
      {"/pageNo", "2", "pageNo: 2 is above pageCount 1"},
      {"/pageNo", "0", "pageNo: 0 is outside 1..100000"},
      {"/pageCount", "0", "pageCount: 0 is outside 1..100000"},
      {"/pageCount", "100001", "pageCount: 100001 is outside 1..100000"},
      {"/totalCount", "-1", "totalCount: -1 is outside 0..10000000"},
      {"/totalCount", "10000001", "totalCount: 10000001 is outside 0..10000000"},
      {"/totalCount", "3", "stationList: 4 stations on one page exceed totalCount 3"},
      {"/stationList", "[]", "stationList: must not be empty when totalCount is above 0"},
  });
  // Page 2 of 2 with all 4 of 2000 stations' slice: fine.
  std::string json = Set(Set(Set(EncodeData(Page()), "/totalCount", "2000"), "/pageCount", "2"), "/pageNo", "2");
  auto page = Decode(json);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->total_count, 2000);
  EXPECT_EQ(page->page_count, 2);
  EXPECT_EQ(page->page_no, 2);
  // An operator without stations sends one empty page.
  auto empty = Decode(R"({"totalCount":0,"pageCount":1,"pageNo":1,"stationList":[]})");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->stations.empty());
}

// ---- the seed's example ---------------------------------------------------------------------

TEST(CodecStation, SeedExample713WithOneStationDecodes) {
  // 7.1.3's page header with the "[...]" filled by one station in the seed's 6.1/6.2 forms.
  const std::string json = R"({
    "totalCount": 2000, "pageCount": 2, "pageNo": 1,
    "stationList": [{
      "code": 105, "operatorID": "MA09D2DT1", "creditCode": "92131102MA09D2DT17", "name": "滨海新区充电站",
      "depositorNoList": ["3101234567"], "countryCode": "CN", "areaCode": "120116", "address": "天津市滨海新区",
      "type": 1, "equipmentType": 1, "isPublic": 1, "state": 50, "openTime": "2020-04-09 12:29",
      "longitude": 117.710128, "latitude": 39.003041, "construction": 10, "putDate": "2020-04-09",
      "stakeList": [{
        "code": "10501", "name": "1号桩", "operatingState": 1, "debugStatus": 1, "putDate": "2020-04-09",
        "isPublic": 1, "isAdjust": 1, "type": 1, "model": "DC-60", "ratedPower": 60.00, "ratedVoltage": 750.0,
        "ratedAmpere": 80.0, "topPower": 60.00, "bottomPower": 0.00
      }]
    }]
  })";
  auto page = Decode(json);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->total_count, 2000);
  EXPECT_EQ(page->page_count, 2);
  EXPECT_EQ(page->page_no, 1);
  ASSERT_EQ(page->stations.size(), 1U);
  const Station& st = page->stations[0];
  EXPECT_EQ(st.code, "105");
  EXPECT_EQ(st.operator_id, "MA09D2DT1");
  EXPECT_EQ(st.credit_code, "92131102MA09D2DT17");
  EXPECT_EQ(st.name, "滨海新区充电站");
  EXPECT_EQ(st.depositor_nos, std::vector<std::string>{"3101234567"});
  EXPECT_EQ(st.area_code, "120116");
  EXPECT_EQ(st.type, StationType::kPublic);
  EXPECT_EQ(st.state, StationState::kInService);
  EXPECT_EQ(st.open_time, ParseMinute("2020-04-09 12:29"));
  EXPECT_EQ(st.longitude, Degrees::FromUnits(117'710'128));
  EXPECT_EQ(st.latitude, Degrees::FromUnits(39'003'041));
  EXPECT_EQ(st.construction, Construction::kRoadside);
  EXPECT_EQ(st.put_date, ParseDate("2020-04-09"));
  ASSERT_EQ(st.stakes.size(), 1U);
  const Stake& sk = st.stakes[0];
  EXPECT_EQ(sk.code, "10501");
  EXPECT_EQ(sk.rated_power, Kilowatts::FromInt(60));
  EXPECT_EQ(sk.rated_voltage, Volts::FromInt(750));
  EXPECT_EQ(sk.rated_ampere, Amperes::FromInt(80));
  EXPECT_EQ(sk.top_power, Kilowatts::FromInt(60));
  EXPECT_EQ(sk.bottom_power, Kilowatts::FromInt(0));
  EXPECT_TRUE(sk.is_adjust);
}

// ---- field-level encryption -----------------------------------------------------------------

struct Sensitive {
  const char* pointer;
  const char* path;   // as rendered in messages
  std::string plain;  // the clear text (a number's canonical text)
  bool number;
};

std::vector<Sensitive> SensitiveFields() {
  const Station& st = Page().stations[0];
  const Stake& sk = Page().stations[0].stakes[1];
  return {
      {"/stationList/0/creditCode", "stationList[0].creditCode", st.credit_code, false},
      {"/stationList/0/name", "stationList[0].name", st.name, false},
      {"/stationList/0/address", "stationList[0].address", st.address, false},
      {"/stationList/0/longitude", "stationList[0].longitude", st.longitude.ToString(), true},
      {"/stationList/0/latitude", "stationList[0].latitude", st.latitude.ToString(), true},
      {"/stationList/0/stakeList/1/name", "stationList[0].stakeList[1].name", sk.name, false},
      {"/stationList/0/stakeList/1/longitude", "stationList[0].stakeList[1].longitude", sk.longitude->ToString(), true},
      {"/stationList/0/stakeList/1/latitude", "stationList[0].stakeList[1].latitude", sk.latitude->ToString(), true},
  };
}

TEST(CodecStation, FieldEncryptionCarriesSensitiveFieldsAsCiphertext) {
  const DataCipher cipher = Cipher();
  CodecOptions options;
  options.field_cipher = &cipher;
  const std::string json = EncodeData(Page(), options);
  for (const Sensitive& f : SensitiveFields()) {
    SCOPED_TRACE(f.path);
    const std::string wire = ValueAt(json, f.pointer);
    EXPECT_TRUE(Base64Decode(wire).ok()) << wire;
    std::string clear;
    ASSERT_TRUE(cipher.Decrypt(wire, clear).ok());
    EXPECT_EQ(clear, f.plain);
    EXPECT_EQ(json.find(f.plain), std::string::npos);
  }
  // Fields the seed does not mark (加密) stay in the clear.
  EXPECT_EQ(ValueAt(json, "/stationList/0/code"), "STA0");
  EXPECT_EQ(ValueAt(json, "/stationList/0/operatorID"), kSampleOperatorId);
  EXPECT_EQ(ValueAt(json, "/stationList/0/stakeList/1/model"), "AC-7-B");
  auto page = Decode(json, options);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(*page, Page());
  // Without the cipher the same text is refused.
  EXPECT_TRUE(IsInvalid(Decode(json).status(), "stationList[0].creditCode: value is not 18 characters of 0-9 and A-Z"));
}

TEST(CodecStation, FieldEncryptionRefusesPlainValues) {
  const DataCipher cipher = Cipher();
  CodecOptions options;
  options.field_cipher = &cipher;
  const std::string json = EncodeData(Page(), options);
  for (const Sensitive& f : SensitiveFields()) {
    SCOPED_TRACE(f.path);
    const std::string raw = f.number ? f.plain : Quoted(f.plain);
    const Status s = Decode(Set(json, f.pointer, raw), options).status();
    EXPECT_EQ(RetFor(s), Ret::kInvalid) << s;
    if (f.number) {
      // A JSON number where a base64 string is expected (see the  test below for the echo).
      const std::string prefix = std::string(f.path) + ": expected a base64 string (field-level encryption is on), got ";
      EXPECT_EQ(s.message().substr(0, prefix.size()), prefix);
    } else {
      EXPECT_TRUE(IsInvalid(s, std::string(f.path) + ": cannot be decrypted (field-level encryption is on for this peer)"));
      EXPECT_EQ(s.message().find(f.plain), std::string::npos);
    }
  }
}

TEST(CodecStation, FieldEncryptionRefusesAnotherKeysCiphertext) {
  const DataCipher cipher = Cipher();
  const DataCipher other = OtherCipher();
  CodecOptions options;
  options.field_cipher = &cipher;
  const std::string json = EncodeData(Page(), options);
  for (const Sensitive& f : SensitiveFields()) {
    SCOPED_TRACE(f.path);
    const Status s = Decode(Set(json, f.pointer, Quoted(other.Encrypt(f.plain))), options).status();
    EXPECT_TRUE(IsInvalid(s, std::string(f.path) + ": cannot be decrypted (field-level encryption is on for this peer)"));
  }
}

TEST(CodecStation, FieldEncryptionStillAppliesTheRulesWithoutEchoing) {
  const DataCipher cipher = Cipher();
  CodecOptions options;
  options.field_cipher = &cipher;
  const std::string json = EncodeData(Page(), options);
  struct Bad {
    const char* pointer;
    std::string clear;
    std::string message;
  };
  const std::string long_name(257, 'x');
  for (const Bad& b : std::vector<Bad>{
           {"/stationList/0/creditCode", "91110190123456789q", "stationList[0].creditCode: value is not 18 characters of 0-9 and A-Z"},
           {"/stationList/0/name", "", "stationList[0].name: must not be empty"},
           {"/stationList/0/stakeList/0/name", long_name, "stationList[0].stakeList[0].name: longer than 256 bytes"},
           {"/stationList/0/longitude", "181.123456", "stationList[0].longitude: value is outside -180..180"},
           {"/stationList/0/latitude", "39.12345678", "stationList[0].latitude: value has more than 6 decimal places"},
           {"/stationList/0/stakeList/0/longitude", "east", "stationList[0].stakeList[0].longitude: decrypted value is not a number"},
       }) {
    SCOPED_TRACE(b.message);
    const Status s = Decode(Set(json, b.pointer, Quoted(cipher.Encrypt(b.clear))), options).status();
    EXPECT_TRUE(IsInvalid(s, b.message));
    if (!b.clear.empty()) {
      EXPECT_EQ(s.message().find(b.clear), std::string::npos);
    }
  }
}

TEST(CodecStation, SensitiveValuesAreNeverEchoed) {
  struct Bad {
    const char* pointer;
    const char* raw;
    const char* secret;  // must not appear in the message
    const char* message;
  };
  for (const Bad& b : std::vector<Bad>{
           {"/stationList/0/creditCode", R"("91110190123456789x")", "91110190123456789x",
            "stationList[0].creditCode: value is not 18 characters of 0-9 and A-Z"},
           {"/stationList/0/creditCode", R"("ZZ110190123456789")", "ZZ110190123456789",
            "stationList[0].creditCode: value is not 18 characters of 0-9 and A-Z"},
           {"/stationList/0/longitude", "181.123456", "181.123456", "stationList[0].longitude: value is outside -180..180"},
           {"/stationList/0/latitude", "39.0800001", "39.0800001",
            "stationList[0].latitude: value has more than 6 decimal places"},
           {"/stationList/0/stakeList/0/longitude", "-181.5", "181.5",
            "stationList[0].stakeList[0].longitude: value is outside -180..180"},
           {"/stationList/0/stakeList/0/latitude", "12.3456789", "12.3456789",
            "stationList[0].stakeList[0].latitude: value has more than 6 decimal places"},
       }) {
    SCOPED_TRACE(b.raw);
    const Status s = DecodeWith(Page(), b.pointer, b.raw);
    EXPECT_TRUE(IsInvalid(s, b.message));
    EXPECT_EQ(s.message().find(b.secret), std::string::npos);
  }
}

// Library defect: a sensitive field sent as a JSON number has its value echoed in the message
// ("... got 117.200000", "... got 911101901234567890"), against "never echo a sensitive value".
TEST(CodecStation, SensitiveNumberTokensAreNotEchoed) {
  const DataCipher cipher = Cipher();
  CodecOptions options;
  options.field_cipher = &cipher;
  // Field encryption on, a plain coordinate arrives.
  const Status plain = Decode(Set(EncodeData(Page(), options), "/stationList/0/longitude", "117.200000"), options).status();
  EXPECT_TRUE(IsInvalid(plain, "stationList[0].longitude: expected a base64 string (field-level encryption is on), got number"));
  EXPECT_EQ(plain.message().find("117.2"), std::string::npos);
  // Field encryption off, the credit code arrives as a JSON number.
  const Status number = DecodeWith(Page(), "/stationList/0/creditCode", "911101901234567890");
  EXPECT_TRUE(IsInvalid(number, "stationList[0].creditCode: expected a string, got number"));
  EXPECT_EQ(number.message().find("911101901234567890"), std::string::npos);
}

bool IsValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += n;
  }
  return true;
}

// Library defect: an echoed value longer than 40 bytes is cut at byte 40, which can split a UTF-8
// character, so the 4003 Msg (sent back in a UTF-8 JSON response) is not valid UTF-8.
TEST(CodecStation, EchoedValuesAreCutOnACharacterBoundary) {
  // 14 three-byte characters: byte 40 falls inside the 14th.
  const Status s = DecodeWith(Page(), "/stationList/0/openTime", Quoted("时间时间时间时间时间时间时间"));
  EXPECT_EQ(RetFor(s), Ret::kInvalid) << s;
  EXPECT_TRUE(IsValidUtf8(s.message())) << s;
  EXPECT_EQ(s.message().rfind("stationList[0].openTime: \"时间时间", 0), 0U) << s;
  EXPECT_TRUE(s.message().ends_with("is not a yyyy-MM-dd HH:mm time")) << s;
}

}  // namespace
}  // namespace vgi::proto