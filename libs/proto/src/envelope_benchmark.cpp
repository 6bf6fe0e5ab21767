// Open (verify + decrypt + parse + validate into typed models) and seal (encode + encrypt +
// sign) of three payload sizes, next to raw OpenSSL doing only the crypto on the same bytes:
//   small  ~0.3 KB  send_task instruction (the seed's 7.3.3 example)
//   day    ~60 KB   send_station_power_1440 with one station's 1440 points
//   page   ~1.5 MB  send_station_info page of 1 000 stations
// Raw "in"  = base64 decode + AES-128-CBC decrypt + HMAC-MD5 over the wire Data.
// Raw "out" = AES-128-CBC encrypt + base64 encode + HMAC-MD5.
// Bytes processed = the JSON Data size, so the MB/s columns compare directly.
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "vgi/proto/codec.hpp"
#include "vgi/proto/envelope.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::proto {
namespace {

const KeySet kKeys{"0123456789ABCDEF0123456789ABCDEF", "abcdefghij012345", "ABCDEFGHIJ012345",
                   "FEDCBA9876543210FEDCBA9876543210"};

struct Payload {
  std::string json;
  std::string body;  // sealed request envelope, with parser padding
};

template <class T>
Payload Make(const T& model) {
  auto keys = *PreparedKeys::Create(kKeys);
  Payload p;
  p.json = EncodeData(model);
  std::string body = SerializeRequestEnvelope(SealRequest("123456789", p.json, {"20261123090000", "0001"}, keys));
  p.body.reserve(body.size() + kJsonPadding);  // as the server's body buffer will be
  p.body = body;
  return p;
}

// 1000 stations with 3 stakes each is ~1.5 MB of JSON.
const Payload& Small() { static const Payload p = Make(testing::SampleInstruction()); return p; }
const Payload& Day() { static const Payload p = Make(testing::SampleStationPowerBatch(1, 1440)); return p; }
const Payload& Page() { static const Payload p = Make(testing::SampleStationInfoPage(1000, 3)); return p; }

template <class T>
void BM_Open(benchmark::State& state, const Payload& (*payload)()) {
  const Payload& p = payload();
  auto keys = *PreparedKeys::Create(kKeys);
  testing::FakeClock clock;
  WireProfile profile;
  profile.replay_check = false;  // measured separately (MemoryReplayGuard); needs fresh stamps
  for (auto _ : state) {
    auto env = ParseRequestEnvelope(p.body);
    auto json = OpenRequest(*env, keys, profile, clock, nullptr);
    auto model = DecodeData<T>(*json);
    if (!model.ok()) state.SkipWithError(model.status().ToString().c_str());
    benchmark::DoNotOptimize(model);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * p.json.size()));
  state.counters["json_bytes"] = static_cast<double>(p.json.size());
}

template <class T>
void BM_Seal(benchmark::State& state, const Payload& (*payload)()) {
  const Payload& p = payload();
  auto model = *DecodeData<T>(p.json);
  auto keys = *PreparedKeys::Create(kKeys);
  const Stamp stamp{"20261123090000", "0001"};
  for (auto _ : state) {
    const std::string body = SealRequestBody("123456789", EncodeData(model), stamp, keys);
    benchmark::DoNotOptimize(body.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * p.json.size()));
}

// The responder's steps one at a time: envelope form, then signature + freshness + decrypt.
void BM_ParseEnvelope(benchmark::State& state, const Payload& (*payload)()) {
  const Payload& p = payload();
  for (auto _ : state) {
    auto env = ParseRequestEnvelope(p.body);
    benchmark::DoNotOptimize(env);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * p.json.size()));
}

void BM_OpenRequestOnly(benchmark::State& state, const Payload& (*payload)()) {
  const Payload& p = payload();
  auto keys = *PreparedKeys::Create(kKeys);
  testing::FakeClock clock;
  WireProfile profile;
  profile.replay_check = false;
  const RequestEnvelope env = *ParseRequestEnvelope(p.body);
  for (auto _ : state) {
    auto json = OpenRequest(env, keys, profile, clock, nullptr);
    benchmark::DoNotOptimize(json);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * p.json.size()));
}

// JSON alone: parse + validate into the model, and encode, without any crypto.
template <class T>
void BM_Decode(benchmark::State& state, const Payload& (*payload)()) {
  const Payload& p = payload();
  std::string json;
  json.reserve(p.json.size() + kJsonPadding);
  json = p.json;
  for (auto _ : state) {
    auto model = DecodeData<T>(json);
    benchmark::DoNotOptimize(model);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * p.json.size()));
}

template <class T>
void BM_Encode(benchmark::State& state, const Payload& (*payload)()) {
  const Payload& p = payload();
  auto model = *DecodeData<T>(p.json);
  for (auto _ : state) {
    auto json = EncodeData(model);
    benchmark::DoNotOptimize(json.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * p.json.size()));
}

// ---- raw OpenSSL reference: the same work an implementation cannot avoid.

struct Raw {
  EVP_CIPHER* aes = EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr);
  EVP_CIPHER_CTX* cctx = EVP_CIPHER_CTX_new();
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* keyed = EVP_MAC_CTX_new(hmac);
  Raw() {
    char md5[] = "MD5";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, md5, 0), OSSL_PARAM_construct_end()};
    EVP_MAC_init(keyed, reinterpret_cast<const unsigned char*>(kKeys.sig_secret.data()), kKeys.sig_secret.size(), params);
  }
  ~Raw() {
    EVP_MAC_CTX_free(keyed);
    EVP_MAC_free(hmac);
    EVP_CIPHER_CTX_free(cctx);
    EVP_CIPHER_free(aes);
  }
  void Mac(const std::string& data, unsigned char* out) const {
    EVP_MAC_CTX* m = EVP_MAC_CTX_dup(keyed);
    std::size_t n = 0;
    EVP_MAC_update(m, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    EVP_MAC_final(m, out, &n, 16);
    EVP_MAC_CTX_free(m);
  }
};

void BM_RawCryptoIn(benchmark::State& state, const Payload& (*payload)()) {
  const Payload& p = payload();
  Raw raw;
  const std::string data = ParseRequestEnvelope(p.body)->data;
  std::string cipher(data.size(), '\0');
  std::string plain(data.size() + 16, '\0');
  const auto* key = reinterpret_cast<const unsigned char*>(kKeys.data_secret.data());
  const auto* iv = reinterpret_cast<const unsigned char*>(kKeys.data_iv.data());
  for (auto _ : state) {
    unsigned char mac[16];
    raw.Mac(data, mac);
    const int clen = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(cipher.data()),
                                     reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
    int n1 = 0;
    int n2 = 0;
    EVP_DecryptInit_ex2(raw.cctx, raw.aes, key, iv, nullptr);
    EVP_DecryptUpdate(raw.cctx, reinterpret_cast<unsigned char*>(plain.data()), &n1,
                      reinterpret_cast<const unsigned char*>(cipher.data()), clen - clen % 16);
    benchmark::DoNotOptimize(mac);
    benchmark::DoNotOptimize(n1 + n2);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * p.json.size()));
}

void BM_RawCryptoOut(benchmark::State& state, const Payload& (*payload)()) {
  const Payload& p = payload();
  Raw raw;
  std::string cipher(p.json.size() + 16, '\0');
  std::string b64(4 * ((p.json.size() + 18) / 3), '\0');
  const auto* key = reinterpret_cast<const unsigned char*>(kKeys.data_secret.data());
  const auto* iv = reinterpret_cast<const unsigned char*>(kKeys.data_iv.data());
  for (auto _ : state) {
    int n1 = 0;
    int n2 = 0;
    EVP_EncryptInit_ex2(raw.cctx, raw.aes, key, iv, nullptr);
    EVP_EncryptUpdate(raw.cctx, reinterpret_cast<unsigned char*>(cipher.data()), &n1,
                      reinterpret_cast<const unsigned char*>(p.json.data()), static_cast<int>(p.json.size()));
    EVP_EncryptFinal_ex(raw.cctx, reinterpret_cast<unsigned char*>(cipher.data()) + n1, &n2);
    const int blen = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                     reinterpret_cast<const unsigned char*>(cipher.data()), n1 + n2);
    unsigned char mac[16];
    raw.Mac(std::string(b64.data(), static_cast<std::size_t>(blen)), mac);
    benchmark::DoNotOptimize(mac);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * p.json.size()));
}

void BM_ReplayGuardAdmit(benchmark::State& state) {
  testing::FakeClock clock;
  MemoryReplayGuard guard(clock);
  int seq = 0;
  char buf[16];
  for (auto _ : state) {
    std::snprintf(buf, sizeof buf, "%04d", seq++ % 10000);
    const std::string ts = "2026112309" + std::to_string(1000 + seq / 10000);
    benchmark::DoNotOptimize(guard.Admit("123456789", ts, buf, clock.Now() + std::chrono::seconds(300)));
  }
}

BENCHMARK(BM_ReplayGuardAdmit);

void Register() {
  using benchmark::RegisterBenchmark;
  RegisterBenchmark("Open/small_0.3KB", BM_Open<Instruction>, &Small);
  RegisterBenchmark("RawCryptoIn/small_0.3KB", BM_RawCryptoIn, &Small);
  RegisterBenchmark("Seal/small_0.3KB", BM_Seal<Instruction>, &Small);
  RegisterBenchmark("RawCryptoOut/small_0.3KB", BM_RawCryptoOut, &Small);
  RegisterBenchmark("Open/day_60KB", BM_Open<StationPowerBatch>, &Day);
  RegisterBenchmark("RawCryptoIn/day_60KB", BM_RawCryptoIn, &Day);
  RegisterBenchmark("Seal/day_60KB", BM_Seal<StationPowerBatch>, &Day);
  RegisterBenchmark("RawCryptoOut/day_60KB", BM_RawCryptoOut, &Day);
  RegisterBenchmark("Open/page_1.5MB", BM_Open<StationInfoPage>, &Page);
  RegisterBenchmark("RawCryptoIn/page_1.5MB", BM_RawCryptoIn, &Page);
  RegisterBenchmark("Seal/page_1.5MB", BM_Seal<StationInfoPage>, &Page);
  RegisterBenchmark("RawCryptoOut/page_1.5MB", BM_RawCryptoOut, &Page);
  RegisterBenchmark("Step1ParseEnvelope/day_60KB", BM_ParseEnvelope, &Day);
  RegisterBenchmark("Step3VerifyDecrypt/day_60KB", BM_OpenRequestOnly, &Day);
  RegisterBenchmark("Step1ParseEnvelope/page_1.5MB", BM_ParseEnvelope, &Page);
  RegisterBenchmark("Step3VerifyDecrypt/page_1.5MB", BM_OpenRequestOnly, &Page);
  RegisterBenchmark("JsonDecode/small_0.3KB", BM_Decode<Instruction>, &Small);
  RegisterBenchmark("JsonDecode/day_60KB", BM_Decode<StationPowerBatch>, &Day);
  RegisterBenchmark("JsonDecode/page_1.5MB", BM_Decode<StationInfoPage>, &Page);
  RegisterBenchmark("JsonEncode/small_0.3KB", BM_Encode<Instruction>, &Small);
  RegisterBenchmark("JsonEncode/day_60KB", BM_Encode<StationPowerBatch>, &Day);
  RegisterBenchmark("JsonEncode/page_1.5MB", BM_Encode<StationInfoPage>, &Page);
}

}  // namespace
}  // namespace vgi::proto

int main(int argc, char** argv) {
  vgi::proto::Register();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
