// Experiment (not built by CMake): the resident memory MemoryReplayGuard takes per admitted key,
// and the time of an Admit (with the snprintf that makes its key). BENCHMARKS.md quotes it.
//
//   g++ -O2 -std=c++20 -Ilibs/proto/include -Ilibs/base/include \
//     scripts/experiments/replay_guard_memory.cpp build/release/libs/proto/libvgi_proto.a \
//     build/release/libs/base/libvgi_base.a -lcrypto -o /tmp/replay_guard_memory && /tmp/replay_guard_memory
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include "vgi/proto/replay_guard.hpp"
static long Rss() {
  std::ifstream f("/proc/self/statm");
  long size = 0, resident = 0;
  f >> size >> resident;
  return resident * 4096;
}
int main() {
  vgi::proto::MemoryReplayGuard guard(vgi::Clock::System());
  const auto forget = vgi::Clock::System().Now() + std::chrono::seconds(600);
  const long before = Rss();
  const int n = 2000000;
  char ts[16], seq[8];
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    std::snprintf(ts, sizeof ts, "202612051%05d", i / 10000);
    std::snprintf(seq, sizeof seq, "%04d", i % 10000);
    if (!guard.Admit("123456789", ts, seq, forget).ok()) {
      std::puts("refused");
      return 1;
    }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%zu keys: %.1f bytes/key RSS, %.0f ns/Admit\n", guard.size(), double(Rss() - before) / n, s * 1e9 / n);
}
