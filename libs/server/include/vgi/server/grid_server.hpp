#pragma once
// GridServer: the whole grid-side service assembled from a Config — master key, store
// (migrations applied), peers (config applied), token authority, replay guard refilled from the
// store, TLS (self-signed pair created on first start when both files are missing), HTTPS
// routes, /healthz, /metrics, and housekeeping (expire model syncs, purge replay keys, pick up
// peer changes made with `vgi peer`), and the outbox relay that delivers grid -> operator
// commands (config `relay:`), and the regulation engine (config `engine:`): a Regulator over the
// store, ticked by an EngineRunner while this node holds the store lease "engine"; after each
// tick the relay is woken so instructions go out at once.
//
// `vgi serve` runs one; end-to-end tests run one in-process on port 0.
//
// Thread safety: Reload and Stop from the controlling thread.

#include <memory>
#include <string>

#include "vgi/base/clock.hpp"
#include "vgi/base/status.hpp"
#include "vgi/proto/task.hpp"
#include "vgi/server/config.hpp"
#include "vgi/server/metrics.hpp"
#include "vgi/server/peer_registry.hpp"
#include "vgi/store/store.hpp"

namespace spdlog { class logger; }
namespace vgi::engine {
class Regulator;
class EngineRunner;
}  // namespace vgi::engine

namespace vgi::server {

class GridServer {
 public:
  // Starts serving. Errors name what failed (config key, file, database) and what to do.
  // `login_log` gets the console's logins and audit rows (logs.hpp); null = `log`.
  static Result<std::unique_ptr<GridServer>> Start(const Config& config, const Clock& clock,
                                                   std::shared_ptr<spdlog::logger> log,
                                                   std::shared_ptr<spdlog::logger> login_log = nullptr);
  ~GridServer();  // Stop()

  [[nodiscard]] std::uint16_t port() const;
  // Applies what can change without a restart: log level, peers. Other keys are reported as
  // needing a restart (a warning, not an error).
  Status Reload(const Config& config);
  // Re-reads peers from the store (changes made by `vgi peer` in another process).
  Status RefreshPeers();
  void Stop();

  // Grid -> operator: records the instruction and its send_task command in the outbox in one
  // transaction (relay::EnqueueInstruction) and wakes the relay. Returns the outbox id.
  Result<std::int64_t> SendInstruction(std::string_view operator_id, const proto::Instruction& instruction);
  // Look at the outbox now (after enqueueing through store() directly).
  void WakeRelay();

  // The parts, for `vgi demo` and tests. Valid until the server is destroyed.
  store::Store& store();
  // Demands (create, change, cancel, views, statements); the runner's ticks drive them.
  engine::Regulator& regulator();
  // Null when engine.enabled is false.
  engine::EngineRunner* engine_runner();
  PeerRegistry& peers();
  [[nodiscard]] const Metrics& metrics() const;

  struct Impl;

 private:
  explicit GridServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Opens the store a config names with the master key (created when `create_key`), for the
// `vgi peer` commands. The sealer lives inside the returned bundle.
struct StoreHandle {
  std::unique_ptr<store::Sealer> sealer;
  std::unique_ptr<store::Store> store;
};
Result<StoreHandle> OpenConfiguredStore(const Config& config, const Clock& clock, bool create_key);

}  // namespace vgi::server
