// Per-model validation of the regulation instruction family (seed 6.5, 7.3-7.6): Instruction
// (send_task), InstructionRef (query_task_result request), InstructionResult (its response),
// InstructionFeedback (callback_task_overview) and InstructionAdjustment (callback_task_check).
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

using vgi::testing::kSampleCreditCode;
using vgi::testing::SampleInstruction;
using vgi::testing::SampleInstructionAdjustment;
using vgi::testing::SampleInstructionFeedback;
using vgi::testing::SampleInstructionResult;
using namespace test_util;

// ---- helpers --------------------------------------------------------------------------------

// The instruction part of each model, so one check serves all three instruction shapes.
const Instruction& Core(const Instruction& in) { return in; }
const Instruction& Core(const InstructionResult& r) { return r.instruction; }
const InstructionAdjustment& Core(const InstructionAdjustment& a) { return a; }

// The two windows of the seed's examples (and of the samples).
std::vector<AdjustTarget> SeedTargets() {
  return {
      {Kilowatts::FromUnits(3045), *ParseMinute("2020-04-09 12:29"), *ParseMinute("2020-04-10 12:29")},
      {Kilowatts::FromUnits(2556), *ParseMinute("2020-04-10 12:30"), *ParseMinute("2020-04-11 12:29")},
  };
}

const std::vector<std::string> kSeedIds = {"123", "234", "345", "456", "567"};

// A send_task for a single station (rangeType 4): one ID and the operator's credit code.
Instruction StationInstruction() {
  Instruction in = SampleInstruction();
  in.range_type = RangeType::kStation;
  in.adjust_ids = {"STA1"};
  in.credit_code = kSampleCreditCode;
  return in;
}

// ---- the seed's examples --------------------------------------------------------------------

TEST(CodecTask, SeedExample733SendTaskDecodes) {
  auto in = DecodeData<Instruction>(R"({
    "taskID": "3231323331",
    "regulationID": "FHTK-105-20200419",
    "type": 1,
    "synchroType": 1,
    "rangeType": 3,
    "isForce": 1,
    "adjustIDList": ["123", "234", "345", "456", "567"],
    "creditCode": null,
    "adjustTargetList": [
      {"targetPower": 30.45, "startTime": "2020-04-09 12:29", "endTime": "2020-04-10 12:29"},
      {"targetPower": 25.56, "startTime": "2020-04-10 12:30", "endTime": "2020-04-11 12:29"}
    ]
  })");
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(in->task_id, "3231323331");
  EXPECT_EQ(in->regulation_id, "FHTK-105-20200419");
  EXPECT_EQ(in->type, RegulationType::kPeakShaving);
  EXPECT_EQ(in->synchro_type, SynchroType::kNew);
  EXPECT_EQ(in->range_type, RangeType::kOperator);
  EXPECT_TRUE(in->is_force);
  EXPECT_EQ(in->adjust_ids, kSeedIds);
  EXPECT_EQ(in->credit_code, std::nullopt);
  EXPECT_EQ(in->targets, SeedTargets());
  EXPECT_EQ(in->targets[0].target_power.ToString(), "30.45");
  EXPECT_EQ(*in, SampleInstruction());
}

TEST(CodecTask, SeedExample743QueryDecodes) {
  auto ref = DecodeData<InstructionRef>(R"({
    "taskID": "123324123",
    "regulationID": "FHTK-105-20200419"
  })");
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->task_id, "123324123");
  EXPECT_EQ(ref->regulation_id, "FHTK-105-20200419");
}

TEST(CodecTask, SeedExample745ResultDecodes) {
  auto r = DecodeData<InstructionResult>(R"({
    "taskID": "3231323331",
    "regulationID": "FHTK-105-20200419",
    "type": 1,
    "synchroType": 1,
    "rangeType": 3,
    "creditCode": null,
    "isForce": 1,
    "status": 1,
    "adjustIDList": ["123", "234", "345", "456", "567"],
    "adjustTargetList": [
      {"targetPower": 30.45, "startTime": "2020-04-09 12:29", "endTime": "2020-04-10 12:29"},
      {"targetPower": 25.56, "startTime": "2020-04-10 12:30", "endTime": "2020-04-11 12:29"}
    ]
  })");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, InstructionStatus::kAccepted);
  EXPECT_EQ(r->instruction.task_id, "3231323331");
  EXPECT_EQ(r->instruction.regulation_id, "FHTK-105-20200419");
  // rangeType 3 is "operator" in the 7.3 numbering protocol.md settles on (7.4's table differs).
  EXPECT_EQ(r->instruction.range_type, RangeType::kOperator);
  EXPECT_TRUE(r->instruction.is_force);
  EXPECT_EQ(r->instruction.credit_code, std::nullopt);
  EXPECT_EQ(r->instruction.adjust_ids, kSeedIds);
  EXPECT_EQ(r->instruction.targets, SeedTargets());
  EXPECT_EQ(*r, SampleInstructionResult());
}

TEST(CodecTask, SeedExample753FeedbackDecodes) {
  auto f = DecodeData<InstructionFeedback>(R"({
    "taskID": "1233321412",
    "regulationID": "FHTK-105-20200419",
    "status": 1
  })");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->task_id, "1233321412");
  EXPECT_EQ(f->regulation_id, "FHTK-105-20200419");
  EXPECT_EQ(f->status, Feedback::kAccept);
  EXPECT_EQ(*f, SampleInstructionFeedback());
  EXPECT_EQ(AcceptedWith(*f, "/status", "0").status, Feedback::kReject);
}

TEST(CodecTask, SeedExample763AdjustmentDecodes) {
  auto a = DecodeData<InstructionAdjustment>(R"({
    "taskID": "3231323331",
    "regulationID": "FHTK-105-20200419",
    "type": 1,
    "synchroType": 2,
    "rangeType": 3,
    "adjustIDList": ["123", "234", "345", "456", "567"],
    "creditCode": null,
    "adjustTargetList": [
      {"targetPower": 30.45, "startTime": "2020-04-09 12:29", "endTime": "2020-04-10 12:29"},
      {"targetPower": 25.56, "startTime": "2020-04-10 12:30", "endTime": "2020-04-11 12:29"}
    ]
  })");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->task_id, "3231323331");
  EXPECT_EQ(a->synchro_type, SynchroType::kChange);
  EXPECT_EQ(a->range_type, RangeType::kOperator);
  EXPECT_EQ(a->adjust_ids, kSeedIds);
  EXPECT_EQ(a->credit_code, std::nullopt);
  EXPECT_EQ(a->targets, SeedTargets());
}

// ---- enums ----------------------------------------------------------------------------------

TEST(CodecTask, EnumsListTheirValues) {
  ExpectRefused(SampleInstruction(), {
      {"/type", "3", "type: 3 is not one of 1, 2"},
      {"/type", "0", "type: 0 is not one of 1, 2"},
      {"/synchroType", "4", "synchroType: 4 is not one of 1..3"},
      {"/synchroType", "0", "synchroType: 0 is not one of 1..3"},
      {"/rangeType", "6", "rangeType: 6 is not one of 1..5"},
      {"/rangeType", "0", "rangeType: 0 is not one of 1..5"},
      {"/isForce", "2", "isForce: 2 is not one of 0, 1"},
  });
  ExpectRefused(SampleInstructionResult(), {
      {"/status", "3", "status: 3 is not one of 0..2"},
      {"/status", "-1", "status: -1 is not one of 0..2"},
      {"/rangeType", "7", "rangeType: 7 is not one of 1..5"},
  });
  ExpectRefused(SampleInstructionAdjustment(), {
      {"/type", "9", "type: 9 is not one of 1, 2"},
      {"/synchroType", "5", "synchroType: 5 is not one of 1..3"},
  });
  EXPECT_EQ(AcceptedWith(SampleInstruction(), "/type", "2").type, RegulationType::kValleyFilling);
  EXPECT_FALSE(AcceptedWith(SampleInstruction(), "/isForce", "0").is_force);
  EXPECT_EQ(AcceptedWith(SampleInstruction(), "/rangeType", "1").range_type, RangeType::kMarket);
  EXPECT_EQ(AcceptedWith(SampleInstruction(), "/rangeType", "2").range_type, RangeType::kTransformerArea);
  EXPECT_EQ(AcceptedWith(SampleInstructionResult(), "/status", "2").status, InstructionStatus::kProcessing);
  EXPECT_EQ(AcceptedWith(SampleInstructionResult(), "/status", "0").status, InstructionStatus::kRejected);
}

// ---- AdjustTarget ---------------------------------------------------------------------------

TEST(CodecTask, AdjustTargetFields) {
  ExpectRefused(SampleInstruction(), {
      {"/adjustTargetList/0/targetPower", "30.456", "adjustTargetList[0].targetPower: 30.456 has more than 2 decimal places"},
      {"/adjustTargetList/1/targetPower", "-0.01", "adjustTargetList[1].targetPower: -0.01 is outside 0..10000000"},
      {"/adjustTargetList/1/targetPower", "10000000.01",
       "adjustTargetList[1].targetPower: 10000000.01 is outside 0..10000000"},
      {"/adjustTargetList/0/startTime", R"("2020-04-09 24:00")",
       R"(adjustTargetList[0].startTime: "2020-04-09 24:00" is not a yyyy-MM-dd HH:mm time)"},
      {"/adjustTargetList/0/startTime", R"("2020-4-9 12:00")",
       R"(adjustTargetList[0].startTime: "2020-4-9 12:00" is not a yyyy-MM-dd HH:mm time)"},
      {"/adjustTargetList/1/endTime", R"("2023-02-29 12:29")",
       R"(adjustTargetList[1].endTime: "2023-02-29 12:29" is not a yyyy-MM-dd HH:mm time)"},
      {"/adjustTargetList/0/endTime", R"("2020-04-09 12:28")",
       "adjustTargetList[0].endTime: 2020-04-09 12:28 is before startTime 2020-04-09 12:29"},
      {"/adjustTargetList/1/endTime", R"("2020-04-10 12:29")",
       "adjustTargetList[1].endTime: 2020-04-10 12:29 is before startTime 2020-04-10 12:30"},
  });
  auto in = AcceptedWith(SampleInstruction(), "/adjustTargetList/0/targetPower", "30.450000000000003");
  EXPECT_EQ(in.targets[0].target_power, Kilowatts::FromUnits(3045));
  // endTime is the window's last minute: a one-minute window has endTime == startTime.
  in = AcceptedWith(SampleInstruction(), "/adjustTargetList/0/endTime", R"("2020-04-09 12:29")");
  EXPECT_EQ(in.targets[0].end_time, in.targets[0].start_time);
  EXPECT_EQ(AcceptedWith(SampleInstruction(), "/adjustTargetList/0/targetPower", "0").targets[0].target_power,
            Kilowatts::FromInt(0));
  for (const char* field : {"targetPower", "startTime", "endTime"}) {
    SCOPED_TRACE(field);
    EXPECT_TRUE(IsInvalid(DecodeWithout(SampleInstruction(), (std::string("/adjustTargetList/1/") + field).c_str()),
                          std::string("adjustTargetList[1].") + field + ": required field is missing"));
  }
}

// ---- cross-field rules, the same for send_task, its query answer and callback_task_check ----

template <class T>
void ExpectCrossFieldRules(const T& model) {
  // `model`: rangeType 3 with five IDs, the seed's two windows, synchroType 1 or 2, no creditCode.
  const char* kOverlap =
      "adjustTargetList[1].startTime: 2020-04-10 12:29 is not after the previous window's endTime 2020-04-10 12:29 "
      "(windows must be in order and not overlap)";
  const char* kInside =
      "adjustTargetList[1].startTime: 2020-04-10 08:00 is not after the previous window's endTime 2020-04-10 12:29 "
      "(windows must be in order and not overlap)";
  const char* kOutOfOrder =
      "adjustTargetList[1].startTime: 2020-04-09 12:29 is not after the previous window's endTime 2020-04-11 12:29 "
      "(windows must be in order and not overlap)";
  ExpectRefused(model, {
      {"/rangeType", "4", "adjustIDList: must hold exactly one ID when rangeType is 4 (single station or stake)"},
      {"/rangeType", "5", "adjustIDList: must hold exactly one ID when rangeType is 5 (single station or stake)"},
      {"/adjustTargetList", "[]", "adjustTargetList: must not be empty unless synchroType is 3 (cancel)"},
      {"/adjustTargetList/1/startTime", R"("2020-04-10 12:29")", kOverlap},
      {"/adjustTargetList/1/startTime", R"("2020-04-10 08:00")", kInside},
      {"/adjustTargetList",
       R"([{"targetPower":25.56,"startTime":"2020-04-10 12:30","endTime":"2020-04-11 12:29"},
           {"targetPower":30.45,"startTime":"2020-04-09 12:29","endTime":"2020-04-10 12:29"}])",
       kOutOfOrder},
  });
  // Two IDs for a single stake.
  EXPECT_TRUE(IsInvalid(DecodeData<T>(Set(Set(EncodeData(model), "/rangeType", "5"), "/adjustIDList", R"(["a","b"])")).status(),
                        "adjustIDList: must hold exactly one ID when rangeType is 5 (single station or stake)"));
  // One station, but no operator credit code (absent or null).
  const std::string one = Set(Set(EncodeData(model), "/rangeType", "4"), "/adjustIDList", R"(["STA1"])");
  const char* kNoCredit = "creditCode: required when rangeType is 4 (station) or 5 (stake)";
  EXPECT_TRUE(IsInvalid(DecodeData<T>(one).status(), kNoCredit));
  EXPECT_TRUE(IsInvalid(DecodeData<T>(Set(one, "/creditCode", "null")).status(), kNoCredit));
  EXPECT_TRUE(IsInvalid(DecodeData<T>(Set(Set(one, "/rangeType", "5"), "/creditCode", "null")).status(), kNoCredit));
  // ... and with it: fine.
  auto single = DecodeData<T>(Set(one, "/creditCode", Quoted(kSampleCreditCode)));
  ASSERT_TRUE(single.ok()) << single.status();
  EXPECT_EQ(Core(*single).credit_code, kSampleCreditCode);
  EXPECT_EQ(Core(*single).adjust_ids, std::vector<std::string>{"STA1"});
  // A wider range needs no credit code and takes any number of IDs.
  for (const char* range : {"1", "2", "3"}) {
    SCOPED_TRACE(range);
    EXPECT_TRUE(DecodeData<T>(Set(EncodeData(model), "/rangeType", range)).ok());
  }
  // A cancel may carry no windows; windows with a gap between them are fine.
  auto cancel = DecodeData<T>(Set(Set(EncodeData(model), "/synchroType", "3"), "/adjustTargetList", "[]"));
  ASSERT_TRUE(cancel.ok()) << cancel.status();
  EXPECT_TRUE(Core(*cancel).targets.empty());
  EXPECT_EQ(Core(*cancel).synchro_type, SynchroType::kCancel);
  auto gap = DecodeData<T>(Set(EncodeData(model), "/adjustTargetList/1/startTime", R"("2020-04-10 18:00")"));
  ASSERT_TRUE(gap.ok()) << gap.status();
  EXPECT_EQ(Core(*gap).targets[1].start_time, ParseMinute("2020-04-10 18:00"));
}

TEST(CodecTask, SendTaskCrossFieldRules) { ExpectCrossFieldRules(SampleInstruction()); }
TEST(CodecTask, ResultCrossFieldRules) { ExpectCrossFieldRules(SampleInstructionResult()); }
TEST(CodecTask, AdjustmentCrossFieldRules) { ExpectCrossFieldRules(SampleInstructionAdjustment()); }

// ---- lists and IDs --------------------------------------------------------------------------

TEST(CodecTask, AdjustIdList) {
  ExpectRefused(SampleInstruction(), {
      {"/adjustIDList", "[]", "adjustIDList: must not be empty"},
      {"/adjustIDList/2", R"("")", "adjustIDList[2]: must not be empty"},
      {"/adjustIDList/4", Quoted(std::string(65, '5')).c_str(), "adjustIDList[4]: longer than 64 bytes"},
      {"/adjustIDList/0", "1.5", "adjustIDList[0]: expected a string or an integer ID, got 1.5"},
  });
  ExpectRefused(SampleInstructionAdjustment(), {{"/adjustIDList", "[]", "adjustIDList: must not be empty"}});
  ExpectRefused(SampleInstructionResult(), {{"/adjustIDList", "[]", "adjustIDList: must not be empty"}});
  // IDs may be JSON integers.
  EXPECT_EQ(AcceptedWith(SampleInstruction(), "/adjustIDList", "[123, \"234\"]").adjust_ids,
            (std::vector<std::string>{"123", "234"}));

  Instruction many = SampleInstruction();
  many.adjust_ids.clear();
  for (std::size_t i = 0; i <= kMaxAdjustIds; ++i) many.adjust_ids.push_back(std::to_string(i));
  EXPECT_TRUE(IsInvalid(DecodeData<Instruction>(EncodeData(many)).status(), "adjustIDList: more than 10000 items (the limit)"));
  many.adjust_ids.pop_back();
  EXPECT_TRUE(DecodeData<Instruction>(EncodeData(many)).ok());
}

TEST(CodecTask, AdjustTargetListLimit) {
  // 1441 one-minute windows, in order.
  Instruction in = SampleInstruction();
  in.targets.clear();
  const BeijingMinute start = *ParseMinute("2024-07-01 00:00");
  for (std::size_t i = 0; i <= kMaxAdjustTargets; ++i) {
    const BeijingMinute m{start.minutes + static_cast<std::int64_t>(i)};
    in.targets.push_back({Kilowatts::FromInt(10), m, m});
  }
  EXPECT_TRUE(IsInvalid(DecodeData<Instruction>(EncodeData(in)).status(),
                        "adjustTargetList: more than 1440 items (the limit)"));
  in.targets.pop_back();
  auto ok = DecodeData<Instruction>(EncodeData(in));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->targets.size(), kMaxAdjustTargets);
}

TEST(CodecTask, TaskAndRegulationIds) {
  for (const char* field : {"taskID", "regulationID"}) {
    SCOPED_TRACE(field);
    const std::string pointer = std::string("/") + field;
    EXPECT_TRUE(IsInvalid(DecodeWith(SampleInstruction(), pointer.c_str(), R"("")"), std::string(field) + ": must not be empty"));
    EXPECT_TRUE(IsInvalid(DecodeWith(SampleInstructionResult(), pointer.c_str(), Quoted(std::string(65, 'R'))),
                          std::string(field) + ": longer than 64 bytes"));
    EXPECT_TRUE(IsInvalid(DecodeWith(InstructionRef{"t", "r"}, pointer.c_str(), R"("")"), std::string(field) + ": must not be empty"));
    EXPECT_TRUE(IsInvalid(DecodeWith(SampleInstructionFeedback(), pointer.c_str(), "-1"),
                          std::string(field) + ": expected a string or an integer ID, got -1"));
  }
  EXPECT_EQ(AcceptedWith(InstructionRef{"t", "r"}, "/taskID", "3231323331").task_id, "3231323331");
  EXPECT_EQ(AcceptedWith(SampleInstructionAdjustment(), "/regulationID", "20200419").regulation_id, "20200419");
}

// ---- required and optional fields -----------------------------------------------------------

template <class T>
void ExpectRequired(const T& model, std::vector<const char*> fields) {
  EXPECT_TRUE(IsEmpty(DecodeData<T>("{}").status()));
  for (const char* field : fields) {
    SCOPED_TRACE(field);
    EXPECT_TRUE(IsInvalid(DecodeWithout(model, (std::string("/") + field).c_str()),
                          std::string(field) + ": required field is missing"));
    EXPECT_TRUE(IsInvalid(DecodeWith(model, (std::string("/") + field).c_str(), "null"),
                          std::string(field) + ": must not be null"));
  }
}

TEST(CodecTask, RequiredFields) {
  ExpectRequired(SampleInstruction(), {"taskID", "regulationID", "type", "synchroType", "rangeType", "isForce",
                                       "adjustIDList", "adjustTargetList"});
  ExpectRequired(SampleInstructionResult(), {"taskID", "regulationID", "type", "synchroType", "rangeType", "isForce",
                                             "status", "adjustIDList", "adjustTargetList"});
  ExpectRequired(SampleInstructionAdjustment(),
                 {"taskID", "regulationID", "type", "synchroType", "rangeType", "adjustIDList", "adjustTargetList"});
  ExpectRequired(InstructionRef{"3231323331", "FHTK-105-20200419"}, {"taskID", "regulationID"});
  ExpectRequired(SampleInstructionFeedback(), {"taskID", "regulationID", "status"});
}

TEST(CodecTask, CreditCodeIsOptionalAndHasItsForm) {
  // Absent or null for a wide range.
  EXPECT_EQ(AcceptedWith(SampleInstruction(), "/creditCode", "null").credit_code, std::nullopt);
  EXPECT_EQ(AcceptedWith(SampleInstructionAdjustment(), "/creditCode", "null").credit_code, std::nullopt);
  EXPECT_EQ(AcceptedWith(SampleInstructionResult(), "/creditCode", "null").instruction.credit_code, std::nullopt);
  // Present, it must be a credit code; the value is never echoed.
  EXPECT_EQ(AcceptedWith(SampleInstruction(), "/creditCode", R"("91110190400007201Z")").credit_code, "91110190400007201Z");
  ExpectRefused(StationInstruction(), {
      {"/creditCode", R"("9111019040000720")", "creditCode: value is not 18 characters of 0-9 and A-Z"},
      {"/creditCode", R"("91110190400007201z")", "creditCode: value is not 18 characters of 0-9 and A-Z"},
      {"/creditCode", R"("")", "creditCode: must not be empty"},
      {"/creditCode", "true", "creditCode: expected a string, got boolean"},
  });
  EXPECT_EQ(DecodeWith(StationInstruction(), "/creditCode", R"("91110190400007201z")").message().find("400007201z"),
            std::string::npos);
}

TEST(CodecTask, AdjustmentHasNoIsForce) {
  // callback_task_check is send_task without isForce: a stray isForce is an unknown key, ignored.
  auto a = DecodeData<InstructionAdjustment>(Set(EncodeData(SampleInstructionAdjustment()), "/isForce", "7"));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(*a, SampleInstructionAdjustment());
  EXPECT_EQ(EncodeData(SampleInstructionAdjustment()).find("isForce"), std::string::npos);
}

// ---- field-level encryption -----------------------------------------------------------------

template <class T>
void ExpectCreditCodeEncrypted(const T& model) {
  const DataCipher cipher = Cipher();
  CodecOptions options;
  options.field_cipher = &cipher;
  const std::string json = EncodeData(model, options);
  EXPECT_EQ(json.find(kSampleCreditCode), std::string::npos) << json;
  const std::string wire = ValueAt(json, "/creditCode");
  std::string clear;
  ASSERT_TRUE(cipher.Decrypt(wire, clear).ok()) << wire;
  EXPECT_EQ(clear, kSampleCreditCode);
  EXPECT_EQ(ValueAt(json, "/adjustIDList/0"), "STA1");  // not sensitive
  auto decoded = DecodeData<T>(json, options);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, model);

  const char* kMessage = "creditCode: cannot be decrypted (field-level encryption is on for this peer)";
  const Status plain = DecodeWith(model, "/creditCode", Quoted(kSampleCreditCode), options);
  EXPECT_TRUE(IsInvalid(plain, kMessage));
  EXPECT_EQ(plain.message().find(kSampleCreditCode), std::string::npos);
  EXPECT_TRUE(IsInvalid(DecodeWith(model, "/creditCode", Quoted(OtherCipher().Encrypt(kSampleCreditCode)), options),
                        kMessage));
  const Status bad = DecodeWith(model, "/creditCode", Quoted(cipher.Encrypt("91110190ABCDEFGH")), options);
  EXPECT_TRUE(IsInvalid(bad, "creditCode: value is not 18 characters of 0-9 and A-Z"));
  EXPECT_EQ(bad.message().find("ABCDEFGH"), std::string::npos);
  // null stays null: nothing to decrypt.
  auto wide = DecodeData<T>(Set(Set(Set(json, "/creditCode", "null"), "/rangeType", "3"), "/adjustIDList", R"(["1","2"])"),
                            options);
  ASSERT_TRUE(wide.ok()) << wide.status();
  EXPECT_EQ(Core(*wide).credit_code, std::nullopt);
}

TEST(CodecTask, FieldEncryptionOfSendTaskCreditCode) { ExpectCreditCodeEncrypted(StationInstruction()); }

TEST(CodecTask, FieldEncryptionOfResultCreditCode) {
  InstructionResult r = SampleInstructionResult();
  r.instruction = StationInstruction();
  ExpectCreditCodeEncrypted(r);
}

TEST(CodecTask, FieldEncryptionOfAdjustmentCreditCode) {
  InstructionAdjustment a = SampleInstructionAdjustment();
  a.range_type = RangeType::kStake;
  a.adjust_ids = {"STA1"};
  a.credit_code = kSampleCreditCode;
  ExpectCreditCodeEncrypted(a);
}

}  // namespace
}  // namespace vgi::proto
