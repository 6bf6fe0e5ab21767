// Per-model validation of exchange_inviteplan_push Data (SettlementPush, seed 7.7 with
// protocol.md's Decision) and query_token Data (TokenRequest/TokenResponse, seed 5.5.3/5.5.4).
// The generic rules are in codec_test.cpp.
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

using vgi::testing::kSampleOperatorId;
using vgi::testing::SampleSettlementPush;
using vgi::testing::SampleTokenRequest;
using vgi::testing::SampleTokenResponse;
using namespace test_util;

// ---- SettlementPush -------------------------------------------------------------------------

TEST(CodecMisc, SeedExample775Decodes) {
  // 7.7.5 as printed lacks the comma after "taskID"'s value; here it is valid JSON.
  auto push = DecodeData<SettlementPush>(R"({
    "taskID": "2024096544433",
    "type":1,
    "regulationID": "12e32e4rj333333",
    "points":[
      {
        "earnings": 1,
        "price": 1
      },
      {
        "earnings": 1,
        "price": 1
      }
    ]
  })");
  ASSERT_TRUE(push.ok()) << push.status();
  EXPECT_EQ(push->task_id, "2024096544433");
  EXPECT_EQ(push->regulation_id, "12e32e4rj333333");
  EXPECT_EQ(push->type, RegulationType::kPeakShaving);
  ASSERT_EQ(push->points.size(), 2U);
  for (const SettlementPoint& p : push->points) {
    EXPECT_EQ(p.earnings, Yuan::FromInt(1));
    EXPECT_EQ(p.price, YuanPerKwh::FromInt(1));
    EXPECT_EQ(p.start_time, std::nullopt);
    EXPECT_EQ(p.end_time, std::nullopt);
    EXPECT_EQ(p.energy, std::nullopt);
  }
  // Written back at the fixed precisions: money 2 decimals, price 4.
  EXPECT_EQ(EncodeData(*push),
            R"({"taskID":"2024096544433","regulationID":"12e32e4rj333333","type":1,)"
            R"("points":[{"earnings":1.00,"price":1.0000},{"earnings":1.00,"price":1.0000}]})");
  // The seed's text as printed (no comma) is not JSON: the uniform error.
  EXPECT_EQ(DecodeData<SettlementPush>(R"({"taskID": "2024096544433" "type":1})").status(), UndecryptableData());
}

TEST(CodecMisc, SettlementFields) {
  ExpectRefused(SampleSettlementPush(), {
      {"/type", "3", "type: 3 is not one of 1, 2"},
      {"/points", "[]", "points: must not be empty"},
      {"/points/0/earnings", "1.005", "points[0].earnings: 1.005 has more than 2 decimal places"},
      {"/points/1/price", "0.12345", "points[1].price: 0.12345 has more than 4 decimal places"},
      {"/points/0/energy", "41.155", "points[0].energy: 41.155 has more than 2 decimal places"},
      {"/points/0/earnings", "1000000000000.01", "points[0].earnings: 1000000000000.01 is outside -1000000000000..1000000000000"},
      {"/points/0/price", "-1000000.0001", "points[0].price: -1000000.0001 is outside -1000000..1000000"},
      {"/points/0/energy", "-1000000000001", "points[0].energy: -1000000000001 is outside -1000000000000..1000000000000"},
      {"/points/0/startTime", R"("2024-07-01 24:00")",
       R"(points[0].startTime: "2024-07-01 24:00" is not a yyyy-MM-dd HH:mm time)"},
      {"/points/1/endTime", R"("2024-7-1 19:00")", R"(points[1].endTime: "2024-7-1 19:00" is not a yyyy-MM-dd HH:mm time)"},
      {"/points/0/endTime", R"("2024-07-01 17:59")", "points[0].endTime: 2024-07-01 17:59 is before startTime 2024-07-01 18:00"},
      {"/points/0/earnings", R"("123.45")", "points[0].earnings: expected a number, got string"},
      {"/points/0", "[]", "points[0]: expected an object, got array"},
  });
  auto push = AcceptedWith(SampleSettlementPush(), "/points/1/price", "0.1234");
  EXPECT_EQ(push.points[1].price, YuanPerKwh::FromUnits(1234));
  EXPECT_EQ(push.points[1].price.ToString(), "0.1234");
  // Binary noise is not extra precision.
  EXPECT_EQ(AcceptedWith(SampleSettlementPush(), "/points/0/earnings", "123.45000000000002").points[0].earnings,
            Yuan::FromUnits(12345));
  // Negative earnings (a penalty) are allowed.
  EXPECT_EQ(AcceptedWith(SampleSettlementPush(), "/points/0/earnings", "-50.5").points[0].earnings, Yuan::FromUnits(-5050));
  // A one-minute period, and an end without a start, are fine.
  push = AcceptedWith(SampleSettlementPush(), "/points/0/endTime", R"("2024-07-01 18:00")");
  EXPECT_EQ(push.points[0].end_time, push.points[0].start_time);
  EXPECT_EQ(AcceptedWith(SampleSettlementPush(), "/points/1/endTime", R"("2024-07-01 19:59")").points[1].end_time,
            ParseMinute("2024-07-01 19:59"));
  EXPECT_EQ(AcceptedWith(SampleSettlementPush(), "/type", "2").type, RegulationType::kValleyFilling);
}

TEST(CodecMisc, SettlementRequiredAndOptionalFields) {
  EXPECT_TRUE(IsEmpty(DecodeData<SettlementPush>("{}").status()));
  for (const char* field : {"taskID", "regulationID", "type", "points"}) {
    SCOPED_TRACE(field);
    EXPECT_TRUE(IsInvalid(DecodeWithout(SampleSettlementPush(), (std::string("/") + field).c_str()),
                          std::string(field) + ": required field is missing"));
    EXPECT_TRUE(IsInvalid(DecodeWith(SampleSettlementPush(), (std::string("/") + field).c_str(), "null"),
                          std::string(field) + ": must not be null"));
  }
  for (const char* field : {"earnings", "price"}) {
    SCOPED_TRACE(field);
    EXPECT_TRUE(IsInvalid(DecodeWithout(SampleSettlementPush(), (std::string("/points/1/") + field).c_str()),
                          std::string("points[1].") + field + ": required field is missing"));
  }
  // startTime, endTime and energy are vgi's additions: optional, null allowed, and a peer's own
  // extra keys are ignored.
  std::string json = EncodeData(SampleSettlementPush());
  json = Erase(Erase(json, "/points/0/startTime"), "/points/0/energy");
  json = Set(Set(json, "/points/0/endTime", "null"), "/points/0/remark", R"({"note":"peak"})");
  auto push = DecodeData<SettlementPush>(json);
  ASSERT_TRUE(push.ok()) << push.status();
  EXPECT_EQ(push->points[0].start_time, std::nullopt);
  EXPECT_EQ(push->points[0].end_time, std::nullopt);
  EXPECT_EQ(push->points[0].energy, std::nullopt);
  EXPECT_EQ(push->points[0].earnings, Yuan::FromUnits(12'345));
  EXPECT_EQ(push->points[1], SampleSettlementPush().points[1]);
}

TEST(CodecMisc, SettlementPointsLimit) {
  SettlementPush push = SampleSettlementPush();
  push.points.assign(kMaxSettlementPoints + 1, SampleSettlementPush().points[1]);
  EXPECT_TRUE(IsInvalid(DecodeData<SettlementPush>(EncodeData(push)).status(), "points: more than 1440 items (the limit)"));
  push.points.pop_back();
  EXPECT_TRUE(DecodeData<SettlementPush>(EncodeData(push)).ok());
}

// protocol.md 7.7: "Points are per settlement period of the instruction, in order" -- the codec
// does not check that timed points are in order and do not overlap.
TEST(CodecMisc, SettlementPointsMustBeInOrder) {
  const std::string json = R"({"taskID":"1","regulationID":"r","type":1,"points":[
      {"earnings":1,"price":1,"startTime":"2024-07-01 19:00","endTime":"2024-07-01 19:59"},
      {"earnings":1,"price":1,"startTime":"2024-07-01 18:00","endTime":"2024-07-01 18:59"}]})";
  const Status s = DecodeData<SettlementPush>(json).status();
  EXPECT_EQ(RetFor(s), Ret::kInvalid) << s;
  EXPECT_EQ(s.message().rfind("points[1].startTime: ", 0), 0U) << s;
}

// ---- TokenRequest ---------------------------------------------------------------------------

TEST(CodecMisc, TokenRequestFields) {
  auto req = DecodeData<TokenRequest>(R"({"OperatorID":"400007201","OperatorSecret":"0123456789abcdef0123456789abcdef"})");
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->operator_id, "400007201");
  EXPECT_EQ(req->operator_secret, "0123456789abcdef0123456789abcdef");
  ExpectRefused(SampleTokenRequest(), {
      {"/OperatorID", R"("12345678")", R"(OperatorID: "12345678" is not 9 characters of 0-9 and A-Z)"},
      {"/OperatorID", R"("MA09d2DT1")", R"(OperatorID: "MA09d2DT1" is not 9 characters of 0-9 and A-Z)"},
      {"/OperatorID", R"("")", "OperatorID: must not be empty"},
      {"/OperatorSecret", R"("")", "OperatorSecret: must not be empty"},
      {"/OperatorSecret", Quoted(std::string(129, 'a')).c_str(), "OperatorSecret: longer than 128 bytes"},
  });
  // The OperatorID is an ID: a JSON integer is taken as its text.
  EXPECT_EQ(AcceptedWith(SampleTokenRequest(), "/OperatorID", "400007201").operator_id, "400007201");
  EXPECT_EQ(AcceptedWith(SampleTokenRequest(), "/OperatorSecret", Quoted(std::string(128, 'F'))).operator_secret,
            std::string(128, 'F'));
  EXPECT_TRUE(IsEmpty(DecodeData<TokenRequest>("{}").status()));
  for (const char* field : {"OperatorID", "OperatorSecret"}) {
    SCOPED_TRACE(field);
    EXPECT_TRUE(IsInvalid(DecodeWithout(SampleTokenRequest(), (std::string("/") + field).c_str()),
                          std::string(field) + ": required field is missing"));
  }
  // Key names are exact unless the caller asks otherwise.
  EXPECT_TRUE(IsInvalid(DecodeData<TokenRequest>(R"({"operatorID":"400007201","OperatorSecret":"s"})").status(),
                        "OperatorID: required field is missing"));
}

// ---- TokenResponse --------------------------------------------------------------------------

TEST(CodecMisc, TokenResponseFields) {
  auto ok = DecodeData<TokenResponse>(
      R"({"OperatorID":"123456789","Code":0,"AccessToken":"tok","TokenAvailableTime":7200,"Message":"成功"})");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, SampleTokenResponse());
  ExpectRefused(SampleTokenResponse(), {
      {"/OperatorID", R"("1234567890")", R"(OperatorID: "1234567890" is not 9 characters of 0-9 and A-Z)"},
      {"/Code", "1.5", "Code: expected an integer, got 1.5"},
      {"/Code", "2147483648", "Code: 2147483648 is outside -2147483648..2147483647"},
      {"/TokenAvailableTime", "-1", "TokenAvailableTime: -1 is outside 0..10000000"},
      {"/TokenAvailableTime", "10000001", "TokenAvailableTime: 10000001 is outside 0..10000000"},
      {"/TokenAvailableTime", R"("7200")", "TokenAvailableTime: expected an integer, got string"},
      {"/AccessToken", Quoted(std::string(1025, 't')).c_str(), "AccessToken: longer than 1024 bytes"},
      {"/Message", Quoted(std::string(1025, 'm')).c_str(), "Message: longer than 1024 bytes"},
  });
  EXPECT_TRUE(IsEmpty(DecodeData<TokenResponse>("{}").status()));
  for (const char* field : {"OperatorID", "Code", "AccessToken", "TokenAvailableTime", "Message"}) {
    SCOPED_TRACE(field);
    EXPECT_TRUE(IsInvalid(DecodeWithout(SampleTokenResponse(), (std::string("/") + field).c_str()),
                          std::string(field) + ": required field is missing"));
    EXPECT_TRUE(IsInvalid(DecodeWith(SampleTokenResponse(), (std::string("/") + field).c_str(), "null"),
                          std::string(field) + ": must not be null"));
  }
  // An empty Message is fine on success.
  EXPECT_EQ(AcceptedWith(SampleTokenResponse(), "/Message", R"("")").message, "");
}

TEST(CodecMisc, TokenResponseCodeZeroNeedsAToken) {
  EXPECT_TRUE(IsInvalid(DecodeWith(SampleTokenResponse(), "/AccessToken", R"("")"),
                        "AccessToken: must not be empty when Code is 0"));
  EXPECT_TRUE(IsInvalid(DecodeData<TokenResponse>(
                            R"({"OperatorID":"123456789","Code":0,"AccessToken":"","TokenAvailableTime":7200,"Message":"成功"})")
                            .status(),
                        "AccessToken: must not be empty when Code is 0"));
  // A failure (protocol.md: Code 1, Message saying why) carries no token.
  auto failed = DecodeData<TokenResponse>(
      R"({"OperatorID":"123456789","Code":1,"AccessToken":"","TokenAvailableTime":0,"Message":"OperatorSecret is wrong"})");
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->code, 1);
  EXPECT_EQ(failed->access_token, "");
  EXPECT_EQ(failed->token_available_time, 0);
  EXPECT_EQ(failed->message, "OperatorSecret is wrong");
  EXPECT_EQ(AcceptedWith(SampleTokenResponse(), "/Code", "-1").code, -1);
  EXPECT_EQ(AcceptedWith(SampleTokenResponse(), "/Code", "-2147483648").code, -2147483647 - 1);
}

// ---- field-level encryption -----------------------------------------------------------------

TEST(CodecMisc, FieldEncryptionLeavesTheseModelsInTheClear) {
  // None of these fields is marked (加密) in the seed: with field encryption on, the text is the
  // same as without, and plain values are accepted.
  const DataCipher cipher = Cipher();
  CodecOptions options;
  options.field_cipher = &cipher;
  EXPECT_EQ(EncodeData(SampleSettlementPush(), options), EncodeData(SampleSettlementPush()));
  const std::string request = EncodeData(SampleTokenRequest(), options);
  EXPECT_EQ(request, EncodeData(SampleTokenRequest()));
  EXPECT_EQ(ValueAt(request, "/OperatorSecret"), SampleTokenRequest().operator_secret);
  EXPECT_EQ(ValueAt(request, "/OperatorID"), kSampleOperatorId);
  auto push = DecodeData<SettlementPush>(EncodeData(SampleSettlementPush()), options);
  ASSERT_TRUE(push.ok()) << push.status();
  EXPECT_EQ(*push, SampleSettlementPush());
  auto response = DecodeData<TokenResponse>(EncodeData(SampleTokenResponse()), options);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(*response, SampleTokenResponse());
}

// Library defect: Data "null" followed by whitespace (e.g. a serializer's trailing newline) gets
// the uniform "cannot be decrypted" error (4003) instead of "Data: empty" (4000), though "null",
// " null", "{} " and " { } " are all empty. CanonicalData likewise refuses a no-data response
// "null\n".
TEST(CodecMisc, NullDataWithTrailingWhitespaceIsEmpty) {
  for (const char* json : {"null ", "null\n", " null ", "null\r\n"}) {
    SCOPED_TRACE(::testing::PrintToString(json));
    const Status s = DecodeData<SettlementPush>(json).status();
    EXPECT_TRUE(IsEmpty(s));
    EXPECT_TRUE(IsEmpty(DecodeData<TokenResponse>(json).status()));
    auto canonical = CanonicalData(Interface::kExchangeInviteplanPush, /*response=*/true, json);
    ASSERT_TRUE(canonical.ok()) << canonical.status();
    EXPECT_EQ(*canonical, "");
  }
}

}  // namespace
}  // namespace vgi::proto
