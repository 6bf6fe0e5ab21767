// Schemas of exchange_inviteplan_push (7.7) and query_token (5.5) Data, and CanonicalData.
#include "chars.hpp"
#include "json_codec.hpp"

#include <limits>

namespace vgi::proto {
namespace codec {

constexpr Text kId{.max_len = 64, .id = true};

template <>
struct Schema<SettlementPoint> {
  static const auto& Fields() {
    static const auto fields = std::make_tuple(
        Required("earnings", VGI_AT(earnings), Dec<2>{-1e12, 1e12}),
        Required("price", VGI_AT(price), Dec<4>{-1e6, 1e6}),
        Optional("startTime", VGI_AT(start_time), MinuteRule{}),
        Optional("endTime", VGI_AT(end_time), MinuteRule{}),
        Optional("energy", VGI_AT(energy), Dec<2>{-1e12, 1e12}));
    return fields;
  }
  static Status Check(const SettlementPoint& p, const Path& path) {
    if (p.start_time && p.end_time && *p.end_time < *p.start_time) {
      return Fail(path.Child("endTime"), FormatMinute(*p.end_time) + " is before startTime " + FormatMinute(*p.start_time));
    }
    return Status::Ok();
  }
};

template <>
struct Schema<SettlementPush> {
  static const auto& Fields() {
    static const auto fields = std::make_tuple(
        Required("taskID", VGI_AT(task_id), kId),
        Required("regulationID", VGI_AT(regulation_id), kId),
        Required("type", VGI_AT(type), OneOf<RegulationType, 1, 2>{}),
        Required("points", VGI_AT(points), ListOf<Obj<SettlementPoint>>{{}, 1, kMaxSettlementPoints}));
    return fields;
  }
  // protocol.md 7.7: points are per settlement period, in order.
  static Status Check(const SettlementPush& push, const Path& path) {
    const Path list = path.Child("points");
    for (std::size_t i = 1; i < push.points.size(); ++i) {
      const auto& prev = push.points[i - 1];
      const auto& cur = push.points[i];
      if (prev.end_time && cur.start_time && *cur.start_time <= *prev.end_time) {
        return Fail(list.Item(i).Child("startTime"), FormatMinute(*cur.start_time) +
                                                         " is not after the previous period's endTime " +
                                                         FormatMinute(*prev.end_time) + " (periods must be in order)");
      }
    }
    return Status::Ok();
  }
};

template <>
struct Schema<TokenRequest> {
  static const auto& Fields() {
    static const auto fields = std::make_tuple(
        Required("OperatorID", VGI_AT(operator_id), Text{.id = true, .form = Form::kOperatorId}),
        Required("OperatorSecret", VGI_AT(operator_secret), Text{.max_len = 128, .sensitive = false}));
    return fields;
  }
};

template <>
struct Schema<TokenResponse> {
  static const auto& Fields() {
    static const auto fields = std::make_tuple(
        Required("OperatorID", VGI_AT(operator_id), Text{.id = true, .form = Form::kOperatorId}),
        Required("Code", VGI_AT(code), IntRange<int>{std::numeric_limits<int>::min(), std::numeric_limits<int>::max()}),
        Required("AccessToken", VGI_AT(access_token), Text{.max_len = 1024, .allow_empty = true}),
        Required("TokenAvailableTime", VGI_AT(token_available_time), IntRange<std::int64_t>{0, 10'000'000}),
        Required("Message", VGI_AT(message), Text{.max_len = 1024, .allow_empty = true}));
    return fields;
  }
  static Status Check(const TokenResponse& r, const Path& path) {
    if (r.code == 0 && r.access_token.empty()) return Fail(path.Child("AccessToken"), "must not be empty when Code is 0");
    return Status::Ok();
  }
};

}  // namespace codec

VGI_PROTO_DEFINE_CODEC(SettlementPush)
VGI_PROTO_DEFINE_CODEC(TokenRequest)
VGI_PROTO_DEFINE_CODEC(TokenResponse)

namespace {

template <class T>
Result<std::string> Canonical(const std::string& json, const CodecOptions& options) {
  auto decoded = DecodeData<T>(json, options);
  if (!decoded.ok()) return decoded.status();
  return EncodeData(*decoded, options);
}

}  // namespace

CodecOptions CodecOptionsFor(const WireProfile& profile, const PreparedKeys& keys, bool peer_response) {
  CodecOptions options;
  options.field_cipher = profile.field_encryption ? &keys.cipher() : nullptr;
  options.case_insensitive_keys = peer_response;
  return options;
}

Result<std::string> CanonicalData(Interface interface, bool response, const std::string& json,
                                  const CodecOptions& options) {
  if (response && !Info(interface).response_has_data) {
    if (chars::IsNoData(json)) return std::string();
    return Status::Invalid("Data: the " + std::string(Info(interface).name) + " response carries no Data");
  }
  switch (interface) {
    case Interface::kQueryToken:
      return response ? Canonical<TokenResponse>(json, options) : Canonical<TokenRequest>(json, options);
    case Interface::kSendStationInfo: return Canonical<StationInfoPage>(json, options);
    case Interface::kSendStationPower1440: return Canonical<StationPowerBatch>(json, options);
    case Interface::kSendTask: return Canonical<Instruction>(json, options);
    case Interface::kQueryTaskResult:
      return response ? Canonical<InstructionResult>(json, options) : Canonical<InstructionRef>(json, options);
    case Interface::kCallbackTaskOverview: return Canonical<InstructionFeedback>(json, options);
    case Interface::kCallbackTaskCheck: return Canonical<InstructionAdjustment>(json, options);
    case Interface::kExchangeInviteplanPush: return Canonical<SettlementPush>(json, options);
  }
  return Status::Internal("unknown interface");
}

}  // namespace vgi::proto
