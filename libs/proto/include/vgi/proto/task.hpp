#pragma once
// Regulation instructions (seed 6.5, 7.3-7.6): send_task, query_task_result,
// callback_task_overview, callback_task_check.

#include <optional>
#include <string>
#include <vector>

#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/decimal.hpp"

namespace vgi::proto {

enum class RegulationType : int { kPeakShaving = 1, kValleyFilling = 2 };  // 1 削峰, 2 填谷
enum class SynchroType : int { kNew = 1, kChange = 2, kCancel = 3 };
// protocol.md: the 7.3 numbering everywhere (7.4's table differs and is not used).
enum class RangeType : int {
  kMarket = 1, kTransformerArea = 2, kOperator = 3, kStation = 4, kStake = 5,
};
enum class InstructionStatus : int { kRejected = 0, kAccepted = 1, kProcessing = 2 };
enum class Feedback : int { kReject = 0, kAccept = 1 };

// One window of an instruction. endTime is the window's last minute (inclusive): the seed's
// example chains windows as 12:29 .. next day 12:29, then 12:30 ...
struct AdjustTarget {
  Kilowatts target_power;
  BeijingMinute start_time;
  BeijingMinute end_time;
  friend bool operator==(const AdjustTarget&, const AdjustTarget&) = default;
};

// send_task Data: a new, changed or cancelled instruction.
struct Instruction {
  std::string task_id;        // the demand; same across new/change/cancel
  std::string regulation_id;  // unique per instruction
  RegulationType type{};
  SynchroType synchro_type{};
  RangeType range_type{};
  bool is_force = false;
  std::vector<std::string> adjust_ids;       // adjustIDList
  std::optional<std::string> credit_code;    // sensitive; required for station/stake ranges
  std::vector<AdjustTarget> targets;         // adjustTargetList
  friend bool operator==(const Instruction&, const Instruction&) = default;
};

// query_task_result request Data.
struct InstructionRef {
  std::string task_id;
  std::string regulation_id;
  friend bool operator==(const InstructionRef&, const InstructionRef&) = default;
};

// query_task_result response Data: the instruction as the operator holds it, and its status.
struct InstructionResult {
  Instruction instruction;
  InstructionStatus status{};
  friend bool operator==(const InstructionResult&, const InstructionResult&) = default;
};

// callback_task_overview Data: accept or reject the whole instruction.
struct InstructionFeedback {
  std::string task_id;
  std::string regulation_id;
  Feedback status{};
  friend bool operator==(const InstructionFeedback&, const InstructionFeedback&) = default;
};

// callback_task_check Data: accepted with changed (raised or lowered) targets. Like send_task
// without isForce.
struct InstructionAdjustment {
  std::string task_id;
  std::string regulation_id;
  RegulationType type{};
  SynchroType synchro_type{};
  RangeType range_type{};
  std::vector<std::string> adjust_ids;
  std::optional<std::string> credit_code;  // sensitive
  std::vector<AdjustTarget> targets;
  friend bool operator==(const InstructionAdjustment&, const InstructionAdjustment&) = default;
};

inline constexpr std::size_t kMaxAdjustIds = 10000;
inline constexpr std::size_t kMaxAdjustTargets = 1440;

}  // namespace vgi::proto
