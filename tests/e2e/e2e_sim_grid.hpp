#pragma once
// Shared by the end-to-end tests that run simulated operators against an in-process grid
// (e2e_sim_test, e2e_demand_test, e2e_topology_test): the simulator's options pointing at the grid,
// and starting them until every operator has synced its model and streams power.
#include <gtest/gtest.h>

#include <string>

#include "e2e_harness.hpp"
#include "sim_setup.hpp"
#include "vgi/server/grid_server.hpp"
#include "vgi/sim/simulator.hpp"

namespace vgi::e2e {

// A fleet of `operators` x `stations` (4 stakes each) from `seed`, serving HTTPS with the pair
// `cert`/`key` and calling `grid` (whose config is `c`) over loopback.
inline sim::SimOptions SimOptionsFor(const server::GridServer& grid, const server::Config& c, const std::string& cert,
                                     const std::string& key, std::uint64_t seed, int operators, int stations) {
  sim::SimOptions o;
  o.fleet.seed = seed;
  o.fleet.operators = operators;
  o.fleet.stations_per_operator = stations;
  o.fleet.stakes_per_station = 4;
  o.tls_cert = cert;
  o.tls_key = key;
  o.grid_base_url = "https://127.0.0.1:" + std::to_string(grid.port()) + "/evcs/v1";
  o.grid_ca_file = c.tls_cert;
  return o;
}

// Registers the operators with the grid both ways, starts them and waits until each has synced
// its model and made `pushes` power pushes.
inline ::testing::AssertionResult StartAndStream(server::GridServer& grid, sim::Simulator& sim, int pushes) {
  if (Status st = app::RegisterBothWays(grid.peers(), sim, RandomSource::System()); !st.ok()) {
    return ::testing::AssertionFailure() << "registering the operators: " << st.ToString();
  }
  if (Status st = sim.Start(); !st.ok()) return ::testing::AssertionFailure() << "starting them: " << st.ToString();
  const bool streaming = WaitFor([&] {
    for (const auto& s : sim.AllStats()) {
      if (!s.model_synced || s.power_pushes_ok < static_cast<std::uint64_t>(pushes)) return false;
    }
    return true;
  });
  if (!streaming) return ::testing::AssertionFailure() << "the simulated operators did not sync and stream";
  return ::testing::AssertionSuccess();
}

}  // namespace vgi::e2e
