#include "e2e_relay_process.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "vgi/base/random.hpp"
#include "vgi/proto/keys.hpp"

namespace vgi::e2e {

SimSide MakeSimSide(const std::string& dir, int operators, const std::string& grid_url, const std::string& grid_ca) {
  sim::SimOptions o;
  o.fleet.seed = 11;
  o.fleet.operators = operators;
  o.fleet.stations_per_operator = 4;
  o.fleet.stakes_per_station = 3;
  o.tls_cert = dir + "/sim.crt";
  o.tls_key = dir + "/sim.key";
  o.grid_base_url = grid_url;
  o.grid_ca_file = grid_ca;
  SimSide side;
  auto simulator = sim::Simulator::Create(o, Clock::System());
  if (!simulator.ok()) {
    std::fprintf(stderr, "vgi e2e: simulator: %s\n", simulator.status().ToString().c_str());
    std::abort();
  }
  side.simulator = std::move(*simulator);
  for (const auto& p : side.simulator->Peers()) {
    side.inbound.push_back(proto::GenerateKeySet(RandomSource::System()));
    (void)side.simulator->SetGridKeys(p.operator_id, side.inbound.back());
  }
  return side;
}

namespace {

std::string KeysYaml(const std::string& indent, const proto::KeySet& k) {
  return indent + "operator_secret: \"" + k.operator_secret + "\"\n" + indent + "data_secret: \"" + k.data_secret +
         "\"\n" + indent + "data_iv: \"" + k.data_iv + "\"\n" + indent + "sig_secret: \"" + k.sig_secret + "\"\n";
}

}  // namespace

std::string NodeConfigYaml(const NodeSetup& node, const SimSide& sim) {
  std::string y;
  y += "grid:\n  operator_id: \"MA0GRID01\"\n";
  y += "server:\n  listen: \"127.0.0.1:" + std::to_string(node.port) + "\"\n  threads: 1\n";
  y += "  tls:\n    cert: \"" + node.tls_dir + "/server.crt\"\n    key: \"" + node.tls_dir + "/server.key\"\n";
  y += "data_dir: \"" + node.data_dir + "\"\n";
  if (!node.database.empty()) y += "database: \"" + node.database + "\"\n";
  y += "log:\n  level: info\n";
  y += "relay:\n  node_id: \"" + node.node_id + "\"\n";
  y += "  node_index: " + std::to_string(node.node_index) + "\n  node_count: " + std::to_string(node.node_count) + "\n";
  y += "  attempt_timeout: 1s\n  lease: 3s\n  backoff_base: 100ms\n  backoff_cap: 1s\n";
  y += "  ca_file: \"" + node.sim_cert + "\"\n";
  if (!node.engine_node_id.empty()) y += "engine:\n  node_id: \"" + node.engine_node_id + "\"\n";
  y += "peers:\n";
  const auto peers = sim.simulator->Peers();
  for (std::size_t i = 0; i < peers.size(); ++i) {
    const auto& p = peers[i];
    y += "  - operator_id: \"" + p.operator_id + "\"\n";
    y += "    name: \"" + p.name + "\"\n";
    y += "    base_url: \"" + p.base_url + "\"\n";
    y += "    inbound:\n" + KeysYaml("      ", sim.inbound[i]);
    y += "    outbound:\n      operator_id: \"" + p.grid_operator_id + "\"\n" + KeysYaml("      ", p.issued_keys);
  }
  return y;
}

proto::Instruction HourAheadInstruction(const std::string& op, const std::string& regulation_id) {
  return PeakShavingInstruction(op, regulation_id, proto::Kilowatts::FromInt(10),
                                Clock::System().Now() + std::chrono::hours(1), 10);
}

std::uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("vgi e2e: FreePort");
    std::abort();
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace vgi::e2e
