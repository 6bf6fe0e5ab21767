#pragma once
// Regulator: drives demands through the store — decomposition by potential, instructions through
// the durable outbox, negotiation (accept / reject / partial, re-dispatch of the shortfall),
// execution monitoring against a baseline, measurement and settlement (issue 5).
//
// Everything it knows is in the store (demand, regulation and settlement rows, the outbox, the
// feedback the server stored from the operators' callbacks), so any node can pick up where
// another stopped: a restart in any state continues from the rows. Every change to a demand and
// its instructions is one store transaction guarded by the demand's version (compare-and-set),
// so a dispatcher's cancel and the engine's clock-driven step never overwrite each other (the
// loser re-reads and retries).
//
// Clock-driven work (Tick) must run on one node at a time: EngineRunner (engine_runner.hpp)
// holds the store lease "engine" and calls Tick about once a second.
//
// Instruction (regulation) lifecycle, RegulationState:
//   sent ─┬─ accepted ─┐             (full acceptance, callback_task_overview status 1)
//         ├─ partial ──┴─ executing ─ completed ─ evaluated ─ settled
//         ├─ rejected                 (callback_task_overview status 0)
//         ├─ failed                   (undeliverable, or no answer by the first window's start)
//         ├─ superseded               (replaced by a change with a new regulationID)
//         └─ cancelled                (the demand was cancelled; a synchroType 3 was sent)
// "draft" is the demand's first state (DemandState::kDraft) before any instruction exists.
//
// Thread safety: all methods may be called from any thread (state is in the store).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vgi/base/clock.hpp"
#include "vgi/base/status.hpp"
#include "vgi/engine/baseline.hpp"
#include "vgi/engine/demand.hpp"
#include "vgi/engine/settlement.hpp"
#include "vgi/store/store.hpp"

namespace spdlog {
class logger;
}

namespace vgi::engine {

enum class RegulationState : int {
  kSent = 1,
  kAccepted = 2,
  kPartial = 3,
  kRejected = 4,
  kExecuting = 5,
  kCompleted = 6,
  kEvaluated = 7,
  kSettled = 8,
  kCancelled = 9,
  kFailed = 10,
  kSuperseded = 11,
};
std::string_view RegulationStateName(RegulationState state);  // "sent", "accepted", ...
std::string_view DemandStateName(store::DemandState state);   // "draft", "dispatched", ...
// No further change: rejected, settled, cancelled, failed, superseded.
bool IsFinal(RegulationState state);

struct RegulatorConfig {
  int reserve_margin_bp = 1000;           // keep 10 % of each potential back
  std::chrono::minutes accept_lead{10};   // default acceptance deadline before the first window
  int reading_max_age_minutes = 15;       // older power data offers no potential
  int forecast_days = 5;                  // similar days for the expected potential
  BaselineConfig baseline;                // measurement (default high 5 of 10)
  bool check_baseline_accuracy = true;    // refuse a baseline that fails its RRMSE check
  std::chrono::minutes measure_delay{5};  // after the last window, wait for late data
  int shortfall_share_percent = 80;       // live alarm: below this share of the target
  int shortfall_minutes = 5;              //   for this many minutes in a row
  SettlementRules settlement;             // price, bands, penalty
  std::chrono::hours settlement_push_deadline{24};
  std::string node_id = "engine";  // written into alarms' detail
};

// A demand as stored, decoded, with its instructions.
struct WindowCoverage {
  proto::AdjustTarget window;
  proto::Kilowatts allocated;  // Σ over live instructions (sent, accepted, partial, executing...)
  proto::Kilowatts accepted;   // Σ accepted by operators
  proto::Kilowatts uncovered;  // target − accepted − still awaiting an answer, when > 0
};

struct InstructionView {
  std::string operator_id;
  std::string regulation_id;
  RegulationState state = RegulationState::kSent;
  proto::SynchroType synchro = proto::SynchroType::kNew;
  proto::RangeType range = proto::RangeType::kOperator;
  std::vector<std::string> adjust_ids;
  std::vector<proto::AdjustTarget> allocated;  // what was asked, per window
  std::vector<proto::AdjustTarget> accepted;   // what the operator took (empty until it answered)
  std::vector<std::string> explanation;        // why it got what it got, one line per window
  std::string note;                            // the latest event in words ("rejected by the operator")
  int round = 0;                               // 0 = first decomposition, 1.. = re-dispatches
  SystemTime created_at{};
  SystemTime updated_at{};
  // After measurement: per window delivered energy and completion, and the settlement.
  struct Measured {
    proto::AdjustTarget window;
    double completion_percent = 0;
    proto::KilowattHours delivered;
    proto::Kilowatts baseline_average;
    proto::Kilowatts actual_average;
  };
  std::vector<Measured> measured;
  std::string baseline;  // method and accuracy, e.g. "high-5-of-10 (RRMSE 6.2 % on 5 days)"
  std::optional<proto::Yuan> earnings;
};

struct DemandView {
  DemandSpec spec;  // task_id filled
  store::DemandState state = store::DemandState::kDraft;
  std::int64_t version = 0;
  SystemTime created_at{};
  SystemTime updated_at{};
  std::vector<WindowCoverage> coverage;
  std::vector<InstructionView> instructions;  // oldest first
  std::vector<std::string> events;            // what happened, oldest first ("12:00 decomposed over 5 operators")
};

struct TickStats {
  int demands_dispatched = 0;
  int instructions_sent = 0;
  int answers_taken = 0;
  int redispatched = 0;
  int measured = 0;
  int settled = 0;
  int alarms = 0;
  int forecasts_made = 0;  // operators whose similar-day forecasts for today this tick made
  int history_warmed = 0;  // operators whose baseline history sums this tick brought up to date
};

// One accepted window of an instruction as it executes: what the live watch judges by, minute by
// minute from the window's start to the last complete minute (or the window's end).
struct ExecutionTrace {
  std::string operator_id;
  std::string regulation_id;
  RegulationState state = RegulationState::kAccepted;
  proto::AdjustTarget window;  // the accepted target
  // The reference the watch uses (the configured baseline without its back-test, else the
  // hours before the window); "" before the window starts (no reference yet).
  std::string reference;
  struct Minute {
    proto::BeijingMinute at;
    std::optional<proto::Kilowatts> baseline;
    std::optional<proto::Kilowatts> actual;    // nullopt: not reported (counts as missing)
    std::optional<proto::Kilowatts> response;  // baseline − actual (peak) / actual − baseline (valley)
  };
  std::vector<Minute> minutes;
};

class Regulator {
 public:
  // `store` and `clock` must outlive the Regulator; `log` may be null (no logging).
  Regulator(store::Store& store, const Clock& clock, RegulatorConfig config, std::shared_ptr<spdlog::logger> log);
  ~Regulator();

  // Validates (ValidateDemand) and stores a new demand in state draft; the next Tick decomposes
  // it. Returns the stored view. Conflict when the task_id is taken.
  Result<DemandView> CreateDemand(DemandSpec spec);
  // Replaces the windows (targets and times) of a demand whose first window has not started:
  // re-allocates over the operators that have not refused it and sends each a change
  // (synchroType 2, new regulationID), a new instruction or a cancel as the new allocation needs.
  // Refused when cancelled, done, or the first window has started.
  Result<DemandView> ChangeDemand(std::string_view task_id, std::vector<proto::AdjustTarget> windows);
  // Cancels a demand: every instruction not final gets a cancel (synchroType 3, new
  // regulationID) and becomes cancelled. NotFound / Refused (already cancelled/done).
  Result<DemandView> CancelDemand(std::string_view task_id, std::string_view reason);

  Result<DemandView> GetDemand(std::string_view task_id);
  // Every accepted window of the demand's instructions that execute or executed (accepted,
  // partial, executing, completed, evaluated, settled), by instruction then window. Reads the
  // instructions' stations' power of the windows' days; the reference is the one the live watch
  // stored at the window's start (none before). NotFound for an unknown demand.
  Result<std::vector<ExecutionTrace>> Execution(std::string_view task_id);
  Result<std::vector<DemandView>> ListDemands(const store::DemandFilter& filter);

  // The clock-driven work for every demand not done or cancelled: decompose drafts, take the
  // operators' answers, ask query_task_result past the acceptance deadline, re-dispatch
  // shortfalls, start execution and watch it (live shortfall alarm), measure after the last
  // window, settle and push the settlement, mark done. Errors of one demand are logged and do
  // not stop the others; the first is returned after all were tried. Last, with the forecast on,
  // the first tick of a day (or of a new leader) makes today's similar-day forecasts of every
  // enabled operator (once; seconds at 30 000 stations), so decompositions find them ready; and
  // (baseline methods with history) it reads every enabled operator's baseline lookback once, so
  // the store keeps the operator-day sums measurement reads (the first day after an upgrade sums
  // every past day once; later days only yesterday).
  Result<TickStats> Tick();

  // Daily ("yyyy-MM-dd") and monthly ("yyyy-MM") statements from the stored settlements.
  Result<std::vector<Statement>> Statements(const store::SettlementFilter& filter, bool monthly);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vgi::engine
