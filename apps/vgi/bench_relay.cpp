// `vgi bench --scenario relay`: the grid -> operator path end to end on this machine. A grid (its
// relay, SQLite in a temporary folder or --database) and simulated operators (their endpoints) run
// in-process; --requests instructions are enqueued at once, spread over the operators, and the
// bench waits until every one is delivered (kSent). Reported: commands/s and the latency from
// enqueue to recorded delivery (p50/p99/max), next to the reference measured in the same run: the
// same instructions sent straight to the operators by one ProtocolClient each (no outbox, no
// durability) — the protocol exchange's own cost.
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "bench_internal.hpp"
#include "commands.hpp"
#include "sim_setup.hpp"
#include "vgi/client/protocol_client.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/relay/outbox_relay.hpp"
#include "vgi/server/grid_server.hpp"
#include "vgi/server/tls.hpp"
#include "vgi/sim/simulator.hpp"

namespace vgi::app::bench {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

proto::Instruction BenchInstruction(const std::string& op, std::int64_t n) {
  proto::Instruction in;
  in.task_id = "BENCH-" + std::to_string(n);
  in.regulation_id = "BENCH-" + std::to_string(n);
  in.type = proto::RegulationType::kPeakShaving;
  in.synchro_type = proto::SynchroType::kNew;
  in.range_type = proto::RangeType::kOperator;
  in.adjust_ids = {op};
  const auto start = proto::ToBeijingMinute(Clock::System().Now() + 2h);
  in.targets = {{proto::Kilowatts::FromInt(10), start, proto::ToBeijingMinute(proto::ToSystemTime(start) + 59min)}};
  return in;
}

}  // namespace

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

ScratchDir::ScratchDir(const std::string& name_prefix) {
  std::string tmpl = (fs::temp_directory_path() / (name_prefix + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

int RunRelayBench(const Options& o) {
  const std::string& database = o.database;
  const int operators = o.operators, workers = o.relay_workers;
  const std::int64_t commands = o.requests > 0 ? o.requests : 2000;
  const ScratchDir scratch("vgi-bench-relay");
  if (scratch.path().empty()) {
    std::fprintf(stderr, "vgi bench relay: cannot create a temporary folder\n");
    return kExitFailed;
  }
  const std::string& dir = scratch.path();
  const std::string sim_cert = dir + "/sim.crt", sim_key = dir + "/sim.key";
  if (auto made = server::EnsureSelfSignedCertificate(sim_cert, sim_key, "127.0.0.1"); !made.ok()) {
    std::fprintf(stderr, "vgi bench relay: %s\n", made.status().ToString().c_str());
    return kExitFailed;
  }
  server::Config c;
  c.server.listen = "127.0.0.1:0";
  c.server.threads = 1;
  c.data_dir = dir + "/grid";
  c.database = database;
  c.tls_cert = dir + "/tls/server.crt";
  c.tls_key = dir + "/tls/server.key";
  c.relay.node_id = "bench";
  c.relay.workers = workers;
  c.relay.ca_file = sim_cert;
  auto grid = server::GridServer::Start(
      c, Clock::System(), std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>()));
  if (!grid.ok()) {
    std::fprintf(stderr, "vgi bench relay: %s%s\n", grid.status().ToString().c_str(),
                 database.empty() ? "" : " (--database must name an empty database: the bench seals with a new "
                                         "master key each run)");
    return kExitFailed;
  }
  sim::SimOptions so;
  so.fleet.operators = operators;
  so.fleet.stations_per_operator = 2;
  so.fleet.stakes_per_station = 2;
  so.tls_cert = sim_cert;
  so.tls_key = sim_key;
  so.http_threads = 1;
  auto simulator = sim::Simulator::Create(so, Clock::System());
  if (!simulator.ok()) {
    std::fprintf(stderr, "vgi bench relay: %s\n", simulator.status().ToString().c_str());
    return kExitFailed;
  }
  if (Status st = RegisterBothWays((*grid)->peers(), **simulator, RandomSource::System()); !st.ok()) {
    std::fprintf(stderr, "vgi bench relay: %s\n", st.ToString().c_str());
    return kExitFailed;
  }
  const auto peers = (*simulator)->Peers();

  // Reference: the same instructions straight to the operators, one client each, in parallel.
  double reference_per_s = 0;
  {
    std::vector<std::thread> threads;
    const auto start = SteadyClock::now();
    std::atomic<std::int64_t> failed{0};
    for (std::size_t p = 0; p < peers.size(); ++p) {
      threads.emplace_back([&, p] {
        client::ProtocolClient::Options co;
        co.base_url = peers[p].base_url;
        co.operator_id = peers[p].grid_operator_id;
        co.responder_keys = peers[p].issued_keys;
        co.tls.ca_file = sim_cert;
        auto client = client::ProtocolClient::Create(co, Clock::System());
        if (!client.ok()) return failed.fetch_add(1), void();
        for (std::int64_t n = static_cast<std::int64_t>(p); n < commands; n += static_cast<std::int64_t>(peers.size())) {
          auto r = (*client)->Send(proto::Interface::kSendTask, BenchInstruction(peers[p].operator_id, -1 - n));
          if (!r.ok() || !r->ok()) failed.fetch_add(1);
        }
      });
    }
    for (auto& t : threads) t.join();
    const double s = std::chrono::duration<double>(SteadyClock::now() - start).count();
    if (failed > 0) {
      std::fprintf(stderr, "vgi bench relay: %lld reference sends failed\n", static_cast<long long>(failed.load()));
      return kExitFailed;
    }
    reference_per_s = static_cast<double>(commands) / s;
  }

  // The outbox: enqueue everything (timed apart), then wait for every delivery.
  auto& store = (*grid)->store();
  const auto enqueue_start = SteadyClock::now();
  for (std::int64_t n = 0; n < commands; ++n) {
    const auto& op = peers[static_cast<std::size_t>(n) % peers.size()].operator_id;
    auto id = relay::EnqueueInstruction(store, Clock::System(), op, BenchInstruction(op, n));
    if (!id.ok()) {
      std::fprintf(stderr, "vgi bench relay: enqueue: %s\n", id.status().ToString().c_str());
      return kExitFailed;
    }
  }
  const double enqueue_s = std::chrono::duration<double>(SteadyClock::now() - enqueue_start).count();
  (*grid)->WakeRelay();
  store::OutboxFilter f;
  f.limit = static_cast<std::size_t>(commands) + 1;
  std::vector<store::OutboxCommand> rows;
  for (;;) {
    auto listed = store.ListOutbox(f);
    if (!listed.ok()) {
      std::fprintf(stderr, "vgi bench relay: %s\n", listed.status().ToString().c_str());
      return kExitFailed;
    }
    const auto pending = std::count_if(listed->begin(), listed->end(),
                                       [](const auto& r) { return r.state == store::OutboxState::kPending; });
    if (!o.quiet) std::fprintf(stderr, "\r  delivered %lld of %lld", static_cast<long long>(commands - pending),
                               static_cast<long long>(commands));
    if (pending == 0) {
      rows = std::move(*listed);
      break;
    }
    std::this_thread::sleep_for(50ms);
  }
  const double total_s = std::chrono::duration<double>(SteadyClock::now() - enqueue_start).count();
  if (!o.quiet) std::fprintf(stderr, "\n");
  std::vector<double> latency_ms;
  std::int64_t not_sent = 0;
  SystemTime last_finish{};
  for (const auto& r : rows) {
    if (r.state != store::OutboxState::kSent || !r.finished_at) {
      ++not_sent;
      continue;
    }
    latency_ms.push_back(std::chrono::duration<double, std::milli>(*r.finished_at - r.created_at).count());
    last_finish = std::max(last_finish, *r.finished_at);
  }
  // One at a time on an idle relay: how long a single command takes to reach its operator.
  std::vector<double> single_ms;
  for (int n = 0; n < 50; ++n) {
    const auto& op = peers[static_cast<std::size_t>(n) % peers.size()].operator_id;
    auto id = relay::EnqueueInstruction(store, Clock::System(), op, BenchInstruction(op, commands + n));
    if (!id.ok()) {
      std::fprintf(stderr, "vgi bench relay: enqueue: %s\n", id.status().ToString().c_str());
      return kExitFailed;
    }
    (*grid)->WakeRelay();
    for (;;) {
      auto row = store.GetOutbox(*id);
      if (row.ok() && row->has_value() && (**row).state != store::OutboxState::kPending) {
        if ((**row).finished_at) {
          single_ms.push_back(std::chrono::duration<double, std::milli>(*(**row).finished_at - (**row).created_at).count());
        }
        break;
      }
      std::this_thread::sleep_for(1ms);
    }
  }
  const double per_s = static_cast<double>(commands) / total_s;
  std::printf("vgi bench relay: %lld send_task commands to %zu operators over HTTPS on loopback, %d relay workers, "
              "store %s\n",
              static_cast<long long>(commands), peers.size(), workers, store.backend().data());
  std::printf("  enqueue (instruction + outbox row, one transaction each): %.0f /s\n",
              static_cast<double>(commands) / enqueue_s);
  std::printf("  delivered through the outbox: %.0f commands/s (%.2f s for all, enqueue included)\n", per_s, total_s);
  std::printf("  enqueue -> delivery recorded: p50 %.1f ms  p99 %.1f ms  max %.1f ms\n", Percentile(latency_ms, 0.5),
              Percentile(latency_ms, 0.99), Percentile(latency_ms, 1.0));
  std::printf("  one command at a time on an idle relay, enqueue -> delivery recorded: p50 %.1f ms  p99 %.1f ms "
              "(%zu commands)\n",
              Percentile(single_ms, 0.5), Percentile(single_ms, 0.99), single_ms.size());
  std::printf("  reference, the same sends without the outbox (one client per operator): %.0f commands/s\n",
              reference_per_s);
  std::printf("summary scenario=relay commands=%lld store=%s workers=%d per_s=%.0f p50_ms=%.1f p99_ms=%.1f "
              "single_p50_ms=%.1f single_p99_ms=%.1f reference_per_s=%.0f not_sent=%lld\n",
              static_cast<long long>(commands), store.backend().data(), workers, per_s, Percentile(latency_ms, 0.5),
              Percentile(latency_ms, 0.99), Percentile(single_ms, 0.5), Percentile(single_ms, 0.99), reference_per_s,
              static_cast<long long>(not_sent));
  (*simulator)->Stop();
  (*grid)->Stop();
  return not_sent == 0 ? kExitOk : kExitFailed;
}

}  // namespace vgi::app::bench
