#pragma once
// EngineRunner: runs the engine's clock-driven work (Regulator::Tick) on one node at a time.
//
// A thread wakes every `tick_interval` (real time) and takes or renews the store lease
// `lease_name` for `node_id` until clock.Now() + lease_ttl (Store::AcquireLease). While it holds
// the lease it calls `work` once per wake; when another node holds it, it only tries again at the
// next wake. A node that dies keeps the lease until it expires (lease_ttl), then another takes
// over; Stop() releases it so another node takes over at its next wake.
//
// Work errors are logged and counted and never stop the loop (the next tick retries). Work that
// runs longer than lease_ttl lets the lease expire under it, so another node may start its own
// tick meanwhile; a warning says so (the Regulator's compare-and-set writes keep that safe, but
// keep the work well under lease_ttl).
//
// Thread safety: leader(), ticks(), errors(), attempts() from any thread; Stop() from the owner.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "vgi/base/clock.hpp"
#include "vgi/base/status.hpp"
#include "vgi/store/store.hpp"

namespace spdlog { class logger; }

namespace vgi::engine {

struct EngineRunnerOptions {
  std::string node_id;  // the lease holder; must not be empty
  std::string lease_name = "engine";
  std::chrono::milliseconds tick_interval{1000};  // real time between wakes (> 0)
  std::chrono::milliseconds lease_ttl{20'000};    // measured on `clock`; must exceed tick_interval
};

class EngineRunner {
 public:
  using Work = std::function<Status()>;

  // Validates the options (Invalid naming the field) and starts the thread. `store` and `clock`
  // must outlive the runner; `log` may be null (no logging).
  static Result<std::unique_ptr<EngineRunner>> Start(store::Store& store, const Clock& clock, Work work,
                                                     EngineRunnerOptions options,
                                                     std::shared_ptr<spdlog::logger> log);
  ~EngineRunner();  // Stop()
  EngineRunner(const EngineRunner&) = delete;
  EngineRunner& operator=(const EngineRunner&) = delete;

  // Ends the thread (waiting for a running `work` to return) and releases the lease. Idempotent.
  void Stop();

  // This node holds the lease: it acquired or renewed it and, by `clock`, it has not expired
  // since (a runner whose thread is stuck stops being leader when its lease runs out).
  [[nodiscard]] bool leader() const;
  [[nodiscard]] std::uint64_t attempts() const { return attempts_.load(); }  // lease acquisitions tried
  [[nodiscard]] std::uint64_t ticks() const { return ticks_.load(); }        // `work` calls made
  [[nodiscard]] std::uint64_t errors() const { return errors_.load(); }      // work or lease errors
  [[nodiscard]] const std::string& node_id() const { return options_.node_id; }

 private:
  EngineRunner(store::Store& store, const Clock& clock, Work work, EngineRunnerOptions options,
               std::shared_ptr<spdlog::logger> log);
  void Run();
  void Lost(const std::string& why);

  store::Store& store_;
  const Clock& clock_;
  Work work_;
  EngineRunnerOptions options_;
  std::shared_ptr<spdlog::logger> log_;

  std::atomic<bool> held_{false};                // the last acquisition succeeded
  std::atomic<SystemTime::rep> lease_until_{0};  // when the lease this node holds expires
  std::atomic<std::uint64_t> attempts_{0};
  std::atomic<std::uint64_t> ticks_{0};
  std::atomic<std::uint64_t> errors_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vgi::engine
