// Round trips and the generic decoding rules every model shares.
#include "vgi/proto/codec.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>

#include "vgi/proto/ret.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::proto {
namespace {

using testing::SampleInstruction;

template <class T>
void ExpectRoundTrip(const T& value, const CodecOptions& options = {}) {
  const std::string json = EncodeData(value, options);
  auto decoded = DecodeData<T>(json, options);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString() << "\n" << json;
  EXPECT_EQ(*decoded, value);
  // Encoding is canonical: a second trip gives the same bytes.
  EXPECT_EQ(EncodeData(*decoded, options), json);
}

TEST(Codec, EveryModelRoundTrips) {
  ExpectRoundTrip(testing::SampleStationInfoPage(3, 4));
  ExpectRoundTrip(testing::SampleStationPowerBatch(2, 1440));
  ExpectRoundTrip(testing::SampleInstruction());
  ExpectRoundTrip(InstructionRef{"t1", "r1"});
  ExpectRoundTrip(testing::SampleInstructionResult());
  ExpectRoundTrip(testing::SampleInstructionFeedback());
  ExpectRoundTrip(testing::SampleInstructionAdjustment());
  ExpectRoundTrip(testing::SampleSettlementPush());
  ExpectRoundTrip(testing::SampleTokenRequest());
  ExpectRoundTrip(testing::SampleTokenResponse());
}

TEST(Codec, RoundTripsWithFieldEncryption) {
  auto cipher = DataCipher::Create("1234567890abcdef", "abcdef1234567890");
  ASSERT_TRUE(cipher.ok());
  CodecOptions options;
  options.field_cipher = &*cipher;
  ExpectRoundTrip(testing::SampleStationInfoPage(2, 2), options);
  ExpectRoundTrip(testing::SampleStationPowerBatch(1, 10), options);
  auto in = SampleInstruction();
  in.range_type = RangeType::kStation;
  in.adjust_ids = {"STA1"};
  in.credit_code = testing::kSampleCreditCode;
  ExpectRoundTrip(in, options);

  // The sensitive values are not in the clear on the wire, the others are.
  const std::string json = EncodeData(testing::SampleStationInfoPage(1, 1), options);
  EXPECT_EQ(json.find(testing::kSampleCreditCode), std::string::npos);
  EXPECT_EQ(json.find("天津联联充电站"), std::string::npos);
  EXPECT_NE(json.find("\"areaCode\":\"120101\""), std::string::npos);
}

TEST(Codec, OptionsFollowThePeersWireProfile) {
  auto keys = *PreparedKeys::Create(KeySet{"x", "1234567890abcdef", "abcdef1234567890", "sig"});
  WireProfile profile;
  CodecOptions plain = CodecOptionsFor(profile, keys, false);
  EXPECT_EQ(plain.field_cipher, nullptr);
  EXPECT_FALSE(plain.case_insensitive_keys);
  profile.field_encryption = true;
  CodecOptions encrypted = CodecOptionsFor(profile, keys, true);
  EXPECT_EQ(encrypted.field_cipher, &keys.cipher());
  EXPECT_TRUE(encrypted.case_insensitive_keys);
  // Encoded under those options, the credit code travels encrypted and decodes back.
  auto in = SampleInstruction();
  in.range_type = RangeType::kStake;
  in.adjust_ids = {"ST1-0"};
  in.credit_code = testing::kSampleCreditCode;
  const std::string json = EncodeData(in, encrypted);
  EXPECT_EQ(json.find(testing::kSampleCreditCode), std::string::npos);
  EXPECT_EQ(*DecodeData<Instruction>(json, encrypted), in);
}

TEST(Codec, EncodesDecimalsAtTheirPrecision) {
  const std::string json = EncodeData(SampleInstruction());
  EXPECT_NE(json.find("\"targetPower\":30.45"), std::string::npos) << json;
  auto page = testing::SampleStationInfoPage(1, 1);
  page.stations[0].stakes[0].rated_power = Kilowatts::FromInt(120);
  const std::string station_json = EncodeData(page);
  EXPECT_NE(station_json.find("\"ratedPower\":120.00"), std::string::npos) << station_json;
  EXPECT_NE(station_json.find("\"longitude\":117.200000"), std::string::npos) << station_json;
}

Status DecodeFeedback(const std::string& json, const CodecOptions& options = {}) {
  return DecodeData<InstructionFeedback>(json, options).status();
}

TEST(Codec, EmptyDataIs4000) {
  for (const char* json : {"", "   ", "null", "{}", " { } "}) {
    const Status s = DecodeFeedback(json);
    EXPECT_EQ(RetFor(s), Ret::kEmpty) << json << " -> " << s.ToString();
    EXPECT_EQ(s.message(), "Data: empty");
  }
}

TEST(Codec, MissingFieldNamesIt) {
  const Status s = DecodeFeedback(R"({"taskID":"1","status":1})");
  EXPECT_EQ(RetFor(s), Ret::kInvalid);
  EXPECT_EQ(s.message(), "regulationID: required field is missing");
}

TEST(Codec, NullRequiredFieldIsRefused) {
  EXPECT_EQ(DecodeFeedback(R"({"taskID":null,"regulationID":"r","status":1})").message(),
            "taskID: must not be null");
}

TEST(Codec, WrongJsonTypesNameTheFieldAndBothTypes) {
  EXPECT_EQ(DecodeFeedback(R"({"taskID":"1","regulationID":"r","status":"1"})").message(),
            "status: expected an integer, got string");
  EXPECT_EQ(DecodeFeedback(R"({"taskID":"1","regulationID":"r","status":1.5})").message(),
            "status: expected an integer, got 1.5");
  EXPECT_EQ(DecodeFeedback(R"({"taskID":"1","regulationID":"r","status":true})").message(),
            "status: expected an integer, got boolean");
  EXPECT_EQ(DecodeFeedback(R"({"taskID":[],"regulationID":"r","status":1})").message(),
            "taskID: expected a string, got array");
  EXPECT_EQ(DecodeData<StationPowerBatch>(R"({"stationPowerList":{}})").status().message(),
            "stationPowerList: expected an array, got object");
}

TEST(Codec, EnumOutOfRange) {
  EXPECT_EQ(DecodeFeedback(R"({"taskID":"1","regulationID":"r","status":2})").message(),
            "status: 2 is not one of 0, 1");
  EXPECT_EQ(DecodeFeedback(R"({"taskID":"1","regulationID":"r","status":99999999999999999999})").message(),
            "status: number is out of range");
}

TEST(Codec, NumericIdsAreAcceptedAsText) {
  auto f = DecodeData<InstructionFeedback>(R"({"taskID":3231323331,"regulationID":"r","status":1})");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->task_id, "3231323331");
  // Only whole non-negative numbers are IDs.
  EXPECT_EQ(DecodeFeedback(R"({"taskID":1.5,"regulationID":"r","status":1})").message(),
            "taskID: expected a string or an integer ID, got 1.5");
  EXPECT_EQ(DecodeFeedback(R"({"taskID":-7,"regulationID":"r","status":1})").message(),
            "taskID: expected a string or an integer ID, got -7");
}

TEST(Codec, StringRules) {
  EXPECT_EQ(DecodeFeedback(R"({"taskID":"","regulationID":"r","status":1})").message(),
            "taskID: must not be empty");
  EXPECT_EQ(DecodeFeedback(R"({"taskID":")" + std::string(65, 'x') + R"(","regulationID":"r","status":1})").message(),
            "taskID: longer than 64 bytes");
  EXPECT_EQ(DecodeFeedback(R"({"taskID":"a\u0001b","regulationID":"r","status":1})").message(),
            "taskID: contains a control character");
  EXPECT_EQ(DecodeFeedback(R"({"taskID":"a\nb","regulationID":"r","status":1})").message(),
            "taskID: contains a control character");
  // Unescaped, a control character is not JSON at all (the parser refuses it).
  EXPECT_EQ(DecodeFeedback("{\"taskID\":\"a\x01b\",\"regulationID\":\"r\",\"status\":1}"), UndecryptableData());
  EXPECT_EQ(DecodeFeedback("{\"taskID\":\"a\tb\",\"regulationID\":\"r\",\"status\":1}"), UndecryptableData());
  // Escapes are unescaped; text without any is taken as written.
  auto f = DecodeData<InstructionFeedback>(R"({"taskID":"a\\b\"c\u4e2d","regulationID":"r,}x" ,"status":1})");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->task_id, "a\\b\"c\u4e2d");
  EXPECT_EQ(f->regulation_id, "r,}x");
}

TEST(Decimal, FormatsExactlyItsScaleOfDecimals) {
  EXPECT_EQ(Kilowatts::FromUnits(3000).ToString(), "30.00");
  EXPECT_EQ(Kilowatts::FromUnits(-50).ToString(), "-0.50");
  EXPECT_EQ(Kilowatts::FromUnits(0).ToString(), "0.00");
  EXPECT_EQ(Volts::FromUnits(7).ToString(), "0.7");
  EXPECT_EQ(Degrees::FromUnits(116'397'128).ToString(), "116.397128");
  EXPECT_EQ(Degrees::FromUnits(-1).ToString(), "-0.000001");
  EXPECT_EQ(YuanPerKwh::FromUnits(1234).ToString(), "0.1234");
  EXPECT_EQ(Decimal<0>::FromUnits(-42).ToString(), "-42");
  EXPECT_EQ(Decimal<9>::FromUnits(INT64_MIN).ToString(), "-9223372036.854775808");
  EXPECT_EQ(Decimal<9>::FromUnits(INT64_MAX).ToString(), "9223372036.854775807");
  // Every scale agrees with printf of the same value.
  for (int scale = 0; scale <= 9; ++scale) {
    for (std::int64_t units : {std::int64_t{0}, std::int64_t{7}, std::int64_t{-123456789}, std::int64_t{987654321012}}) {
      char buf[32];
      const std::string got(buf, detail::FormatFixed(units, scale, buf));
      const std::int64_t unit = detail::Pow10(scale);
      const std::uint64_t mag = units < 0 ? 0 - static_cast<std::uint64_t>(units) : static_cast<std::uint64_t>(units);
      char want[64];
      if (scale == 0) {
        std::snprintf(want, sizeof want, "%s%llu", units < 0 ? "-" : "", static_cast<unsigned long long>(mag));
      } else {
        std::snprintf(want, sizeof want, "%s%llu.%0*llu", units < 0 ? "-" : "", static_cast<unsigned long long>(mag / unit),
                      scale, static_cast<unsigned long long>(mag % unit));
      }
      EXPECT_EQ(got, want) << "scale " << scale << ", units " << units;
    }
  }
}

TEST(Codec, DuplicateKeysAreRefused) {
  EXPECT_EQ(DecodeFeedback(R"({"taskID":"1","taskID":"2","regulationID":"r","status":1})").message(),
            "taskID: appears more than once");
}

TEST(Codec, UnknownKeysAreIgnoredButMustBeWellFormed) {
  EXPECT_TRUE(DecodeFeedback(R"({"x":{"y":[1,2,{"z":null}]},"taskID":"1","regulationID":"r","status":1})").ok());
  const Status bad = DecodeFeedback(R"({"x":[1,tru],"taskID":"1","regulationID":"r","status":1})");
  EXPECT_EQ(bad, UndecryptableData());
}

TEST(Codec, DepthIsCapped) {
  std::string deep = R"({"taskID":"1","regulationID":"r","status":1,"x":)";
  for (int i = 0; i < 40; ++i) deep += "[";
  for (int i = 0; i < 40; ++i) deep += "]";
  deep += "}";
  const Status s = DecodeFeedback(deep);
  EXPECT_EQ(RetFor(s), Ret::kInvalid);
  EXPECT_NE(s.message().find("JSON nested deeper than 32 levels"), std::string::npos) << s.message();
  // 100 000 levels: refused without exhausting the stack.
  std::string very_deep = R"({"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_EQ(RetFor(DecodeFeedback(very_deep)), Ret::kInvalid);
}

TEST(Codec, SizeIsCapped) {
  CodecOptions options;
  options.max_bytes = 100;
  const Status s = DecodeFeedback(std::string(200, ' '), options);
  EXPECT_EQ(s.message(), "Data: 200 bytes exceed the limit of 100");
}

TEST(Codec, BrokenJsonGetsTheUniformError) {
  for (const std::string json : {R"({"taskID":"1")", R"({"taskID":"1",})", R"({"taskID" "1"})", "{\"taskID\":\"\xff\"}",
                                 R"({"taskID":"1","regulationID":"r","status":1} trailing)", "{\"a\":\"\\x\"}"}) {
    EXPECT_EQ(DecodeFeedback(json), UndecryptableData()) << json;
  }
}

TEST(Codec, RootMustBeAnObject) {
  EXPECT_EQ(DecodeFeedback("[]").message(), "Data: expected a JSON object, got array");
  EXPECT_EQ(DecodeFeedback("42").message(), "Data: expected a JSON object, got number");
  EXPECT_EQ(DecodeFeedback("[1,2").message(), "Data: expected a JSON object, got array");
}

TEST(Codec, CaseInsensitiveKeysOnlyWhenAsked) {
  const std::string json = R"({"operatorid":"123456789","code":0,"accesstoken":"t","tokenavailabletime":7200,"message":"ok"})";
  EXPECT_EQ(DecodeData<TokenResponse>(json).status().message(), "OperatorID: required field is missing");
  CodecOptions lenient;
  lenient.case_insensitive_keys = true;
  auto r = DecodeData<TokenResponse>(json, lenient);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->access_token, "t");
  EXPECT_EQ(r->token_available_time, 7200);
}

TEST(Codec, CanonicalDataChecksByInterface) {
  auto ok = CanonicalData(Interface::kCallbackTaskOverview, false,
                          R"({ "status" : 1, "regulationID" : "r", "taskID" : 7 })");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, R"({"taskID":"7","regulationID":"r","status":1})");
  EXPECT_EQ(CanonicalData(Interface::kSendTask, true, "null").value(), "");
  EXPECT_EQ(CanonicalData(Interface::kSendTask, true, R"({"a":1})").status().message(),
            "Data: the send_task response carries no Data");
  EXPECT_EQ(CanonicalData(Interface::kQueryTaskResult, false, R"({"taskID":"1"})").status().message(),
            "regulationID: required field is missing");
}

}  // namespace
}  // namespace vgi::proto
