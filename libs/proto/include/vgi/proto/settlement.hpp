#pragma once
// Clearing and settlement push (seed 7.7, with protocol.md's Decision on its swapped tables).

#include <optional>
#include <string>
#include <vector>

#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/decimal.hpp"
#include "vgi/proto/task.hpp"

namespace vgi::proto {

// One settlement period of an instruction. start/end/energy are vgi's additions that peers
// which do not know them ignore.
struct SettlementPoint {
  Yuan earnings;
  YuanPerKwh price;
  std::optional<BeijingMinute> start_time;
  std::optional<BeijingMinute> end_time;
  std::optional<KilowattHours> energy;
  friend bool operator==(const SettlementPoint&, const SettlementPoint&) = default;
};

// exchange_inviteplan_push Data (grid -> operator); the operator answers with a plain ack.
struct SettlementPush {
  std::string task_id;
  std::string regulation_id;
  RegulationType type{};
  std::vector<SettlementPoint> points;  // in period order
  friend bool operator==(const SettlementPush&, const SettlementPush&) = default;
};

inline constexpr std::size_t kMaxSettlementPoints = 1440;

}  // namespace vgi::proto
