#pragma once
// WireProfile: what may differ from one peer to the next on the wire. The defaults are what
// ../shared/protocol.md decides; a peer that needs otherwise gets its own profile (peer config).

#include <chrono>
#include <cstddef>

namespace vgi::proto {

enum class ResponseDialect {
  kStandard,  // 5.3.2: {"Ret":0,"Msg":"...","Data":"...","Sig":"..."}
  kExample,   // the seed's per-interface examples: {"ret":200,"msg":"...","data":null,"timestamp":"...","sig":"..."}
};

struct WireProfile {
  // How vgi answers this peer's requests. Responses from the peer are parsed leniently either way.
  ResponseDialect response_dialect = ResponseDialect::kStandard;
  // Replace &lt; &gt; &amp; &quot; &copy; &nbsp; after decryption, as the seed's Java reference does.
  bool unescape_html_entities = true;
  // The fields the seed marks "(加密)" travel as base64 AES strings under the same keys.
  bool field_encryption = false;
  // Refuse requests whose TimeStamp is more than clock_skew from our clock, and a second request
  // with the same (OperatorID, TimeStamp, Seq). Off only for legacy peers that cannot comply.
  bool replay_check = true;
  std::chrono::seconds clock_skew{300};
  // Refuse a response that carries no Sig or a wrong one (the peer's Data is never trusted
  // without it). Off only for peers that answer in the unsigned example dialect.
  bool require_response_sig = true;
  friend bool operator==(const WireProfile&, const WireProfile&) = default;
};

struct Limits {
  std::size_t max_body_bytes = std::size_t{16} << 20;  // a whole request or response body
  int max_json_depth = 32;                             // nesting inside Data
};

}  // namespace vgi::proto
