// Writes the seed corpora of the proto fuzz targets: make_fuzz_corpus <corpus dir>
// (libs/proto/fuzz/corpus). Each target gets a handful of small valid inputs built from
// vgi::testing's samples and a few invalid ones. The envelope seeds are sealed with the fuzzers'
// fixed keys at the fixed clock's time (fuzz_common.hpp), so they are fresh when the fuzzers run.
//
// The output is committed; rerun this only when the models or the wire format change (see README.md).
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/proto/envelope.hpp"
#include "vgi/proto/interfaces.hpp"
#include "vgi/testing/samples.hpp"

namespace {

using namespace vgi;
using namespace vgi::proto;
namespace ctl = vgi::fuzz::request_control;
namespace fs = std::filesystem;

constexpr std::size_t kMaxSeedBytes = 4096;

fs::path g_root;
std::size_t g_total = 0;
int g_files = 0;

[[noreturn]] void Fatal(const std::string& what) {
  std::fprintf(stderr, "make_fuzz_corpus: %s\n", what.c_str());
  std::exit(1);
}

void Write(const std::string& target, const std::string& name, const std::string& bytes) {
  if (bytes.size() > kMaxSeedBytes) {
    Fatal(target + "/" + name + " is " + std::to_string(bytes.size()) + " bytes, over the " +
          std::to_string(kMaxSeedBytes) + "-byte budget");
  }
  const fs::path dir = g_root / target;
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) Fatal("cannot write " + (dir / name).string());
  g_total += bytes.size();
  ++g_files;
}

// Keys ("name":) in lower case; the value is then valid only with case-insensitive keys.
std::string LowerKeys(const std::string& json) {
  std::string out = json;
  std::size_t pos = 0;
  while ((pos = out.find("\":", pos)) != std::string::npos) {
    std::size_t start = out.rfind('"', pos - 1);
    for (std::size_t i = start + 1; i < pos; ++i) out[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[i])));
    pos += 2;
  }
  return out;
}

// The first member's value replaced by a value of another JSON type.
std::string WrongType(const std::string& json) {
  const std::size_t colon = json.find("\":");
  if (colon == std::string::npos) return "{\"x\":}";
  const std::size_t start = colon + 2;
  std::size_t end = start;
  std::string replacement;
  if (json[start] == '"') {
    end = json.find('"', start + 1) + 1;
    replacement = "12.5";
  } else {
    end = json.find_first_of(",}", start);
    replacement = "\"12\"";
  }
  return json.substr(0, start) + replacement + json.substr(end);
}

std::string TooDeep(const std::string& json) {
  std::string nested = "\"zzUnknown\":" + std::string(40, '[') + std::string(40, ']') + ",";
  return "{" + nested + json.substr(1);
}

template <class T>
void Expect(const std::string& target, const std::string& name, const std::string& json, const CodecOptions& options) {
  const Result<T> r = DecodeData<T>(json, options);
  if (!r.ok()) Fatal(target + "/" + name + " should decode but: " + r.status().ToString());
}

// Valid seeds from `values` (field-encrypted too where that changes them; the first also with
// lower-case keys) and the invalid ones.
template <class T>
void DecoderSeeds(const std::string& target, const std::vector<std::pair<std::string, T>>& values,
                  const std::vector<std::pair<std::string, std::string>>& extra_json = {}) {
  CodecOptions cipher;
  cipher.field_cipher = &fuzz::FixedKeys().cipher();
  CodecOptions lenient;
  lenient.case_insensitive_keys = true;
  for (const auto& [name, value] : values) {
    const std::string json = EncodeData(value);
    Expect<T>(target, name, json, {});
    Write(target, "valid_" + name + ".json", json);
    // Only values with a sensitive field set differ when field-encrypted.
    const std::string encrypted = EncodeData(value, cipher);
    if (encrypted != json) {
      Expect<T>(target, name + "_field_encrypted", encrypted, cipher);
      Write(target, "valid_" + name + "_field_encrypted.json", encrypted);
    }
  }
  const std::string first = EncodeData(values.front().second);
  Write(target, "valid_lower_case_keys.json", LowerKeys(first));
  Expect<T>(target, "valid_lower_case_keys", LowerKeys(first), lenient);
  for (const auto& [name, json] : extra_json) Write(target, name, json);
  Write(target, "invalid_truncated.json", first.substr(0, first.size() / 2));
  Write(target, "invalid_wrong_type.json", WrongType(first));
  Write(target, "invalid_array_root.json", "[" + first + "]");
  Write(target, "invalid_too_deep.json", TooDeep(first));
  Write(target, "invalid_trailing.json", first + "}");
  Write(target, "invalid_null.json", "null");
  Write(target, "invalid_empty_object.json", "{}");
}

// --- request envelopes -----------------------------------------------------------------------

std::string Stamped(const std::string& body, std::uint8_t control) {
  return std::string(1, static_cast<char>(control)) + body;
}

std::string Sealed(const std::string& json, const std::string& timestamp = FormatTimeStamp(fuzz::FixedNow()),
                   const std::string& seq = "0001") {
  return SerializeRequestEnvelope(SealRequest(testing::kSampleOperatorId, json, Stamp{timestamp, seq}, fuzz::FixedKeys()));
}

std::string Plain(const std::string& json) {
  RequestEnvelope env;
  env.operator_id = testing::kSampleOperatorId;
  env.data = json;
  env.timestamp = FormatTimeStamp(fuzz::FixedNow());
  env.seq = "0001";
  env.sig = std::string(32, '0');
  return SerializeRequestEnvelope(env);
}

void ExpectRequest(const std::string& name, const std::string& seed, bool valid) {
  const std::uint8_t control = static_cast<std::uint8_t>(seed[0]);
  WireProfile profile;
  profile.replay_check = (control & ctl::kReplayCheckOff) == 0;
  profile.unescape_html_entities = (control & ctl::kUnescapeOff) == 0;
  CodecOptions options;
  options.field_cipher = (control & ctl::kFieldEncryption) != 0 ? &fuzz::FixedKeys().cipher() : nullptr;
  auto env = ParseRequestEnvelope(seed.substr(1));
  Status status = env.status();
  if (env.ok()) {
    if ((control & ctl::kPlaintextData) != 0) {
      *env = SealRequest(env->operator_id, env->data, Stamp{env->timestamp, env->seq}, fuzz::FixedKeys());
    }
    MemoryReplayGuard guard(fuzz::FixedClock());
    auto opened = OpenRequest(*env, fuzz::FixedKeys(), profile, fuzz::FixedClock(), &guard);
    status = opened.status();
    if (opened.ok()) {
      status = CanonicalData(static_cast<Interface>(control & ctl::kInterfaceMask), false, *opened, options).status();
    }
  }
  if (status.ok() != valid) {
    Fatal("fuzz_request_envelope/" + name + " should be " + (valid ? "valid" : "refused") + ": " + status.ToString());
  }
}

void Request(const std::string& name, const std::string& seed, bool valid) {
  ExpectRequest(name, seed, valid);
  Write("fuzz_request_envelope", name, seed);
}

void RequestSeeds() {
  const std::vector<std::string> json = {
      EncodeData(testing::SampleTokenRequest()),
      EncodeData(testing::SampleStationInfoPage(1, 1)),
      EncodeData(testing::SampleStationPowerBatch(1, 8)),
      EncodeData(testing::SampleInstruction()),
      EncodeData(InstructionRef{"3231323331", "FHTK-105-20200419"}),
      EncodeData(testing::SampleInstructionFeedback()),
      EncodeData(testing::SampleInstructionAdjustment()),
      EncodeData(testing::SampleSettlementPush()),
  };
  for (std::size_t i = 0; i < json.size(); ++i) {
    const auto control = static_cast<std::uint8_t>(i);
    const std::string name(Info(static_cast<Interface>(i)).name);
    Request("sealed_" + name, Stamped(Sealed(json[i]), control), true);
    Request("plaintext_" + name, Stamped(Plain(json[i]), control | ctl::kPlaintextData), true);
  }
  CodecOptions cipher;
  cipher.field_cipher = &fuzz::FixedKeys().cipher();
  const std::string encrypted = EncodeData(testing::SampleInstruction(), cipher);
  const auto send_task = static_cast<std::uint8_t>(Interface::kSendTask);
  Request("sealed_send_task_field_encrypted", Stamped(Sealed(encrypted), send_task | ctl::kFieldEncryption), true);
  Request("plaintext_send_task_field_encrypted",
          Stamped(Plain(encrypted), send_task | ctl::kFieldEncryption | ctl::kPlaintextData), true);

  // Freshness: a day-old TimeStamp passes only with replay_check off.
  const std::string day_old = Sealed(json[0], "20240408120000");
  Request("sealed_query_token_day_old_replay_off", Stamped(day_old, ctl::kReplayCheckOff), true);
  Request("invalid_day_old", Stamped(day_old, 0), false);
  Request("sealed_query_token_17_digit_timestamp", Stamped(Sealed(json[0], "20240409120000123", "0042"), 0), true);

  // HTML entities: the seed's Java decrypt unescapes &quot; and friends.
  std::string escaped;
  for (char c : json[0]) escaped += c == '"' ? std::string("&quot;") : std::string(1, c);
  Request("sealed_query_token_html_entities", Stamped(Sealed(escaped), 0), true);
  Request("invalid_html_entities_unescape_off", Stamped(Sealed(escaped), ctl::kUnescapeOff), false);

  // Refused at each step.
  const std::string good = Sealed(json[0]);
  std::string bad_sig = good;
  const std::size_t sig = bad_sig.find("\"Sig\":\"") + 7;
  bad_sig[sig] = bad_sig[sig] == 'A' ? 'B' : 'A';
  Request("invalid_bad_sig", Stamped(bad_sig, 0), false);
  Request("invalid_truncated", Stamped(good.substr(0, good.size() / 2), 0), false);
  std::string seq_number = good;
  seq_number.replace(seq_number.find("\"Seq\":\"0001\""), 12, "\"Seq\":1");
  Request("invalid_seq_number", Stamped(seq_number, 0), false);
  std::string no_sig = good.substr(0, good.find(",\"Sig\":")) + "}";
  Request("invalid_missing_sig", Stamped(no_sig, 0), false);
  std::string lower_id = good;
  lower_id.replace(lower_id.find("123456789"), 9, "12345678a");
  Request("invalid_operator_id", Stamped(lower_id, ctl::kResign), false);
  std::string bad_data = good;
  const std::size_t data = bad_data.find("\"Data\":\"") + 8;
  bad_data.replace(data, bad_data.find('"', data) - data, "AAAAAAAAAAAAAAAAAAAAAA==");
  Request("invalid_undecryptable_resigned", Stamped(bad_data, ctl::kResign), false);
  Request("invalid_plaintext_wrong_interface", Stamped(Plain(json[0]), 3 | ctl::kPlaintextData), false);
  Request("invalid_empty_body", Stamped("", 0), false);
  Request("invalid_not_object", Stamped("[]", 0), false);
}

// --- response envelopes ----------------------------------------------------------------------

void ExpectResponse(const std::string& name, const std::string& body, bool valid_strict, bool valid_lax) {
  WireProfile strict;
  WireProfile lax;
  lax.require_response_sig = false;
  const bool s = OpenResponse(body, fuzz::FixedKeys(), strict).ok();
  const bool l = OpenResponse(body, fuzz::FixedKeys(), lax).ok();
  if (s != valid_strict || l != valid_lax) Fatal("fuzz_response_envelope/" + name + ": unexpected outcome");
}

void Response(const std::string& name, const std::string& body, bool valid_strict, bool valid_lax) {
  ExpectResponse(name, body, valid_strict, valid_lax);
  Write("fuzz_response_envelope", name, body);
}

void ResponseSeeds() {
  const PreparedKeys& keys = fuzz::FixedKeys();
  const Clock& clock = fuzz::FixedClock();
  WireProfile standard;
  WireProfile example;
  example.response_dialect = ResponseDialect::kExample;
  const std::string token = EncodeData(testing::SampleTokenResponse());
  const std::string result = EncodeData(testing::SampleInstructionResult());

  const std::string ok_token = SealResponse(Ret::kOk, "请求成功", token, keys, standard, clock);
  Response("standard_token_response", ok_token, true, true);
  Response("example_token_response", SealResponse(Ret::kOk, "请求成功", token, keys, example, clock), true, true);
  Response("standard_instruction_result", SealResponse(Ret::kOk, "请求成功", result, keys, standard, clock), true, true);
  Response("standard_no_data", SealResponse(Ret::kOk, "请求成功", "", keys, standard, clock), true, true);
  Response("example_no_data", SealResponse(Ret::kOk, "请求成功", "", keys, example, clock), true, true);
  Response("standard_error_4003",
           SealResponse(Ret::kInvalid, "stationList[0].type: 9 is not one of 1..7", "", keys, standard, clock), true, true);
  Response("standard_error_4009", SealResponse(Ret::kAuthFailed, "鉴权失败", "", keys, standard, clock), true, true);
  Response("unsigned_example_no_data", "{\"ret\":200,\"msg\":\"ok\",\"data\":null,\"timestamp\":\"20240409120000\"}", false,
           true);
  const std::string sig = keys.signer().Sign({"0", "ok", ""});
  Response("ret_as_string", "{\"Ret\":\"0\",\"Msg\":\"ok\",\"Data\":\"\",\"Sig\":\"" + sig + "\"}", true, true);

  std::string bad_sig = ok_token;
  const std::size_t at = bad_sig.find("\"Sig\":\"") + 7;
  bad_sig[at] = bad_sig[at] == 'A' ? 'B' : 'A';
  Response("invalid_bad_sig", bad_sig, false, false);
  Response("invalid_truncated", ok_token.substr(0, ok_token.size() / 2), false, false);
  Response("invalid_unsigned_with_data", ok_token.substr(0, ok_token.find(",\"Sig\":")) + "}", false, false);
  Response("invalid_ret_missing", "{\"Msg\":\"ok\",\"Data\":\"\",\"Sig\":\"" + sig + "\"}", false, false);
  Response("invalid_ret_negative", "{\"Ret\":-1,\"Msg\":\"ok\"}", false, false);
  Response("invalid_data_not_string", "{\"Ret\":0,\"Msg\":\"ok\",\"Data\":{}}", false, false);
  Response("invalid_empty", "", false, false);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) Fatal("usage: make_fuzz_corpus <corpus dir>");
  g_root = argv[1];

  const Instruction instruction = testing::SampleInstruction();
  Instruction station_range = instruction;
  station_range.range_type = RangeType::kStation;
  station_range.credit_code = testing::kSampleCreditCode;
  station_range.adjust_ids = {"STA1"};
  Instruction cancel = instruction;
  cancel.synchro_type = SynchroType::kCancel;
  cancel.type = RegulationType::kValleyFilling;
  cancel.is_force = false;

  StationInfoPage page2 = testing::SampleStationInfoPage(1, 2);
  page2.total_count = 3;
  page2.page_count = 3;
  page2.page_no = 2;

  InstructionResult processing = testing::SampleInstructionResult();
  processing.status = InstructionStatus::kProcessing;
  processing.instruction = station_range;

  InstructionFeedback reject = testing::SampleInstructionFeedback();
  reject.status = Feedback::kReject;

  InstructionAdjustment adjustment_station = testing::SampleInstructionAdjustment();
  adjustment_station.range_type = RangeType::kStake;
  adjustment_station.credit_code = testing::kSampleCreditCode;
  adjustment_station.adjust_ids = {"ST1-0"};

  DecoderSeeds<StationInfoPage>("fuzz_station_info", {{"one_station", testing::SampleStationInfoPage(1, 1)},
                                                      {"page_2_of_3", page2}});
  DecoderSeeds<StationPowerBatch>("fuzz_station_power", {{"one_station", testing::SampleStationPowerBatch(1, 10)},
                                                         {"two_stations", testing::SampleStationPowerBatch(2, 3)}});
  DecoderSeeds<Instruction>("fuzz_instruction", {{"sample", instruction}, {"station_range", station_range},
                                                 {"cancel", cancel}});
  DecoderSeeds<InstructionRef>("fuzz_instruction_ref", {{"sample", InstructionRef{"3231323331", "FHTK-105-20200419"}}},
                               {{"valid_numeric_id.json", "{\"taskID\":3231323331,\"regulationID\":\"FHTK-105\"}"}});
  DecoderSeeds<InstructionResult>("fuzz_instruction_result",
                                  {{"sample", testing::SampleInstructionResult()}, {"processing", processing}});
  DecoderSeeds<InstructionFeedback>(
      "fuzz_instruction_feedback", {{"sample", testing::SampleInstructionFeedback()}, {"reject", reject}},
      {{"valid_numeric_id.json", "{\"taskID\":1233321412,\"regulationID\":105,\"status\":1}"}});
  DecoderSeeds<InstructionAdjustment>("fuzz_instruction_adjustment",
                                      {{"sample", testing::SampleInstructionAdjustment()}, {"stake_range", adjustment_station}});
  DecoderSeeds<SettlementPush>("fuzz_settlement_push", {{"sample", testing::SampleSettlementPush()}});
  DecoderSeeds<TokenRequest>("fuzz_token_request", {{"sample", testing::SampleTokenRequest()}});
  DecoderSeeds<TokenResponse>("fuzz_token_response",
                              {{"sample", testing::SampleTokenResponse()},
                               {"failure", TokenResponse{testing::kSampleOperatorId, 1, "", 0, "OperatorSecret is wrong"}}});
  RequestSeeds();
  ResponseSeeds();
  std::printf("make_fuzz_corpus: %d files, %zu bytes under %s\n", g_files, g_total, g_root.string().c_str());
  return 0;
}
