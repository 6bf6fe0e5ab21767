#pragma once
// The protocol's interfaces (seed 5.5, 5.7, 7) and where they are served.

#include <span>
#include <string_view>

namespace vgi::proto {

enum class Interface {
  kQueryToken,
  kSendStationInfo,
  kSendStationPower1440,
  kSendTask,
  kQueryTaskResult,
  kCallbackTaskOverview,
  kCallbackTaskCheck,
  kExchangeInviteplanPush,
};

enum class Direction { kOperatorToGrid, kGridToOperator, kBoth };

struct InterfaceInfo {
  Interface id;
  std::string_view name;  // the last path segment, e.g. "send_station_power_1440"
  Direction direction;
  bool needs_token;       // every call but query_token carries a bearer token
  bool response_has_data; // whether the response Data carries a model
};

inline constexpr std::string_view kPathPrefix = "/evcs/v1/";
// The seed's 5.5.2 names this path for query_token; served as an alias.
inline constexpr std::string_view kQueryTokenAlias = "/api/cec/query_token";

std::span<const InterfaceInfo> AllInterfaces();
const InterfaceInfo& Info(Interface id);
// By name ("send_task"); null when unknown.
const InterfaceInfo* FindInterface(std::string_view name);

}  // namespace vgi::proto
