// `vgi selfcheck`: proves on this machine that the protocol library reproduces the shared test
// vectors byte for byte and that every interface's Data seals and opens; `vgi version`.
#include <openssl/crypto.h>
#include <rapidjson/document.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "commands.hpp"
#include "vgi/base/clock.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/proto/envelope.hpp"

namespace vgi::app {
namespace {

std::string Find(const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  for (const char* candidate : {"../shared/vectors/crypto-vectors.json", "shared/vectors/crypto-vectors.json"}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  return "";
}

std::string S(const rapidjson::Value& v, const char* key) { return std::string(v[key].GetString(), v[key].GetStringLength()); }

// Returns the number of vectors checked, or an error naming the first mismatch.
Result<int> CheckVectors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot be read (pass --vectors PATH to the shared vectors file)");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) return Status::Invalid(path + ": not a JSON object");
  int checked = 0;
  for (const auto& v : doc["aes_128_cbc_pkcs5_base64"].GetArray()) {
    auto cipher = proto::DataCipher::Create(S(v, "key"), S(v, "iv"));
    if (!cipher.ok()) return cipher.status();
    std::string plain;
    if (cipher->Encrypt(S(v, "plaintext")) != S(v, "ciphertext") || !cipher->Decrypt(S(v, "ciphertext"), plain).ok() ||
        plain != S(v, "plaintext")) {
      return Status::Internal("AES vector \"" + S(v, "name") + "\" does not match");
    }
    ++checked;
  }
  for (const auto& v : doc["hmac_md5_request_sig"].GetArray()) {
    auto signer = proto::Signer::Create(S(v, "key"));
    if (signer->Sign({S(v, "OperatorID"), S(v, "Data"), S(v, "TimeStamp"), S(v, "Seq")}) != S(v, "sig")) {
      return Status::Internal("request Sig vector \"" + S(v, "name") + "\" does not match");
    }
    ++checked;
  }
  for (const auto& v : doc["hmac_md5_response_sig"].GetArray()) {
    auto signer = proto::Signer::Create(S(v, "key"));
    if (signer->Sign({std::to_string(v["Ret"].GetInt()), S(v, "Msg"), S(v, "Data")}) != S(v, "sig")) {
      return Status::Internal("response Sig vector \"" + S(v, "name") + "\" does not match");
    }
    ++checked;
  }
  return checked;
}

// The seed's own example Data (7.1-7.7, 5.5), made valid where the scan broke them.
struct Example {
  proto::Interface interface;
  bool response;
  const char* json;
};
constexpr Example kExamples[] = {
    {proto::Interface::kQueryToken, false, R"({"OperatorID":"123456789","OperatorSecret":"1234567890abcdef"})"},
    {proto::Interface::kQueryToken, true,
     R"({"OperatorID":"123456789","Code":0,"AccessToken":"tok","TokenAvailableTime":7200,"Message":"成功"})"},
    {proto::Interface::kSendStationPower1440, false,
     R"({"stationPowerList":[{"stationCode":105,"creditCode":"92131102MA09D2DT17","adjustTopPower":30.25,)"
     R"("adjustBottomPower":19.25,"powerPointList":[{"point":"2020-04-09 12:15","power":25.45}]},)"
     R"({"stationCode":106,"creditCode":"92131102MA09D2DT17","adjustTopPower":31.25,"adjustBottomPower":14.25,)"
     R"("powerPointList":[{"point":"2020-04-09 12:16","power":26.28}]}]})"},
    {proto::Interface::kSendTask, false,
     R"({"taskID":"3231323331","regulationID":"FHTK-105-20200419","type":1,"synchroType":1,"rangeType":3,)"
     R"("isForce":1,"adjustIDList":["123","234","345","456","567"],"creditCode":null,"adjustTargetList":[)"
     R"({"targetPower":30.45,"startTime":"2020-04-09 12:29","endTime":"2020-04-10 12:29"},)"
     R"({"targetPower":25.56,"startTime":"2020-04-10 12:30","endTime":"2020-04-11 12:29"}]})"},
    {proto::Interface::kQueryTaskResult, false, R"({"taskID":"123324123","regulationID":"FHTK-105-20200419"})"},
    {proto::Interface::kCallbackTaskOverview, false,
     R"({"taskID":"1233321412","regulationID":"FHTK-105-20200419","status":1})"},
    {proto::Interface::kCallbackTaskCheck, false,
     R"({"taskID":"3231323331","regulationID":"FHTK-105-20200419","type":1,"synchroType":2,"rangeType":3,)"
     R"("adjustIDList":["123","234","345","456","567"],"creditCode":null,"adjustTargetList":[)"
     R"({"targetPower":30.45,"startTime":"2020-04-09 12:29","endTime":"2020-04-10 12:29"}]})"},
    {proto::Interface::kExchangeInviteplanPush, false,
     R"({"taskID":"2024096544433","type":1,"regulationID":"12e32e4rj333333","points":[{"earnings":1,"price":1},)"
     R"({"earnings":1,"price":1}]})"},
};

// Canonicalises the example, seals it as a request or a response, opens it again and checks
// that the same canonical Data comes out.
Status RoundTrip(const Example& e, const proto::PreparedKeys& keys, proto::StampGenerator& stamps,
                 proto::ReplayGuard& guard) {
  proto::CodecOptions options;
  options.case_insensitive_keys = e.response;
  auto canonical = proto::CanonicalData(e.interface, e.response, e.json, options);
  if (!canonical.ok()) return canonical.status();
  std::string json;
  if (e.response) {
    const std::string body =
        proto::SealResponse(proto::Ret::kOk, "请求成功", *canonical, keys, proto::WireProfile{}, Clock::System());
    auto opened = proto::OpenResponse(body, keys, proto::WireProfile{});
    if (!opened.ok()) return opened.status();
    json = opened->data_json.value_or("");
  } else {
    const std::string body =
        proto::SerializeRequestEnvelope(proto::SealRequest("123456789", *canonical, stamps.Next(), keys));
    auto env = proto::ParseRequestEnvelope(body);
    if (!env.ok()) return env.status();
    auto opened = proto::OpenRequest(*env, keys, proto::WireProfile{}, Clock::System(), &guard);
    if (!opened.ok()) return opened.status();
    json = std::move(opened).value();
  }
  auto again = proto::CanonicalData(e.interface, e.response, json, options);
  if (!again.ok()) return again.status();
  return *again == *canonical ? Status::Ok() : Status::Internal("Data changed on the way through");
}

// A full day of one station's power: 1440 points, the size the benchmarks call 60 KB.
std::string FullDayOfStationPower() {
  proto::StationPower sp;
  sp.station_code = "105";
  sp.credit_code = "92131102MA09D2DT17";
  sp.adjust_top_power = proto::Kilowatts::FromUnits(302'500);
  sp.adjust_bottom_power = proto::Kilowatts::FromUnits(1'925);
  const auto day = *proto::ParseDate("2020-04-09");
  for (int m = 0; m < proto::kMinutesPerDay; ++m) {
    sp.points.push_back({proto::BeijingMinute{proto::StartOf(day).minutes + m}, proto::Kilowatts::FromUnits(2000 + m * 37 % 25000)});
  }
  return proto::EncodeData(proto::StationPowerBatch{{sp}});
}

int SelfCheck(const std::string& vectors_flag) {
  std::cout << "vgi self-check\n";
  std::cout << "  JSON parser kernel: " << proto::JsonKernel() << "\n";
  const std::string path = Find(vectors_flag);
  auto vectors = path.empty() ? Result<int>(Status::NotFound("crypto-vectors.json not found; pass --vectors PATH"))
                              : CheckVectors(path);
  if (!vectors.ok()) {
    std::cout << "  crypto vectors: FAILED: " << vectors.status().message() << "\n";
    return kExitFailed;
  }
  std::cout << "  crypto vectors (" << path << "): " << *vectors << " of " << *vectors << " match byte for byte\n";

  auto keys = proto::PreparedKeys::Create(proto::GenerateKeySet(RandomSource::System()));
  proto::StampGenerator stamps(Clock::System());
  proto::MemoryReplayGuard guard(Clock::System());
  bool ok = true;
  for (const auto& example : kExamples) {
    const Status status = RoundTrip(example, *keys, stamps, guard);
    std::cout << "  seed example " << proto::Info(example.interface).name << (example.response ? " response" : "")
              << ": validate -> seal -> open -> validate " << (status.ok() ? "ok" : "FAILED: " + status.ToString())
              << "\n";
    ok = ok && status.ok();
  }

  // A rough speed figure (the real measurements are the benchmarks in BENCHMARKS.md).
  const std::string station_power = FullDayOfStationPower();
  const auto env = proto::SealRequest("123456789", station_power, stamps.Next(), *keys);
  const std::string body = proto::SerializeRequestEnvelope(env);
  proto::WireProfile no_replay;
  no_replay.replay_check = false;
  std::vector<double> micros;
  for (int i = 0; i < 51; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto parsed = proto::ParseRequestEnvelope(body);
    auto json = proto::OpenRequest(*parsed, *keys, no_replay, Clock::System(), nullptr);
    auto batch = proto::DecodeData<proto::StationPowerBatch>(*json);
    const auto t1 = std::chrono::steady_clock::now();
    if (!batch.ok()) ok = false;
    micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  std::nth_element(micros.begin(), micros.begin() + 25, micros.end());
  std::cout << "  open " << body.size() / 1024 << " KB send_station_power_1440 (1440 points): " << static_cast<int>(micros[25])
            << " us median of 51\n";
  std::cout << (ok ? "self-check passed\n" : "self-check FAILED\n");
  return ok ? kExitOk : kExitFailed;
}

}  // namespace

void RegisterSelfCheck(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("selfcheck", "Check the protocol library on this machine against the shared vectors");
  auto vectors = std::make_shared<std::string>();
  cmd->add_option("--vectors", *vectors, "Path to crypto-vectors.json (default: ../shared/vectors/crypto-vectors.json)");
  cmd->callback([vectors, exit_code] { *exit_code = SelfCheck(*vectors); });
}

void RegisterVersion(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("version", "Print the version and the libraries in use");
  cmd->callback([exit_code] {
    std::cout << "vgi 0.1.0\n"
              << "OpenSSL " << OpenSSL_version(OPENSSL_VERSION_STRING) << "\n"
              << "simdjson " << int{simdjson::SIMDJSON_VERSION_MAJOR} << "." << int{simdjson::SIMDJSON_VERSION_MINOR} << "."
              << int{simdjson::SIMDJSON_VERSION_REVISION} << " (" << proto::JsonKernel() << " kernel)\n";
    *exit_code = kExitOk;
  });
}

}  // namespace vgi::app
