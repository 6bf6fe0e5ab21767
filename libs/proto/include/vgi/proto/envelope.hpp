#pragma once
// Request and response envelopes (seed 5.3, 5.4; protocol.md).
//
// Request:  {"OperatorID","Data","TimeStamp","Seq","Sig"}
//           Sig = HMAC-MD5(SigSecret, OperatorID + Data + TimeStamp + Seq)
// Response: {"Ret","Msg","Data","Sig"}
//           Sig = HMAC-MD5(SigSecret, Ret + Msg + Data), Ret as decimal text
// Both are encrypted and signed with the responder's key set.
//
// A responder handles a request in this order, and never decrypts what failed an earlier step:
//   1. ParseRequestEnvelope: the exact form of every field          (4000 / 4003)
//   2. look up the peer by OperatorID, check its bearer token       (server; 4009)
//   3. OpenRequest: signature (constant time), freshness, replay,   (4009)
//      decrypt (one uniform error for every failure), HTML entities (4003)
//   4. DecodeData<T> (codec.hpp): parse and validate into a model    (4000 / 4003)
//
// Everything here is pure (no I/O); time comes from the Clock passed in.

#include <optional>
#include <string>
#include <string_view>

#include "vgi/base/clock.hpp"
#include "vgi/base/status.hpp"
#include "vgi/proto/keys.hpp"
#include "vgi/proto/replay_guard.hpp"
#include "vgi/proto/ret.hpp"
#include "vgi/proto/stamp.hpp"
#include "vgi/proto/wire_profile.hpp"

namespace vgi::proto {

struct RequestEnvelope {
  std::string operator_id;  // the caller, as the responder knows it
  std::string data;         // base64 ciphertext
  std::string timestamp;    // 14..17 digits
  std::string seq;          // 4 digits
  std::string sig;          // 32 hex digits
  friend bool operator==(const RequestEnvelope&, const RequestEnvelope&) = default;
};

// Step 1. Empty body or an absent/empty field -> Empty (4000); anything not of its exact form
// -> Invalid (4003) naming the field and the rule. Nothing is decrypted or verified here.
Result<RequestEnvelope> ParseRequestEnvelope(const std::string& body, const Limits& limits = {});

// The envelope as JSON text.
std::string SerializeRequestEnvelope(const RequestEnvelope& envelope);

// Requester side: encrypts `data_json` and signs, with the responder's keys.
RequestEnvelope SealRequest(std::string_view operator_id, std::string_view data_json,
                            const Stamp& stamp, const PreparedKeys& responder_keys);

// SerializeRequestEnvelope(SealRequest(...)) in one pass, byte for byte the same text: the base64
// ciphertext is produced straight into the body, in cache-sized pieces that are encrypted,
// encoded and signed one after the other, instead of being built, copied into the envelope and
// then copied again (and scanned for escapes) by the JSON writer.
std::string SealRequestBody(std::string_view operator_id, std::string_view data_json, const Stamp& stamp,
                            const PreparedKeys& responder_keys);

// Step 3, responder side, with the responder's own (inbound) keys. On success returns the Data
// JSON text (with spare capacity for DecodeData). `replay` may be null when the profile has
// replay_check off.
Result<std::string> OpenRequest(const RequestEnvelope& envelope, const PreparedKeys& keys,
                                const WireProfile& profile, const Clock& clock, ReplayGuard* replay);

// Responder side: encrypts `data_json` (empty = no Data), signs Ret+Msg+Data and writes the
// envelope in the profile's dialect. The example dialect's timestamp comes from `clock`.
std::string SealResponse(Ret ret, std::string_view msg, std::string_view data_json,
                         const PreparedKeys& keys, const WireProfile& profile, const Clock& clock);

// A response to a caller the grid cannot sign for (unknown or disabled OperatorID, or an envelope
// too malformed to name one): Ret and Msg with empty Data and an empty Sig. A client must not
// trust it beyond "refused".
std::string UnsignedResponse(Ret ret, std::string_view msg, const WireProfile& profile, const Clock& clock);

struct OpenedResponse {
  Ret ret = Ret::kOk;  // 200 on the wire reads as kOk
  int wire_ret = 0;    // as received
  std::string msg;
  std::optional<std::string> data_json;  // decrypted Data; nullopt when null, absent or empty
  bool sig_verified = false;             // false only for an unsigned answer the profile allowed
  [[nodiscard]] bool ok() const { return ret == Ret::kOk; }
};

// Requester side, with the responder's keys. Lenient as protocol.md says: key names in any case,
// ret 0 or 200 for success, Data null/absent/empty for none, Ret as number or digit string.
// The Sig is verified before Data is decrypted; a missing Sig is refused unless the profile
// has require_response_sig off and there is no Data to trust.
// Errors: Invalid (malformed body), Unauthenticated (missing or wrong Sig), UndecryptableData.
Result<OpenedResponse> OpenResponse(const std::string& body, const PreparedKeys& responder_keys,
                                    const WireProfile& profile, const Limits& limits = {});

// In-place replacement of &lt; &gt; &amp; &quot; &copy; &nbsp; (the seed's unEscapeChar).
void UnescapeHtmlEntities(std::string& text);

}  // namespace vgi::proto
