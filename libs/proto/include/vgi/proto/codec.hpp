#pragma once
// Data encode/decode with strict validation, for every model the protocol carries.
//
// DecodeData<T> parses JSON text into T and checks every rule the seed and protocol.md state:
// required fields, JSON types, enums, decimal places, date/time forms, ranges, list sizes and
// cross-field rules. The first failure is returned as a Status whose message starts with the
// JSON path, e.g. `stationList[3].stakeList[0].type: 9 is not one of 1..7`:
//   - Data empty (`null`, `{}`, blank)                      -> Empty   (Ret 4000)
//   - any rule broken                                      -> Invalid (Ret 4003)
//   - not UTF-8 or not JSON                                -> UndecryptableData() (4003, uniform)
// Lenient where protocol.md says so: an ID field typed string may arrive as a JSON integer;
// with CodecOptions::case_insensitive_keys (responses from peers) key names match in any case.
// Unknown keys are ignored (after checking they are well-formed JSON within the depth limit).
//
// EncodeData<T> writes compact JSON with every decimal at its fixed precision ("30.00").
//
// Thread safety: all functions may be called concurrently (each thread keeps its own parser).

#include <string>

#include "vgi/base/status.hpp"
#include "vgi/proto/auth.hpp"
#include "vgi/proto/crypto.hpp"
#include "vgi/proto/interfaces.hpp"
#include "vgi/proto/keys.hpp"
#include "vgi/proto/settlement.hpp"
#include "vgi/proto/station.hpp"
#include "vgi/proto/station_power.hpp"
#include "vgi/proto/task.hpp"
#include "vgi/proto/wire_profile.hpp"

namespace vgi::proto {

struct CodecOptions {
  // Set when the peer's profile has field_encryption on: sensitive fields are base64 AES strings.
  const DataCipher* field_cipher = nullptr;
  // Lenient key matching, for responses from peers.
  bool case_insensitive_keys = false;
  int max_depth = 32;
  std::size_t max_bytes = std::size_t{16} << 20;  // JSON text larger than this is refused
};

// The codec options for a peer's Data under its wire profile: its field-level encryption (with the
// key set the message is sealed with) and, for responses the peer sends, lenient key matching.
// `keys` must outlive the returned options.
CodecOptions CodecOptionsFor(const WireProfile& profile, const PreparedKeys& keys, bool peer_response);

// The models DecodeData/EncodeData are defined for.
template <class T>
inline constexpr bool kIsDataModel =
    std::is_same_v<T, StationInfoPage> || std::is_same_v<T, StationPowerBatch> ||
    std::is_same_v<T, Instruction> || std::is_same_v<T, InstructionRef> ||
    std::is_same_v<T, InstructionResult> || std::is_same_v<T, InstructionFeedback> ||
    std::is_same_v<T, InstructionAdjustment> || std::is_same_v<T, SettlementPush> ||
    std::is_same_v<T, TokenRequest> || std::is_same_v<T, TokenResponse>;

// `json` may have any capacity; one with kJsonPadding spare bytes (what DataCipher::Decrypt
// produces) is parsed in place, anything else is copied first.
template <class T>
Result<T> DecodeData(const std::string& json, const CodecOptions& options = {});

template <class T>
std::string EncodeData(const T& value, const CodecOptions& options = {});

// Validates `json` as the request (or response) Data of `interface` and returns it re-encoded
// in canonical form. For interfaces whose response carries no model, a response must be empty.
Result<std::string> CanonicalData(Interface interface, bool response, const std::string& json,
                                  const CodecOptions& options = {});

// The SIMD kernel the JSON parser was compiled for ("haswell" with AVX2; "fallback" is slow).
const char* JsonKernel();

#define VGI_PROTO_DECLARE_CODEC(T)                                                         \
  extern template Result<T> DecodeData<T>(const std::string&, const CodecOptions&);       \
  extern template std::string EncodeData<T>(const T&, const CodecOptions&);
VGI_PROTO_DECLARE_CODEC(StationInfoPage)
VGI_PROTO_DECLARE_CODEC(StationPowerBatch)
VGI_PROTO_DECLARE_CODEC(Instruction)
VGI_PROTO_DECLARE_CODEC(InstructionRef)
VGI_PROTO_DECLARE_CODEC(InstructionResult)
VGI_PROTO_DECLARE_CODEC(InstructionFeedback)
VGI_PROTO_DECLARE_CODEC(InstructionAdjustment)
VGI_PROTO_DECLARE_CODEC(SettlementPush)
VGI_PROTO_DECLARE_CODEC(TokenRequest)
VGI_PROTO_DECLARE_CODEC(TokenResponse)
#undef VGI_PROTO_DECLARE_CODEC

}  // namespace vgi::proto
