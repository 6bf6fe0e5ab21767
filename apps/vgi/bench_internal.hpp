#pragma once
// `vgi bench` internals: the load generator's target, per-thread recorders, phases and the
// request models it sends. Used by bench_cmd.cpp (command line, reports), bench_run.cpp
// (scenarios) and bench_models.cpp (generated stations and power).
//
// The bench speaks the whole protocol through vgi::client (token, Seq/TimeStamp, AES, HMAC,
// keep-alive HTTPS): one thread with one ProtocolClient per connection, sharing one
// StampGenerator (so no (TimeStamp, Seq) pair repeats at the server's replay guard) and one TLS
// context. A request counts as ok only when it is answered Ret 0 with a valid Sig.
//
// Thread safety: a Recorder belongs to one thread; Progress counters are atomics; the rest is
// set up before the worker threads start and read-only while they run.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vgi/base/status.hpp"
#include "vgi/client/https_connection.hpp"
#include "vgi/client/protocol_client.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/interfaces.hpp"
#include "vgi/proto/keys.hpp"
#include "vgi/proto/stamp.hpp"
#include "vgi/proto/station.hpp"
#include "vgi/proto/station_power.hpp"

namespace vgi::app::bench {

using SteadyClock = std::chrono::steady_clock;

// What the command line asked for (defaults of 0 mean "the scenario's default").
struct Options {
  std::string scenario = "power-small";
  // Where and as whom.
  std::string config;     // the server's YAML: peer keys, listen address, TLS certificate
  std::string peer;       // OperatorID of the peer in the config (default: the first with keys)
  std::string url;        // base URL, e.g. https://127.0.0.1:8443/evcs/v1 (overrides the config)
  int port = 0;           // overrides the config's port (e.g. a server listening on port 0)
  std::string port_file;  // read the port from this file (`vgi serve --port-file`)
  std::string ca_file;    // default: the config's tls.cert (the self-signed certificate)
  std::string server_name;
  bool insecure = false;  // do not verify the server's certificate
  std::string operator_id;
  proto::KeySet keys;     // flags override the config's
  // Load.
  int connections = 32;
  double duration_s = 10;
  std::int64_t requests = 0;  // > 0: stop after this many instead of after duration_s
  double rate = 0;            // > 0: open loop at this many requests/s (all connections together)
  std::int64_t stations = 0;
  int batch = 0;
  int minutes = 1;  // power-fleet: consecutive minutes, each a pass over every station
  int stakes_per_station = 10;
  int page_size = 1000;
  std::string code_prefix;    // station codes are prefix + 7 digits
  bool skip_model_sync = false;
  std::size_t max_body_bytes = std::size_t{8} << 20;  // the server's server.max_body_bytes
  int timeout_s = 120;
  // Processes of the server side on this machine (the vgi server first, then e.g. its database's):
  // their CPU seconds per phase are summed; the first one's peak RSS is reported.
  std::vector<int> server_pids;
  bool quiet = false;
  // relay: the grid runs in-process with simulated operators.
  std::string database;  // "" = SQLite in a temporary folder
  int operators = 4;
  int relay_workers = 4;
  // decompose, console: the grid's engine over a generated fleet (operators x stations).
  int history_days = 0;  // past days of power per station (> 0: forecast by similar days; console: 1)
  int repeat = 5;        // demands timed per case (console: calls timed per route)
  std::string data_dir;  // "" = a temporary folder, removed after
  std::string event_day;  // measure: the Beijing date of the measured windows ("" = today)
  bool no_accuracy_check = false;  // measure: the engine's check_baseline_accuracy off
};

// `--scenario relay` (bench_relay.cpp): needs no target; returns the exit code.
int RunRelayBench(const Options& o);
// `--scenario decompose` (bench_decompose.cpp): needs no target; returns the exit code.
int RunDecomposeBench(const Options& o);
// `--scenario console` (bench_console.cpp): needs no target; returns the exit code.
int RunConsoleBench(const Options& o);
// `--scenario measure` (bench_measure.cpp): needs no target; returns the exit code.
int RunMeasureBench(const Options& o);

// A folder made under the system's temporary directory, removed with everything in it when this
// goes away. path() is "" when it could not be made.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name_prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The value at share `p` (0..1) of `v` (nearest rank; 0 when empty).
double Percentile(std::vector<double> v, double p);

// Everything a worker needs to open its client.
struct Target {
  std::string base_url;
  client::Url url;
  std::string operator_id;
  proto::KeySet keys;
  std::shared_ptr<client::TlsClientContext> tls;
  std::shared_ptr<proto::StampGenerator> stamps;
  std::chrono::milliseconds timeout{120'000};
};

// One interface's outcome in one phase.
struct InterfaceStats {
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::vector<std::uint32_t> latency_us;  // every answered or failed call
  void Merge(InterfaceStats&& other);
};

// Slots 0..7 by proto::Interface; kRawSlot for the raw scenario's pre-built POSTs (the answer
// of a server that is not vgi, e.g. nginx's static JSON).
inline constexpr std::size_t kRawSlot = 8;
using StatsByInterface = std::array<InterfaceStats, kRawSlot + 1>;
inline std::size_t SlotOf(proto::Interface i) { return static_cast<std::size_t>(i); }
// "send_station_power_1440", or "raw POST" for kRawSlot.
std::string SlotName(std::size_t slot);

// Shared, lock-free counters the progress line reads while workers run.
struct Progress {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> units{0};  // stations (fleet, day-load) or pages (model-sync)
};

// A worker thread's own record; merged after the phase.
class Recorder {
 public:
  explicit Recorder(Progress& progress) : progress_(progress) {}
  void Ok(std::size_t slot, SteadyClock::duration latency, std::uint64_t units = 0);
  void Fail(std::size_t slot, SteadyClock::duration latency, const std::string& why);
  StatsByInterface& stats() { return stats_; }
  std::vector<std::string>& errors() { return errors_; }

 private:
  Progress& progress_;
  StatsByInterface stats_;
  std::vector<std::string> errors_;  // the first few distinct messages
};

// Calls `interface` and records the outcome; true when answered Ret 0. `start` is when the call
// was due (open loop: its scheduled time, so a late start counts as latency) or now.
bool TimedCall(client::ProtocolClient& client, proto::Interface interface, const std::string& data_json,
               Recorder& recorder, SteadyClock::time_point start, std::uint64_t units = 0);

// One timed part of a scenario.
struct PhaseResult {
  std::string name;
  double seconds = 0;
  StatsByInterface stats;
  std::vector<std::string> errors;
  double client_cpu_s = 0;
  std::optional<double> server_cpu_s;  // when --server-pid was given
  std::uint64_t units = 0;
  std::string units_name;  // "stations", "pages"
};

// The connected clients of a run, one per connection, each holding a token.
class ClientPool {
 public:
  // Creates `n` clients and warms each up in parallel: by default fetches its token (connecting
  // it; recorded as query_token in `setup`), or runs `warmup` instead (its result is not recorded).
  using Warmup = std::function<Status(client::ProtocolClient&)>;
  static Result<std::unique_ptr<ClientPool>> Open(const Target& target, int n, PhaseResult& setup,
                                                  const Warmup& warmup = nullptr);
  [[nodiscard]] int size() const { return static_cast<int>(clients_.size()); }
  client::ProtocolClient& at(int i) { return *clients_.at(static_cast<std::size_t>(i)); }

 private:
  std::vector<std::unique_ptr<client::ProtocolClient>> clients_;
};

// A worker: thread `index` drives client `index`; `start` is the instant all workers were
// released (the phase's t0, for duration and open-loop schedules).
using Work = std::function<void(int index, SteadyClock::time_point start, client::ProtocolClient& client,
                                Recorder& recorder)>;

// Runs `work` on `threads` threads (client i on thread i) and times it. `expected_units` (0 =
// unknown) makes the progress line show a share done.
PhaseResult RunPhase(const std::string& name, ClientPool& pool, int threads, const Options& options,
                     std::uint64_t expected_units, const std::string& units_name, const Work& work);

// The scenarios. Each returns its phases (setup first) and fills `summary` with key=value pairs
// for the machine-readable summary line.
struct ScenarioResult {
  std::vector<PhaseResult> phases;
  std::vector<std::pair<std::string, std::string>> summary;
  std::vector<std::string> notes;  // extra report lines
};
Result<ScenarioResult> RunPowerSmall(const Options& options, const Target& target);
Result<ScenarioResult> RunRaw(const Options& options, const Target& target);
Result<ScenarioResult> RunPowerFleet(const Options& options, const Target& target);
Result<ScenarioResult> RunModelSync(const Options& options, const Target& target);
Result<ScenarioResult> RunDayLoad(const Options& options, const Target& target);

// ---- server-side observations ------------------------------------------------------------------

// GET /metrics and the value of an unlabelled series (nullopt when absent or unreachable).
std::optional<double> ScrapeMetric(const Target& target, const std::string& name);
// CPU seconds (user + system) of local processes and their children, live or ended, summed
// (nullopt when there are none or the first cannot be read; others that ended are skipped).
std::optional<double> ProcessCpuSeconds(const std::vector<int>& pids);
// VmRSS / VmHWM of a local process in bytes, from /proc/PID/status.
std::optional<double> ProcessMemoryBytes(int pid, const char* field);
// CPU seconds this process used so far (user + system).
double SelfCpuSeconds();

// ---- generated models (bench_models.cpp) -------------------------------------------------------

// prefix + 7 digits, e.g. "BF0001234".
std::string StationCode(const std::string& prefix, std::int64_t index);
// A credit code consistent with the OperatorID (its characters 9-17), as the seed defines it.
std::string CreditCodeFor(const std::string& operator_id);
// A valid station with `stakes` stakes, all fields of the seed's model filled.
proto::Station MakeStation(const std::string& operator_id, const std::string& code, std::int64_t index,
                           int stakes);
// A station's power: one point at `minute`.
proto::StationPower MakeMinutePower(const std::string& credit_code, const std::string& code, std::int64_t index,
                                    proto::BeijingMinute minute);
// A station's power: `count` consecutive minutes from `first` (at most kMaxPowerPoints).
proto::StationPower MakePowerRange(const std::string& credit_code, const std::string& code, std::int64_t index,
                                   proto::BeijingMinute first, int count);
// A station's power: every minute of `day` (1440 points).
proto::StationPower MakeDayPower(const std::string& credit_code, const std::string& code, std::int64_t index,
                                 proto::BeijingDate day);

}  // namespace vgi::app::bench
