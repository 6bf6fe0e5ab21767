// The Regulator's market and transformer-area scopes (rangeType 1 and 2): which stations the grid
// topology places in them, the check made when such a demand is created, and the refusal when
// none of those stations can take part.
#include <numeric>
#include <set>

#include "regulator_impl.hpp"

namespace vgi::engine {
namespace {

bool IsMarket(const DemandScope& scope) { return RangeOf(scope.kind) == proto::RangeType::kMarket; }

}  // namespace

proto::RangeType RangeOf(ScopeKind kind) {
  switch (kind) {
    case ScopeKind::kAll:
    case ScopeKind::kOperators: return proto::RangeType::kOperator;
    case ScopeKind::kAreas:
    case ScopeKind::kStations: return proto::RangeType::kStation;
    case ScopeKind::kStakes: return proto::RangeType::kStake;
    case ScopeKind::kMarkets: return proto::RangeType::kMarket;
    case ScopeKind::kTransformerAreas: return proto::RangeType::kTransformerArea;
  }
  return proto::RangeType::kOperator;
}

Status NothingCovered(const DemandScope& scope, const TopologyCover& cover) {
  const std::size_t named = std::accumulate(cover.begin(), cover.end(), std::size_t{0},
                                            [](std::size_t n, const auto& c) { return n + c.second.size(); });
  return Status::Invalid(std::string("scope: the grid topology places no active station of an enabled operator in ") +
                         (IsMarket(scope) ? "these markets" : "these transformer areas") + " (it names " +
                         std::to_string(named) + " stations there; are their operators' models synced?)");
}

Result<TopologyCover> Regulator::Impl::CoverOf(const DemandScope& scope) {
  const bool market = IsMarket(scope);
  store::TopologyFilter filter;
  filter.kind = market ? store::TopologyKind::kMarket : store::TopologyKind::kTransformerArea;
  filter.ids = scope.ids;
  auto topology = store.ListTopology(filter);
  if (!topology.ok()) return topology.status();
  TopologyCover cover;
  for (auto& e : *topology) {
    cover[e.operator_id][e.station_code] = market ? std::move(e.market_id) : std::move(e.transformer_area_id);
  }
  return cover;
}

Status Regulator::Impl::CheckTopologyScope(const DemandScope& scope) {
  const proto::RangeType range = RangeOf(scope.kind);
  if (range != proto::RangeType::kMarket && range != proto::RangeType::kTransformerArea) return Status::Ok();
  const bool market = range == proto::RangeType::kMarket;
  auto info = store.GetTopologyInfo();
  if (!info.ok()) return info.status();
  if (info->stations == 0) {
    return Status::Invalid(std::string("scope: the grid topology is empty, so no station is in any ") +
                           (market ? "market" : "transformer area") +
                           "; an administrator imports it with `vgi topology import FILE.csv`");
  }
  auto cover = CoverOf(scope);
  if (!cover.ok()) return cover.status();
  std::set<std::string_view> held;
  for (const auto& [op, stations] : *cover) {
    for (const auto& [code, id] : stations) held.insert(id);
  }
  for (std::size_t i = 0; i < scope.ids.size(); ++i) {
    if (held.contains(scope.ids[i])) continue;
    return Status::Invalid("scope.ids[" + std::to_string(i) + "]: \"" + scope.ids[i] + "\" is no " +
                           (market ? "market" : "transformer area") + " of the grid topology (version " +
                           std::to_string(info->version) + ", " + std::to_string(info->stations) +
                           " stations; `vgi topology list` shows them)");
  }
  return Status::Ok();
}

}  // namespace vgi::engine
