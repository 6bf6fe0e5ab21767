#pragma once
// Shared by `vgi sim` and `vgi demo`: connecting simulated operators and a grid both ways, and the
// command-line spelling of simulator policies.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "vgi/base/random.hpp"
#include "vgi/base/status.hpp"
#include "vgi/server/peer_registry.hpp"
#include "vgi/sim/simulator.hpp"

namespace vgi::app {

// Registers every simulated operator with the grid (its outbound keys are the ones the sim issued;
// fresh inbound keys are generated, as `vgi peer add` would) and hands the inbound keys to the sim.
// The peers are written to the grid's store; a running grid picks them up within seconds.
Status RegisterBothWays(server::PeerRegistry& registry, sim::Simulator& simulator, RandomSource& random);

// "accept", "reject", "partial[:RATIO]", each optionally followed by "@DELAY" (simulated time, e.g.
// "partial:0.6@5m"). Invalid naming the rule.
Result<sim::Policy> ParsePolicy(const std::string& text);

// "OPERATORID=POLICY" (see ParsePolicy) into options.policies.
Status ParseOperatorPolicies(const std::vector<std::string>& items, sim::SimOptions& options);

// --seed, --operators, --stations, --stakes into `fleet` (defaults shown in --help).
void AddFleetOptions(CLI::App& cmd, sim::FleetOptions& fleet);

}  // namespace vgi::app
