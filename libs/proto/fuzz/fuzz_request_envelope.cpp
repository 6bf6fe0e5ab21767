// The responder's whole path for one request body:
//   ParseRequestEnvelope -> OpenRequest (signature, freshness, replay, decrypt, HTML entities)
//   -> CanonicalData for the interface the control byte selects.
// Input: one control byte (fuzz_common.hpp, request_control), then the HTTP body.
//
// Invariants (abort otherwise):
//   - every error maps to Ret 4000/4003/4009/500 and has a message;
//   - a parsed envelope serializes and parses back to the same envelope;
//   - with replay_check on, opening the same envelope a second time is refused as 4009;
//   - canonical Data is a fixed point: CanonicalData of it gives it back unchanged.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/proto/envelope.hpp"
#include "vgi/proto/interfaces.hpp"
#include "vgi/proto/replay_guard.hpp"

namespace {

using namespace vgi;
using namespace vgi::proto;
namespace ctl = vgi::fuzz::request_control;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  const Interface interface = static_cast<Interface>(control & ctl::kInterfaceMask);
  WireProfile profile;
  profile.replay_check = (control & ctl::kReplayCheckOff) == 0;
  profile.unescape_html_entities = (control & ctl::kUnescapeOff) == 0;
  profile.field_encryption = (control & ctl::kFieldEncryption) != 0;
  const PreparedKeys& keys = fuzz::FixedKeys();
  const Clock& clock = fuzz::FixedClock();

  // 1. The envelope's form.
  Result<RequestEnvelope> parsed = ParseRequestEnvelope(body);
  if (!parsed.ok()) {
    fuzz::CheckAnswerable(parsed.status(), "ParseRequestEnvelope");
    return 0;
  }
  RequestEnvelope envelope = std::move(parsed).value();
  {
    const std::string serialized = SerializeRequestEnvelope(envelope);
    const Result<RequestEnvelope> reparsed = ParseRequestEnvelope(serialized);
    VGI_FUZZ_CHECK(reparsed.ok(), "re-parsing a serialized envelope failed: " + reparsed.status().ToString() +
                                      "\n  serialized: " + serialized);
    VGI_FUZZ_CHECK(*reparsed == envelope, "a serialized envelope parsed back differently\n  serialized: " + serialized);
  }

  // 2. (the bearer token is the server's business.) An authenticated peer, if the control byte says so.
  if ((control & ctl::kPlaintextData) != 0) {
    const std::string plaintext = envelope.data;
    envelope = SealRequest(envelope.operator_id, plaintext, Stamp{envelope.timestamp, envelope.seq}, keys);
    const std::string body_at_once = SealRequestBody(envelope.operator_id, plaintext, Stamp{envelope.timestamp, envelope.seq}, keys);
    VGI_FUZZ_CHECK(body_at_once == SerializeRequestEnvelope(envelope),
                   "SealRequestBody differs from SerializeRequestEnvelope(SealRequest(...))\n  body: " + body_at_once);
  } else if ((control & ctl::kResign) != 0) {
    envelope.sig = keys.signer().Sign({envelope.operator_id, envelope.data, envelope.timestamp, envelope.seq});
  }

  // 3. Signature, freshness, replay, decryption. A fresh guard per input keeps runs deterministic.
  MemoryReplayGuard guard(clock);
  ReplayGuard* replay = profile.replay_check ? &guard : nullptr;
  Result<std::string> opened = OpenRequest(envelope, keys, profile, clock, replay);
  if (!opened.ok()) {
    fuzz::CheckAnswerable(opened.status(), "OpenRequest");
    return 0;
  }
  if (profile.replay_check) {
    const Result<std::string> replayed = OpenRequest(envelope, keys, profile, clock, replay);
    VGI_FUZZ_CHECK(!replayed.ok() && replayed.status().code() == StatusCode::kUnauthenticated,
                   "the same envelope was admitted twice: " + replayed.status().ToString());
  }

  // 4. Data, as the interface's request model.
  CodecOptions options;
  options.field_cipher = profile.field_encryption ? &keys.cipher() : nullptr;
  const Result<std::string> canonical = CanonicalData(interface, /*response=*/false, *opened, options);
  if (!canonical.ok()) {
    fuzz::CheckAnswerable(canonical.status(), "CanonicalData");
    return 0;
  }
  const Result<std::string> again = CanonicalData(interface, /*response=*/false, *canonical, options);
  VGI_FUZZ_CHECK(again.ok(), std::string(Info(interface).name) + ": canonical Data does not validate: " +
                                 again.status().ToString() + "\n  canonical: " + *canonical);
  VGI_FUZZ_CHECK(*again == *canonical, std::string(Info(interface).name) +
                                           ": canonical Data is not a fixed point\n  first:  " + *canonical +
                                           "\n  second: " + *again);
  return 0;
}
