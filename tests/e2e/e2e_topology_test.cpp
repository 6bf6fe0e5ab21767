// A transformer-area (台区) demand end to end: the grid imports the simulated fleet's topology, a
// peak-shaving demand on ten transformer areas goes over HTTPS as rangeType 2 to each operator with
// stations there, naming its areas; the simulated platforms move only those stations, and the
// engine measures and settles each operator on them. Delivery is judged on the simulator's ground
// truth.
#include <gtest/gtest.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "e2e_harness.hpp"
#include "e2e_sim_grid.hpp"
#include "sim_setup.hpp"
#include "vgi/engine/regulator.hpp"
#include "vgi/server/grid_server.hpp"
#include "vgi/server/tls.hpp"
#include "vgi/sim/fleet.hpp"
#include "vgi/sim/sim_clock.hpp"
#include "vgi/sim/simulator.hpp"
#include "vgi/testing/fake_clock.hpp"

namespace vgi::e2e {
namespace {

using namespace std::chrono_literals;
using engine::RegulationState;
using proto::Kilowatts;

TEST(TopologyE2e, ATransformerAreaDemandMovesOnlyThatAreasStationsAndIsSettledOnThem) {
  auto clock = sim::ScaledClock::Create(testing::BeijingTime(2026, 12, 2, 9, 0), 240);
  ASSERT_TRUE(clock.ok());
  TempDir dir;
  const std::string sim_cert = dir.path() + "/sim.crt", sim_key = dir.path() + "/sim.key";
  ASSERT_TRUE(server::EnsureSelfSignedCertificate(sim_cert, sim_key, "127.0.0.1").ok());
  server::Config c = SimGridConfig(dir.path(), sim_cert);
  c.engine.tick = 250ms;  // a simulated minute
  c.engine.lease_ttl = 5s;
  // The hour before the window on the same day (the simulation has no earlier days); on a dozen
  // stations any baseline is rough, so the test checks what the measurement read, not its accuracy.
  c.engine.baseline_method = "same-day";
  c.engine.baseline_before_minutes = 60;
  c.engine.baseline_use_after = false;
  c.engine.baseline_check_accuracy = false;
  c.engine.measure_delay = 2min;
  auto log = std::make_shared<spdlog::logger>("grid", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  log->set_level(spdlog::level::warn);
  auto grid = server::GridServer::Start(c, **clock, log);
  ASSERT_TRUE(grid.ok()) << grid.status();

  const sim::SimOptions o = SimOptionsFor(**grid, c, sim_cert, sim_key, 7, 3, 60);
  auto fleets = sim::BuildFleet(o.fleet);
  ASSERT_TRUE(fleets.ok());
  const std::vector<store::TopologyEntry> topology = app::FleetTopology(*fleets);
  ASSERT_TRUE((*grid)->store().ReplaceTopology(topology, "e2e").ok());
  auto simulator = sim::Simulator::Create(o, **clock);
  ASSERT_TRUE(simulator.ok()) << simulator.status();
  auto& sim = **simulator;
  ASSERT_TRUE(StartAndStream(**grid, sim, 2));

  // The ten transformer areas with the most stations (a few stations each, of one or more
  // operators); 20 % of their down-potential now, for 30 minutes from 70 minutes on (the morning
  // load rises meanwhile).
  const auto now = proto::ToBeijingMinute((*clock)->Now());
  std::map<std::string, int> stations_in;
  for (const auto& e : topology) ++stations_in[e.transformer_area_id];
  std::vector<std::pair<int, std::string>> by_size;
  for (const auto& [id, n] : stations_in) by_size.emplace_back(-n, id);
  std::sort(by_size.begin(), by_size.end());
  std::set<std::string> chosen;
  for (std::size_t k = 0; k < 10 && k < by_size.size(); ++k) chosen.insert(by_size[k].second);
  std::map<std::string, std::set<std::string>> areas_of;  // operator -> its chosen areas
  std::int64_t potential = 0;
  for (const auto& e : topology) {
    if (!chosen.contains(e.transformer_area_id)) continue;
    areas_of[e.operator_id].insert(e.transformer_area_id);
    auto s = sim.StationSample(e.operator_id, e.station_code, proto::BeijingMinute{now.minutes - 1});
    ASSERT_TRUE(s.ok()) << s.status();
    potential += std::max<std::int64_t>(0, (s->power - s->bottom).units());
  }
  ASSERT_EQ(areas_of.size(), 3u) << "every operator should have stations in those areas";
  const Kilowatts target = Kilowatts::FromUnits(potential / 5);
  ASSERT_GT(target.units(), 0);
  const proto::AdjustTarget window{target, proto::BeijingMinute{now.minutes + 70}, proto::BeijingMinute{now.minutes + 99}};
  engine::DemandSpec spec;
  spec.task_id = "E2E-TAREA";
  spec.type = proto::RegulationType::kPeakShaving;
  spec.scope = {engine::ScopeKind::kTransformerAreas, std::vector<std::string>(chosen.begin(), chosen.end())};
  spec.windows = {window};
  spec.created_by = "e2e";
  auto& regulator = (*grid)->regulator();
  auto created = regulator.CreateDemand(spec);
  ASSERT_TRUE(created.ok()) << created.status();
  auto view = [&] {
    auto v = regulator.GetDemand(spec.task_id);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : engine::DemandView{};
  };
  ASSERT_TRUE(WaitFor([&] { return view().state == store::DemandState::kDone; }, 120s)) << [&] {
    std::string s = "not done; events:\n";
    for (const auto& e : view().events) s += e + "\n";
    return s;
  }();
  const engine::DemandView v = view();

  // Every operator got one rangeType 2 instruction naming the chosen areas its stations are in,
  // and settled it.
  std::set<std::string> settled;
  for (const auto& i : v.instructions) {
    const auto held = sim.Instruction(i.operator_id, i.regulation_id);
    ASSERT_TRUE(held.has_value()) << i.regulation_id;
    EXPECT_EQ(held->instruction.range_type, proto::RangeType::kTransformerArea);
    const auto& mine = areas_of[i.operator_id];
    EXPECT_EQ(held->instruction.adjust_ids, std::vector<std::string>(mine.begin(), mine.end()));
    EXPECT_FALSE(held->instruction.credit_code.has_value());
    EXPECT_EQ(i.state, RegulationState::kSettled) << i.operator_id << ": " << i.note;
    settled.insert(i.operator_id);
  }
  EXPECT_EQ(settled.size(), 3u);

  // Ground truth: stations outside the areas never moved; those inside delivered the target.
  std::int64_t delivered = 0, room = 0;
  for (const auto& e : topology) {
    for (auto m = window.start_time; m <= window.end_time; ++m.minutes) {
      auto s = sim.StationSample(e.operator_id, e.station_code, m);
      ASSERT_TRUE(s.ok()) << s.status();
      if (chosen.contains(e.transformer_area_id)) {
        delivered += (s->baseline - s->power).units();
        room += std::max<std::int64_t>(0, (s->baseline - s->bottom).units());
      } else {
        ASSERT_EQ(s->power, s->baseline) << e.operator_id << "/" << e.station_code << " is outside the scope";
      }
    }
  }
  const double ratio = static_cast<double>(delivered) / (static_cast<double>(target.units()) * 30.0);
  std::printf("%zu transformer areas: target %s kW over %zu operators; delivered %.1f %% of it (room %.1f kW)\n",
              chosen.size(), target.ToString().c_str(), settled.size(), ratio * 100, static_cast<double>(room) / 3000.0);
  EXPECT_GE(ratio, 0.95);
  // The engine measured each operator on its stations in the areas and only those: its actual
  // average is exactly what they drew (what they reported).
  for (const auto& i : v.instructions) {
    ASSERT_EQ(i.measured.size(), 1u) << i.operator_id;
    std::int64_t drawn = 0;
    for (const auto& e : topology) {
      if (e.operator_id != i.operator_id || !chosen.contains(e.transformer_area_id)) continue;
      for (auto m = window.start_time; m <= window.end_time; ++m.minutes) {
        drawn += sim.StationSample(e.operator_id, e.station_code, m)->power.units();
      }
    }
    EXPECT_EQ(i.measured[0].actual_average, Kilowatts::FromUnits((drawn + 15) / 30)) << i.operator_id;
    std::printf("%s: baseline %s kW, actual %s kW\n", i.operator_id.c_str(),
                i.measured[0].baseline_average.ToString().c_str(), i.measured[0].actual_average.ToString().c_str());
  }
  sim.Stop();
  (*grid)->Stop();
}

}  // namespace
}  // namespace vgi::e2e
