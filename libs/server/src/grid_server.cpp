#include "vgi/server/grid_server.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "vgi/base/memory.hpp"
#include "vgi/engine/engine_runner.hpp"
#include "vgi/engine/regulator.hpp"
#include "vgi/proto/replay_guard.hpp"
#include "vgi/proto/token.hpp"
#include "vgi/relay/outbox_relay.hpp"
#include "vgi/server/console_routes.hpp"
#include "vgi/server/grid_service.hpp"
#include "vgi/server/http_server.hpp"
#include "vgi/server/master_key.hpp"
#include "vgi/server/metrics.hpp"
#include "vgi/server/peer_registry.hpp"
#include "vgi/server/tls.hpp"
#include "vgi/store/group_committer.hpp"

namespace vgi::server {
namespace {

// The relay finds each operator's outbound settings in the peer registry.
class RegistryDirectory final : public relay::PeerDirectory {
 public:
  explicit RegistryDirectory(const PeerRegistry& peers) : peers_(peers) {}
  Result<relay::OutboundPeer> FindOutbound(std::string_view operator_id) const override {
    const auto peer = peers_.Find(operator_id);
    const std::string who = "operator " + std::string(operator_id);
    if (!peer) return Status::NotFound(who + " is not a registered peer (vgi peer add, or peers: in the config)");
    if (!peer->enabled) return Status::Unavailable(who + " is disabled (vgi peer enable)");
    if (!peer->outbound || peer->base_url.empty()) {
      return Status::Unavailable(who +
                                 " has no outbound keys or base_url: the grid cannot call it "
                                 "(set peers[].outbound and base_url)");
    }
    return relay::OutboundPeer{peer->operator_id, peer->base_url, peer->outbound_operator_id, *peer->outbound,
                               peer->profile};
  }

 private:
  const PeerRegistry& peers_;
};

}  // namespace

Result<StoreHandle> OpenConfiguredStore(const Config& config, const Clock& clock, bool create_key) {
  VGI_ASSIGN_OR_RETURN(const std::string key, LoadOrCreateMasterKey(config.data_dir, create_key));
  VGI_ASSIGN_OR_RETURN(store::Sealer sealer, store::Sealer::Create(key));
  StoreHandle h;
  h.sealer = std::make_unique<store::Sealer>(std::move(sealer));
  store::StoreOptions options;
  options.clock = &clock;
  options.sealer = h.sealer.get();
  options.sync_ttl = config.sync_ttl;
  options.on_migration = [](std::string_view name) {
    spdlog::info("store: applying schema migration {}; converting stored data can take minutes on a large "
                 "database: let it finish",
                 name);
  };
  options.on_background_error = [](const Status& st) {
    spdlog::error("store: {}; the power stays pending (every reader still sees it) and is folded once the "
                  "database answers again: check the PostgreSQL server and its log",
                  st.ToString());
  };
  VGI_ASSIGN_OR_RETURN(h.store, store::OpenStore(config.database, config.data_dir, options));
  return h;
}

namespace {

// The console's peer administration over the registry (console/admin_api.hpp PeerAdmin).
class RegistryPeerAdmin final : public console::PeerAdmin {
 public:
  RegistryPeerAdmin(PeerRegistry& peers, std::chrono::seconds overlap) : peers_(peers), overlap_(overlap) {}

  Result<Keys> Add(const std::string& operator_id, const std::string& name, const std::string& base_url) override {
    if (name.empty()) return Status::Invalid("name: must not be empty");
    if (!base_url.starts_with("https://")) return Status::Invalid("base_url: must start with https://");
    NewPeer p;
    p.operator_id = operator_id;
    p.name = name;
    p.base_url = base_url;
    VGI_ASSIGN_OR_RETURN(const proto::KeySet k, peers_.Add(p, RandomSource::System()));
    return Keys{k.operator_secret, k.data_secret, k.data_iv, k.sig_secret};
  }
  Result<Keys> Rotate(const std::string& operator_id) override {
    VGI_ASSIGN_OR_RETURN(const proto::KeySet k, peers_.Rotate(operator_id, overlap_, RandomSource::System()));
    return Keys{k.operator_secret, k.data_secret, k.data_iv, k.sig_secret};
  }
  Status SetEnabled(const std::string& operator_id, bool enabled) override {
    return peers_.SetEnabled(operator_id, enabled);
  }

 private:
  PeerRegistry& peers_;
  const std::chrono::seconds overlap_;
};

}  // namespace

struct GridServer::Impl {
  Config config;
  const Clock* clock = nullptr;
  std::shared_ptr<spdlog::logger> log;
  std::string master_key;
  StoreHandle db;
  std::unique_ptr<PeerRegistry> peers;
  std::unique_ptr<proto::TokenAuthority> tokens;
  std::unique_ptr<proto::MemoryReplayGuard> replay;
  std::unique_ptr<TlsContext> tls;
  Metrics metrics;
  std::unique_ptr<store::GroupCommitter> committer;
  std::unique_ptr<GridService> service;
  std::unique_ptr<HttpServer> http;
  std::unique_ptr<RegistryDirectory> directory;
  std::unique_ptr<relay::OutboxRelay> relay;
  std::unique_ptr<engine::Regulator> regulator;
  std::unique_ptr<engine::EngineRunner> engine;   // null when engine.enabled is false
  std::unique_ptr<RegistryPeerAdmin> peer_admin;  // the console's peer administration
  std::unique_ptr<ConsoleRoutes> console;         // null when console.enabled is false
  // `engine` for the /metrics handler, which may run while Start is still assigning it.
  std::atomic<const engine::EngineRunner*> engine_view{nullptr};

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread housekeeping;
  // Set after a model sync was applied: the next housekeeping tick returns the free heap.
  std::atomic<bool> release_heap{false};

  // glibc keeps freed memory in its arenas: without this, the RSS stays at the largest peak
  // the server ever had (measured: 470-680 MiB after a model re-sync whose live heap is 200).
  void ReleaseHeap() {
    const auto before = ResidentBytes();
    const auto start = std::chrono::steady_clock::now();
    if (!ReleaseFreeHeap()) return;
    const auto after = ResidentBytes();
    if (!before || !after) return;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    log->debug("returned {} MiB of free heap to the system in {} ms (resident now {} MiB)", (*before - *after) >> 20,
               ms.count(), *after >> 20);
  }

  void Housekeeping() {
    using namespace std::chrono_literals;
    auto next_purge = std::chrono::steady_clock::now() + 60s;
    auto next_release = std::chrono::steady_clock::now() + 30s;
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, 5s, [this] { return stopping; })) {
      lock.unlock();
      if (release_heap.exchange(false) || std::chrono::steady_clock::now() >= next_release) {
        next_release = std::chrono::steady_clock::now() + 30s;
        ReleaseHeap();
      }
      if (Status st = peers->Load(); !st.ok()) log->warn("reloading peers failed: {}", st.ToString());
      if (std::chrono::steady_clock::now() >= next_purge) {
        next_purge = std::chrono::steady_clock::now() + 60s;
        if (auto n = db.store->ExpireSyncs(); !n.ok()) {
          log->warn("expiring model syncs failed: {}", n.status().ToString());
        } else if (*n > 0) {
          log->info("expired {} incomplete model sync(s) (older than {} s; nothing applied)", *n,
                    config.sync_ttl.count());
        }
        if (auto n = db.store->PurgeRequestKeys(); !n.ok()) {
          log->warn("purging replay keys failed: {}", n.status().ToString());
        }
      }
      lock.lock();
    }
  }
};

GridServer::GridServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GridServer::~GridServer() {
  Stop();
}

Result<std::unique_ptr<GridServer>> GridServer::Start(const Config& config, const Clock& clock,
                                                      std::shared_ptr<spdlog::logger> log,
                                                      std::shared_ptr<spdlog::logger> login_log) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->clock = &clock;
  impl->log = log ? std::move(log) : spdlog::default_logger();

  VGI_ASSIGN_OR_RETURN(impl->db, OpenConfiguredStore(config, clock, /*create_key=*/true));
  VGI_ASSIGN_OR_RETURN(impl->master_key, LoadOrCreateMasterKey(config.data_dir, false));
  const auto schema = impl->db.store->SchemaVersion();
  impl->log->info("store: {} (schema version {})", impl->db.store->backend(), schema.ok() ? *schema : -1);

  impl->peers = std::make_unique<PeerRegistry>(*impl->db.store, *impl->db.sealer, clock);
  VGI_RETURN_IF_ERROR(impl->peers->Load());
  VGI_RETURN_IF_ERROR(impl->peers->ApplyConfig(config.peers));
  impl->log->info("peers: {} known ({} from the config file)", impl->peers->List().size(), config.peers.size());

  VGI_ASSIGN_OR_RETURN(auto tokens, proto::TokenAuthority::Create({DeriveTokenKey(impl->master_key)}, clock,
                                                                  impl->peers.get(), config.token_lifetime));
  impl->tokens = std::make_unique<proto::TokenAuthority>(std::move(tokens));

  impl->replay = std::make_unique<proto::MemoryReplayGuard>(clock);
  VGI_ASSIGN_OR_RETURN(const auto keys, impl->db.store->LoadRequestKeys());
  for (const auto& k : keys) (void)impl->replay->Admit(k.operator_id, k.timestamp, k.seq, k.forget_after);

  VGI_ASSIGN_OR_RETURN(const HostPort listen, ParseHostPort(config.server.listen));
  VGI_ASSIGN_OR_RETURN(const bool created, EnsureSelfSignedCertificate(config.tls_cert, config.tls_key, listen.host));
  if (created) {
    impl->log->warn(
        "TLS: no certificate configured; created a self-signed pair: {} and {} "
        "(give operators the certificate, or configure server.tls with a CA-issued one)",
        config.tls_cert, config.tls_key);
  }
  VGI_ASSIGN_OR_RETURN(impl->tls, TlsContext::ForServer(config.tls_cert, config.tls_key));

  impl->committer = std::make_unique<store::GroupCommitter>(*impl->db.store);
  GridService::Deps deps{impl->db.store.get(), impl->committer.get(),
                         impl->peers.get(),    impl->tokens.get(),
                         impl->replay.get(),   &clock,
                         &impl->metrics,       impl->log,
                         [raw = impl.get()] { raw->release_heap = true; }};
  GridServiceOptions service_options;
  service_options.limits.max_body_bytes = config.server.limits.max_body_bytes;
  impl->service = std::make_unique<GridService>(std::move(deps), service_options);

  impl->regulator = std::make_unique<engine::Regulator>(*impl->db.store, clock, ToRegulatorConfig(config), impl->log);
  impl->http = std::make_unique<HttpServer>(config.server, *impl->tls, impl->metrics);
  impl->service->RegisterRoutes(*impl->http);
  if (config.console.enabled) {
    ConsoleOptions co;
    co.dir = config.console.dir;
    co.workers = config.console.workers;
    co.api.idle_timeout = config.console.idle_timeout;
    co.api.max_lifetime = config.console.max_lifetime;
    co.login_log = login_log;
    std::error_code ec;
    if (!co.dir.empty() && !std::filesystem::is_regular_file(std::filesystem::path(co.dir) / "index.html", ec)) {
      impl->log->warn("console: no index.html in {} (console.dir): /console/ will answer 404; the API is served",
                      co.dir);
    }
    impl->peer_admin = std::make_unique<RegistryPeerAdmin>(*impl->peers, config.key_rotation_overlap);
    co.peers = impl->peer_admin.get();
    impl->console = std::make_unique<ConsoleRoutes>(*impl->db.store, *impl->regulator, clock, RandomSource::System(),
                                                    std::move(co), impl->log);
    impl->console->Register(*impl->http);
  }
  Impl* raw = impl.get();
  impl->http->AddRoute("GET", "/healthz", [raw](HttpRequest&&, Responder done) {
    HttpResponse r;
    const bool alarm = raw->service->storage_alarm();
    r.status = alarm ? 503 : 200;
    r.body = alarm ? R"({"status":"degraded","storage":"failing"})" : R"({"status":"ok"})";
    done(std::move(r));
  });
  Gauge& rss = impl->metrics.gauge("vgi_process_resident_memory_bytes", "Resident set size", {}, {});
  Gauge& leader = impl->metrics.gauge("vgi_engine_leader",
                                      "1 when this node holds the engine lease and runs the regulation engine", {}, {});
  impl->http->AddRoute("GET", "/metrics", [raw, &rss, &leader](HttpRequest&&, Responder done) {
    rss.Set(static_cast<double>(ResidentBytes().value_or(0)));
    const engine::EngineRunner* runner = raw->engine_view.load();
    leader.Set(runner != nullptr && runner->leader() ? 1 : 0);
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = raw->metrics.Render();
    done(std::move(r));
  });
  VGI_RETURN_IF_ERROR(impl->http->Start());
  if (config.relay.enabled) {
    relay::RelayOptions ro;
    ro.node = config.relay.node_id.empty() ? DefaultNodeId() : config.relay.node_id;
    ro.node_index = config.relay.node_index;
    ro.node_count = config.relay.node_count;
    ro.workers = config.relay.workers;
    ro.attempt_timeout = config.relay.attempt_timeout;
    ro.lease = config.relay.lease;
    ro.backoff_base = config.relay.backoff_base;
    ro.backoff_cap = config.relay.backoff_cap;
    ro.tls.ca_file = config.relay.ca_file;
    ro.tls.verify_peer = config.relay.verify_peer;
    impl->directory = std::make_unique<RegistryDirectory>(*impl->peers);
    auto relay = relay::OutboxRelay::Start(*impl->db.store, *impl->directory, clock, RandomSource::System(), ro,
                                           &impl->metrics, impl->log);
    if (!relay.ok()) return relay.status().WithPrefix("relay");
    impl->relay = std::move(*relay);
    impl->log->info("relay: delivering the outbox as node {}", ro.node);
  }
  if (config.engine.enabled) {
    engine::EngineRunnerOptions eo;
    eo.node_id = EngineNodeId(config);
    eo.tick_interval = config.engine.tick;
    eo.lease_ttl = config.engine.lease_ttl;
    Counter& ticks =
        impl->metrics.counter("vgi_engine_ticks_total", "Regulation engine ticks run by this node", {}, {});
    Counter& errors =
        impl->metrics.counter("vgi_engine_errors_total", "Regulation engine ticks that reported an error", {}, {});
    // After a tick, wake the relay so instructions, cancels and settlements go out at once.
    auto work = [raw, &ticks, &errors]() -> Status {
      auto stats = raw->regulator->Tick();
      ticks.Increment();
      if (!stats.ok()) errors.Increment();
      if (raw->relay) raw->relay->Wake();
      return stats.ok() ? Status::Ok() : stats.status();
    };
    auto runner = engine::EngineRunner::Start(*impl->db.store, clock, std::move(work), eo, impl->log);
    if (!runner.ok()) return runner.status().WithPrefix("engine");
    impl->engine = std::move(*runner);
    impl->engine_view.store(impl->engine.get());
    impl->log->info("engine: node {} runs the regulation engine when it holds the lease (tick {} ms, lease {} ms)",
                    eo.node_id, eo.tick_interval.count(), eo.lease_ttl.count());
  } else {
    impl->log->info("engine: disabled on this node (engine.enabled: false); another node or none runs it");
  }
  impl->log->info("serving https://{}:{}{} (grid OperatorID {})", listen.host, impl->http->port(), proto::kPathPrefix,
                  config.grid_operator_id);
  impl->housekeeping = std::thread([raw] { raw->Housekeeping(); });
  return std::unique_ptr<GridServer>(new GridServer(std::move(impl)));
}

std::uint16_t GridServer::port() const {
  return impl_->http->port();
}

Status GridServer::RefreshPeers() {
  return impl_->peers->Load();
}

store::Store& GridServer::store() {
  return *impl_->db.store;
}
PeerRegistry& GridServer::peers() {
  return *impl_->peers;
}
const Metrics& GridServer::metrics() const {
  return impl_->metrics;
}
engine::Regulator& GridServer::regulator() {
  return *impl_->regulator;
}
engine::EngineRunner* GridServer::engine_runner() {
  return impl_->engine.get();
}

void GridServer::WakeRelay() {
  if (impl_->relay) impl_->relay->Wake();
}

Result<std::int64_t> GridServer::SendInstruction(std::string_view operator_id, const proto::Instruction& instruction) {
  auto id = relay::EnqueueInstruction(*impl_->db.store, *impl_->clock, operator_id, instruction);
  if (id.ok()) WakeRelay();
  return id;
}

Status GridServer::Reload(const Config& config) {
  impl_->log->set_level(spdlog::level::from_str(config.log_level));
  VGI_RETURN_IF_ERROR(impl_->peers->ApplyConfig(config.peers));
  const Config& old = impl_->config;
  if (config.server.listen != old.server.listen || config.database != old.database || config.data_dir != old.data_dir ||
      config.tls_cert != old.tls_cert || config.tls_key != old.tls_key || config.relay != old.relay ||
      config.engine != old.engine) {
    impl_->log->warn(
        "config reloaded; server.listen, server.tls, data_dir, database, relay and engine take effect "
        "after a restart");
  }
  impl_->log->info("config reloaded: log level {}, {} configured peer(s)", config.log_level, config.peers.size());
  return {};
}

void GridServer::Stop() {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping) return;
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  // The engine first: its tick writes to the store and wakes the relay; its lease is released so
  // another node takes over at once.
  if (impl_->engine) impl_->engine->Stop();
  if (impl_->housekeeping.joinable()) impl_->housekeeping.join();
  if (impl_->http) impl_->http->Stop();
  if (impl_->console) impl_->console->Stop();  // waits for running API calls
  if (impl_->relay) impl_->relay->Stop();
  impl_->service.reset();    // waits for blocking work
  impl_->committer.reset();  // commits and completes what is queued
}

}  // namespace vgi::server
