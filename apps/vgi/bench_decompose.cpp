// `vgi bench --scenario decompose`: the engine's decomposition step with the store (issue 5:
// "decomposition of a demand over 100 operators / 30 000 stations <= 100 ms"). A fresh store
// (SQLite in a temporary folder or --data-dir, or --database) is filled with --operators enabled
// peers x --stations stations (10 % of the stations in each of ten areas, four of them in 1201),
// today's power of every station up to now and --history-days past days; then --repeat demands
// per scope (all; areas 1201) are created and decomposed by Regulator::Tick, which is timed alone
// (wall time: Scope's store reads, the allocation, the instructions and outbox commands written
// in one transaction). Each demand is cancelled after its measurement (untimed) so the next
// Tick sees only the new draft.
#include <algorithm>
#include <cstdio>

#include "bench_fleet.hpp"
#include "bench_internal.hpp"
#include "commands.hpp"
#include "vgi/engine/regulator.hpp"
#include "vgi/proto/civil_time.hpp"

namespace vgi::app::bench {
namespace {

// "T0" .. "T(n-1)" (bench_fleet.hpp).
std::vector<std::string> TransformerAreaIds(int n) {
  std::vector<std::string> ids;
  for (int k = 0; k < n; ++k) ids.push_back("T" + std::to_string(k));
  return ids;
}

using namespace std::chrono_literals;

// Past days the Regulator reads per operator when forecasting (regulator_dispatch.cpp's
// kForecastLookbackDays).
constexpr int kEngineLookbackDays = 14;

// "N of M stations reporting" in an instruction's explanation (regulator_dispatch.cpp's basis).
void AddBasis(const std::vector<std::string>& explanation, std::int64_t& reporting, std::int64_t& considered) {
  if (explanation.empty()) return;
  const std::string& line = explanation.front();
  const auto end = line.find(" stations reporting");
  const auto of = line.rfind(" of ", end);
  const auto start = line.rfind("; ", of);
  if (end == std::string::npos || of == std::string::npos || start == std::string::npos) return;
  try {
    reporting += std::stoll(line.substr(start + 2, of - start - 2));
    considered += std::stoll(line.substr(of + 4, end - of - 4));
  } catch (const std::exception&) {
  }
}

struct CaseResult {
  std::vector<double> create_ms, tick_ms;
  std::size_t instructions = 0;
  std::int64_t reporting = 0, considered = 0;  // summed over the instructions of the last demand
  int dispatched = 0;                          // demands the Tick decomposed and sent
  std::string not_sent;                        // why the engine closed a demand without sending it
};

Result<CaseResult> RunCase(engine::Regulator& regulator, const Options& o, const std::string& name,
                           const engine::DemandScope& scope, std::int64_t stations_in_scope) {
  CaseResult r;
  const std::string stamp = proto::FormatTimeStamp(Clock::System().Now());
  for (int rep = 0; rep < o.repeat; ++rep) {
    engine::DemandSpec spec;
    spec.task_id = "BENCH-" + stamp + "-" + name + "-" + std::to_string(rep + 1);
    spec.type = proto::RegulationType::kPeakShaving;
    spec.scope = scope;
    const auto start = proto::StartWithinOneDay(proto::ToBeijingMinute(Clock::System().Now() + 1h), 60);
    // 20 kW a station in scope: well inside the fleet's potential, so every operator gets a share.
    spec.windows = {{proto::Kilowatts::FromInt(std::max<std::int64_t>(1, stations_in_scope * 20)), start,
                     proto::BeijingMinute{start.minutes + 59}}};
    spec.created_by = "bench";
    const auto t0 = SteadyClock::now();
    VGI_ASSIGN_OR_RETURN(const engine::DemandView created, regulator.CreateDemand(spec));
    r.create_ms.push_back(MsSince(t0));
    const auto t1 = SteadyClock::now();
    VGI_ASSIGN_OR_RETURN(const engine::TickStats stats, regulator.Tick());
    r.tick_ms.push_back(MsSince(t1));
    VGI_ASSIGN_OR_RETURN(const engine::DemandView view, regulator.GetDemand(created.spec.task_id));
    const std::string last_event = view.events.empty() ? std::string("nothing") : view.events.back();
    if (stats.demands_dispatched != 1) {
      // The engine closed the draft instead (e.g. it cannot make valid instructions of it): the
      // Tick's time still counts its reads and allocation; say why nothing was sent.
      if (view.state != store::DemandState::kDone) {
        return Status::Internal(spec.task_id + ": the Tick dispatched " + std::to_string(stats.demands_dispatched) +
                                " demands, expected 1; the demand says: " + last_event);
      }
      r.not_sent = last_event;
      continue;
    }
    ++r.dispatched;
    r.instructions = view.instructions.size();
    r.reporting = r.considered = 0;
    for (const auto& in : view.instructions) AddBasis(in.explanation, r.reporting, r.considered);
    // Out of the way of the next Tick (untimed): a dispatched demand would be negotiated again.
    VGI_RETURN_IF_ERROR(regulator.CancelDemand(created.spec.task_id, "bench").status());
    if (!o.quiet)
      std::fprintf(stderr, "\r  %s: demand %d of %d, Tick %.1f ms   ", name.c_str(), rep + 1, o.repeat,
                   r.tick_ms.back());
  }
  if (!o.quiet) std::fprintf(stderr, "\n");
  return r;
}

// The store reads Regulator's Scope makes for a scope-all demand, timed apart (where a Tick's time
// goes): ListPeers, every station's latest reading in one ListLatestPower, per enabled peer its
// ListStationIndex, and with `lookback_days` > 0 the past days the forecast is made of (once per
// operator and day: the first Tick of a day pays it, later ones find it cached).
struct ReadTimes {
  std::vector<double> total_ms, latest_ms, index_ms, history_ms;
};

Status TimeScopeReads(store::Store& store, int lookback_days, int repeat, ReadTimes& t) {
  for (int rep = 0; rep < repeat; ++rep) {
    const proto::BeijingDate today = proto::DateOf(proto::ToBeijingMinute(Clock::System().Now()));
    double index_ms = 0, history_ms = 0;
    const auto t0 = SteadyClock::now();
    VGI_ASSIGN_OR_RETURN(const auto peers, store.ListPeers());
    auto t1 = SteadyClock::now();
    VGI_RETURN_IF_ERROR(store.ListLatestPower("").status());
    t.latest_ms.push_back(MsSince(t1));
    for (const auto& peer : peers) {
      if (!peer.enabled) continue;
      t1 = SteadyClock::now();
      VGI_RETURN_IF_ERROR(store.ListStationIndex(peer.operator_id).status());
      index_ms += MsSince(t1);
    }
    t.total_ms.push_back(MsSince(t0));
    for (const auto& peer : peers) {
      if (!peer.enabled) continue;
      t1 = SteadyClock::now();
      for (int k = 1; k <= lookback_days; ++k) {
        VGI_RETURN_IF_ERROR(store.ListStationDays(peer.operator_id, proto::BeijingDate{today.days - k}).status());
      }
      history_ms += MsSince(t1);
    }
    t.index_ms.push_back(index_ms);
    t.history_ms.push_back(history_ms);
  }
  return Status::Ok();
}

}  // namespace

int RunDecomposeBench(const Options& o) {
  auto fleet = FleetStore::Open(o, "vgi-bench-decompose");
  if (!fleet.ok()) {
    std::fprintf(stderr, "vgi bench decompose: %s\n", fleet.status().ToString().c_str());
    return kExitFailed;
  }
  store::Store& store = (*fleet)->store();
  FleetLoader loader(store, o);
  const int operators = loader.operators();
  const int per_op = loader.per_op();
  const auto load0 = SteadyClock::now();
  if (Status st = loader.Run(); !st.ok()) {
    std::fprintf(stderr, "\nvgi bench decompose: loading: %s%s\n", st.ToString().c_str(),
                 o.database.empty() ? "" : " (--database should name an empty database)");
    return kExitFailed;
  }
  const double load_s = MsSince(load0) / 1000;

  engine::RegulatorConfig rc;
  rc.forecast_days = o.history_days > 0 ? 5 : 0;
  engine::Regulator regulator(store, Clock::System(), rc, nullptr);
  // The engine's first tick of a day makes today's forecasts (with the forecast on): timed apart,
  // as the runner does it before any demand of the day is decomposed.
  const double rss_before_mb = MaxRssMb();
  const auto w0 = SteadyClock::now();
  auto warm = regulator.Tick();
  const double warm_ms = MsSince(w0);
  if (!warm.ok()) {
    std::fprintf(stderr, "vgi bench decompose: the first tick: %s\n", warm.status().ToString().c_str());
    return kExitFailed;
  }
  struct Case {
    std::string name;
    engine::DemandScope scope;
    std::int64_t stations;
  };
  // A hundred transformer areas (local congestion), fewer on a small fleet: each holds stations.
  const int areas = static_cast<int>(std::min<std::int64_t>({100, kTransformerAreas, loader.Total()}));
  const std::vector<Case> cases = {
      {"all", {engine::ScopeKind::kAll, {}}, loader.Total()},
      {std::string("areas-") + kAreaPrefix, {engine::ScopeKind::kAreas, {kAreaPrefix}}, loader.InPrefix()},
      {std::string("markets-M") + kAreaPrefix, {engine::ScopeKind::kMarkets, {std::string("M") + kAreaPrefix}},
       loader.InPrefix()},
      {"transformer-areas-" + std::to_string(areas), {engine::ScopeKind::kTransformerAreas, TransformerAreaIds(areas)},
       loader.InTransformerAreas(areas)},
  };
  std::printf(
      "vgi bench decompose: %d operators x %d stations (%lld) x %d stakes, %d history day(s), store %s, "
      "loaded in %.1f s; forecast_days %d, %d demand(s) per case, window 1 h ahead\n",
      operators, per_op, static_cast<long long>(loader.Total()), o.stakes_per_station, o.history_days,
      store.backend().data(), load_s, rc.forecast_days, o.repeat);
  // Peak resident memory before and after: what the day's forecasts cost (about 5.8 KB a station).
  std::printf("summary scenario=decompose case=first-tick store=%s forecasts_made=%d first_tick_ms=%.1f "
              "max_rss_before_mb=%.0f max_rss_after_mb=%.0f\n",
              store.backend().data(), warm->forecasts_made, warm_ms, rss_before_mb, MaxRssMb());
  int exit_code = kExitOk;
  for (const auto& c : cases) {
    auto r = RunCase(regulator, o, c.name, c.scope, c.stations);
    if (!r.ok()) {
      std::fprintf(stderr, "\nvgi bench decompose %s: %s\n", c.name.c_str(), r.status().ToString().c_str());
      exit_code = kExitFailed;
      continue;
    }
    // p50 and max leave out each case's first demand (its Tick also warms SQLite's page cache for
    // the case's rows); tick_first_ms shows it.
    const std::vector<double> rest =
        r->tick_ms.size() > 1 ? std::vector<double>(r->tick_ms.begin() + 1, r->tick_ms.end()) : r->tick_ms;
    std::printf(
        "summary scenario=decompose case=%s store=%s operators=%d stations=%lld in_scope=%lld history_days=%d "
        "repeat=%d "
        "tick_first_ms=%.1f tick_p50_ms=%.1f tick_max_ms=%.1f create_p50_ms=%.1f instructions=%zu "
        "stations_considered=%lld stations_reporting=%lld dispatched=%d\n",
        c.name.c_str(), store.backend().data(), operators, static_cast<long long>(loader.Total()),
        static_cast<long long>(c.stations), o.history_days, o.repeat, rest.empty() ? 0.0 : r->tick_ms.front(), Percentile(rest, 0.5),
        Percentile(rest, 1.0), Percentile(r->create_ms, 0.5), r->instructions,
        static_cast<long long>(r->considered), static_cast<long long>(r->reporting), r->dispatched);
    if (!r->not_sent.empty()) {
      std::printf(
          "  NOTE %s: %d of %d demand(s) not sent by the engine (its Tick time above still includes the "
          "store reads and the allocation): %s\n",
          c.name.c_str(), o.repeat - r->dispatched, o.repeat, r->not_sent.c_str());
    }
    std::fflush(stdout);
  }
  // Where the time goes: the same reads alone (the rest of a Tick is the allocation, building the
  // instructions and their commands, and the one transaction that writes them).
  ReadTimes reads;
  if (Status st = TimeScopeReads(store, rc.forecast_days > 0 ? kEngineLookbackDays : 0, o.repeat, reads); !st.ok()) {
    std::fprintf(stderr, "vgi bench decompose: timing the reads: %s\n", st.ToString().c_str());
    return kExitFailed;
  }
  std::printf(
      "summary scenario=decompose case=scope-reads store=%s reads_p50_ms=%.1f list_latest_power_p50_ms=%.1f "
      "list_station_index_p50_ms=%.1f forecast_history_days_p50_ms=%.1f\n",
      store.backend().data(), Percentile(reads.total_ms, 0.5), Percentile(reads.latest_ms, 0.5),
      Percentile(reads.index_ms, 0.5), Percentile(reads.history_ms, 0.5));
  return exit_code;
}

}  // namespace vgi::app::bench
