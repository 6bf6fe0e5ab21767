#pragma once
// Shared by the process-level relay tests: `vgi serve` children that deliver instructions to an
// in-process operator simulator (real time), configured from the simulator's peers.

#include <memory>
#include <string>
#include <vector>

#include "e2e_harness.hpp"
#include "vgi/proto/task.hpp"
#include "vgi/sim/simulator.hpp"

namespace vgi::e2e {

// The simulator (its endpoints only: no pushes) and the key sets the grid issued to its operators.
struct SimSide {
  std::unique_ptr<sim::Simulator> simulator;
  std::vector<proto::KeySet> inbound;  // parallel to simulator->Peers()
};

// A simulator of `operators` small operators serving on loopback with a certificate in `dir`.
// `grid_url` and `grid_ca` say where the grid is (for callbacks; the tests do not Start it).
SimSide MakeSimSide(const std::string& dir, int operators, const std::string& grid_url, const std::string& grid_ca);

struct NodeSetup {
  std::string node_id;
  int node_index = 0, node_count = 1;
  std::string data_dir;
  std::string tls_dir;   // shared by the nodes: one certificate
  std::uint16_t port = 0;
  std::string database;  // "" = SQLite in data_dir
  std::string sim_cert;  // the relay trusts it
  std::string engine_node_id;  // engine.node_id; "" = not written (the engine then uses node_id)
};

// The YAML config of one grid node with the simulator's operators as peers (inbound keys from
// `sim.inbound`, outbound keys the simulator issued), a short lease (3 s) and quick retries.
std::string NodeConfigYaml(const NodeSetup& node, const SimSide& sim);

// A peak-shaving instruction for operator `op`: one 10-minute window starting in an hour.
proto::Instruction HourAheadInstruction(const std::string& op, const std::string& regulation_id);

// A port on 127.0.0.1 free a moment ago (a grid node keeps its port across restarts).
std::uint16_t FreePort();

}  // namespace vgi::e2e
