// The requester's side: OpenResponse on an arbitrary response body, with the fixed keys, under
// require_response_sig on and off (and HTML unescaping on and off); Data that opens is then
// validated as every interface's response Data (case-insensitive keys, as for peers).
//
// Invariants (abort otherwise):
//   - every error maps to Ret 4000/4003/4009/500 and has a message;
//   - what opens with the Sig required opens identically with it optional;
//   - decrypted Data is only ever returned with a Sig that verified (never with require off and
//     no Sig), so the lax setting may only add successes that carry no Data;
//   - canonical response Data is a fixed point.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/proto/envelope.hpp"
#include "vgi/proto/interfaces.hpp"

namespace {

using namespace vgi;
using namespace vgi::proto;

bool Same(const OpenedResponse& a, const OpenedResponse& b) {
  return a.ret == b.ret && a.wire_ret == b.wire_ret && a.msg == b.msg && a.data_json == b.data_json;
}

void CheckData(const std::string& json) {
  CodecOptions options;
  options.case_insensitive_keys = true;
  for (const InterfaceInfo& info : AllInterfaces()) {
    const Result<std::string> canonical = CanonicalData(info.id, /*response=*/true, json, options);
    if (!canonical.ok()) {
      fuzz::CheckAnswerable(canonical.status(), std::string("CanonicalData(") + std::string(info.name) + ")");
      continue;
    }
    const Result<std::string> again = CanonicalData(info.id, /*response=*/true, *canonical, options);
    VGI_FUZZ_CHECK(again.ok() && *again == *canonical,
                   std::string(info.name) + ": canonical response Data is not a fixed point: " +
                       again.status().ToString() + "\n  first: " + *canonical);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const PreparedKeys& keys = fuzz::FixedKeys();
  for (const bool unescape : {true, false}) {
    WireProfile strict;
    strict.unescape_html_entities = unescape;
    strict.require_response_sig = true;
    WireProfile lax = strict;
    lax.require_response_sig = false;

    const Result<OpenedResponse> s = OpenResponse(body, keys, strict);
    const Result<OpenedResponse> l = OpenResponse(body, keys, lax);
    if (!s.ok()) fuzz::CheckAnswerable(s.status(), "OpenResponse(require_response_sig=true)");
    if (!l.ok()) fuzz::CheckAnswerable(l.status(), "OpenResponse(require_response_sig=false)");
    if (s.ok()) {
      VGI_FUZZ_CHECK(l.ok() && Same(*s, *l), "opened with the Sig required but not (or differently) with it optional: " +
                                                 l.status().ToString());
    }
    if (l.ok() && !s.ok()) {
      VGI_FUZZ_CHECK(!l->data_json.has_value(), "Data was decrypted from a response whose Sig was not required and "
                                                "that fails with it required: " + s.status().ToString());
    }
    if (l.ok() && l->data_json) CheckData(*l->data_json);
  }
  return 0;
}
