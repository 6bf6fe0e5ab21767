// "A day's baseline and response for 30 000 stations ≤ 5 s" (issue 5, Speed).
//
// Set-up (outside the timed loop): 30 000 stations × 28 days of history (2026-10-26 … 11-22,
// four weeks: 20 weekdays, 8 weekend days, one weekday an event day) plus the event day
// 2026-11-23, 18:00–20:00. History curves are shared by groups of 30 stations (1 000 groups ×
// 29 days, ~167 MB, far past any cache), so memory stays bounded while reads still miss the
// cache as real per-station data would; each station owns its event day (~173 MB).
// Timed: for every station, the baseline of the method (arg 0: 0 = high-5-of-10, 1 = 10-of-10
// adjusted, 2 = same-day), with the RRMSE back-test on 5 days when arg 1 = 1, then the response
// over the window (peak shaving, target 2.00 kW) and the 50 %/15-minute alarm check.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "vgi/engine/baseline.hpp"
#include "vgi/engine/response.hpp"

namespace vgi::engine {
namespace {

constexpr int kStations = 30'000;
constexpr int kGroups = 1'000;    // stations of a group share their history curves
constexpr int kHistoryDays = 28;  // 2026-10-26 … 11-22
constexpr MinuteWindow kWindow{1080, 1200};

std::uint64_t Mix(std::uint64_t x) {  // splitmix64: deterministic, no RandomSource needed here
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A group's day: a base of 20–100 kW, an evening peak (+50 % 17:00–22:00), a day factor of
// ±5 % and per-minute noise of ±2 kW.
std::vector<std::int32_t> SyntheticDay(int group, int day) {
  const std::uint64_t g = static_cast<std::uint64_t>(group);
  const auto base = static_cast<std::int64_t>(2000 + Mix(g) % 8000);
  const auto factor = 95 + static_cast<std::int64_t>(Mix(g * 64 + static_cast<std::uint64_t>(day)) % 11);
  std::vector<std::int32_t> v(kSlotsPerDay);
  for (int m = 0; m < kSlotsPerDay; ++m) {
    const std::int64_t level = (m >= 1020 && m < 1320) ? base * 3 / 2 : base;
    const auto noise =
        static_cast<std::int64_t>(
            Mix((g * 64 + static_cast<std::uint64_t>(day)) * 1440 + static_cast<std::uint64_t>(m)) % 401) -
        200;
    v[static_cast<std::size_t>(m)] = static_cast<std::int32_t>(level * factor / 100 + noise);
  }
  return v;
}

struct Fleet {
  std::vector<std::vector<std::int32_t>> pool;    // kGroups × (kHistoryDays + 1) curves, ~167 MB
  std::vector<std::vector<std::int32_t>> events;  // per station: the event day, 2.50 kW cut in the window
  std::vector<std::vector<DayCurve>> history;     // per station: views into the pool
  proto::BeijingDate event_date;

  Fleet() {
    event_date = *proto::ParseDate("2026-11-23");
    pool.reserve(static_cast<std::size_t>(kGroups) * (kHistoryDays + 1));
    for (int g = 0; g < kGroups; ++g) {
      for (int d = 0; d <= kHistoryDays; ++d) pool.push_back(SyntheticDay(g, d));
    }
    events.resize(kStations);
    history.resize(kStations);
    for (int s = 0; s < kStations; ++s) {
      // Scatter stations over groups so consecutive stations do not share cache lines.
      const auto g = static_cast<std::size_t>(Mix(static_cast<std::uint64_t>(s)) % kGroups);
      const auto curve = [&](int d) -> const std::vector<std::int32_t>& { return pool[g * (kHistoryDays + 1) + d]; };
      auto& h = history[static_cast<std::size_t>(s)];
      for (int d = 1; d <= kHistoryDays; ++d) {
        h.push_back(DayCurve{proto::BeijingDate{event_date.days - d}, curve(d), nullptr, d == 4});
      }
      auto& e = events[static_cast<std::size_t>(s)];
      e = curve(0);
      for (int m = kWindow.begin; m < kWindow.end; ++m) e[static_cast<std::size_t>(m)] -= 250;
    }
  }
};

const Fleet& TheFleet() {
  static const Fleet fleet;
  return fleet;
}

Result<Baseline> Compute(const BaselineConfig& config, const BaselineRequest& req, bool checked) {
  if (!checked) return ComputeBaseline(config, req);
  VGI_ASSIGN_OR_RETURN(CheckedBaseline c, ComputeCheckedBaseline(config, req));
  return std::move(c.baseline);
}

void BM_DayBaselineAndResponse(benchmark::State& state) {
  const Fleet& fleet = TheFleet();
  BaselineConfig config;
  config.method = static_cast<BaselineMethod>(state.range(0));
  const bool checked = state.range(1) != 0;
  std::int64_t delivered = 0;
  int alarms = 0;
  int refused = 0;
  for (auto _ : state) {
    delivered = 0;
    alarms = 0;
    refused = 0;
    for (int s = 0; s < kStations; ++s) {
      BaselineRequest req{DayCurve{fleet.event_date, fleet.events[static_cast<std::size_t>(s)], nullptr, true},
                          kWindow,
                          fleet.history[static_cast<std::size_t>(s)],
                          {}};
      Result<Baseline> b = Compute(config, req, checked);
      if (!b.ok()) {
        // A refused check is a legitimate outcome; anything else is a broken set-up.
        if (b.status().code() == StatusCode::kRefused && checked) {
          ++refused;
          continue;
        }
        state.SkipWithError(b.status().ToString().c_str());
        return;
      }
      auto r = MeasureResponse(ResponseRequest{Direction::kPeakShaving, kWindow, b->centi_kw, req.event_day, 200});
      if (!r.ok()) {
        state.SkipWithError(r.status().ToString().c_str());
        return;
      }
      delivered += r->sum_centi_kw_minutes;
      alarms += FirstSustainedShortfall(*r, 50, 15).has_value() ? 1 : 0;
    }
    benchmark::DoNotOptimize(delivered);
  }
  state.counters["stations"] = kStations;
  state.counters["avg_response_kW"] =
      static_cast<double>(delivered) / (static_cast<double>(kStations) * kWindow.size() * 100.0);
  state.counters["alarms"] = alarms;
  state.counters["refused"] = refused;
}
BENCHMARK(BM_DayBaselineAndResponse)
    ->ArgNames({"method", "checked"})
    ->Args({0, 0})
    ->Args({0, 1})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({2, 0})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vgi::engine
