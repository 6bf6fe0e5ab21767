#pragma once
// Shared pieces of the end-to-end tests: a temp folder, the config file of a test server (one
// peer with fixed inbound keys), clients that trust the server's generated certificate, a
// server clock the tests can move, and today's minutes in Beijing time.
//
// Everything runs on loopback with port 0. Nothing here is thread-safe unless it says so.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "vgi/base/clock.hpp"
#include "vgi/base/status.hpp"
#include "vgi/client/https_connection.hpp"
#include "vgi/client/protocol_client.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/keys.hpp"
#include "vgi/proto/stamp.hpp"
#include "vgi/proto/station_power.hpp"
#include "vgi/proto/task.hpp"
#include "vgi/server/config.hpp"

namespace vgi::e2e {

// The operator every e2e request comes from (the sample models belong to it too).
inline constexpr const char* kOperatorId = "123456789";

// The inbound key set the test config issues to kOperatorId (fixed, valid under KeyPolicy::kPeer).
proto::KeySet InboundKeys();

// A fresh folder under $TMPDIR (or /tmp), removed with everything in it at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct ServerSetup {
  std::string data_dir;             // absolute
  std::string tls_dir;              // absolute; server.crt and server.key go here
  std::size_t max_body_bytes = 64 << 10;
  std::string read_timeout = "1s";
  std::string idle_timeout = "10s";
  std::string log_level = "warn";
  int threads = 2;
};

// The YAML config for `setup`: listen 127.0.0.1:0, one enabled peer kOperatorId with
// InboundKeys(), default wire profile.
std::string ConfigYaml(const ServerSetup& setup);
std::string CertFile(const ServerSetup& setup);

// Writes `text` to `path` (replacing it); aborts the test program when it cannot.
void WriteFile(const std::string& path, const std::string& text);

// The system clock plus an offset the test moves (the server's clock in-process tests).
// Thread-safe.
class OffsetClock final : public Clock {
 public:
  [[nodiscard]] SystemTime Now() const override {
    return std::chrono::system_clock::now() + std::chrono::nanoseconds(offset_ns_.load());
  }
  void Advance(std::chrono::seconds d) { offset_ns_ += std::chrono::nanoseconds(d).count(); }
  void Reset() { offset_ns_ = 0; }

 private:
  std::atomic<std::int64_t> offset_ns_{0};
};

// A ProtocolClient for kOperatorId talking to https://127.0.0.1:<port>/evcs/v1, trusting `ca_file`.
// Every client of one test process must share `stamps`: the grid refuses a second request with
// the same (OperatorID, TimeStamp, Seq) as a replay, across its restarts too.
Result<std::unique_ptr<client::ProtocolClient>> MakeClient(std::uint16_t port, const std::string& ca_file,
                                                           std::shared_ptr<proto::StampGenerator> stamps,
                                                           const Clock& clock,
                                                           std::chrono::milliseconds timeout = std::chrono::seconds(10));
// A bare HTTPS connection to the same server (GET /healthz, /metrics, wrong methods).
Result<std::unique_ptr<client::HttpsConnection>> MakeConnection(std::uint16_t port, const std::string& ca_file);

// Today (Beijing) by `clock`, and the minute `minute_of_day` of a day.
proto::BeijingDate Today(const Clock& clock);
proto::BeijingMinute MinuteOf(proto::BeijingDate day, int minute_of_day);

// One station's power with the given points (centi-kW; nullopt = a null point).
proto::StationPower Power(const std::string& station_code,
                          const std::vector<std::pair<proto::BeijingMinute, std::optional<std::int64_t>>>& points);

// The in-process grid for tests with the simulator on a 120x clock: HTTPS on 127.0.0.1:0, its data,
// certificate and key under `dir`, the relay trusting `sim_cert` with leases and backoff in
// simulated time (240 s = 2 real seconds).
server::Config SimGridConfig(const std::string& dir, const std::string& sim_cert);

// A new peak-shaving instruction for the whole operator `op` (rangeType 3): one window of
// `minutes` minutes from `start` (rounded down to its minute) with `target`.
proto::Instruction PeakShavingInstruction(const std::string& op, const std::string& regulation_id,
                                          proto::Kilowatts target, SystemTime start, int minutes);

// The last `bytes` of a file (a child's log, for failure messages).
std::string Tail(const std::string& path, std::size_t bytes = 2000);

// `vgi serve --config CONFIG --port-file PORT_FILE` as a child process with stdout and stderr
// appended to `log`; SIGKILLed and reaped at destruction if still running.
class ServerProcess {
 public:
  ServerProcess(const std::string& binary, const std::string& config, const std::string& port_file,
                const std::string& log);
  ~ServerProcess() { Kill(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  [[nodiscard]] bool started() const { return pid_ > 0; }
  // True while the child has not exited (reaps it when it has).
  bool Running();
  void Kill();  // SIGKILL and reap

 private:
  int pid_ = -1;
};

// Polls `pred` every 10 ms of real time until it holds or `limit` passes; returns its last value.
// (Servers and simulators run on their own threads; no timed assertion is made.)
template <class Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

// GET /metrics of the server on 127.0.0.1:`port` (trusting `ca_file`) over a new connection.
Result<std::string> FetchMetrics(std::uint16_t port, const std::string& ca_file,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

// The value of the unlabelled sample `name` in a Prometheus text page; nullopt when absent.
std::optional<double> MetricValue(const std::string& page, const std::string& name);

// What a finished child process printed (stdout and stderr together) and its exit code
// (-1 when it could not be started or did not exit normally).
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// Runs `binary args...` to completion with stdout and stderr written to `capture` (replaced).
CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args, const std::string& capture);

// Waits for `vgi serve` to write its port (it renames the file into place, so a present file
// is complete). 0 when the child exits or 30 s pass first.
std::uint16_t WaitForPort(const std::string& port_file, ServerProcess& server);

}  // namespace vgi::e2e
