// The `vgi bench` scenarios: power-small, raw, power-fleet, model-sync, day-load.
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <thread>

#include "bench_internal.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/proto/envelope.hpp"

namespace vgi::app::bench {

namespace {

using proto::Interface;

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::int64_t Ceil(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// The Ret of an answer envelope (key in any case; ret 0 or 200 is success), parsed but not
// verified: the raw scenario's responder is a static file that cannot sign. Null when the body
// is not a JSON object with a numeric Ret.
std::optional<std::int64_t> ReadRet(const std::string& body) {
  namespace od = simdjson::ondemand;
  thread_local od::parser parser;
  const simdjson::padded_string padded(body);
  od::document doc;
  od::object object;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS || doc.get_object().get(object) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return std::nullopt;
    if (key.size() != 3 || (key[0] | 0x20) != 'r' || (key[1] | 0x20) != 'e' || (key[2] | 0x20) != 't') continue;
    std::int64_t ret = 0;
    if (field.value().get_int64().get(ret) != simdjson::SUCCESS) return std::nullopt;
    return ret;
  }
  return std::nullopt;
}

proto::BeijingMinute NowMinute() { return proto::ToBeijingMinute(Clock::System().Now()); }

// The size of the request body carrying `json`: base64 of the AES-CBC ciphertext plus the
// envelope's other fields (about 150 bytes; 512 leaves room).
std::size_t SealedBytes(std::size_t json_bytes) { return (json_bytes / 16 + 1) * 16 * 4 / 3 + 4 + 512; }

std::string Mib(double bytes) { return Fixed(bytes / (1024.0 * 1024.0), 1); }

// The request schedule shared by power-small and raw: closed loop (each connection sends its next
// request when the last is answered) or open loop at --rate (connection i sends at
// t0 + (i + k * connections) / rate; latency counts from that due time, so a server that falls
// behind shows it in the latency instead of slowing the load down); for --duration or until
// --requests were sent.
void LoadLoop(const Options& o, int index, SteadyClock::time_point t0, std::atomic<std::int64_t>& issued,
              const std::function<void(SteadyClock::time_point due)>& one) {
  const auto end = t0 + std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(o.duration_s));
  const bool open_loop = o.rate > 0;
  const auto interval = std::chrono::duration_cast<SteadyClock::duration>(
      std::chrono::duration<double>(open_loop ? o.connections / o.rate : 0));
  auto due = t0 + std::chrono::duration_cast<SteadyClock::duration>(
                      std::chrono::duration<double>(open_loop ? index / o.rate : 0));
  for (;;) {
    if (o.requests > 0) {
      if (issued.fetch_add(1) >= o.requests) break;
    } else if ((open_loop ? due : SteadyClock::now()) >= end) {
      break;
    }
    if (open_loop) {
      std::this_thread::sleep_until(due);
      one(due);
      due += interval;
    } else {
      one(SteadyClock::now());
    }
  }
}

std::string LoopDescription(const Options& o) {
  std::string d = o.rate > 0 ? "open loop at " + Fixed(o.rate, 0) + " req/s" : "closed loop";
  return d + (o.requests > 0 ? ", " + std::to_string(o.requests) + " requests" : ", " + Fixed(o.duration_s, 1) + " s");
}

void AddRateSummary(ScenarioResult& out, const PhaseResult& phase, std::size_t slot) {
  const auto& s = phase.stats[slot];
  out.summary.emplace_back("requests", std::to_string(s.ok + s.failed));
  out.summary.emplace_back("failed", std::to_string(s.failed));
  out.summary.emplace_back("req_s", Fixed(static_cast<double>(s.ok) / phase.seconds, 1));
}

// Builds the Data of every page of a model of `stations` stations.
std::vector<std::string> BuildPages(const Options& o, const Target& t, std::int64_t stations, const std::string& prefix) {
  const std::int64_t pages = Ceil(stations, o.page_size);
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(pages));
  for (std::int64_t p = 0; p < pages; ++p) {
    proto::StationInfoPage page;
    page.total_count = stations;
    page.page_count = pages;
    page.page_no = p + 1;
    const std::int64_t first = p * o.page_size;
    const std::int64_t last = std::min(stations, first + o.page_size);
    page.stations.reserve(static_cast<std::size_t>(last - first));
    for (std::int64_t i = first; i < last; ++i) {
      page.stations.push_back(MakeStation(t.operator_id, StationCode(prefix, i), i, o.stakes_per_station));
    }
    out.push_back(proto::EncodeData(page));
  }
  return out;
}

// Sends a whole model sync (pages over up to --connections connections, in any order) and says
// whether the server applied it (its vgi_ingest_model_syncs_applied_total went up).
Result<PhaseResult> SyncModel(const Options& o, const Target& t, ClientPool& pool, std::int64_t stations,
                              const std::string& prefix, ScenarioResult& out) {
  if (!o.quiet) std::fprintf(stderr, "building %lld pages of %d stations x %d stakes...\n",
                             static_cast<long long>(Ceil(stations, o.page_size)), o.page_size, o.stakes_per_station);
  const auto build0 = SteadyClock::now();
  const std::vector<std::string> pages = BuildPages(o, t, stations, prefix);
  const double build_s = std::chrono::duration<double>(SteadyClock::now() - build0).count();
  std::size_t largest = 0;
  for (const auto& p : pages) largest = std::max(largest, p.size());
  if (SealedBytes(largest) > o.max_body_bytes) {
    return Status::Invalid("--page-size: a page of " + std::to_string(o.page_size) + " stations x " +
                           std::to_string(o.stakes_per_station) + " stakes is about " + Mib(SealedBytes(largest)) +
                           " MiB sealed, over the server's max_body_bytes (" + Mib(static_cast<double>(o.max_body_bytes)) +
                           " MiB): use a smaller --page-size, or raise server.max_body_bytes and pass --max-body-bytes");
  }
  out.notes.push_back("model: " + std::to_string(stations) + " stations x " + std::to_string(o.stakes_per_station) +
                      " stakes in " + std::to_string(pages.size()) + " pages of up to " + std::to_string(o.page_size) +
                      " stations (largest page " + Mib(static_cast<double>(largest)) + " MiB of JSON, ~" +
                      Mib(SealedBytes(largest)) + " MiB sealed; built in " + Fixed(build_s, 1) + " s before timing)");
  const auto applied0 = ScrapeMetric(t, "vgi_ingest_model_syncs_applied_total");
  std::atomic<std::size_t> next{0};
  PhaseResult phase = RunPhase(
      "model-sync", pool, static_cast<int>(std::min<std::size_t>(pages.size(), static_cast<std::size_t>(pool.size()))),
      o, pages.size(), "pages", [&](int, SteadyClock::time_point, client::ProtocolClient& c, Recorder& r) {
        for (std::size_t i = next++; i < pages.size(); i = next++) {
          TimedCall(c, Interface::kSendStationInfo, pages[i], r, SteadyClock::now(), 1);
        }
      });
  const auto applied1 = ScrapeMetric(t, "vgi_ingest_model_syncs_applied_total");
  const std::string applied = applied0 && applied1 ? (*applied1 > *applied0 ? "yes" : "no") : "unknown";
  out.notes.push_back("model sync applied (server's vgi_ingest_model_syncs_applied_total went up): " + applied);
  out.summary.emplace_back("sync_seconds", Fixed(phase.seconds, 2));
  out.summary.emplace_back("sync_stations", std::to_string(stations));
  out.summary.emplace_back("sync_stakes", std::to_string(stations * o.stakes_per_station));
  out.summary.emplace_back("sync_applied", applied);
  if (applied == "no") {
    phase.errors.push_back("every page was answered, but the server did not report the snapshot applied");
    phase.stats[SlotOf(Interface::kSendStationInfo)].failed++;
  }
  return phase;
}

}  // namespace

Result<ScenarioResult> RunPowerSmall(const Options& o, const Target& t) {
  ScenarioResult out;
  PhaseResult setup;
  VGI_ASSIGN_OR_RETURN(auto pool, ClientPool::Open(t, o.connections, setup));
  out.phases.push_back(std::move(setup));
  const std::int64_t codes = o.stations > 0 ? o.stations : 10'000;
  const std::string prefix = o.code_prefix.empty() ? "BS" : o.code_prefix;
  const std::string credit = CreditCodeFor(t.operator_id);
  std::atomic<std::int64_t> issued{0};
  std::atomic<std::int64_t> station{0};
  out.notes.push_back("send_station_power_1440 with 1 station x 1 point (the current minute), station codes " +
                      StationCode(prefix, 0) + ".." + StationCode(prefix, codes - 1) + "; " + LoopDescription(o));
  PhaseResult phase = RunPhase("power-small", *pool, o.connections, o, 0, "", [&](int i, SteadyClock::time_point t0,
                                                                                  client::ProtocolClient& c, Recorder& r) {
    LoadLoop(o, i, t0, issued, [&](SteadyClock::time_point due) {
      const std::int64_t s = station++ % codes;
      proto::StationPowerBatch batch;
      batch.stations.push_back(MakeMinutePower(credit, StationCode(prefix, s), s, NowMinute()));
      TimedCall(c, Interface::kSendStationPower1440, proto::EncodeData(batch), r, due);
    });
  });
  AddRateSummary(out, phase, SlotOf(Interface::kSendStationPower1440));
  out.phases.push_back(std::move(phase));
  return out;
}

Result<ScenarioResult> RunRaw(const Options& o, const Target& t) {
  // The same bytes every time: a sealed power-small request (as the vgi scenario sends) and a
  // bearer token of a real token's length. Answers are opened as a peer's unsigned example: a
  // static {"Ret":0,"Msg":"ok","Data":"","Sig":""} is Ret 0.
  proto::StationPowerBatch batch;
  batch.stations.push_back(MakeMinutePower(CreditCodeFor(t.operator_id), StationCode("BS", 0), 0, NowMinute()));
  VGI_ASSIGN_OR_RETURN(const auto keys, proto::PreparedKeys::Create(t.keys));
  const std::string body = proto::SealRequestBody(t.operator_id, proto::EncodeData(batch), t.stamps->Next(), keys);
  const std::string authorization = "Bearer v1.1." + t.operator_id + ".1700000000000.1700007200000." + std::string(64, 'A');
  const std::string path = t.url.path_prefix + "/" + std::string(proto::Info(Interface::kSendStationPower1440).name);
  auto post = [&](client::ProtocolClient& c) -> Status {
    VGI_ASSIGN_OR_RETURN(const auto reply, c.PostRaw(path, body, authorization));
    if (reply.status != 200) {
      return Status::Unavailable("HTTP " + std::to_string(reply.status) + ": " + reply.body.substr(0, 200));
    }
    const auto ret = ReadRet(reply.body);
    if (!ret) return Status::Invalid("the answer has no numeric Ret: " + reply.body.substr(0, 200));
    if (*ret != 0 && *ret != 200) return Status::Refused("answered Ret " + std::to_string(*ret) + ": " + reply.body.substr(0, 200));
    return Status::Ok();
  };
  ScenarioResult out;
  PhaseResult setup;
  VGI_ASSIGN_OR_RETURN(auto pool, ClientPool::Open(t, o.connections, setup, post));
  out.phases.push_back(std::move(setup));
  out.notes.push_back("POST of one pre-built " + std::to_string(body.size()) + "-byte sealed power-small request to " +
                      path + ", answer opened without a Sig; " + LoopDescription(o));
  std::atomic<std::int64_t> issued{0};
  PhaseResult phase = RunPhase("raw", *pool, o.connections, o, 0, "", [&](int i, SteadyClock::time_point t0,
                                                                          client::ProtocolClient& c, Recorder& r) {
    LoadLoop(o, i, t0, issued, [&](SteadyClock::time_point due) {
      const Status st = post(c);
      const auto latency = SteadyClock::now() - due;
      if (st.ok()) {
        r.Ok(kRawSlot, latency);
      } else {
        r.Fail(kRawSlot, latency, st.ToString());
      }
    });
  });
  AddRateSummary(out, phase, kRawSlot);
  out.phases.push_back(std::move(phase));
  return out;
}

Result<ScenarioResult> RunPowerFleet(const Options& o, const Target& t) {
  ScenarioResult out;
  PhaseResult setup;
  VGI_ASSIGN_OR_RETURN(auto pool, ClientPool::Open(t, o.connections, setup));
  out.phases.push_back(std::move(setup));
  const std::int64_t stations = o.stations > 0 ? o.stations : 1'000'000;
  const std::int64_t batch = o.batch > 0 ? o.batch : 500;
  const std::int64_t requests = Ceil(stations, batch);
  const std::string prefix = o.code_prefix.empty() ? "BF" : o.code_prefix;
  const std::string credit = CreditCodeFor(t.operator_id);
  const proto::BeijingMinute first = NowMinute();
  out.notes.push_back(std::to_string(o.minutes) + " minute(s) from " + proto::FormatMinute(first) + " of power for " +
                      std::to_string(stations) + " stations in " + std::to_string(requests) + " requests of " +
                      std::to_string(batch) + " each; a station's first minute of an hour creates its hour row, "
                      "later minutes update it");
  for (int m = 0; m < o.minutes; ++m) {
    const proto::BeijingMinute minute{first.minutes + m};
    std::atomic<std::int64_t> next{0};
    PhaseResult phase = RunPhase(
        "power-fleet minute " + std::to_string(m + 1), *pool, o.connections, o, static_cast<std::uint64_t>(stations),
        "stations", [&](int, SteadyClock::time_point, client::ProtocolClient& c, Recorder& r) {
          for (std::int64_t q = next++; q < requests; q = next++) {
            proto::StationPowerBatch b;
            const std::int64_t last = std::min(stations, (q + 1) * batch);
            b.stations.reserve(static_cast<std::size_t>(batch));
            for (std::int64_t s = q * batch; s < last; ++s) {
              b.stations.push_back(MakeMinutePower(credit, StationCode(prefix, s), s, minute));
            }
            TimedCall(c, Interface::kSendStationPower1440, proto::EncodeData(b), r, SteadyClock::now(),
                      b.stations.size());
          }
        });
    const std::string suffix = "_m" + std::to_string(m + 1);
    out.summary.emplace_back("seconds" + suffix, Fixed(phase.seconds, 2));
    out.summary.emplace_back("station_updates_s" + suffix, Fixed(static_cast<double>(phase.units) / phase.seconds, 0));
    if (phase.server_cpu_s) out.summary.emplace_back("server_cpu_s" + suffix, Fixed(*phase.server_cpu_s, 2));
    out.phases.push_back(std::move(phase));
  }
  out.summary.emplace_back("stations", std::to_string(stations));
  out.summary.emplace_back("batch", std::to_string(batch));
  return out;
}

Result<ScenarioResult> RunModelSync(const Options& o, const Target& t) {
  ScenarioResult out;
  PhaseResult setup;
  const std::int64_t stations = o.stations > 0 ? o.stations : 30'000;
  const int connections = static_cast<int>(std::min<std::int64_t>(o.connections, Ceil(stations, o.page_size)));
  VGI_ASSIGN_OR_RETURN(auto pool, ClientPool::Open(t, connections, setup));
  out.phases.push_back(std::move(setup));
  VGI_ASSIGN_OR_RETURN(PhaseResult phase,
                       SyncModel(o, t, *pool, stations, o.code_prefix.empty() ? "BM" : o.code_prefix, out));
  out.summary.emplace_back("seconds", Fixed(phase.seconds, 2));
  out.phases.push_back(std::move(phase));
  return out;
}

Result<ScenarioResult> RunDayLoad(const Options& o, const Target& t) {
  ScenarioResult out;
  PhaseResult setup;
  VGI_ASSIGN_OR_RETURN(auto pool, ClientPool::Open(t, o.connections, setup));
  out.phases.push_back(std::move(setup));
  const std::int64_t stations = o.stations > 0 ? o.stations : 30'000;
  const std::string prefix = o.code_prefix.empty() ? "BM" : o.code_prefix;
  if (o.skip_model_sync) {
    out.notes.push_back("model sync skipped (--skip-model-sync): the server holds the model from an earlier run");
  } else {
    VGI_ASSIGN_OR_RETURN(PhaseResult sync, SyncModel(o, t, *pool, stations, prefix, out));
    out.phases.push_back(std::move(sync));
  }
  // Today, Beijing time: the server admits points of today +- 1 day only.
  const proto::BeijingDate day = proto::DateOf(NowMinute());
  const std::string credit = CreditCodeFor(t.operator_id);
  const std::size_t station_json = [&] {
    proto::StationPowerBatch one;
    one.stations.push_back(MakeDayPower(credit, StationCode(prefix, 0), 0, day));
    return proto::EncodeData(one).size();
  }();
  // As many stations a request as fit 90 % of the body limit, at most 100 (or --batch).
  std::int64_t batch = o.batch;
  const auto fits = static_cast<std::int64_t>(static_cast<double>(o.max_body_bytes) * 0.9 /
                                              static_cast<double>(SealedBytes(station_json)));
  if (batch <= 0) batch = std::clamp<std::int64_t>(fits, 1, 100);
  if (batch > fits) {
    return Status::Invalid("--batch: " + std::to_string(batch) + " station-days of " + std::to_string(station_json) +
                           " bytes of JSON each do not fit the server's max_body_bytes (" +
                           Mib(static_cast<double>(o.max_body_bytes)) + " MiB); use --batch " + std::to_string(fits) +
                           " or less");
  }
  const std::int64_t requests = Ceil(stations, batch);
  out.notes.push_back("a whole day (" + proto::FormatDate(day) + ", 1440 points) for " + std::to_string(stations) +
                      " stations in " + std::to_string(requests) + " requests of " + std::to_string(batch) + " (~" +
                      Mib(static_cast<double>(SealedBytes(station_json * static_cast<std::size_t>(batch)))) +
                      " MiB sealed each)");
  std::atomic<std::int64_t> next{0};
  PhaseResult phase = RunPhase("day-load", *pool, o.connections, o, static_cast<std::uint64_t>(stations), "station-days",
                               [&](int, SteadyClock::time_point, client::ProtocolClient& c, Recorder& r) {
                                 for (std::int64_t q = next++; q < requests; q = next++) {
                                   proto::StationPowerBatch b;
                                   const std::int64_t last = std::min(stations, (q + 1) * batch);
                                   for (std::int64_t s = q * batch; s < last; ++s) {
                                     b.stations.push_back(MakeDayPower(credit, StationCode(prefix, s), s, day));
                                   }
                                   TimedCall(c, Interface::kSendStationPower1440, proto::EncodeData(b), r,
                                             SteadyClock::now(), b.stations.size());
                                 }
                               });
  out.summary.emplace_back("power_seconds", Fixed(phase.seconds, 2));
  out.summary.emplace_back("station_days", std::to_string(phase.units));
  out.summary.emplace_back("points", std::to_string(phase.units * proto::kMinutesPerDay));
  out.phases.push_back(std::move(phase));

  const auto rss = ScrapeMetric(t, "vgi_process_resident_memory_bytes");
  out.summary.emplace_back("rss_mib", rss ? Mib(*rss) : "unknown");
  out.notes.push_back("server RSS after the load (GET /metrics vgi_process_resident_memory_bytes): " +
                      (rss ? Mib(*rss) + " MiB" : std::string("unknown (metrics unreachable)")));
  const int server_pid = o.server_pids.empty() ? 0 : o.server_pids.front();
  if (const auto peak = ProcessMemoryBytes(server_pid, "VmHWM")) {
    out.summary.emplace_back("peak_rss_mib", Mib(*peak));
    out.notes.push_back("server peak RSS over its life (/proc/" + std::to_string(server_pid) +
                        "/status VmHWM): " + Mib(*peak) + " MiB");
  }
  return out;
}

}  // namespace vgi::app::bench
