// Issue 5 "Speed": decomposition of one window's target over 100 operators / 30 000 stations
// (≤ 100 ms). Two levels: over operators by their summed potential, then within each operator
// over its stations. Inputs (IDs, potentials from a fixed-seed generator) are built once,
// outside the timed loop.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "vgi/engine/allocation.hpp"

namespace vgi::engine {
namespace {

// snprintf rather than "S" + to_string: GCC 12 -Wrestrict misfires on the latter.
std::string Id(const char* prefix, int n) {
  char buf[32];
  const int len = std::snprintf(buf, sizeof buf, "%s%d", prefix, n);
  return std::string(buf, static_cast<std::size_t>(len));
}

AllocationRequest BuildRequest(int operators, int stations, std::int64_t target_kw) {
  AllocationRequest r;
  r.type = proto::RegulationType::kPeakShaving;
  r.target = proto::Kilowatts::FromInt(target_kw);
  r.reserve_margin_bp = 1000;
  r.participants.reserve(static_cast<std::size_t>(stations));
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;  // fixed seed: same input every run
  for (int i = 0; i < stations; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    Participant p;
    p.kind = ParticipantKind::kStation;
    p.id = Id("S", 100000 + i);
    p.operator_id = Id("OP", 100 + i % operators);
    // 0.00 .. 399.99 kW of down-potential; about one in sixteen has an own limit.
    p.potential = proto::Kilowatts::FromUnits(static_cast<std::int64_t>((state >> 33) % 40000));
    if (((state >> 20) & 15) == 0) p.limit = proto::Kilowatts::FromUnits(5000);
    r.participants.push_back(std::move(p));
  }
  return r;
}

// 30 000 stations average ~200 kW each (~6 GW); 20 MW leaves most of them uncapped, 6 GW
// forces the capping path through every level.
void BM_AllocateGrouped(benchmark::State& state) {
  const auto request = BuildRequest(100, 30000, state.range(0));
  for (auto _ : state) {
    auto result = AllocateGrouped(request);
    if (!result.ok()) state.SkipWithError(result.status().message().c_str());
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations() * 30000);
}
BENCHMARK(BM_AllocateGrouped)->Arg(20000)->Arg(6000000)->Unit(benchmark::kMillisecond);

// One level over the 100 operators alone (the operator-scope case).
void BM_AllocateOperators(benchmark::State& state) {
  const auto request = BuildRequest(100, 100, 20000);
  for (auto _ : state) {
    auto result = Allocate(request);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_AllocateOperators)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vgi::engine
