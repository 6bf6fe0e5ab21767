// `vgi demo`: the whole system on one machine. A grid (embedded SQLite in a temporary data dir)
// and simulated operators on one accelerated clock, registered both ways, syncing models and
// streaming power; now and then the demo asks the grid's regulation engine for a peak-shaving
// demand over all operators, which it decomposes, negotiates, follows, measures and settles; a
// status report every few seconds until Ctrl-C (or --duration).
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

#include "commands.hpp"
#include "sim_setup.hpp"
#include "vgi/console/password.hpp"
#include "vgi/console/roles.hpp"
#include "vgi/engine/regulator.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/server/grid_server.hpp"
#include "vgi/server/tls.hpp"
#include "vgi/sim/sim_clock.hpp"
#include "vgi/sim/simulator.hpp"

namespace vgi::app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct DemoArgs {
  std::string listen = "127.0.0.1:0";
  std::string data_dir;  // "" = a temporary folder removed at exit
  double speed = 60;
  sim::FleetOptions fleet;
  int task_every = 30;  // simulated minutes between demo demands; 0 = none
  int status_every = 5;
  int duration = 0;
  std::vector<std::string> operator_policies;
  std::string console_dir;                 // "" = web/ of the source tree this binary was built in
  std::vector<std::string> console_users;  // NAME:ROLES:PASSWORD; none = a dispatcher with a fresh password
};

// web/ of the source tree (the binary is build/<type>/apps/vgi/vgi), else ./web.
std::string DefaultConsoleDir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  for (const fs::path& dir : {exe.parent_path() / "../../../web", fs::current_path(ec) / "web"}) {
    if (fs::is_regular_file(dir / "index.html", ec)) return fs::weakly_canonical(dir, ec).string();
  }
  return "web";
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "vgi demo: %s\n", what.c_str());
  return kExitFailed;
}

std::string Kw(std::int64_t centi_kw) {
  return proto::Kilowatts::FromUnits(centi_kw).ToString();
}

// What the grid holds for one operator: stations synced, the power of one minute, and how many of
// the last minutes' points arrived (data quality).
struct GridView {
  std::size_t stations = 0;
  std::int64_t centi_kw = 0;
  std::size_t present = 0, expected = 0;
};

GridView ViewOf(store::Store& store, const std::string& operator_id, proto::BeijingMinute last, int window) {
  GridView v;
  auto stations = store.ListStations(operator_id, false);
  if (!stations.ok()) return v;
  v.stations = stations->size();
  const auto day = proto::DateOf(last);
  const int to = proto::MinuteOfDay(last);
  const int from = std::max(0, to - window + 1);
  for (const auto& s : *stations) {
    auto d = store.GetStationDay(operator_id, s.station.code, day);
    v.expected += static_cast<std::size_t>(to - from + 1);
    if (!d.ok() || !d->has_value()) continue;
    v.centi_kw += (**d).centi_kw[static_cast<std::size_t>(to)];
    for (int m = from; m <= to; ++m) v.present += (**d).present[static_cast<std::size_t>(m)] ? 1 : 0;
  }
  return v;
}

class Demo {
 public:
  explicit Demo(DemoArgs args) : a_(std::move(args)) {}

  int Run() {
    const sigset_t signals = BlockStopSignals();
    if (int rc = Setup(); rc != kExitOk) return rc;
    std::thread waiter = WatchForStop(signals, a_.duration, done_);
    auto next_status = std::chrono::steady_clock::now() + std::chrono::seconds(a_.status_every);
    while (!done_) {
      MaybeCreateDemand();
      if (std::chrono::steady_clock::now() >= next_status) {
        next_status += std::chrono::seconds(a_.status_every);
        Report();
      }
      std::this_thread::sleep_for(100ms);
    }
    waiter.join();
    std::printf("\nvgi demo: stopping\n");
    Report();
    simulator_->Stop();
    grid_->Stop();
    if (temp_) {
      std::error_code ec;
      fs::remove_all(a_.data_dir, ec);
    } else {
      std::printf("vgi demo: data kept in %s\n", a_.data_dir.c_str());
    }
    return kExitOk;
  }

 private:
  int Setup() {
    if (a_.data_dir.empty()) {
      std::string tmpl = (fs::temp_directory_path() / "vgi-demo-XXXXXX").string();
      if (::mkdtemp(tmpl.data()) == nullptr) return Fail("cannot create a temporary data dir in " + tmpl);
      a_.data_dir = tmpl;
      temp_ = true;
    }
    a_.data_dir = fs::absolute(a_.data_dir).string();
    auto clock = sim::ScaledClock::Create(Clock::System().Now(), a_.speed);
    if (!clock.ok()) return Fail("--speed: " + clock.status().message());
    clock_ = std::move(*clock);

    // The grid's log goes to a file: the terminal shows the demo's report.
    log_path_ = a_.data_dir + "/grid.log";
    auto log = spdlog::basic_logger_mt("vgi-demo-grid", log_path_);
    log->set_level(spdlog::level::info);
    log->flush_on(spdlog::level::info);

    // The simulator's certificate first: the grid's relay must trust it from the start.
    const std::string sim_cert = a_.data_dir + "/sim-tls/sim.crt", sim_key = a_.data_dir + "/sim-tls/sim.key";
    if (auto made = server::EnsureSelfSignedCertificate(sim_cert, sim_key, "127.0.0.1"); !made.ok()) {
      return Fail(made.status().ToString());
    }
    server::Config c;
    c.server.listen = a_.listen;
    c.server.threads = 2;
    c.data_dir = a_.data_dir;
    c.tls_cert = a_.data_dir + "/tls/server.crt";
    c.tls_key = a_.data_dir + "/tls/server.key";
    c.relay.node_id = "demo";
    c.relay.ca_file = sim_cert;
    // Leases and backoff run on the demo's clock: scale them so they mean the same in real time.
    const auto scaled = [&](std::chrono::milliseconds real) {
      return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(real.count()) * a_.speed));
    };
    c.relay.lease = scaled(60s);
    c.relay.backoff_base = scaled(1s);
    c.relay.backoff_cap = scaled(30s);
    // The engine: its lease on the demo's clock too; the default baseline (high 5 of 10 similar
    // days) on seeded history, its back-test ceiling raised for 60-station operators
    // (their load swings more from day to day than a real aggregator's).
    c.engine.lease_ttl = scaled(20s);
    c.engine.baseline_max_rrmse_percent = 40;
    // The console: sessions measured on the demo's clock too (30 real minutes idle).
    c.console.dir = a_.console_dir.empty() ? DefaultConsoleDir() : a_.console_dir;
    c.console.idle_timeout = std::chrono::duration_cast<std::chrono::seconds>(scaled(30min));
    c.console.max_lifetime = std::chrono::duration_cast<std::chrono::seconds>(scaled(12h));
    auto grid = server::GridServer::Start(c, *clock_, log);
    if (!grid.ok()) return Fail(grid.status().ToString() + " (the grid's log: " + log_path_ + ")");
    grid_ = std::move(*grid);

    if (int rc = AddConsoleUsers(); rc != kExitOk) return rc;

    // Five weeks: ten similar days of either kind (weekday or weekend) for high 5 of 10 and its back-test.
    std::printf("vgi demo: seeding 35 days of power history for the baselines ...\n");
    std::fflush(stdout);
    const auto now = proto::ToBeijingMinute(clock_->Now());
    if (Status st = SeedPowerHistory(grid_->store(), a_.fleet, now, 35, 2 * proto::kMinutesPerDay / 3); !st.ok()) {
      return Fail("seeding history: " + st.ToString());
    }
    sim::SimOptions o;
    o.fleet = a_.fleet;
    o.tls_cert = sim_cert;
    o.tls_key = sim_key;
    o.grid_base_url = "https://127.0.0.1:" + std::to_string(grid_->port()) + "/evcs/v1";
    o.grid_ca_file = c.tls_cert;
    o.grid_operator_id = c.grid_operator_id;
    // A mix that shows the negotiation: the second operator lowers targets, the third refuses.
    o.default_policy.delay = 2min;
    if (a_.fleet.operators >= 2) o.policies["SIM000002"] = sim::Policy{sim::Policy::Decision::kPartial, 0.6, 2min};
    if (a_.fleet.operators >= 3) o.policies["SIM000003"] = sim::Policy{sim::Policy::Decision::kReject, 0.6, 2min};
    if (Status st = ParseOperatorPolicies(a_.operator_policies, o); !st.ok()) return Fail(st.message());
    auto simulator = sim::Simulator::Create(o, *clock_);
    if (!simulator.ok()) return Fail(simulator.status().ToString());
    simulator_ = std::move(*simulator);
    if (Status st = RegisterBothWays(grid_->peers(), *simulator_, RandomSource::System()); !st.ok()) {
      return Fail("registering the operators: " + st.ToString());
    }
    // The fleet's markets and transformer areas, so demands can be scoped to them.
    auto fleets = sim::BuildFleet(a_.fleet);
    if (!fleets.ok()) return Fail(fleets.status().ToString());
    if (auto info = grid_->store().ReplaceTopology(FleetTopology(*fleets), "vgi demo's simulated fleet"); !info.ok()) {
      return Fail("importing the fleet's topology: " + info.status().ToString());
    }
    std::size_t stations = 0, stakes = 0;
    for (const auto& s : simulator_->AllStats()) stations += s.stations, stakes += s.stakes;
    std::printf("vgi demo: grid https://127.0.0.1:%u/evcs/v1 (SQLite in %s; log %s)\n", grid_->port(),
                a_.data_dir.c_str(), log_path_.c_str());
    std::printf(
        "vgi demo: %zu simulated operators, %zu stations, %zu stakes at %gx speed (one simulated minute "
        "every %.1f s)\n",
        simulator_->Peers().size(), stations, stakes, a_.speed, 60.0 / a_.speed);
    std::printf("vgi demo: console https://127.0.0.1:%u/console/ (self-signed certificate) - %s; Ctrl-C stops\n",
                grid_->port(), console_login_.c_str());
    if (Status st = simulator_->Start(); !st.ok()) return Fail(st.ToString());
    started_ = proto::ToSystemTime(proto::ToBeijingMinute(clock_->Now()));
    next_task_ = clock_->Now() + 10min;
    std::fflush(stdout);
    return kExitOk;
  }

  // The console's users (NAME:ROLES:PASSWORD), or one dispatcher with a fresh password shown once.
  int AddConsoleUsers() {
    std::vector<std::string> specs = a_.console_users;
    if (specs.empty()) {
      const std::string password = "Demo-" + RandomString(RandomSource::System(), 12,
                                                          "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789");
      specs.push_back("dispatcher:dispatcher:" + password);
      console_login_ = "log in as dispatcher / " + password;
    } else {
      console_login_ = "users from --console-user";
    }
    for (const std::string& spec : specs) {
      const auto a = spec.find(':');
      const auto b = a == std::string::npos ? a : spec.find(':', a + 1);
      if (b == std::string::npos) return Fail("--console-user " + spec + ": expected NAME:ROLES:PASSWORD");
      store::UserRow u;
      u.username = spec.substr(0, a);
      auto roles = console::ParseRoles(spec.substr(a + 1, b - a - 1));
      if (!roles.ok()) return Fail("--console-user " + u.username + ": " + roles.status().message());
      if (Status st = console::ValidateRoles(*roles); !st.ok())
        return Fail("--console-user " + u.username + ": " + st.message());
      const std::string password = spec.substr(b + 1);
      if (Status st = console::CheckUsername(u.username); !st.ok()) return Fail("--console-user: " + st.message());
      if (Status st = console::CheckPasswordPolicy(u.username, password); !st.ok()) {
        return Fail("--console-user " + u.username + ": " + st.message());
      }
      auto hash = console::HashPassword(password, RandomSource::System());
      if (!hash.ok()) return Fail(hash.status().ToString());
      u.display_name = u.username;
      u.password_hash = *hash;
      u.roles = *roles;
      u.created_at = u.updated_at = u.password_changed_at = clock_->Now();
      if (Status st = grid_->store().PutUser(u); !st.ok()) return Fail("console user: " + st.ToString());
    }
    return kExitOk;
  }

  // Now and then a peak-shaving demand over every operator: 15 % of the fleet's current power, for
  // half an hour starting in 20 minutes (the operators answer within the 10-minute acceptance lead).
  void MaybeCreateDemand() {
    if (a_.task_every <= 0 || clock_->Now() < next_task_) return;
    next_task_ = clock_->Now() + std::chrono::minutes(a_.task_every);
    std::int64_t power = 0;
    for (const auto& s : simulator_->AllStats()) power += s.power.units();
    // A window may not cross midnight: one near it starts at 00:00 instead.
    const auto start = proto::StartWithinOneDay(proto::ToBeijingMinute(clock_->Now() + 20min), 30);
    engine::DemandSpec spec;
    spec.task_id = "DEMO-" + std::to_string(++task_count_);
    spec.type = proto::RegulationType::kPeakShaving;
    spec.windows = {{proto::Kilowatts::FromUnits(std::max<std::int64_t>(power * 15 / 100, 1000)), start,
                     proto::BeijingMinute{start.minutes + 29}}};
    spec.created_by = "vgi demo";
    auto v = grid_->regulator().CreateDemand(spec);
    if (!v.ok()) {
      std::printf("  ! could not create a demand: %s\n", v.status().ToString().c_str());
      return;
    }
    demands_.push_back(spec.task_id);
    if (demands_.size() > 3) demands_.erase(demands_.begin());
    std::printf("  > %s demand %s: cut %s kW over all operators at %s for 30 min (peak shaving)\n",
                proto::FormatMinute(proto::ToBeijingMinute(clock_->Now())).c_str(), spec.task_id.c_str(),
                spec.windows[0].target_power.ToString().c_str(), proto::FormatMinute(start).c_str());
  }

  void Report() {
    auto& store = grid_->store();
    const auto now = proto::ToBeijingMinute(clock_->Now());
    // The minute before last: its points have had a minute to arrive.
    const auto last = proto::ToBeijingMinute(clock_->Now() - 2min);
    // Data quality over the last hour, or since the start when that is shorter.
    const int window = static_cast<int>(std::clamp<std::int64_t>(
        std::chrono::duration_cast<std::chrono::minutes>(proto::ToSystemTime(last) - started_).count() + 1, 1, 60));
    std::printf("[%s] grid view (power at %s, data quality over the last %d min):\n", proto::FormatMinute(now).c_str(),
                proto::FormatMinute(last).c_str(), window);
    std::int64_t total = 0;
    for (const auto& s : simulator_->AllStats()) {
      const GridView v = ViewOf(store, s.operator_id, last, window);
      total += v.centi_kw;
      const double quality =
          v.expected == 0 ? 0.0 : 100.0 * static_cast<double>(v.present) / static_cast<double>(v.expected);
      std::printf("  %s %-4s stations %3zu/%-3zu power %10s kW  quality %5.1f%%  instructions %llu%s\n",
                  s.operator_id.c_str(), s.online ? "up" : "DOWN", v.stations, s.stations, Kw(v.centi_kw).c_str(),
                  quality, static_cast<unsigned long long>(s.instructions_received),
                  s.regulations_in_force > 0 ? "  (regulating)" : "");
    }
    std::printf("  total %s kW\n", Kw(total).c_str());
    for (const auto& id : demands_) {
      auto v = grid_->regulator().GetDemand(id);
      if (!v.ok()) continue;
      const auto& c = v->coverage.at(0);
      std::printf("  demand %s %s: target %s kW, accepted %s kW, uncovered %s kW\n", id.c_str(),
                  std::string(engine::DemandStateName(v->state)).c_str(), c.window.target_power.ToString().c_str(),
                  c.accepted.ToString().c_str(), c.uncovered.ToString().c_str());
      for (const auto& i : v->instructions) {
        std::string line = "    " + i.operator_id + " " + i.regulation_id + " " +
                           std::string(engine::RegulationStateName(i.state)) + ": asked " +
                           (i.allocated.empty() ? std::string("0.00") : i.allocated[0].target_power.ToString()) + " kW";
        if (!i.accepted.empty()) line += ", took " + i.accepted[0].target_power.ToString() + " kW";
        if (!i.measured.empty()) {
          char buf[64];
          std::snprintf(buf, sizeof buf, ", delivered %.0f %%", i.measured[0].completion_percent);
          line += buf;
        }
        if (i.earnings) line += ", earned " + i.earnings->ToString() + " yuan";
        if (i.state == engine::RegulationState::kCompleted) line += " (" + i.note + ")";
        std::printf("%s\n", line.c_str());
      }
    }
    std::fflush(stdout);
  }

  DemoArgs a_;
  bool temp_ = false;
  std::string log_path_;
  std::unique_ptr<sim::ScaledClock> clock_;
  std::unique_ptr<server::GridServer> grid_;
  std::unique_ptr<sim::Simulator> simulator_;
  std::atomic<bool> done_{false};
  SystemTime next_task_{};
  SystemTime started_{};  // the first simulated minute
  std::size_t task_count_ = 0;
  std::vector<std::string> demands_;  // the latest three, oldest first
  std::string console_login_;         // what the banner says about logging in
};

}  // namespace

void RegisterDemo(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<DemoArgs>();
  auto* cmd = app.add_subcommand("demo", "The grid and simulated operators on one machine, at accelerated time");
  cmd->add_option("--listen", a->listen, "Where the grid serves HTTPS (port 0 = any free port)")->capture_default_str();
  cmd->add_option("--data-dir", a->data_dir, "Keep the grid's data here (default: a temporary folder, removed)");
  cmd->add_option("--speed", a->speed, "Simulated seconds per real second")->capture_default_str();
  AddFleetOptions(*cmd, a->fleet);
  cmd->add_option("--task-every", a->task_every, "Simulated minutes between demo demands (0 = none)")
      ->capture_default_str();
  cmd->add_option("--operator-policy", a->operator_policies,
                  "OPERATORID=accept|reject|partial[:RATIO][@DELAY]; repeatable (default: SIM000002 partial, "
                  "SIM000003 reject, others accept, after 2 min)");
  cmd->add_option("--console-dir", a->console_dir, "The console's files (default: web/ of the source tree)");
  cmd->add_option("--console-user", a->console_users,
                  "NAME:ROLES:PASSWORD, repeatable (roles comma-separated; default: a dispatcher with a fresh "
                  "password shown at start)");
  cmd->add_option("--status-every", a->status_every, "Real seconds between reports")->capture_default_str();
  cmd->add_option("--duration", a->duration, "Stop after this many real seconds (0 = until Ctrl-C)")
      ->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = Demo(*a).Run(); });
}

}  // namespace vgi::app
