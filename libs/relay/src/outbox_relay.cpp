#include "vgi/relay/outbox_relay.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "vgi/client/protocol_client.hpp"
#include "vgi/engine/outbox_commands.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/proto/interfaces.hpp"
#include "vgi/proto/ret.hpp"

namespace vgi::relay {
namespace {

using store::OutboxCommand;
using store::OutboxOutcome;
using store::OutboxState;

std::string Describe(const OutboxCommand& c) {
  std::string out = "outbox #" + std::to_string(c.id) + " " + std::string(proto::Info(c.interface).name) +
                    " to " + c.operator_id;
  if (!c.regulation_id.empty()) out += " (regulationID " + c.regulation_id + ")";
  return out;
}

// What one attempt's answer means for the command.
enum class Verdict { kDelivered, kRetry, kFailed };

Verdict Judge(int wire_ret) {
  switch (wire_ret) {
    case 0:
    case 200:  // the example dialect's success
    case 1:    // a business refusal is an answer: the engine decides what it means
      return Verdict::kDelivered;
    case 500:
    case 4009:  // after the client's own token renewal: keys may be fixed before the deadline
      return Verdict::kRetry;
    default:  // 4000, 4003, anything unknown: resending the same Data cannot fix it
      return Verdict::kFailed;
  }
}

// The outbox holds Data in clear form; a peer that wants field-level encryption gets the
// sensitive fields (send_task's creditCode) encrypted under its keys on every attempt.
Result<proto::OpenedResponse> Send(client::ProtocolClient& client, const OutboxCommand& c) {
  if (client.options().profile.field_encryption && c.interface == proto::Interface::kSendTask) {
    auto instruction = proto::DecodeData<proto::Instruction>(c.data_json);
    if (!instruction.ok()) return instruction.status();
    return client.Send(c.interface, *instruction);
  }
  return client.Call(c.interface, c.data_json);
}

}  // namespace

struct OutboxRelay::Impl {
  store::Store& store;
  const PeerDirectory& peers;
  const Clock& clock;
  RandomSource& random;
  RelayOptions options;
  server::Metrics* metrics;
  std::shared_ptr<spdlog::logger> log;
  // Made on first need, and again after a failure: the CA file may appear after the start (an
  // operator's certificate handed over later); until then attempts fail and are retried.
  std::mutex tls_mu;
  std::shared_ptr<client::TlsClientContext> tls;

  Result<std::shared_ptr<client::TlsClientContext>> Tls() {
    std::lock_guard lock(tls_mu);
    if (!tls) {
      auto made = client::TlsClientContext::Create(options.tls);
      if (!made.ok()) return Status(made.status().code(), "relay TLS (relay.ca_file): " + made.status().message());
      tls = std::move(*made);
    }
    return tls;
  }

  // One client per peer (its token cache and connection); one delivery at a time per peer.
  struct PeerClient {
    std::mutex mu;
    OutboundPeer config;
    std::unique_ptr<client::ProtocolClient> client;
  };
  std::mutex clients_mu;
  std::map<std::string, std::shared_ptr<PeerClient>, std::less<>> clients;

  std::mutex mu;
  std::condition_variable dispatcher_cv;
  std::condition_variable worker_cv;
  std::deque<OutboxCommand> queue;
  int busy = 0;
  bool wake = false;
  bool stopping = false;
  std::thread dispatcher;
  std::vector<std::thread> workers;

  mutable std::mutex stats_mu;
  RelayStats stats;

  Impl(store::Store& s, const PeerDirectory& p, const Clock& c, RandomSource& r, RelayOptions o,
       server::Metrics* m, std::shared_ptr<spdlog::logger> l)
      : store(s), peers(p), clock(c), random(r), options(std::move(o)), metrics(m), log(std::move(l)) {}

  void Count(const OutboxCommand& c, const char* result) {
    if (metrics == nullptr) return;
    metrics
        ->counter("vgi_outbox_attempts_total", "Outbox delivery attempts by interface and result",
                  {"interface", "result"}, {std::string(proto::Info(c.interface).name), result})
        .Increment();
  }

  void Alarm(const OutboxCommand& c, const char* type, store::AlarmLevel level, std::string title,
             std::string detail) {
    store::AlarmRow alarm;
    alarm.type = type;
    alarm.object = c.operator_id + "/" + (c.regulation_id.empty() ? "#" + std::to_string(c.id) : c.regulation_id);
    alarm.level = level;
    alarm.module = "relay";
    alarm.title = std::move(title);
    alarm.detail = std::move(detail);
    alarm.first_at = alarm.last_at = clock.Now();
    if (auto raised = store.RaiseAlarm(alarm); !raised.ok() && log) {
      log->error("relay: could not record alarm {} for {}: {}", type, Describe(c), raised.status().ToString());
    }
  }

  void DeadLettered(const OutboxCommand& c) {
    {
      std::lock_guard lock(stats_mu);
      ++stats.dead;
    }
    Count(c, "dead");
    const std::string detail = Describe(c) + " was not delivered before its deadline " +
                               proto::FormatTimeStamp(c.deadline) +
                               (c.last_error.empty() ? "" : "; last error: " + c.last_error);
    if (log) log->error("relay: dead letter: {}", detail);
    Alarm(c, "outbox.dead_letter", store::AlarmLevel::kMajor, "Command not delivered before its deadline", detail);
  }

  Result<std::shared_ptr<PeerClient>> ClientFor(const OutboundPeer& peer) {
    std::shared_ptr<PeerClient> pc;
    {
      std::lock_guard lock(clients_mu);
      auto& slot = clients[peer.operator_id];
      if (!slot) slot = std::make_shared<PeerClient>();
      pc = slot;
    }
    return pc;
  }

  // Runs with pc->mu held.
  Status EnsureClient(PeerClient& pc, const OutboundPeer& peer) {
    const bool same = pc.client && pc.config.base_url == peer.base_url &&
                      pc.config.our_operator_id == peer.our_operator_id && pc.config.keys == peer.keys &&
                      pc.config.profile == peer.profile;
    if (same) return Status::Ok();
    client::ProtocolClient::Options o;
    o.base_url = peer.base_url;
    o.operator_id = peer.our_operator_id;
    o.responder_keys = peer.keys;
    o.profile = peer.profile;
    o.tls = options.tls;
    VGI_ASSIGN_OR_RETURN(o.tls_context, Tls());
    o.timeout = options.attempt_timeout;
    o.node_index = options.node_index;
    o.node_count = options.node_count;
    auto created = client::ProtocolClient::Create(std::move(o), clock);
    if (!created.ok()) {
      return Status(created.status().code(),
                    "outbound settings of operator " + peer.operator_id + ": " + created.status().message());
    }
    pc.client = std::move(*created);
    pc.config = peer;
    return Status::Ok();
  }

  std::chrono::milliseconds Backoff(int attempt) {
    const int exponent = std::clamp(attempt - 1, 0, 30);
    const double ceiling = std::min<double>(static_cast<double>(options.backoff_cap.count()),
                                            static_cast<double>(options.backoff_base.count()) * double(1ULL << exponent));
    std::array<std::uint8_t, 8> bytes{};
    random.Fill(bytes);
    std::uint64_t r = 0;
    for (auto b : bytes) r = (r << 8) | b;
    const double unit = static_cast<double>(r >> 11) / static_cast<double>(1ULL << 53);  // [0, 1)
    return std::chrono::milliseconds(static_cast<std::int64_t>(unit * ceiling));
  }

  void Finish(const OutboxCommand& c, const OutboxOutcome& outcome) {
    const Status s = store.FinishOutbox(c.id, options.node, outcome);
    if (s.ok()) return;
    if (s.code() == StatusCode::kConflict) {
      std::lock_guard lock(stats_mu);
      ++stats.lost_leases;
    }
    if (metrics) {
      metrics->counter("vgi_outbox_lost_leases_total", "Outbox results not recorded: the lease was lost", {}, {})
          .Increment();
    }
    if (log) log->warn("relay: could not record the result of {}: {}", Describe(c), s.ToString());
  }

  void Retry(const OutboxCommand& c, std::string error) {
    const SystemTime now = clock.Now();
    OutboxOutcome o;
    o.state = OutboxState::kPending;
    o.at = now;
    o.next_attempt_at = now + Backoff(c.attempts);
    o.error = std::move(error);
    {
      std::lock_guard lock(stats_mu);
      ++stats.retries;
    }
    Count(c, "retry");
    if (log) {
      log->warn("relay: {} attempt {} did not deliver: {}; next attempt at {}", Describe(c), c.attempts, o.error,
                proto::FormatTimeStamp(o.next_attempt_at));
    }
    Finish(c, o);
  }

  void Deliver(const OutboxCommand& c) {
    {
      std::lock_guard lock(stats_mu);
      ++stats.attempts;
    }
    if (clock.Now() >= c.deadline) {  // claimed just before its deadline: never sent late
      OutboxOutcome o;
      o.state = OutboxState::kDead;
      o.at = clock.Now();
      o.error = "deadline passed before delivery" + (c.last_error.empty() ? "" : " (last error: " + c.last_error + ")");
      Finish(c, o);
      auto dead = c;
      dead.last_error = o.error;
      DeadLettered(dead);
      return;
    }
    auto peer = peers.FindOutbound(c.operator_id);
    if (!peer.ok()) return Retry(c, peer.status().message());
    auto pc = ClientFor(*peer);
    if (!pc.ok()) return Retry(c, pc.status().message());
    std::unique_lock peer_lock((*pc)->mu);
    if (Status s = EnsureClient(**pc, *peer); !s.ok()) return Retry(c, s.message());
    const auto started = std::chrono::steady_clock::now();
    auto answer = Send(*(*pc)->client, c);
    peer_lock.unlock();
    if (metrics) {
      metrics
          ->histogram("vgi_outbox_attempt_duration_seconds", "Outbox delivery attempt duration", {"interface"},
                      {std::string(proto::Info(c.interface).name)})
          .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    if (!answer.ok()) return Retry(c, answer.status().ToString());
    const int wire_ret = answer->wire_ret == 200 ? 0 : answer->wire_ret;
    switch (Judge(answer->wire_ret)) {
      case Verdict::kRetry:
        return Retry(c, "Ret " + std::to_string(wire_ret) + " " + answer->msg);
      case Verdict::kFailed: {
        OutboxOutcome o;
        o.state = OutboxState::kFailed;
        o.at = clock.Now();
        o.error = "refused with Ret " + std::to_string(wire_ret) + " " + answer->msg +
                  "; not retried (the same Data would be refused again)";
        {
          std::lock_guard lock(stats_mu);
          ++stats.failed;
        }
        Count(c, "failed");
        if (log) log->error("relay: {}: {}", Describe(c), o.error);
        Finish(c, o);
        Alarm(c, "outbox.refused", store::AlarmLevel::kMajor, "Command refused by the operator",
              Describe(c) + ": " + o.error);
        return;
      }
      case Verdict::kDelivered: {
        OutboxOutcome o;
        o.state = OutboxState::kSent;
        o.at = clock.Now();
        o.ret = wire_ret;
        o.msg = answer->msg;
        o.response_json = answer->data_json.value_or("");
        {
          std::lock_guard lock(stats_mu);
          ++stats.delivered;
        }
        Count(c, "delivered");
        if (log) log->info("relay: delivered {} on attempt {}: Ret {}", Describe(c), c.attempts, wire_ret);
        Finish(c, o);
        return;
      }
    }
  }

  void WorkerLoop() {
    for (;;) {
      OutboxCommand c;
      {
        std::unique_lock lock(mu);
        worker_cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping and nothing left
        c = std::move(queue.front());
        queue.pop_front();
        ++busy;
      }
      Deliver(c);
      {
        std::lock_guard lock(mu);
        --busy;
        wake = true;  // a worker is free: more may be due
      }
      dispatcher_cv.notify_one();
    }
  }

  void DispatchOnce() {
    const SystemTime now = clock.Now();
    if (auto expired = store.ExpireOutbox(now); expired.ok()) {
      for (const auto& c : *expired) DeadLettered(c);
    } else if (log) {
      log->error("relay: cannot read the outbox: {}", expired.status().ToString());
      return;
    }
    std::size_t free = 0;
    {
      std::lock_guard lock(mu);
      const auto in_hand = queue.size() + static_cast<std::size_t>(busy);
      free = static_cast<std::size_t>(options.workers) > in_hand ? options.workers - in_hand : 0;
      if (stopping) return;
    }
    if (free == 0) return;
    auto claimed = store.ClaimOutbox(options.node, now, options.lease, free);
    if (!claimed.ok()) {
      if (log) log->error("relay: cannot claim from the outbox: {}", claimed.status().ToString());
      return;
    }
    if (claimed->empty()) return;
    {
      std::lock_guard lock(mu);
      for (auto& c : *claimed) queue.push_back(std::move(c));
    }
    worker_cv.notify_all();
  }

  void DispatcherLoop() {
    std::unique_lock lock(mu);
    while (!stopping) {
      lock.unlock();
      DispatchOnce();
      lock.lock();
      dispatcher_cv.wait_for(lock, options.poll, [&] { return stopping || wake; });
      wake = false;
    }
  }
};

Result<std::unique_ptr<OutboxRelay>> OutboxRelay::Start(store::Store& store, const PeerDirectory& peers,
                                                        const Clock& clock, RandomSource& random,
                                                        RelayOptions options, server::Metrics* metrics,
                                                        std::shared_ptr<spdlog::logger> log) {
  if (options.node.empty()) return Status::Invalid("relay: node must name this process among the grid nodes");
  if (options.workers < 1 || options.workers > 256) return Status::Invalid("relay.workers: must be 1..256");
  if (options.lease <= std::chrono::milliseconds::zero()) return Status::Invalid("relay.lease: must be positive");
  if (options.node_count < 1 || options.node_index < 0 || options.node_index >= options.node_count) {
    return Status::Invalid("relay.node_index: must be in [0, node_count)");
  }
  if (options.backoff_base <= std::chrono::milliseconds::zero() || options.backoff_cap < options.backoff_base) {
    return Status::Invalid("relay.backoff: base must be positive and cap at least base");
  }
  auto impl = std::make_unique<Impl>(store, peers, clock, random, std::move(options), metrics, std::move(log));
  Impl* raw = impl.get();
  for (int i = 0; i < raw->options.workers; ++i) raw->workers.emplace_back([raw] { raw->WorkerLoop(); });
  raw->dispatcher = std::thread([raw] { raw->DispatcherLoop(); });
  return std::unique_ptr<OutboxRelay>(new OutboxRelay(std::move(impl)));
}

OutboxRelay::OutboxRelay(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Wake() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->wake = true;
  }
  impl_->dispatcher_cv.notify_one();
}

void OutboxRelay::Stop() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping && !impl_->dispatcher.joinable()) return;
    impl_->stopping = true;
    // Claimed but not started: leave them to the lease (another node, or this one after a
    // restart, takes them over when it ends).
    impl_->queue.clear();
  }
  impl_->dispatcher_cv.notify_all();
  impl_->worker_cv.notify_all();
  if (impl_->dispatcher.joinable()) impl_->dispatcher.join();
  for (auto& w : impl_->workers) {
    if (w.joinable()) w.join();
  }
}

RelayStats OutboxRelay::stats() const {
  std::lock_guard lock(impl_->stats_mu);
  return impl_->stats;
}

// ---- enqueueing -------------------------------------------------------------------------------
// The commands are built and checked by engine/outbox_commands.hpp, like the Regulator's.

namespace {
Result<std::int64_t> Enqueue(store::Store& store, Result<store::EngineWrite::Command> command) {
  if (!command.ok()) return command.status();
  return store.Enqueue(command->command, command->instruction ? &*command->instruction : nullptr);
}
}  // namespace

Result<std::int64_t> EnqueueInstruction(store::Store& store, const Clock& clock, std::string_view operator_id,
                                        const proto::Instruction& instruction) {
  return Enqueue(store, engine::SendTaskCommand(clock.Now(), operator_id, instruction));
}

Result<std::int64_t> EnqueueQueryTaskResult(store::Store& store, const Clock& clock, std::string_view operator_id,
                                            const proto::InstructionRef& ref, SystemTime deadline) {
  return Enqueue(store, engine::QueryTaskResultCommand(clock.Now(), operator_id, ref, deadline));
}

Result<std::int64_t> EnqueueSettlement(store::Store& store, const Clock& clock, std::string_view operator_id,
                                       const proto::SettlementPush& push, SystemTime deadline) {
  return Enqueue(store, engine::SettlementCommand(clock.Now(), operator_id, push, deadline));
}

}  // namespace vgi::relay
