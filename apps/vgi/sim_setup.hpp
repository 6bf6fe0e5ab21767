#pragma once
// Shared by `vgi sim` and `vgi demo`: connecting simulated operators and a grid both ways, and the
// command-line spelling of simulator policies.

#include <CLI/CLI.hpp>
#include <signal.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "vgi/base/random.hpp"
#include "vgi/base/status.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/server/peer_registry.hpp"
#include "vgi/store/store.hpp"
#include "vgi/sim/fleet.hpp"
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

// Where the fleet's stations are in the grid topology (OperatorFleet::markets and
// transformer_areas), as the grid imports it: what `vgi topology simulate` writes and `vgi demo`
// imports.
std::vector<store::TopologyEntry> FleetTopology(const std::vector<sim::OperatorFleet>& fleets);

// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts afterwards (call it
// before starting any), ignores SIGPIPE, and returns the set for WatchForStop.
sigset_t BlockStopSignals();

// A thread that waits for one of `signals` — or `duration_s` seconds, when > 0 — and then sets
// `stop`. Join it after `stop` is set.
std::thread WatchForStop(const sigset_t& signals, int duration_s, std::atomic<bool>& stop);

// What the grid would have received before the simulation: for each of the `days` days before
// `start`'s, `minutes` minutes from `start`'s time of day, every operator's load model (the
// fleet the options build; another random stream per day) stepped without any regulation and
// committed as station power. Gives the baselines and forecasts similar days to work from.
Status SeedPowerHistory(store::Store& store, const sim::FleetOptions& options, proto::BeijingMinute start, int days,
                        int minutes);

}  // namespace vgi::app
