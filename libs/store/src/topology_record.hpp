#pragma once
// Private to the store: the checks every backend runs on a topology before replacing it.

#include <vector>

#include "vgi/store/store.hpp"

namespace vgi::store::record {

// Every entry passes CheckTopologyEntry (prefixed "topology[i]") and no (operator_id,
// station_code) repeats; see Store::ReplaceTopology.
Status CheckTopology(const std::vector<TopologyEntry>& entries);

// The entry matches the filter (TopologyFilter's contract).
bool TopologyMatches(const TopologyEntry& entry, const TopologyFilter& filter);

}  // namespace vgi::store::record
