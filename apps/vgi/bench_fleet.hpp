#pragma once
// The generated fleet the in-process store benches share (`--scenario decompose`, `--scenario
// console`): a fresh store (SQLite in a temporary folder or --data-dir, or --database) filled
// with --operators enabled peers x stations each (--stakes-per-station stakes; ten areas, 10 %
// of the stations each, four of them in 1201), --history-days past days of power per station and
// today's power of every station up to now.
//
// Station g (0-based over the fleet) of operator op is StationCode("BD", g), area kAreas[g % 10].
// The grid topology places it in market "M" + the area's first 4 digits and transformer area
// "T" + (g % kTransformerAreas): at 100 x 300 stations, 3 000 areas of 10 stations of 10
// operators each.
//
// Thread safety: none; one thread loads, before anything is timed.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench_internal.hpp"
#include "vgi/base/status.hpp"
#include "vgi/server/grid_server.hpp"
#include "vgi/store/store.hpp"

namespace vgi::app::bench {

// Ten areas (GB/T 2260 counties); stations take them in turn, so a 4-digit prefix like 1201
// (four of them) selects 40 % of every operator's stations.
inline constexpr const char* kAreas[] = {"120101", "120102", "120103", "120104", "110101",
                                         "110105", "310101", "310104", "440103", "440304"};
inline constexpr const char* kAreaPrefix = "1201";
inline constexpr const char* kFleetCodePrefix = "BD";
inline constexpr int kTransformerAreas = 3000;

// "6" + 8 digits: operator 0 is "600000001".
std::string OperatorIdOf(int op);

double MsSince(SteadyClock::time_point t0);

// Peak resident memory of this process so far, in MiB.
double MaxRssMb();

// The store a bench fills: in `data_dir`, or a temporary folder removed with this, or `database`.
class FleetStore {
 public:
  // `scratch_prefix` names the temporary folder ("vgi-bench-decompose").
  static Result<std::unique_ptr<FleetStore>> Open(const Options& o, const std::string& scratch_prefix);
  store::Store& store() { return *handle_.store; }

 private:
  std::optional<ScratchDir> scratch_;  // declared first: removed after the store is closed
  server::StoreHandle handle_;
};

class FleetLoader {
 public:
  // o.operators peers x o.stations stations each (300 when 0); uses o.history_days,
  // o.stakes_per_station and o.quiet (progress on stderr).
  FleetLoader(store::Store& store, const Options& o)
      : store_(store), o_(o), operators_(o.operators), per_op_(o.stations > 0 ? static_cast<int>(o.stations) : 300) {}

  // Peers, stations and past days first, today last (so the readings are as fresh as possible
  // when the timing starts).
  Status Run();
  // Today's power only, up to now (a store that already holds the fleet's model and history).
  Status RunToday();

  // Stations whose area starts with kAreaPrefix (also: in market "M" + kAreaPrefix).
  [[nodiscard]] std::int64_t InPrefix() const;
  // The markets the fleet's stations are in, ascending.
  [[nodiscard]] std::vector<std::string> Markets() const;
  // Stations in transformer areas T0 .. T(n-1).
  [[nodiscard]] std::int64_t InTransformerAreas(int n) const;
  [[nodiscard]] std::int64_t Total() const { return std::int64_t{operators_} * per_op_; }
  [[nodiscard]] int operators() const { return operators_; }
  [[nodiscard]] int per_op() const { return per_op_; }
  // The 0-based fleet index of operator op's station s.
  [[nodiscard]] std::int64_t Global(int op, int s) const { return std::int64_t{op} * per_op_ + s; }

 private:
  Status PutOperator(int op);
  Status PutTopology();
  Status PutPower(int op, proto::BeijingMinute first, int minutes);
  void Progress(const char* what, int op) const;

  store::Store& store_;
  const Options& o_;
  int operators_;
  int per_op_;
};

}  // namespace vgi::app::bench
