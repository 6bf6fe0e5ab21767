#include "vgi/proto/interfaces.hpp"

#include <array>

namespace vgi::proto {
namespace {

constexpr std::array<InterfaceInfo, 8> kInterfaces{{
    {Interface::kQueryToken, "query_token", Direction::kBoth, false, true},
    {Interface::kSendStationInfo, "send_station_info", Direction::kOperatorToGrid, true, false},
    {Interface::kSendStationPower1440, "send_station_power_1440", Direction::kOperatorToGrid, true, false},
    {Interface::kSendTask, "send_task", Direction::kGridToOperator, true, false},
    {Interface::kQueryTaskResult, "query_task_result", Direction::kGridToOperator, true, true},
    {Interface::kCallbackTaskOverview, "callback_task_overview", Direction::kOperatorToGrid, true, false},
    {Interface::kCallbackTaskCheck, "callback_task_check", Direction::kOperatorToGrid, true, false},
    {Interface::kExchangeInviteplanPush, "exchange_inviteplan_push", Direction::kGridToOperator, true, false},
}};

}  // namespace

std::span<const InterfaceInfo> AllInterfaces() { return kInterfaces; }

const InterfaceInfo& Info(Interface id) { return kInterfaces[static_cast<std::size_t>(id)]; }

const InterfaceInfo* FindInterface(std::string_view name) {
  for (const auto& info : kInterfaces) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

}  // namespace vgi::proto
