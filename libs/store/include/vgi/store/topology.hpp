#pragma once
// The grid topology's records (the Store methods ReplaceTopology, GetTopologyInfo and
// ListTopology are in store.hpp): which market and which transformer area (台区) each station is
// in. Pure values and checks; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vgi/base/clock.hpp"
#include "vgi/base/status.hpp"

namespace vgi::store {

// Which market and which transformer area (台区) each station is in: the grid's own data (the
// station model of §6.1 does not carry it), imported by an administrator (`vgi topology import`)
// so that a demand can be scoped to markets (rangeType 1) or transformer areas (rangeType 2).
// A station is in at most one market and one transformer area; either may be empty, not both.
// Rows may name stations the operator has not synced yet: the engine scopes only active ones.
struct TopologyEntry {
  std::string operator_id;          // 9 characters of [0-9A-Z]
  std::string station_code;         // 1..64 characters, no control characters
  std::string market_id;            // "" or an ID (CheckTopologyEntry)
  std::string transformer_area_id;  // "" or an ID
  friend bool operator==(const TopologyEntry&, const TopologyEntry&) = default;
};

enum class TopologyKind { kMarket, kTransformerArea };

// The topology in force: which import, when, from what, how many stations.
struct TopologyInfo {
  std::int64_t version = 0;  // 0 = never imported; each ReplaceTopology adds 1
  SystemTime imported_at{};
  std::string source;  // what the importer said it was (file name, user)
  std::int64_t stations = 0;
  friend bool operator==(const TopologyInfo&, const TopologyInfo&) = default;
};

struct TopologyFilter {
  std::string operator_id;  // "" = every operator
  // With ids: the entries whose market (kMarket) or transformer area (kTransformerArea) is one
  // of them. Without ids: every entry (kind ignored).
  TopologyKind kind = TopologyKind::kMarket;
  std::vector<std::string> ids;
};

// Ok, or Invalid naming the field and the rule without a prefix, e.g. `market_id: "M 1" is not
// 1..64 characters of [0-9A-Za-z_.-]`, `market_id, transformer_area_id: both empty (a row must
// place the station in a market, a transformer area or both)`.
Status CheckTopologyEntry(const TopologyEntry& entry);
// A market or transformer-area ID: 1..64 characters of [0-9A-Za-z_.-].
bool IsTopologyId(std::string_view id);

}  // namespace vgi::store
