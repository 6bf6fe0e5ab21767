#pragma once
// Shared pieces of the proto fuzz targets (and of make_fuzz_corpus, which writes their seeds):
// the fixed key set, the fixed clock, an invariant check that aborts (assert() is compiled out
// in Release), and the generic Data-decoder harness.
//
// Every target is deterministic: same input, same path. Nothing here keeps state between runs
// except the immutable keys and clock.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "vgi/proto/codec.hpp"
#include "vgi/proto/crypto.hpp"
#include "vgi/proto/keys.hpp"
#include "vgi/proto/ret.hpp"
#include "vgi/testing/fake_clock.hpp"

namespace vgi::fuzz {

// Prints what broke and aborts, so libFuzzer records the input as a crash.
[[noreturn]] inline void Die(const char* file, int line, std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "\n==== vgi fuzz invariant broken at %s:%d\n  %.*s\n  %.*s\n", file, line,
               static_cast<int>(what.size()), what.data(), static_cast<int>(detail.size()), detail.data());
  std::fflush(stderr);
  std::abort();
}

// VGI_FUZZ_CHECK(cond, detail): `detail` is evaluated only on failure (a std::string or view).
#define VGI_FUZZ_CHECK(cond, detail)                                       \
  do {                                                                     \
    if (!(cond)) ::vgi::fuzz::Die(__FILE__, __LINE__, #cond, (detail));    \
  } while (false)

// The key set every seed is sealed with and every target opens with. Valid under KeyPolicy::kIssued.
inline const proto::KeySet& FixedKeySet() {
  static const proto::KeySet keys{
      .operator_secret = "0123456789ABCDEF0123456789ABCDEF",
      .data_secret = "VgiFuzzDataKey01",
      .data_iv = "VgiFuzzDataIv002",
      .sig_secret = "F00DFACE0123456789ABCDEF0123456789ABCDEF0123456789ABCDEFC0FFEE00",
  };
  return keys;
}

inline const proto::PreparedKeys& FixedKeys() {
  static const proto::PreparedKeys keys = [] {
    const Status valid = proto::ValidateKeySet(FixedKeySet(), proto::KeyPolicy::kIssued);
    VGI_FUZZ_CHECK(valid.ok(), valid.ToString());
    auto prepared = proto::PreparedKeys::Create(FixedKeySet());
    VGI_FUZZ_CHECK(prepared.ok(), prepared.status().ToString());
    return std::move(prepared).value();
  }();
  return keys;
}

// 2024-04-09 12:00:00 Beijing time: the day the sample power points are on. Seeds carry
// TimeStamp 20240409120000, so they are fresh against this clock.
inline SystemTime FixedNow() { return testing::BeijingTime(2024, 4, 9, 12, 0, 0); }

inline const testing::FakeClock& FixedClock() {
  static const testing::FakeClock clock(FixedNow());
  return clock;
}

// fuzz_request_envelope's input is one control byte, then the HTTP body. The control byte:
namespace request_control {
inline constexpr std::uint8_t kInterfaceMask = 0x07;    // bits 0-2: the proto::Interface (0..7)
inline constexpr std::uint8_t kReplayCheckOff = 0x08;   // WireProfile::replay_check = false
inline constexpr std::uint8_t kUnescapeOff = 0x10;      // WireProfile::unescape_html_entities = false
inline constexpr std::uint8_t kFieldEncryption = 0x20;  // field_encryption on (CodecOptions::field_cipher)
// An authenticated peer sending whatever it likes: the harness re-signs the parsed envelope with
// the fixed keys before OpenRequest, so mutated envelopes get past the signature check.
inline constexpr std::uint8_t kResign = 0x40;
// As kResign, and Data holds the plaintext JSON: the harness encrypts it (SealRequest) first, so
// mutations reach decryption, HTML unescaping and the Data decoders.
inline constexpr std::uint8_t kPlaintextData = 0x80;
}  // namespace request_control

// An error a responder answers with must map to one of the protocol's error Rets and say why.
inline void CheckAnswerable(const Status& status, std::string_view step) {
  const proto::Ret ret = proto::RetFor(status);
  VGI_FUZZ_CHECK(ret == proto::Ret::kEmpty || ret == proto::Ret::kInvalid || ret == proto::Ret::kAuthFailed ||
                     ret == proto::Ret::kSystemError,
                 std::string(step) + " returned " + status.ToString());
  VGI_FUZZ_CHECK(!status.message().empty(), std::string(step) + " returned an error with an empty message");
}

// A copy of `text` that the parser reads in place (kJsonPadding spare capacity), with that spare
// capacity filled with JSON-looking bytes, as it is in real use: after UnescapeHtmlEntities
// shrinks a decrypted Data, the bytes past its end are the old tail of the text.
inline std::string WithDirtyPadding(std::string_view text) {
  static constexpr std::string_view kJunk = "\"}]\\\",:{[0123456789.eE-+ truefalsenull\"\"\"}}]]";
  std::string junk(text.substr(0, proto::kJsonPadding));
  while (junk.size() < proto::kJsonPadding) junk.append(kJunk);
  std::string out;
  out.reserve(text.size() + proto::kJsonPadding);
  out.assign(text);
  out.append(junk, 0, proto::kJsonPadding);
  out.resize(text.size());  // shrinking keeps the capacity and leaves the junk in it
  return out;
}

// The option sets every decoder runs with.
struct DecoderMode {
  const char* name;
  bool case_insensitive;
  bool field_cipher;
};
inline constexpr DecoderMode kDecoderModes[] = {
    {"default", false, false},
    {"case_insensitive_keys", true, false},
    {"field_cipher", false, true},
    {"field_cipher+case_insensitive_keys", true, true},
};

inline proto::CodecOptions OptionsFor(const DecoderMode& mode) {
  proto::CodecOptions options;
  options.case_insensitive_keys = mode.case_insensitive;
  options.field_cipher = mode.field_cipher ? &FixedKeys().cipher() : nullptr;
  return options;
}

// The decoder harness. For every option set:
//   - DecodeData<T>(input) either fails with Empty/Invalid (Ret 4000/4003) and a message, or
//   - succeeds, and EncodeData then DecodeData gives an equal value (canonical re-encoding
//     round-trips) whose encoding is the same text again (the canonical form is a fixed point).
// With default options it also decodes a copy parsed in place with dirty padding: the outcome
// must be exactly the same as for the copied input.
template <class T>
int FuzzDecoder(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  for (const DecoderMode& mode : kDecoderModes) {
    const proto::CodecOptions options = OptionsFor(mode);
    const std::string where = std::string("options=") + mode.name;
    Result<T> decoded = proto::DecodeData<T>(input, options);

    if (!mode.case_insensitive && !mode.field_cipher) {
      const std::string padded = WithDirtyPadding(input);
      const Result<T> in_place = proto::DecodeData<T>(padded, options);
      VGI_FUZZ_CHECK(in_place.ok() == decoded.ok() && in_place.status() == decoded.status(),
                     "parsed in place: " + in_place.status().ToString() + " vs copied: " + decoded.status().ToString());
      VGI_FUZZ_CHECK(!decoded.ok() || *in_place == *decoded, "parsed in place gave a different value");
    }

    if (!decoded.ok()) {
      const StatusCode code = decoded.status().code();
      VGI_FUZZ_CHECK(code == StatusCode::kEmpty || code == StatusCode::kInvalid,
                     where + ": DecodeData failed with " + decoded.status().ToString());
      VGI_FUZZ_CHECK(!decoded.status().message().empty(), where + ": DecodeData failed with an empty message");
      continue;
    }
    const std::string encoded = proto::EncodeData(*decoded, options);
    const Result<T> again = proto::DecodeData<T>(encoded, options);
    VGI_FUZZ_CHECK(again.ok(), where + ": re-decoding the canonical encoding failed: " + again.status().ToString() +
                                   "\n  canonical: " + encoded);
    VGI_FUZZ_CHECK(*again == *decoded, where + ": canonical re-encoding decoded to a different value\n  canonical: " +
                                           encoded + "\n  re-encoded: " + proto::EncodeData(*again, options));
    const std::string encoded_again = proto::EncodeData(*again, options);
    VGI_FUZZ_CHECK(encoded_again == encoded,
                   where + ": canonical form is not a fixed point\n  first:  " + encoded + "\n  second: " + encoded_again);
  }
  return 0;
}

}  // namespace vgi::fuzz
