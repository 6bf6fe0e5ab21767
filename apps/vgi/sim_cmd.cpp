// `vgi sim --grid-config FILE`: simulated operator platforms against a running grid. The peers are
// registered both ways in the grid's store (the running grid picks them up within seconds), the
// operators sync their models, stream power every minute and answer instructions by policy.
#include <cstdio>
#include <filesystem>
#include <thread>

#include "commands.hpp"
#include "sim_setup.hpp"
#include "vgi/server/config.hpp"
#include "vgi/server/grid_server.hpp"
#include "vgi/server/peer_registry.hpp"
#include "vgi/sim/sim_clock.hpp"
#include "vgi/sim/simulator.hpp"

namespace vgi::app {
namespace {

struct SimArgs {
  std::string grid_config;
  std::string grid_url;
  std::string grid_ca;
  std::string listen = "127.0.0.1:9443";
  std::string tls_cert;  // "" = sim-tls/sim.crt beside the grid config
  std::string tls_key;
  sim::FleetOptions fleet;
  std::string policy = "accept";
  std::vector<std::string> operator_policies;
  int status_every = 10;
  int duration = 0;
};

int Fail(const std::string& what) {
  std::fprintf(stderr, "vgi sim: %s\n", what.c_str());
  return kExitFailed;
}

int RunSim(const SimArgs& a) {
  auto grid = server::LoadConfig(a.grid_config);
  if (!grid.ok()) return Fail(grid.status().message());
  sim::SimOptions o;
  o.fleet = a.fleet;
  o.listen = a.listen;
  // Beside the grid config by default, so the grid's relay.ca_file can name it before it exists.
  const std::string beside = std::filesystem::absolute(a.grid_config).parent_path().string() + "/sim-tls/";
  o.tls_cert = a.tls_cert.empty() ? beside + "sim.crt" : a.tls_cert;
  o.tls_key = a.tls_key.empty() ? beside + "sim.key" : a.tls_key;
  o.grid_operator_id = grid->grid_operator_id;
  if (a.grid_url.empty()) {
    auto hp = server::ParseHostPort(grid->server.listen);
    if (!hp.ok() || hp->port == 0) {
      return Fail("the grid config listens on port 0; say where the grid is with --grid-url https://host:port/evcs/v1");
    }
    o.grid_base_url = "https://" + hp->host + ":" + std::to_string(hp->port) + "/evcs/v1";
  } else {
    o.grid_base_url = a.grid_url;
  }
  o.grid_ca_file = a.grid_ca.empty() ? grid->tls_cert : a.grid_ca;
  if (!std::filesystem::exists(o.grid_ca_file)) {
    return Fail(o.grid_ca_file + " does not exist: start the grid first (vgi serve creates its certificate on the "
                "first start) or name the grid's CA with --grid-ca");
  }
  auto policy = ParsePolicy(a.policy);
  if (!policy.ok()) return Fail(policy.status().message());
  o.default_policy = *policy;
  if (Status st = ParseOperatorPolicies(a.operator_policies, o); !st.ok()) return Fail(st.message());

  const sigset_t signals = BlockStopSignals();  // before any thread starts

  auto simulator = sim::Simulator::Create(o, Clock::System());
  if (!simulator.ok()) return Fail(simulator.status().ToString());
  auto db = server::OpenConfiguredStore(*grid, Clock::System(), /*create_key=*/true);
  if (!db.ok()) return Fail("opening the grid's store: " + db.status().ToString());
  server::PeerRegistry registry(*db->store, *db->sealer, Clock::System());
  if (Status st = registry.Load(); !st.ok()) return Fail(st.ToString());
  if (Status st = RegisterBothWays(registry, **simulator, RandomSource::System()); !st.ok()) {
    return Fail("registering the simulated operators with the grid: " + st.ToString());
  }
  std::printf("vgi sim: %zu operators registered in the grid's store (%s); the grid picks them up within 5 s\n",
              (*simulator)->Peers().size(), grid->database.empty() ? grid->data_dir.c_str() : "PostgreSQL");
  std::printf("vgi sim: operators serve https://%s:%u/op/<OperatorID>/evcs/v1; the grid's relay must trust %s\n"
              "         (relay.ca_file in the grid config; it is read at the first delivery) to send them instructions\n",
              o.listen.substr(0, o.listen.rfind(':')).c_str(), (*simulator)->port(), (*simulator)->tls_cert_file().c_str());
  // A running grid re-reads its peers every 5 s; pushing before that would be refused (4009).
  std::printf("vgi sim: waiting 6 s for the grid to pick up the peers\n");
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::seconds(6));
  if (Status st = (*simulator)->Start(); !st.ok()) return Fail(st.ToString());

  // The status line every few seconds until a signal (or --duration).
  std::atomic<bool> done{false};
  std::thread waiter = WatchForStop(signals, a.duration, done);
  auto next = std::chrono::steady_clock::now();
  while (!done) {
    if (std::chrono::steady_clock::now() >= next) {
      next += std::chrono::seconds(a.status_every);
      for (const auto& s : (*simulator)->AllStats()) {
        std::printf("%s %s stations %zu synced %-3s power %9s kW (baseline %9s) pushes ok %llu failed %llu  "
                    "instructions %llu (acc %llu rej %llu part %llu)%s%s\n",
                    s.operator_id.c_str(), s.online ? "up  " : "DOWN", s.stations, s.model_synced ? "yes" : "no",
                    s.power.ToString().c_str(), s.baseline.ToString().c_str(),
                    static_cast<unsigned long long>(s.power_pushes_ok),
                    static_cast<unsigned long long>(s.power_pushes_failed),
                    static_cast<unsigned long long>(s.instructions_received),
                    static_cast<unsigned long long>(s.accepted), static_cast<unsigned long long>(s.rejected),
                    static_cast<unsigned long long>(s.partial), s.last_error.empty() ? "" : "  last error: ",
                    s.last_error.c_str());
      }
      std::fflush(stdout);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  waiter.join();
  (*simulator)->Stop();
  std::printf("vgi sim: stopped\n");
  return kExitOk;
}

}  // namespace

void RegisterSim(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<SimArgs>();
  auto* cmd = app.add_subcommand("sim", "Simulated operator platforms (real time) against a running grid");
  cmd->add_option("--grid-config", a->grid_config,
                  "The grid's YAML config: where it listens, its certificate, its store (peers are registered there)")
      ->required();
  cmd->add_option("--grid-url", a->grid_url, "The grid's base URL (default: from the grid config's server.listen)");
  cmd->add_option("--grid-ca", a->grid_ca, "CA file for the grid's certificate (default: the grid's server.tls.cert)");
  cmd->add_option("--listen", a->listen, "Where the simulated operators serve HTTPS")->capture_default_str();
  cmd->add_option("--tls-cert", a->tls_cert,
                  "The operators' certificate, created self-signed if missing (default: sim-tls/sim.crt beside the "
                  "grid config)");
  cmd->add_option("--tls-key", a->tls_key, "Its key (default: sim-tls/sim.key beside the grid config)");
  AddFleetOptions(*cmd, a->fleet);
  cmd->add_option("--policy", a->policy, "How operators answer: accept, reject, partial[:RATIO], optionally @DELAY")
      ->capture_default_str();
  cmd->add_option("--operator-policy", a->operator_policies, "OPERATORID=POLICY for one operator; repeatable");
  cmd->add_option("--status-every", a->status_every, "Seconds between status lines")->capture_default_str();
  cmd->add_option("--duration", a->duration, "Stop after this many seconds (0 = until Ctrl-C)")->capture_default_str();
  cmd->footer("Runs in real time (the grid refuses TimeStamps more than 300 s off); for accelerated time use vgi demo.");
  cmd->callback([a, exit_code] { *exit_code = RunSim(*a); });
}

}  // namespace vgi::app
