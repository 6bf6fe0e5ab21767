#pragma once
// The grid topology file an administrator imports (`vgi topology import`, the console's topology
// panel): which market and which transformer area (台区) each station is in, so that a demand can
// be scoped to markets or transformer areas (store.hpp "grid topology").
//
// The file is CSV (vgi/base/csv.hpp), UTF-8 with or without a BOM. Its first non-comment line is a
// header naming the four columns in any order:
//     operator_id,station_code,market_id,transformer_area_id
// then one line per station. Blank lines and lines starting with '#' are skipped.
//
// Thread-safe; only CheckTopologyAgainstModels reads the store.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vgi/base/status.hpp"
#include "vgi/store/store.hpp"

namespace vgi::engine {

inline constexpr std::size_t kMaxTopologyBytes = 64u << 20;
inline constexpr std::size_t kMaxTopologyRows = 1'000'000;

// The rows in file order. Invalid naming the line and the rule, e.g.
//   "line 1: the header lacks column transformer_area_id (it needs operator_id, station_code,
//    market_id, transformer_area_id)"
//   "line 7: 3 fields where the header has 4"
//   "line 9: market_id: \"M 1\" is not 1..64 characters of [0-9A-Za-z_.-]"
//   "line 12: station 123456789/S1 repeats line 4"
Result<std::vector<store::TopologyEntry>> ParseTopologyCsv(std::string_view text);

// The header and one line per entry: what ParseTopologyCsv reads back to the same entries.
std::string FormatTopologyCsv(const std::vector<store::TopologyEntry>& entries);

// One market or transformer area: how many stations and operators it holds.
struct TopologyGroup {
  std::string id;
  int stations = 0;
  int operators = 0;
  friend bool operator==(const TopologyGroup&, const TopologyGroup&) = default;
};

struct TopologySummary {
  std::vector<TopologyGroup> markets;            // by id
  std::vector<TopologyGroup> transformer_areas;  // by id
};

TopologySummary SummarizeTopology(const std::vector<store::TopologyEntry>& entries);

// How a topology agrees with what the grid holds: operators it names that are not peers, and rows
// naming a station that is not an active station of its operator's model (not synced yet,
// retired, or wrong in the file) — demands cover only active stations. One station-index read
// per operator.
struct ModelCheck {
  std::vector<std::string> unknown_operators;  // ascending
  std::int64_t unmodelled = 0;
  std::string first_unmodelled;  // "OPERATORID/STATIONCODE" of the first such row, in entry order
};
Result<ModelCheck> CheckTopologyAgainstModels(store::Store& store, const std::vector<store::TopologyEntry>& entries);

}  // namespace vgi::engine
