#pragma once
// Decomposition of one window's target over participants (issue 5, "Decomposition and
// negotiation"): operators, or stations/stakes grouped under their operators.
//
// Pure functions: no I/O, no clock, no store; thread-safe (no shared state); every value
// returned is owned by the caller. Power is exact centi-kW (proto::Kilowatts); doubles appear
// only in explanations meant for people (share percentages).
//
// The rule, computed exactly in centi-kW:
//  1. usable_i = min(floor(potential_i × (10000 − reserve_margin_bp) / 10000), limit_i);
//     a negative potential counts as 0.
//  2. covered = min(target, Σ usable_i); uncovered = target − covered.
//  3. Water-filling in proportion to potential: each gets covered × potential_i / Σ potential
//     over the participants still uncapped; whoever that would push to its usable value gets
//     exactly its usable value, and the rest is re-spread over the others in proportion, until
//     nobody is over.
//  4. The uncapped ones get the floor of their exact share in centi-kW; the centi-kW left over
//     (fewer than the number of uncapped participants) go one each to the largest exact-share
//     remainders, ties broken by participant ID in ascending byte order ("largest remainder").
//     So allocations sum to exactly `covered`, equal potential gets an equal share up to that
//     one centi-kW, and the same input always gives the same output.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vgi/base/status.hpp"
#include "vgi/proto/decimal.hpp"
#include "vgi/proto/task.hpp"

namespace vgi::engine {

enum class ParticipantKind { kOperator, kStation, kStake };

// The instruction's rangeType for a participant kind (protocol.md numbering): operator scopes
// are 3, a station 4, a stake 5.
proto::RangeType RangeTypeFor(ParticipantKind kind);

// Potential from a StationPower reading: peak shaving (削峰) can lower the load down to
// adjustBottomPower, valley filling (填谷) can raise it up to adjustTopPower. Never negative.
proto::Kilowatts PotentialOf(proto::RegulationType type, proto::Kilowatts current,
                             proto::Kilowatts adjust_bottom, proto::Kilowatts adjust_top);

struct Participant {
  ParticipantKind kind = ParticipantKind::kOperator;
  std::string id;           // operator ID, station code or stake code; unique within a request
  std::string operator_id;  // the operator it belongs to (for an operator: its own ID)
  proto::Kilowatts potential;             // for the window's direction; < 0 counts as 0
  std::optional<proto::Kilowatts> limit;  // an own cap below the usable potential, if any
};

inline constexpr int kBasisPoints = 10000;  // 100 %

struct AllocationRequest {
  proto::RegulationType type = proto::RegulationType::kPeakShaving;
  proto::Kilowatts target;                  // >= 0
  int reserve_margin_bp = 1000;             // 0..10000; 1000 = keep 10 % of each potential back
  std::vector<Participant> participants;    // any order; the result keeps it
};

enum class CapReason {
  kNone,             // got its proportional share
  kUsablePotential,  // got all of potential × (1 − margin)
  kLimit,            // got all of its own limit
};

// Why a participant got what it got; stored with the instruction and shown in the console.
struct AllocationExplanation {
  proto::Kilowatts potential;  // as given, negatives shown as 0
  proto::Kilowatts usable;     // after the reserve margin and the limit
  int reserve_margin_bp = 0;
  double share_percent = 0;    // allocated / covered × 100 (for people; 0 when nothing covered)
  CapReason cap = CapReason::kNone;
};

struct ParticipantAllocation {
  ParticipantKind kind = ParticipantKind::kOperator;
  std::string id;
  std::string operator_id;
  proto::Kilowatts allocated;
  AllocationExplanation explanation;
};

struct Allocation {
  proto::Kilowatts target;
  proto::Kilowatts covered;    // Σ allocated = min(target, Σ usable)
  proto::Kilowatts uncovered;  // target − covered; > 0 raises the "uncovered" alarm upstream
  std::vector<ParticipantAllocation> items;  // same order as the request's participants
};

// One line for people, e.g. "S1: potential 200.00 kW, usable 180.00 kW after 10.00% reserve,
// allocated 120.00 kW (40.00% of 300.00 kW), capped at usable potential".
std::string ExplainText(const ParticipantAllocation& item, proto::Kilowatts covered);

// Invalid when: target < 0; reserve_margin_bp outside 0..10000; an ID is empty or repeated;
// a limit is negative.
Result<Allocation> Allocate(const AllocationRequest& request);

// Two levels: first over operators (each weighted by the sum of its members' potential, capped
// by the sum of its members' usable values), then each operator's share over its own members
// by the same rule. `request.participants` are stations or stakes with operator_id set.
struct GroupedAllocation {
  // Items are operators, in order of first appearance in the request. An operator's cap reason
  // is kLimit only when one of its members has a binding limit.
  Allocation operators;
  Allocation members;    // items in the request's order; target = covered = operators.covered
};
// Errors as Allocate, plus Invalid for an empty operator_id.
Result<GroupedAllocation> AllocateGrouped(const AllocationRequest& request);

// Negotiation: what each participant answered to its allocation.
enum class Acceptance { kFull, kPartial, kRejected };
struct ParticipantResponse {
  std::string id;
  Acceptance acceptance = Acceptance::kFull;
  proto::Kilowatts accepted;  // read only for kPartial: 0 <= accepted <= allocated
};

struct RedispatchOptions {
  // A partial acceptor has said what it can do, so by default it is not asked again; true
  // offers it its remaining usable value like everyone else who accepted.
  bool retry_partial = false;
};

struct Redispatch {
  proto::Kilowatts shortfall;  // Σ (allocated − accepted) over the responses
  // The shortfall over participants that accepted in full (and partial ones if retry_partial),
  // in proportion to their remaining usable value (usable − accepted; the margin was already
  // applied, so none again). allocation.uncovered is what nobody can take any more.
  // Participants with nothing remaining are left out of the items.
  Allocation allocation;
};

// A participant of `previous` without a response counts as having accepted in full (an answer
// still outstanding is not a refusal; call again when it comes). Invalid when a response names
// an ID not in `previous`, repeats an ID, or a partial one is negative or above its allocation.
Result<Redispatch> RedispatchShortfall(const Allocation& previous,
                                       const std::vector<ParticipantResponse>& responses,
                                       const RedispatchOptions& options = {});

}  // namespace vgi::engine
