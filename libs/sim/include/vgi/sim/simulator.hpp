#pragma once
// Simulator: simulated operator platforms that speak the protocol from the operator side, for
// `vgi sim`, `vgi demo`, end-to-end tests and load.
//
// What it does, per simulated operator (one fleet each, see fleet.hpp and load_model.hpp):
//  - serves the operator-side endpoints over HTTPS at its own base URL
//    (https://<host>:<port>/op/<OperatorID>/evcs/v1/<interface>): query_token, send_task,
//    query_task_result, exchange_inviteplan_push. The grid calls them as OperatorID
//    `grid_operator_id`, with the key set this operator issued to it (SimPeer::issued_keys);
//    requests are checked in the protocol's order (envelope, caller, token, Sig, freshness and
//    replay, decrypt, Data) and answered with the protocol's Ret codes;
//  - pushes to the grid with the keys the grid issued to it (SetGridKeys): send_station_info,
//    paged, at the first minute and daily at 09:00 simulated time; send_station_power_1440 every
//    simulated minute on the minute with each station's point for that minute and its adjustable
//    bounds. A failed push is retried the next minute with the points missed meanwhile (the
//    backlog keeps at most max_backlog_minutes per station, oldest dropped first);
//  - answers instructions by its Policy (accept, reject, or accept with targets x ratio through
//    callback_task_check), after the policy's delay in simulated time; until then
//    query_task_result says 2 (processing). An accepted instruction moves the simulated load of the
//    stakes in its scope during its windows (LoadModel), from the minute it was accepted. Scope by
//    rangeType: 3 operator (adjustIDList must name it), 4 the listed stations, 5 the listed stakes,
//    1 market and 2 transformer area all its stations (it has no map of either); an unknown ID is
//    Ret 4003 naming adjustIDList[i]. A change (same taskID, new regulationID)
//    replaces the task's effect once accepted; a cancel removes it at once; a resend of a
//    regulationID already held has no second effect (counted in OperatorStats::duplicates);
//  - injects Faults on demand.
//
// Time: every minute is stepped when `clock` reaches its start; a driver thread per operator
// (Start) polls the clock every few real milliseconds and, when behind, catches up minute by
// minute (stepping and pushing each; after a failed push the rest of that catch-up only queues
// points). With a ScaledClock (sim_clock.hpp) one real second can be a simulated minute.
//
// Thread safety: every method may be called from any thread, except Start/Stop/Tick, which must
// not be called concurrently with each other.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vgi/base/clock.hpp"
#include "vgi/base/random.hpp"
#include "vgi/base/status.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/decimal.hpp"
#include "vgi/proto/keys.hpp"
#include "vgi/proto/settlement.hpp"
#include "vgi/proto/station.hpp"
#include "vgi/proto/task.hpp"
#include "vgi/proto/wire_profile.hpp"
#include "vgi/sim/fleet.hpp"
#include "vgi/sim/load_model.hpp"

namespace vgi::sim {

// How an operator answers instructions (new and change; a cancel is always taken at once).
struct Policy {
  enum class Decision { kAccept, kReject, kPartial };
  Decision decision = Decision::kAccept;
  // kPartial: every window's targetPower x ratio (0 < ratio <= 10; above 1 raises the target).
  double partial_ratio = 0.6;
  // Simulated time from receipt to the decision (and its callback); 0 decides while answering.
  std::chrono::seconds delay{0};
};

// Invalid naming the field when a policy breaks its stated range.
Status ValidatePolicy(const Policy& policy);

// "accept", "reject", "partial".
std::string_view DecisionName(Policy::Decision decision);
std::optional<Policy::Decision> ParseDecision(std::string_view name);

// Faults an operator can be told to show; each may be changed at any time (SetFaults).
struct Faults {
  double drop_points = 0;          // share of power points never sent (0..1)
  std::chrono::minutes late{0};    // a minute's points are pushed this many minutes later
  // Until then the platform is down: its endpoints answer HTTP 503, it pushes nothing and sends no
  // callbacks (its model keeps running; the points missed are pushed when it is back).
  std::optional<SystemTime> offline_until;
  bool answer_500 = false;  // endpoints answer Ret 500 (signed, HTTP 200) after checking the caller
  int http_status = 0;      // when not 0: endpoints answer this HTTP status (400..599), plain text
  bool broken_sig = false;  // endpoints sign their answers with a wrong SigSecret
  // Real time: a send_task, query_task_result or exchange_inviteplan_push is handled (an
  // instruction takes effect) at once and its answer leaves this much later (0..60 s) — a slow
  // platform, or a grid that dies before it reads the answer. query_token is answered at once.
  std::chrono::milliseconds answer_delay{0};
};

// Invalid naming the field when a fault set breaks its stated range.
Status ValidateFaults(const Faults& faults);

struct SimOptions {
  FleetOptions fleet;
  std::string listen = "127.0.0.1:0";  // the operators' HTTPS endpoint (host:port; port 0 = any)
  // Host put in the base URLs; "" = the listen host (127.0.0.1 when it listens on 0.0.0.0 or ::).
  std::string advertise_host;
  // The endpoint's certificate and key. Created self-signed when both files are missing; when both
  // are "" a self-signed pair is made in a temporary folder removed with the Simulator.
  std::string tls_cert, tls_key;
  int http_threads = 2;
  std::string grid_base_url;  // "https://127.0.0.1:8443/evcs/v1"; "" = push nothing
  std::string grid_ca_file;   // trust for the grid's certificate ("" = the system store)
  std::string grid_operator_id = "MA0GRID01";  // the grid's ID as the simulated operators know it
  proto::WireProfile profile;                  // how the operators and the grid talk, both ways
  int page_size = 100;                         // stations per send_station_info page
  std::chrono::milliseconds push_timeout{10'000};  // real time, per HTTP exchange with the grid
  int history_minutes = 1440;                      // samples kept for StationSample/OperatorSample
  int max_backlog_minutes = 1440;                  // unsent points kept per station
  // The per-operator knobs; default_policy applies to operators not listed.
  Policy default_policy;
  std::map<std::string, Policy> policies;
  // Where issued keys and token secrets come from; null = RandomSource::System(). Must outlive.
  RandomSource* random = nullptr;
};

// One simulated operator as the grid must register it.
struct SimPeer {
  std::string operator_id, name, credit_code;
  std::string base_url;          // where the grid calls it
  proto::KeySet issued_keys;     // the keys this operator issued to the grid (the grid's "outbound")
  std::string grid_operator_id;  // the grid's ID as this operator knows it
};

struct OperatorStats {
  std::string operator_id;
  std::size_t stations = 0, stakes = 0;
  bool online = true;      // not in an offline fault
  bool grid_keys = false;  // SetGridKeys was called
  // Pushes to the grid.
  std::uint64_t power_pushes_ok = 0, power_pushes_failed = 0;
  std::uint64_t points_sent = 0;
  std::uint64_t points_dropped = 0;    // by the drop_points fault
  std::uint64_t points_discarded = 0;  // backlog overflow, or refused by the grid (Ret 4000/4003)
  std::uint64_t backlog_points = 0;    // waiting to be sent
  bool model_synced = false;           // a full send_station_info sync succeeded
  std::optional<SystemTime> model_synced_at;
  std::uint64_t model_syncs = 0, model_pages_sent = 0, model_page_failures = 0;
  std::uint64_t callbacks_sent = 0, callbacks_failed = 0, callbacks_dropped = 0;
  // Instructions and the other endpoints.
  std::uint64_t instructions_received = 0;  // distinct regulationIDs
  std::uint64_t accepted = 0, rejected = 0, partial = 0, cancelled = 0, duplicates = 0;
  std::uint64_t pending = 0;  // received, not decided yet
  std::uint64_t settlements_received = 0;
  std::uint64_t token_requests_served = 0;
  std::uint64_t requests = 0;          // HTTP requests to its endpoints
  std::uint64_t requests_refused = 0;  // answered Ret 4009
  // The load at the last minute stepped.
  std::optional<proto::BeijingMinute> minute;
  proto::Kilowatts power, baseline, adjust_top, adjust_bottom;
  std::size_t regulations_in_force = 0;  // tasks whose effect is installed
  std::string last_error;                // the last failed push or callback ("" = none yet)
};

class Simulator {
 public:
  // Builds the fleet and issues keys, binds the HTTPS endpoint and serves it; steps and pushes
  // nothing until Start or Tick. `clock` must outlive the simulator. Invalid naming the option;
  // Io when the address cannot be bound or the certificate not made.
  static Result<std::unique_ptr<Simulator>> Create(SimOptions options, const Clock& clock);
  ~Simulator();  // stops the drivers and the endpoint
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  [[nodiscard]] std::vector<SimPeer> Peers() const;
  [[nodiscard]] std::uint16_t port() const;
  // The endpoint's certificate (PEM), for the grid to trust.
  [[nodiscard]] const std::string& tls_cert_file() const;

  // The keys the GRID issued to operator `operator_id` (it calls the grid with them) and the
  // OperatorID the grid knows it by ("" = its own). NotFound for an unknown operator; Invalid for
  // a malformed key set or ID.
  Status SetGridKeys(std::string_view operator_id, const proto::KeySet& keys, std::string_view known_as = {});

  // Starts one driver thread per operator (model sync, per-minute steps and pushes, decisions and
  // callbacks). Ok when already started. Stop joins them (the endpoint keeps serving).
  Status Start();
  void Stop();
  // One pass of every driver on the calling thread (decide what is due, step every minute the
  // clock has reached, push, send callbacks): deterministic stepping for tests and tools.
  // Conflict while started.
  Status Tick();

  Status SetPolicy(std::string_view operator_id, Policy policy);
  Status SetFaults(std::string_view operator_id, Faults faults);
  // Takes an instruction as send_task does once the request is opened (scope checks, policy,
  // duplicates): Ok, or Invalid naming the field. For tests and tools.
  Status SubmitInstruction(std::string_view operator_id, const proto::Instruction& instruction);

  // Stats of one operator (NotFound: operator_id is empty in the answer) or of all.
  [[nodiscard]] OperatorStats Stats(std::string_view operator_id) const;
  [[nodiscard]] std::vector<OperatorStats> AllStats() const;

  // The simulated power of one station / one operator at a minute already stepped and still in the
  // history: what was (or would have been) reported. NotFound otherwise.
  [[nodiscard]] Result<proto::Kilowatts> StationPower(std::string_view operator_id, std::string_view station_code,
                                                      proto::BeijingMinute minute) const;
  [[nodiscard]] Result<proto::Kilowatts> OperatorPower(std::string_view operator_id, proto::BeijingMinute minute) const;
  // The same with the baseline and bounds.
  [[nodiscard]] Result<PowerSample> StationSample(std::string_view operator_id, std::string_view station_code,
                                                  proto::BeijingMinute minute) const;
  [[nodiscard]] Result<PowerSample> OperatorSample(std::string_view operator_id, proto::BeijingMinute minute) const;

  // What it holds for an instruction (as query_task_result would answer).
  [[nodiscard]] std::optional<proto::InstructionResult> Instruction(std::string_view operator_id,
                                                                    std::string_view regulation_id) const;
  // Settlement pushes received (exchange_inviteplan_push), oldest first (the last 1000).
  [[nodiscard]] std::vector<proto::SettlementPush> Settlements(std::string_view operator_id) const;
  // The operator's stations (empty for an unknown operator). Valid as long as the simulator.
  [[nodiscard]] const std::vector<proto::Station>& Stations(std::string_view operator_id) const;

  struct Impl;

 private:
  explicit Simulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vgi::sim
