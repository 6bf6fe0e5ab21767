// `vgi bench`: a protocol load generator. Speaks the whole protocol (token, Seq/TimeStamp, AES,
// HMAC) over keep-alive HTTPS with N connections and reports req/s and latency per interface.
// Scenarios and their figures: docs in the --help footer below; scripts/bench.sh runs them all
// against a fresh server and an nginx reference (BENCHMARKS.md).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "bench_internal.hpp"
#include "commands.hpp"
#include "vgi/base/random.hpp"
#include "vgi/server/config.hpp"

namespace vgi::app {
namespace {

using bench::Options;
using bench::PhaseResult;
using bench::ScenarioResult;
using bench::Target;

constexpr const char* kFooter = R"(Scenarios:
  power-small  send_station_power_1440 with 1 station x 1 point (the current minute), station codes
               spread over --stations (default 10000); for --duration or --requests; --rate R for an
               open loop at R req/s (latency counted from each request's due time).
  power-fleet  one minute of power for --stations (default 1000000) in requests of --batch (500);
               --minutes M sends M consecutive minutes (a station's first minute of an hour creates
               its hour row, later ones update it), each timed on its own.
  model-sync   a full send_station_info sync of --stations (30000) x --stakes-per-station (10) in
               pages of --page-size (1000); seconds until every page is answered Ret 0 (the last one
               applies the snapshot); checks the server counted the sync as applied.
  day-load     a model sync (unless --skip-model-sync), then a whole day (1440 points) of power for
               every station, --batch stations a request (default: as many as fit the body limit,
               at most 100); then the server's RSS from GET /metrics.
  relay        the grid -> operator path: a grid (SQLite in a temp folder, or --database) and
               --operators simulated operators in this process; --requests (2000) send_task commands
               enqueued at once and delivered by the relay (--relay-workers); commands/s and
               enqueue-to-delivery latency, next to the same sends made directly (no outbox).
  decompose    the engine's decomposition of a demand with the store: a fresh store (SQLite in a
               temp folder or --data-dir, or --database) with --operators (100) enabled peers x
               --stations (300) stations each (areas varied: 40 % in 1201), today's power of every
               station up to now and --history-days (0) past days; then --repeat (5) demands per
               case (scope all; scope areas 1201), 1 h ahead, each created and decomposed by one
               engine Tick. Reported per case: the Tick's wall time p50/max, instructions written,
               stations considered/reporting. forecast_days is 0, or 5 with --history-days. Then
               the store reads the engine makes for such a demand, timed alone (case=scope-reads).
  measure      the engine's measurement with the store: the decompose fleet with --history-days
               past days (60 for the default baseline's lookback); per case (scope all: one
               operator-wide instruction per operator; areas 1201 and all areas: one per station) a demand
               for a 60-minute window earlier today is decomposed, accepted, executed and
               measured on an engine clock the bench moves; the measuring Tick (baseline with its
               back-test, response, settlement) is timed, and the first tick of the day (which sums
               the past days) apart. --data-dir with a fleet of the same size reuses it.
  console      the dispatcher console's data calls: the decompose fleet (--operators 100 x --stations
               300 x --stakes-per-station 10, today's power and --history-days (1) past days) plus
               console users, 20 demands (8 decomposed by an engine Tick, 2 of them cancelled), 12
               alarms and 1000 audit rows; then console::AdminApi (in-process, no HTTP) is logged in
               to like a browser and every GET a page makes is timed --repeat (5) times: p50/max
               per route and the response size; every call must answer 200.
  raw          POSTs one pre-built sealed power-small request to --url again and again, through the
               same client code: the reference against a static responder such as nginx.
Every request must be answered Ret 0; any failure is reported and the exit status is 1.
The last stdout line is machine-readable: "summary key=value ...".

Examples:
  vgi bench --config vgi.yaml --port-file port --scenario power-small --connections 32 --duration 10
  vgi bench --config vgi.yaml --scenario power-small --rate 1000 --duration 10
  vgi bench --scenario decompose --history-days 14
  vgi bench --scenario measure --history-days 60 --data-dir /var/tmp/vgi-measure
  vgi bench --scenario console --operators 2 --stations 20
  vgi bench --scenario raw --url https://127.0.0.1:8444/evcs/v1 --ca-file tls/server.crt)";

std::string HostForUrl(std::string host) {
  if (host.empty() || host == "0.0.0.0") return "127.0.0.1";
  if (host == "::") return "[::1]";
  if (host.find(':') != std::string::npos) return "[" + host + "]";
  return host;
}

Result<Target> ResolveTarget(Options& o, bool max_body_given) {
  Target t;
  std::string host = "127.0.0.1";
  int port = 0;
  std::string ca_file = o.ca_file;
  if (!o.config.empty()) {
    VGI_ASSIGN_OR_RETURN(const server::Config config, server::LoadConfig(o.config));
    const server::PeerConfig* peer = nullptr;
    std::string known;
    for (const auto& p : config.peers) {
      known += (known.empty() ? "" : ", ") + p.operator_id;
      if (peer == nullptr && (o.peer.empty() ? p.inbound.has_value() : p.operator_id == o.peer)) peer = &p;
    }
    if (peer == nullptr && o.operator_id.empty()) {
      return Status::Invalid(o.peer.empty() ? o.config + ": no peer with inbound keys (add one under peers: with "
                                                         "inbound:, see docs/config.md) or pass --operator-id and the key flags"
                                            : "--peer " + o.peer + ": not a peer of " + o.config + " (it has: " +
                                                  (known.empty() ? "none" : known) + ")");
    }
    if (peer != nullptr) {
      if (!peer->inbound) {
        return Status::Invalid(o.config + ": peer " + peer->operator_id +
                               " has no inbound keys in the file (they live in the store); pass the key flags");
      }
      t.operator_id = peer->operator_id;
      t.keys = *peer->inbound;
    }
    VGI_ASSIGN_OR_RETURN(const server::HostPort listen, server::ParseHostPort(config.server.listen));
    host = listen.host;
    port = listen.port;
    if (ca_file.empty() && !o.insecure) ca_file = config.tls_cert;
    if (!max_body_given) o.max_body_bytes = config.server.limits.max_body_bytes;
  }
  if (!o.operator_id.empty()) t.operator_id = o.operator_id;
  if (!o.keys.operator_secret.empty()) t.keys.operator_secret = o.keys.operator_secret;
  if (!o.keys.data_secret.empty()) t.keys.data_secret = o.keys.data_secret;
  if (!o.keys.data_iv.empty()) t.keys.data_iv = o.keys.data_iv;
  if (!o.keys.sig_secret.empty()) t.keys.sig_secret = o.keys.sig_secret;
  const bool raw = o.scenario == "raw";
  if (raw && t.operator_id.empty()) t.operator_id = "123456789";
  if (raw && t.keys.data_secret.empty()) t.keys = proto::GenerateKeySet(RandomSource::System());
  if (t.operator_id.empty()) {
    return Status::Invalid("no OperatorID: pass --config with a peer, or --operator-id");
  }
  VGI_RETURN_IF_ERROR(proto::ValidateKeySet(t.keys, proto::KeyPolicy::kPeer)
                          .WithPrefix("keys (from --config's peer inbound, or --operator-secret/--data-secret/"
                                      "--data-iv/--sig-secret)"));

  if (!o.port_file.empty()) {
    std::ifstream in(o.port_file);
    if (!(in >> port) || port <= 0 || port > 65535) {
      return Status::Invalid("--port-file " + o.port_file + ": no port number in it (is the server running?)");
    }
  }
  if (o.port != 0) port = o.port;
  if (o.url.empty()) {
    if (port == 0) {
      return Status::Invalid("no port: the config listens on port 0; pass --port, --port-file or --url");
    }
    o.url = "https://" + HostForUrl(host) + ":" + std::to_string(port) + std::string(proto::kPathPrefix);
  }
  auto url = client::ParseBaseUrl(o.url);
  if (!url.ok()) return url.status().WithPrefix("--url");
  t.url = std::move(*url);
  t.base_url = t.url.ToString();

  client::TlsOptions tls;
  tls.verify_peer = !o.insecure;
  tls.ca_file = ca_file;
  tls.server_name = o.server_name;
  VGI_ASSIGN_OR_RETURN(t.tls, client::TlsClientContext::Create(tls));
  t.stamps = std::make_shared<proto::StampGenerator>(Clock::System());
  t.timeout = std::chrono::seconds(o.timeout_s);
  return t;
}

double Percentile(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return static_cast<double>(sorted[std::min(i, sorted.size() - 1)]) / 1000.0;
}

struct Figures {
  std::uint64_t requests = 0;
  std::uint64_t failed = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};

Figures Summarise(bench::InterfaceStats& s) {
  std::sort(s.latency_us.begin(), s.latency_us.end());
  Figures f;
  f.requests = s.ok + s.failed;
  f.failed = s.failed;
  f.p50 = Percentile(s.latency_us, 0.50);
  f.p90 = Percentile(s.latency_us, 0.90);
  f.p99 = Percentile(s.latency_us, 0.99);
  f.max = s.latency_us.empty() ? 0 : static_cast<double>(s.latency_us.back()) / 1000.0;
  return f;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Prints the report; returns the number of failed requests.
std::uint64_t Report(const Options& o, const Target& t, ScenarioResult& r) {
  std::printf("vgi bench %s: %s as %s, %d connection(s)\n", o.scenario.c_str(), t.base_url.c_str(),
              t.operator_id.c_str(), o.connections);
  for (const auto& n : r.notes) std::printf("  %s\n", n.c_str());
  std::uint64_t failed = 0;
  std::vector<std::string> errors;
  Figures last;
  const PhaseResult* main = nullptr;
  for (auto& phase : r.phases) {
    std::printf("phase %s: %.2f s", phase.name.c_str(), phase.seconds);
    if (phase.seconds > 0 && &phase != &r.phases.front()) {
      std::printf("; client CPU %.2f core", phase.client_cpu_s / phase.seconds);
      if (phase.server_cpu_s) {
        std::printf("; server CPU %.2f s = %.2f core (%zu process%s)", *phase.server_cpu_s,
                    *phase.server_cpu_s / phase.seconds, o.server_pids.size(), o.server_pids.size() == 1 ? "" : "es");
      }
      if (phase.units > 0) {
        std::printf("; %llu %s = %.0f/s", static_cast<unsigned long long>(phase.units), phase.units_name.c_str(),
                    static_cast<double>(phase.units) / phase.seconds);
      }
    }
    std::printf("\n  %-26s %9s %7s %10s %8s %8s %8s %8s\n", "interface", "requests", "failed", "req/s", "p50 ms",
                "p90 ms", "p99 ms", "max ms");
    for (std::size_t s = 0; s < phase.stats.size(); ++s) {
      if (phase.stats[s].ok + phase.stats[s].failed == 0) continue;
      const Figures f = Summarise(phase.stats[s]);
      std::printf("  %-26s %9llu %7llu %10.1f %8.2f %8.2f %8.2f %8.2f\n", bench::SlotName(s).c_str(),
                  static_cast<unsigned long long>(f.requests), static_cast<unsigned long long>(f.failed),
                  static_cast<double>(f.requests - f.failed) / std::max(phase.seconds, 1e-9), f.p50, f.p90, f.p99,
                  f.max);
      failed += f.failed;
      if (&phase == &r.phases.back()) last = f;
    }
    for (const auto& e : phase.errors) errors.push_back(phase.name + ": " + e);
    main = &phase;
  }
  std::string summary = "summary scenario=" + o.scenario + " connections=" + std::to_string(o.connections);
  for (const auto& [k, v] : r.summary) summary += " " + k + "=" + v;
  summary += " p50_ms=" + Fixed(last.p50, 2) + " p99_ms=" + Fixed(last.p99, 2);
  if (main != nullptr && main->seconds > 0) {
    summary += " client_cpu_cores=" + Fixed(main->client_cpu_s / main->seconds, 2);
    if (main->server_cpu_s) {
      summary += " server_cpu_s=" + Fixed(*main->server_cpu_s, 2) +
                 " server_cpu_cores=" + Fixed(*main->server_cpu_s / main->seconds, 2);
    }
  }
  summary += " total_failed=" + std::to_string(failed);
  if (failed > 0) {
    std::string loud = "FAILED: " + std::to_string(failed) + " request(s) were not answered Ret 0; the figures above "
                       "do not measure a working server. First errors:";
    for (const auto& e : errors) loud += "\n  " + e;
    std::printf("%s\n", loud.c_str());
    std::fprintf(stderr, "vgi bench: %s\n", loud.c_str());
  }
  std::printf("%s\n", summary.c_str());
  std::fflush(stdout);
  return failed;
}

// The server refuses a second request with the same (OperatorID, TimeStamp, Seq), and Seq restarts
// at 0001 in every process. So that a bench started right after this one (same OperatorID) does not
// collide with our last stamps (which run ahead of the clock past 9999 requests a second), wait
// until the clock has left the last second we stamped.
void WaitPastLastStamp(proto::StampGenerator& stamps) {
  const auto last = proto::ParseTimeStamp(stamps.Next().timestamp);
  if (!last) return;
  const auto until = *last + std::chrono::seconds(1);
  const auto now = Clock::System().Now();
  if (until > now) std::this_thread::sleep_for(until - now);
}

int RunBench(Options o, bool max_body_given) {
  if (o.scenario == "relay") return bench::RunRelayBench(o);
  if (o.scenario == "decompose") return bench::RunDecomposeBench(o);
  if (o.scenario == "console") return bench::RunConsoleBench(o);
  if (o.scenario == "measure") return bench::RunMeasureBench(o);
  auto target = ResolveTarget(o, max_body_given);
  if (!target.ok()) {
    std::fprintf(stderr, "vgi bench: %s\n", target.status().message().c_str());
    return kExitUsage;
  }
  Result<ScenarioResult> result = Status::Internal("unknown scenario " + o.scenario);
  if (o.scenario == "power-small") result = bench::RunPowerSmall(o, *target);
  if (o.scenario == "raw") result = bench::RunRaw(o, *target);
  if (o.scenario == "power-fleet") result = bench::RunPowerFleet(o, *target);
  if (o.scenario == "model-sync") result = bench::RunModelSync(o, *target);
  if (o.scenario == "day-load") result = bench::RunDayLoad(o, *target);
  WaitPastLastStamp(*target->stamps);
  if (!result.ok()) {
    std::fprintf(stderr, "vgi bench %s: %s\n", o.scenario.c_str(), result.status().message().c_str());
    return result.status().code() == StatusCode::kInvalid ? kExitUsage : kExitFailed;
  }
  return Report(o, *target, *result) == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void RegisterBench(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("bench", "Load-test a grid server over the protocol (req/s, latency per interface)");
  auto o = std::make_shared<Options>();
  cmd->add_option("--scenario,-s", o->scenario,
                  "power-small, power-fleet, model-sync, day-load, relay, decompose, measure, console or raw")
      ->check(CLI::IsMember(
          {"power-small", "power-fleet", "model-sync", "day-load", "relay", "decompose", "measure", "console", "raw"}))
      ->capture_default_str();
  cmd->add_option("--config,-c", o->config, "The server's YAML: the peer's inbound keys, listen address, TLS cert");
  cmd->add_option("--peer", o->peer, "OperatorID of the config's peer to act as (default: the first with keys)");
  cmd->add_option("--url", o->url, "Base URL, e.g. https://127.0.0.1:8443/evcs/v1 (default: from --config)");
  cmd->add_option("--port", o->port, "Port (overrides the config's, e.g. when it listens on port 0)")
      ->check(CLI::Range(1, 65535));
  cmd->add_option("--port-file", o->port_file, "Read the port from this file (vgi serve --port-file)");
  cmd->add_option("--ca-file", o->ca_file, "PEM CA to trust (default: the config's tls.cert, else the system store)");
  cmd->add_option("--server-name", o->server_name, "TLS name to check (default: the URL's host)");
  cmd->add_flag("--insecure", o->insecure, "Do not verify the server's certificate (lab use only)");
  cmd->add_option("--operator-id", o->operator_id, "OperatorID (overrides the config's peer)");
  cmd->add_option("--operator-secret", o->keys.operator_secret, "OperatorSecret the grid issued (or env VGI_OPERATOR_SECRET)")
      ->envname("VGI_OPERATOR_SECRET");
  cmd->add_option("--data-secret", o->keys.data_secret, "DataSecret (or env VGI_DATA_SECRET)")->envname("VGI_DATA_SECRET");
  cmd->add_option("--data-iv", o->keys.data_iv, "DataSecretIV (or env VGI_DATA_IV)")->envname("VGI_DATA_IV");
  cmd->add_option("--sig-secret", o->keys.sig_secret, "SigSecret (or env VGI_SIG_SECRET)")->envname("VGI_SIG_SECRET");
  cmd->add_option("--connections,-n", o->connections, "Keep-alive connections, one thread each")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_option("--duration,-d", o->duration_s, "Seconds to run (power-small, raw)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--requests", o->requests, "Stop after this many requests instead (power-small, raw)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--rate", o->rate, "Open loop: requests per second over all connections (power-small, raw)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--stations", o->stations,
                  "Stations (power-small: distinct codes, 10000; power-fleet: 1000000; model-sync, day-load: 30000; "
                  "decompose, console, measure: per operator, 300)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--batch", o->batch, "Stations a power request (power-fleet: 500; day-load: what fits, <= 100)")
      ->check(CLI::Range(1, static_cast<int>(proto::kMaxStationPowers)));
  cmd->add_option("--minutes", o->minutes, "power-fleet: consecutive minutes to send (the first creates the stations' hour rows)")
      ->check(CLI::Range(1, 60))
      ->capture_default_str();
  cmd->add_option("--stakes-per-station", o->stakes_per_station,
                  "Stakes of each station (model-sync, day-load, decompose, console)")
      ->check(CLI::Range(0, static_cast<int>(proto::kMaxStakesPerStation)))
      ->capture_default_str();
  cmd->add_option("--page-size", o->page_size, "Stations a send_station_info page (model-sync, day-load)")
      ->check(CLI::Range(1, static_cast<int>(proto::kMaxStationsPerPage)))
      ->capture_default_str();
  cmd->add_option("--code-prefix", o->code_prefix, "Station codes are this + 7 digits (default BS, BF or BM)");
  cmd->add_flag("--skip-model-sync", o->skip_model_sync, "day-load: the server already holds the model");
  auto* max_body = cmd->add_option("--max-body-bytes", o->max_body_bytes,
                                   "The server's body limit (default: the config's server.max_body_bytes, else 8 MiB)");
  cmd->add_option("--timeout", o->timeout_s, "Seconds a single request may take")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--server-pid", o->server_pids,
                  "PID of the server on this machine: report its CPU seconds per phase and its peak RSS; more PIDs "
                  "(comma-separated, e.g. a local database's postmaster) add theirs and their children's")
      ->delimiter(',');
  cmd->add_flag("--quiet,-q", o->quiet, "No progress lines on stderr");
  cmd->add_option("--database", o->database,
                  "relay, decompose, console, measure: an empty database's URL for the grid (default: SQLite in a temp folder)");
  auto* operators =
      cmd->add_option("--operators", o->operators, "relay: simulated operators (4); decompose, console, measure: peers (100)")
          ->check(CLI::Range(1, 100));
  auto* history = cmd->add_option(
      "--history-days", o->history_days,
      "decompose, console, measure: past days of power per station (decompose 0, console 1, measure 60); "
      "decompose: > 0 turns the similar-day forecast on (forecast_days 5)")
      ->check(CLI::Range(0, 60))
      ->capture_default_str();
  cmd->add_option("--repeat", o->repeat, "decompose: demands timed per case; console: calls timed per route")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--data-dir", o->data_dir,
                  "decompose, console, measure: keep the store (SQLite, master key) in this folder (default: a temporary "
                  "one, removed); measure reuses a fleet of the same size found there");
  cmd->add_option("--event-day", o->event_day,
                  "measure: the Beijing date (yyyy-MM-dd) of the measured windows, today or one of the history days "
                  "(e.g. a weekday: its baseline reads about three weeks; a weekend day's about seven); default today");
  cmd->add_flag("--no-accuracy-check", o->no_accuracy_check,
               "measure: turn the baseline's RRMSE back-test off (single stations of the generated fleet fail it, so "
               "with it on their measurements are refused before the response and settlement)");
  cmd->add_option("--relay-workers", o->relay_workers, "relay: the relay's workers")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->footer(kFooter);
  cmd->callback([o, max_body, operators, history, exit_code] {
    const bool fleet = o->scenario == "decompose" || o->scenario == "console" || o->scenario == "measure";
    if (fleet && operators->count() == 0) o->operators = 100;
    if (o->scenario == "console" && history->count() == 0) o->history_days = 1;
    if (o->scenario == "measure" && history->count() == 0) o->history_days = 60;
    *exit_code = RunBench(*o, max_body->count() > 0);
  });
}

}  // namespace vgi::app
