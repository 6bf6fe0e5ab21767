#pragma once
// Private to the engine: the Regulator's working parts, split by stage —
// regulator.cpp (API, the per-demand step and its compare-and-set retry, negotiation),
// regulator_dispatch.cpp (scope, potentials, decomposition, re-dispatch),
// regulator_measure.cpp (execution watch, measurement, settlement).

#include <spdlog/spdlog.h>

#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "regulator_docs.hpp"
#include "vgi/engine/potential.hpp"
#include "vgi/engine/regulator.hpp"

namespace vgi::engine {

struct Reg {
  store::RegulationRow row;
  doc::RegulationDoc doc;
  bool dirty = false;
  [[nodiscard]] RegulationState state() const { return static_cast<RegulationState>(row.state); }
  void Set(RegulationState s, std::string note) {
    row.state = static_cast<int>(s);
    doc.note = std::move(note);
    dirty = true;
  }
};

// One demand loaded for a step: its row, its document and its instructions.
struct Loaded {
  store::DemandRow row;
  doc::DemandDoc doc;
  std::vector<Reg> regs;  // oldest first
  bool demand_dirty = false;
  // Per operator and history start ("<operator>/<day number>"), the days it had settled events
  // (never baseline history), read once per step for all its instructions (regulator_measure.cpp;
  // measurements run on several threads: guarded by *event_days_mu).
  std::map<std::string, std::set<std::int32_t>> event_days;
  std::shared_ptr<std::mutex> event_days_mu = std::make_shared<std::mutex>();
};

// What a step wants written (one transaction) and raised afterwards.
struct StepOut {
  std::vector<Reg> new_regs;
  std::vector<store::EngineWrite::Command> commands;
  std::vector<store::SettlementRow> settlements;
  std::vector<store::AlarmRow> alarms;
  TickStats stats;
};

// One participant of a demand: an operator (rangeType 3: the operator's whole fleet), or one of
// its stations (4) or stakes (5) — the protocol names exactly one station or stake per
// instruction, so a station or stake scope gets one instruction each.
struct OperatorScope {
  std::string key;  // operator ID, or "OPERATORID/CODE": unique within a demand
  std::string operator_id;
  proto::RangeType range = proto::RangeType::kOperator;
  std::vector<std::string> adjust_ids;
  std::vector<std::string> stations;  // measured stations; empty = all of the operator's
  std::optional<std::string> credit_code;
  std::vector<proto::Kilowatts> potential;  // per demand window
  std::vector<std::string> basis;           // per window: where the potential comes from
};

// What a demand's scope kind becomes in its instructions' rangeType (regulator_topology.cpp).
proto::RangeType RangeOf(ScopeKind kind);

// Operator -> station code -> the market or transformer-area ID of the scope that covers it.
using TopologyCover = std::map<std::string, std::map<std::string, std::string>, std::less<>>;

// Invalid: the topology places no active station of an enabled operator in the scope (it names
// `cover`'s stations there); the demand is closed saying so (regulator_topology.cpp).
Status NothingCovered(const DemandScope& scope, const TopologyCover& cover);

struct Regulator::Impl {
  Impl(store::Store& s, const Clock& c, RegulatorConfig cfg, std::shared_ptr<spdlog::logger> l)
      : store(s), clock(c), config(std::move(cfg)), log(std::move(l)) {}

  store::Store& store;
  const Clock& clock;
  RegulatorConfig config;
  std::shared_ptr<spdlog::logger> log;

  [[nodiscard]] SystemTime Now() const { return clock.Now(); }
  [[nodiscard]] proto::BeijingMinute NowMinute() const { return proto::ToBeijingMinute(clock.Now()); }
  void Event(Loaded& d, const std::string& text) const;
  store::AlarmRow Alarm(std::string type, std::string object, store::AlarmLevel level, std::string title,
                        std::string detail) const;
  std::string NextRegulationId(Loaded& d) const;

  // regulator.cpp
  Result<Loaded> Load(std::string_view task_id);
  Result<DemandView> View(const Loaded& d);
  Status Negotiate(Loaded& d, StepOut& out);

  // Similar-day forecasts of one operator's stations for one day, made from the history before
  // `made_on` (the day they were made). History is past days, so one read per operator and day
  // serves every decomposition of that day: the cache is what keeps a decomposition over 30 000
  // stations within 100 ms with the forecast on (docs/engine.md). Dropped when the day changes.
  struct ForecastSet {
    proto::BeijingDate made_on;
    std::unordered_map<std::string, Forecast> by_station;  // stations with enough history
  };
  std::mutex forecast_mu;  // guards forecasts (Scope runs on the tick; the API may preview)
  std::map<std::pair<std::string, std::int32_t>, std::shared_ptr<const ForecastSet>> forecasts;

  // regulator_dispatch.cpp
  Result<std::shared_ptr<const ForecastSet>> ForecastsFor(const std::string& operator_id, proto::BeijingDate day,
                                                          proto::BeijingDate today);
  // Makes today's forecasts of every enabled operator not yet made; returns how many it made.
  Result<int> WarmForecasts();
  Result<std::vector<OperatorScope>> Scope(const Loaded& d);
  // A market or transformer-area scope names only IDs the grid topology holds (Invalid naming
  // the first that it does not); Ok for the other kinds. regulator_topology.cpp.
  Status CheckTopologyScope(const DemandScope& scope);
  // The stations a market or transformer-area scope covers: operator -> station -> the scope ID
  // that covers it. regulator_topology.cpp.
  Result<TopologyCover> CoverOf(const DemandScope& scope);
  Status Decompose(Loaded& d, StepOut& out);
  Status Redispatch(Loaded& d, StepOut& out);
  Status SendInstruction(Loaded& d, StepOut& out, const OperatorScope& scope, proto::SynchroType synchro,
                         std::vector<proto::AdjustTarget> targets, std::vector<std::string> explanation, int round,
                         std::string replaces);
  Status CancelAll(Loaded& d, StepOut& out, const std::string& reason);

  // regulator_measure.cpp
  Status Execute(Loaded& d, StepOut& out);
  // Once a day: reads every enabled operator's baseline lookback (ListOperatorDays), so that the
  // store has summed each past day before a measurement needs it; returns the operators read
  // (0 when already done today or the baseline needs no history).
  Result<int> WarmHistory();
  std::mutex history_mu;
  std::optional<proto::BeijingDate> history_warmed_on;  // guarded by history_mu
};

// Per window of the demand: the target and what each live instruction holds of it.
proto::Kilowatts TargetIn(const std::vector<proto::AdjustTarget>& targets, const proto::AdjustTarget& window);
bool IsLive(RegulationState s);  // sent, accepted, partial, executing
// The participant key of an instruction (OperatorScope::key).
std::string KeyOf(const Reg& r);

}  // namespace vgi::engine
