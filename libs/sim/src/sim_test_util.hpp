#pragma once
// Test-only helpers shared by the simulator's tests.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "vgi/sim/simulator.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/fake_random.hpp"

namespace vgi::sim::test {

inline proto::BeijingMinute At(const char* text) { return *proto::ParseMinute(text); }

// A small fleet, no grid, loopback endpoint, deterministic keys.
inline SimOptions SmallOptions(int operators = 2, int stations = 30, int stakes = 6) {
  SimOptions o;
  o.fleet.seed = 11;
  o.fleet.operators = operators;
  o.fleet.stations_per_operator = stations;
  o.fleet.stakes_per_station = stakes;
  o.listen = "127.0.0.1:0";
  o.http_threads = 1;
  return o;
}

inline proto::Instruction Task(const std::string& task, const std::string& regulation, proto::RegulationType type,
                               proto::RangeType range, std::vector<std::string> ids, int target_kw,
                               const char* start, const char* end,
                               proto::SynchroType synchro = proto::SynchroType::kNew) {
  proto::Instruction in;
  in.task_id = task;
  in.regulation_id = regulation;
  in.type = type;
  in.synchro_type = synchro;
  in.range_type = range;
  in.is_force = false;
  in.adjust_ids = std::move(ids);
  if (synchro != proto::SynchroType::kCancel) {
    in.targets = {{proto::Kilowatts::FromInt(target_kw), At(start), At(end)}};
  }
  return in;
}

// A simulator on a FakeClock that starts at `start` (Beijing), with the first minute stepped.
struct SimHarness {
  // `tick`: step the first minute at once.
  explicit SimHarness(SimOptions options = SmallOptions(),
                      std::chrono::system_clock::time_point start = vgi::testing::BeijingTime(2024, 4, 9, 17, 0),
                      bool tick = true)
      : clock(start) {
    options.random = &random;
    auto created = Simulator::Create(std::move(options), clock);
    EXPECT_TRUE(created.ok()) << created.status();
    if (created.ok()) sim = std::move(*created);
    if (sim && tick) {
      EXPECT_TRUE(sim->Tick().ok());
    }
  }
  // Advances the clock minute by minute to `minute` (Beijing), ticking at each.
  void RunTo(const char* minute) {
    const SystemTime until = proto::ToSystemTime(At(minute));
    while (clock.Now() < until) {
      clock.Advance(std::chrono::minutes(1));
      EXPECT_TRUE(sim->Tick().ok());
    }
  }
  [[nodiscard]] std::string op(std::size_t i = 0) const { return sim->Peers()[i].operator_id; }

  vgi::testing::FakeClock clock;
  vgi::testing::FakeRandom random{5};
  std::unique_ptr<Simulator> sim;
};

}  // namespace vgi::sim::test
