#pragma once
// Demand: what a dispatcher asks for — "cut 20 MW in area 1201 from 18:00 to 20:00" — as the
// engine keeps it (store::DemandRow::doc_json) and validates it (issue 5, "Demand and potential").
//
// Pure values and functions: no I/O. Thread safety: none shared.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vgi/base/status.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/decimal.hpp"
#include "vgi/proto/task.hpp"

namespace vgi::engine {

// Who a demand is spread over.
//  kAll        every enabled operator (instructions rangeType 3, one per operator)
//  kOperators  the listed OperatorIDs (rangeType 3)
//  kAreas      stations whose GB/T 2260 area code starts with one of the listed prefixes
//              (2 to 6 digits), grouped under their operators (rangeType 4, the stations listed)
//  kStations   the listed stations, "OPERATORID/STATIONCODE" (rangeType 4)
//  kStakes     the listed stakes, "OPERATORID/STAKECODE" (rangeType 5)
//  kMarkets    the stations the grid topology (store.hpp "grid topology") places in the listed
//              markets: one instruction per operator with such stations (rangeType 1, adjustIDList
//              the listed markets its stations are in), measured over those stations
//  kTransformerAreas  the same for transformer areas, 台区 (rangeType 2)
enum class ScopeKind { kAll, kOperators, kAreas, kStations, kStakes, kMarkets, kTransformerAreas };

// "all", "operators", "areas", "stations", "stakes", "markets", "transformer-areas".
std::string_view ScopeKindName(ScopeKind kind);
std::optional<ScopeKind> ParseScopeKind(std::string_view name);
// "all, operators, areas, stations, stakes, markets or transformer-areas" (for messages).
std::string_view ScopeKindChoices();

struct DemandScope {
  ScopeKind kind = ScopeKind::kAll;
  std::vector<std::string> ids;  // empty for kAll
  friend bool operator==(const DemandScope&, const DemandScope&) = default;
};

// What a dispatcher asks for. Windows use the protocol's AdjustTarget: endTime is the window's
// last minute (inclusive), target in kW (> 0).
struct DemandSpec {
  std::string task_id;  // "" = the engine makes one ("D" + Beijing yyyyMMddHHmmss + 4 hex)
  proto::RegulationType type = proto::RegulationType::kPeakShaving;
  DemandScope scope;
  std::vector<proto::AdjustTarget> windows;  // in time order, not overlapping
  bool is_force = false;
  // Operators must answer by then; default: the engine's accept_lead before the first window.
  std::optional<proto::BeijingMinute> accept_deadline;
  std::optional<int> reserve_margin_bp;  // default: the engine's
  std::string created_by;  // who asked (user name, "cli")
  std::string note;
  friend bool operator==(const DemandSpec&, const DemandSpec&) = default;
};

// Invalid naming the field and the rule, e.g. "windows[1].start: 2026-12-04 18:00 overlaps
// windows[0] (ends 2026-12-04 18:59)", "scope.ids[0]: \"12\" is not an area code prefix (2 to 6
// digits)", "windows[0].start: 2026-12-04 08:00 has passed". `now` decides what has passed.
// task_id, when given, must be 1..60 characters of [0-9A-Za-z_-] (regulationIDs append "-NNN").
Status ValidateDemand(const DemandSpec& spec, proto::BeijingMinute now);

// "peak" / "valley" (also accepted: "1"/"2", "peak-shaving"/"valley-filling").
std::optional<proto::RegulationType> ParseRegulationType(std::string_view text);
std::string_view RegulationTypeName(proto::RegulationType type);  // "peak" / "valley"

// "KW,yyyy-MM-dd HH:mm,yyyy-MM-dd HH:mm" (the end minute inclusive), e.g.
// "20000,2026-12-04 18:00,2026-12-04 19:59". Invalid naming the text and the form.
Result<proto::AdjustTarget> ParseWindow(std::string_view text);

}  // namespace vgi::engine
