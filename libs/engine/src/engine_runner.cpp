#include "vgi/engine/engine_runner.hpp"

#include <spdlog/spdlog.h>

namespace vgi::engine {

Result<std::unique_ptr<EngineRunner>> EngineRunner::Start(store::Store& store, const Clock& clock, Work work,
                                                          EngineRunnerOptions options,
                                                          std::shared_ptr<spdlog::logger> log) {
  if (options.node_id.empty()) return Status::Invalid("engine runner node_id: must not be empty");
  if (options.lease_name.empty()) return Status::Invalid("engine runner lease_name: must not be empty");
  if (options.tick_interval.count() <= 0) return Status::Invalid("engine runner tick_interval: must be positive");
  if (options.lease_ttl <= options.tick_interval) {
    return Status::Invalid(
        "engine runner lease_ttl: must be longer than tick_interval (the leader renews the "
        "lease once per tick)");
  }
  if (!work) return Status::Invalid("engine runner work: must be set");
  std::unique_ptr<EngineRunner> runner(
      new EngineRunner(store, clock, std::move(work), std::move(options), std::move(log)));
  runner->thread_ = std::thread([r = runner.get()] { r->Run(); });
  return runner;
}

EngineRunner::EngineRunner(store::Store& store, const Clock& clock, Work work, EngineRunnerOptions options,
                           std::shared_ptr<spdlog::logger> log)
    : store_(store), clock_(clock), work_(std::move(work)), options_(std::move(options)), log_(std::move(log)) {}

EngineRunner::~EngineRunner() {
  Stop();
}

bool EngineRunner::leader() const {
  return held_.load() && clock_.Now().time_since_epoch().count() < lease_until_.load();
}

void EngineRunner::Lost(const std::string& why) {
  if (held_.exchange(false) && log_) {
    log_->warn("engine: node {} is no longer the leader ({}); another node runs the regulation engine",
               options_.node_id, why);
  }
}

void EngineRunner::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    const SystemTime now = clock_.Now();
    attempts_.fetch_add(1);
    auto acquired = store_.AcquireLease(options_.lease_name, options_.node_id, now, options_.lease_ttl);
    if (!acquired.ok()) {
      errors_.fetch_add(1);
      if (log_)
        log_->warn("engine: taking the lease \"{}\" failed: {}", options_.lease_name, acquired.status().ToString());
      // Whether we still hold it is unknown: stop acting as leader until an acquisition succeeds.
      Lost("the lease could not be renewed");
    } else if (!*acquired) {
      Lost("the lease is held by another node");
    } else {
      lease_until_.store((now + options_.lease_ttl).time_since_epoch().count());
      if (!held_.exchange(true) && log_) {
        log_->info("engine: node {} is the leader (lease \"{}\", ttl {} ms); running the regulation engine",
                   options_.node_id, options_.lease_name, options_.lease_ttl.count());
      }
      const auto started = std::chrono::steady_clock::now();
      Status st = work_();
      ticks_.fetch_add(1);
      if (!st.ok()) {
        errors_.fetch_add(1);
        if (log_) log_->error("engine: tick failed (retried at the next tick): {}", st.ToString());
      }
      const auto took = std::chrono::steady_clock::now() - started;
      if (took >= options_.lease_ttl && log_) {
        log_->warn(
            "engine: a tick took {} ms, longer than the lease ttl ({} ms): another node may have run the "
            "engine meanwhile; raise engine.lease_ttl",
            std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), options_.lease_ttl.count());
      }
    }
    lock.lock();
    cv_.wait_for(lock, options_.tick_interval, [this] { return stopping_; });
  }
}

void EngineRunner::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  const bool was_leader = held_.exchange(false);
  // Released even when not known to be held (an acquisition whose answer was lost may have taken
  // it); the store ignores a release by a non-holder.
  if (Status st = store_.ReleaseLease(options_.lease_name, options_.node_id); !st.ok()) {
    if (log_)
      log_->warn("engine: releasing the lease \"{}\" failed (another node takes over when it expires): {}",
                 options_.lease_name, st.ToString());
  } else if (was_leader && log_) {
    log_->info("engine: node {} released the lease \"{}\"; another node takes over at its next tick", options_.node_id,
               options_.lease_name);
  }
}

}  // namespace vgi::engine
