#include "sim_setup.hpp"

#include "vgi/sim/fleet.hpp"
#include "vgi/sim/load_model.hpp"

#include <charconv>
#include <csignal>

#include "vgi/proto/keys.hpp"
#include "vgi/server/config.hpp"

namespace vgi::app {

Status RegisterBothWays(server::PeerRegistry& registry, sim::Simulator& simulator, RandomSource& random) {
  std::vector<server::PeerConfig> peers;
  for (const auto& p : simulator.Peers()) {
    server::PeerConfig c;
    c.operator_id = p.operator_id;
    c.name = p.name;
    c.base_url = p.base_url;
    c.inbound = proto::GenerateKeySet(random);
    c.outbound_operator_id = p.grid_operator_id;
    c.outbound = p.issued_keys;
    peers.push_back(std::move(c));
  }
  VGI_RETURN_IF_ERROR(registry.ApplyConfig(peers));
  for (const auto& c : peers) {
    VGI_RETURN_IF_ERROR(simulator.SetGridKeys(c.operator_id, *c.inbound));
  }
  return {};
}

void AddFleetOptions(CLI::App& cmd, sim::FleetOptions& fleet) {
  cmd.add_option("--seed", fleet.seed, "Fleet and load seed (same seed, same fleet and curves)")->capture_default_str();
  cmd.add_option("--operators", fleet.operators, "Simulated operators")->capture_default_str();
  cmd.add_option("--stations", fleet.stations_per_operator, "Stations per operator")->capture_default_str();
  cmd.add_option("--stakes", fleet.stakes_per_station, "Average stakes per station")->capture_default_str();
}

std::vector<store::TopologyEntry> FleetTopology(const std::vector<sim::OperatorFleet>& fleets) {
  std::vector<store::TopologyEntry> out;
  for (const auto& f : fleets) {
    for (std::size_t i = 0; i < f.stations.size() && i < f.markets.size() && i < f.transformer_areas.size(); ++i) {
      out.push_back({f.operator_id, f.stations[i].code, f.markets[i], f.transformer_areas[i]});
    }
  }
  return out;
}

sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return signals;
}

std::thread WatchForStop(const sigset_t& signals, int duration_s, std::atomic<bool>& stop) {
  return std::thread([signals, duration_s, &stop] {
    siginfo_t info;
    if (duration_s > 0) {
      const timespec limit{duration_s, 0};
      (void)sigtimedwait(&signals, &info, &limit);
    } else {
      (void)sigwaitinfo(&signals, &info);
    }
    stop = true;
  });
}

Result<sim::Policy> ParsePolicy(const std::string& text) {
  const std::string bad = "policy \"" + text +
                          "\": expected accept, reject or partial[:RATIO], optionally @DELAY (e.g. partial:0.6@5m)";
  sim::Policy p;
  std::string head = text;
  if (const auto at = text.find('@'); at != std::string::npos) {
    auto delay = server::ParseDuration(text.substr(at + 1));
    if (!delay.ok()) return Status::Invalid(bad + ": " + delay.status().message());
    p.delay = std::chrono::duration_cast<std::chrono::seconds>(*delay);
    head = text.substr(0, at);
  }
  std::string ratio;
  if (const auto colon = head.find(':'); colon != std::string::npos) {
    ratio = head.substr(colon + 1);
    head = head.substr(0, colon);
  }
  auto decision = sim::ParseDecision(head);
  if (!decision) return Status::Invalid(bad);
  p.decision = *decision;
  if (!ratio.empty()) {
    if (p.decision != sim::Policy::Decision::kPartial) return Status::Invalid(bad + ": a ratio goes with partial");
    double r = 0;
    const auto [end, ec] = std::from_chars(ratio.data(), ratio.data() + ratio.size(), r);
    if (ec != std::errc() || end != ratio.data() + ratio.size() || !(r > 0 && r <= 10)) {
      return Status::Invalid(bad + ": the ratio must be a number in (0, 10]");
    }
    p.partial_ratio = r;
  }
  return p;
}

Status ParseOperatorPolicies(const std::vector<std::string>& items, sim::SimOptions& options) {
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || !proto::IsOperatorId(item.substr(0, eq))) {
      return Status::Invalid("--operator-policy \"" + item + "\": expected OPERATORID=POLICY, e.g. SIM000002=reject");
    }
    auto p = ParsePolicy(item.substr(eq + 1));
    if (!p.ok()) return p.status();
    options.policies[item.substr(0, eq)] = *p;
  }
  return {};
}

Status SeedPowerHistory(store::Store& store, const sim::FleetOptions& options, proto::BeijingMinute start, int days,
                        int minutes) {
  auto fleets = sim::BuildFleet(options);
  if (!fleets.ok()) return fleets.status();
  for (int k = 1; k <= days; ++k) {
    const proto::BeijingMinute first{start.minutes - k * proto::kMinutesPerDay};
    store::WriteBatch batch;
    for (const auto& fleet : *fleets) {
      sim::LoadModel model(fleet, options.seed * 1000 + static_cast<std::uint64_t>(k), first, 1);
      std::vector<proto::StationPower> powers(fleet.stations.size());
      for (std::size_t i = 0; i < fleet.stations.size(); ++i) {
        powers[i].station_code = fleet.stations[i].code;
        powers[i].credit_code = fleet.credit_code;
      }
      for (int m = 0; m < minutes; ++m) {
        const auto& samples = model.Step({});
        for (std::size_t i = 0; i < samples.size(); ++i) {
          powers[i].points.push_back({proto::BeijingMinute{first.minutes + m}, samples[i].power});
          powers[i].adjust_top_power = samples[i].top;
          powers[i].adjust_bottom_power = samples[i].bottom;
        }
      }
      for (auto& p : powers) {
        // A point list holds one station's points; the store files each under its own day.
        for (std::size_t from = 0; from < p.points.size(); from += proto::kMaxPowerPoints) {
          proto::StationPower part = p;
          part.points.assign(p.points.begin() + static_cast<std::ptrdiff_t>(from),
                             p.points.begin() + static_cast<std::ptrdiff_t>(std::min(p.points.size(), from + proto::kMaxPowerPoints)));
          batch.power.push_back({fleet.operator_id, std::move(part)});
        }
      }
    }
    VGI_RETURN_IF_ERROR(store.Commit(batch));
  }
  return Status::Ok();
}

}  // namespace vgi::app
