// Potential over a whole fleet (issue 5, "Demand and potential"): what the console's potential
// views cost per refresh.
//
// Set-up (outside the timed loops, once for all benchmarks, well under 1 s): 30 000 stations of
// 100 operators, each with its own station-day 2026-11-23 (~175 MB of 1440 data; a station's
// own data, so reads miss the cache as they would for real), bounds of 0–20 kW below and
// +10–40 kW above a base load of 20–100 kW; 1 station in 20 stopped reporting at 13:20.
// Timed:
//  - BM_LatestReadingAndSummary: every station's latest reading at 14:00 (15 minutes max age),
//    then the summary by operator and by area (arg: area prefix digits, 2 or 6).
//  - BM_PotentialByTime: the by-time curve over the 30 000 station-days.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "vgi/engine/potential.hpp"

namespace vgi::engine {
namespace {

constexpr int kStations = 30'000;
constexpr int kOperators = 100;

std::uint64_t Mix(std::uint64_t x) {  // splitmix64: deterministic, no RandomSource needed here
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Fleet {
  proto::BeijingDate day;
  proto::BeijingMinute now;
  std::vector<store::StationDay> days;
  std::vector<AreaOf> areas;

  Fleet() {
    day = *proto::ParseDate("2026-11-23");
    now = *proto::ParseMinute("2026-11-23 14:00");
    days.resize(kStations);
    areas.reserve(kStations);
    for (int s = 0; s < kStations; ++s) {
      const auto u = static_cast<std::uint64_t>(s);
      store::StationDay& d = days[static_cast<std::size_t>(s)];
      d.operator_id = "OP" + std::to_string(1000 + s % kOperators);
      d.station_code = "ST" + std::to_string(100000 + s);
      d.day = day;
      const auto base = static_cast<std::int32_t>(2000 + Mix(u) % 8000);
      d.adjust_bottom_power = proto::Kilowatts::FromUnits(base - static_cast<std::int32_t>(Mix(u + 1) % 2001));
      d.adjust_top_power = proto::Kilowatts::FromUnits(base + 1000 + static_cast<std::int32_t>(Mix(u + 2) % 3001));
      std::uint32_t noise = static_cast<std::uint32_t>(Mix(u + 3)) | 1U;
      for (std::int32_t& v : d.centi_kw) {
        noise ^= noise << 13, noise ^= noise >> 17, noise ^= noise << 5;  // xorshift32: cheap
        v = base + static_cast<std::int32_t>(noise % 801) - 400;
      }
      d.present.set();
      if (Mix(u + 5) % 20 == 0) {  // stopped reporting at 13:20: stale at 14:00
        for (std::size_t m = 800; m < d.present.size(); ++m) d.present.reset(m), d.centi_kw[m] = 0;
      }
      // 31 provinces × 5 cities × 4 counties.
      const auto a = Mix(u + 4);
      areas.push_back(AreaOf{d.operator_id, d.station_code,
                             std::to_string(11 + a % 31) + std::to_string(1 + (a >> 8) % 5 + 100).substr(1) +
                                 std::to_string(1 + (a >> 16) % 4 + 100).substr(1)});
    }
  }
};

const Fleet& TheFleet() {
  static const Fleet fleet;
  return fleet;
}

void BM_LatestReadingAndSummary(benchmark::State& state) {
  const Fleet& fleet = TheFleet();
  const int prefix = static_cast<int>(state.range(0));
  std::vector<StationReading> readings;
  PotentialSummary summary;
  for (auto _ : state) {
    readings.clear();
    readings.reserve(fleet.days.size());
    for (const store::StationDay& d : fleet.days) {
      if (auto r = LatestReading(d, fleet.now, 15)) readings.push_back(std::move(*r));
    }
    summary = SummarizePotential(readings, fleet.areas, prefix);
    benchmark::DoNotOptimize(summary);
  }
  state.counters["stations"] = kStations;
  state.counters["live"] = static_cast<double>(summary.total.stations);
  state.counters["operators"] = static_cast<double>(summary.by_operator.size());
  state.counters["areas"] = static_cast<double>(summary.by_area.size());
  state.counters["down_MW"] = summary.total.down.ToDouble() / 1000.0;
}
BENCHMARK(BM_LatestReadingAndSummary)->ArgName("area_digits")->Arg(2)->Arg(6)->Unit(benchmark::kMillisecond);

void BM_PotentialByTime(benchmark::State& state) {
  const Fleet& fleet = TheFleet();
  PotentialCurve curve;
  for (auto _ : state) {
    curve = PotentialByTime(fleet.day, fleet.days);
    benchmark::DoNotOptimize(curve);
  }
  state.counters["station_days"] = kStations;
  state.counters["present_at_14h"] = curve.stations_present[14 * 60];
  state.counters["up_MW_at_14h"] = static_cast<double>(curve.up[14 * 60]) / 100.0 / 1000.0;
}
BENCHMARK(BM_PotentialByTime)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vgi::engine
