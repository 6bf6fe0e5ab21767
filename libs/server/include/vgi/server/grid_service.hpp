#pragma once
// GridService: the operator→grid interfaces (query_token, send_station_info,
// send_station_power_1440, callback_task_overview, callback_task_check) on top of HttpServer.
//
// Per request, in this order (protocol.md "order of checks"):
//   1. envelope form (4000/4003), 2. peer known, enabled, IP allowed (4009),
//   3. bearer token (4009; not for query_token), 4. Sig under any valid inbound key set (4009),
//   5. freshness and replay (4009), 6. decrypt (uniform 4003), 7. decode + validate (4000/4003),
//   8. the interface's own rules (4003), 9. durable write, 10. Ret 0.
// Ret 0 is sent only after the write is committed (power, feedback and the request's replay key
// go through the GroupCommitter; model pages through Store::PutStationPage). A failed write
// answers Ret 500, raises the storage alarm (metric vgi_storage_alarm = 1, an error log line),
// and acknowledges nothing; the alarm clears at the next successful commit.
//
// An unknown OperatorID or an envelope too broken to name a peer is answered unsigned
// (proto::UnsignedResponse): there is no key to sign with.
//
// Logging: one line per request (peer, interface, Ret, bytes in/out, latency, IP). Never a
// secret, token, decrypted Data or sensitive field; Msg is logged (it names fields, not values
// of sensitive fields — the codec's messages quote only non-sensitive values).
//
// Thread safety: Handle may be called from any thread concurrently.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "vgi/base/clock.hpp"
#include "vgi/proto/interfaces.hpp"
#include "vgi/proto/replay_guard.hpp"
#include "vgi/proto/token.hpp"
#include "vgi/proto/wire_profile.hpp"
#include "vgi/server/http_server.hpp"
#include "vgi/server/metrics.hpp"
#include "vgi/server/peer_registry.hpp"
#include "vgi/store/group_committer.hpp"
#include "vgi/store/store.hpp"

namespace spdlog { class logger; }

namespace vgi::server {

struct GridServiceOptions {
  proto::Limits limits{std::size_t{8} << 20, 64};  // body bytes, JSON depth
  int blocking_threads = 2;  // for store reads and model pages (off the io threads)
};

class GridService {
 public:
  struct Deps {
    store::Store* store;
    store::GroupCommitter* committer;
    PeerRegistry* peers;
    const proto::TokenAuthority* tokens;
    proto::ReplayGuard* replay;  // in memory, refilled from the store at start
    const Clock* clock;
    Metrics* metrics;
    std::shared_ptr<spdlog::logger> log;  // may be null: no request log
    // May be empty. Called on the request's thread after a model sync was applied (a peak of
    // two models in memory), before the answer.
    std::function<void()> after_model_sync;
  };
  GridService(Deps deps, GridServiceOptions options);
  ~GridService();  // waits for blocking work and for the answers of commits in flight
  GridService(const GridService&) = delete;
  GridService& operator=(const GridService&) = delete;

  // POST routes for the operator→grid interfaces and the query_token alias.
  void RegisterRoutes(HttpServer& server);

  void Handle(proto::Interface interface, HttpRequest&& request, Responder respond);

  // True while the last durable write failed (the storage alarm).
  [[nodiscard]] bool storage_alarm() const { return alarm_.load(); }

 private:
  struct Call;
  struct Instruments;
  void Dispatch(std::shared_ptr<Call> call);
  void HandleToken(std::shared_ptr<Call> call);
  void HandleStationInfo(std::shared_ptr<Call> call);
  void HandlePower(std::shared_ptr<Call> call);
  void HandleFeedback(std::shared_ptr<Call> call);
  void CommitAndAnswer(std::shared_ptr<Call> call, store::WriteBatch batch, std::string data_json);
  void Answer(Call& call, const Status& status, std::string_view data_json = {});
  void AnswerUnsigned(Call& call, const Status& status);
  void StorageFailed(const Status& status);
  void StorageOk();
  void RunBlocking(std::function<void()> work);
  // Submits `batch` to the committer; `then` runs on its thread with the commit's status. The
  // destructor waits until every `then` has returned (the committer may outlive the service).
  void Commit(store::WriteBatch batch, std::function<void(const Status&)> then);

  Deps deps_;
  GridServiceOptions options_;
  std::unique_ptr<Instruments> metrics_;
  std::atomic<bool> alarm_{false};
  struct Pool;
  std::unique_ptr<Pool> pool_;
  std::mutex commits_mu_;
  std::condition_variable commits_done_;
  int commits_in_flight_ = 0;  // guarded by commits_mu_
};

}  // namespace vgi::server
