// `vgi bench` machinery: recorders, the client pool, timed phases with a progress line, and what
// the bench reads from the server (GET /metrics, /proc/PID of a local server).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "bench_internal.hpp"

namespace vgi::app::bench {

std::string SlotName(std::size_t slot) {
  if (slot == kRawSlot) return "raw POST";
  return std::string(proto::Info(static_cast<proto::Interface>(slot)).name);
}

void InterfaceStats::Merge(InterfaceStats&& other) {
  ok += other.ok;
  failed += other.failed;
  if (latency_us.empty()) {
    latency_us = std::move(other.latency_us);
  } else {
    latency_us.insert(latency_us.end(), other.latency_us.begin(), other.latency_us.end());
  }
}

namespace {

constexpr std::size_t kKeptErrors = 5;

std::uint32_t Micros(SteadyClock::duration d) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(us, 0, UINT32_MAX));
}

}  // namespace

void Recorder::Ok(std::size_t slot, SteadyClock::duration latency, std::uint64_t units) {
  stats_[slot].ok++;
  stats_[slot].latency_us.push_back(Micros(latency));
  progress_.requests.fetch_add(1, std::memory_order_relaxed);
  if (units != 0) progress_.units.fetch_add(units, std::memory_order_relaxed);
}

void Recorder::Fail(std::size_t slot, SteadyClock::duration latency, const std::string& why) {
  stats_[slot].failed++;
  stats_[slot].latency_us.push_back(Micros(latency));
  progress_.requests.fetch_add(1, std::memory_order_relaxed);
  progress_.failed.fetch_add(1, std::memory_order_relaxed);
  if (errors_.size() < kKeptErrors && std::find(errors_.begin(), errors_.end(), why) == errors_.end()) {
    errors_.push_back(why);
  }
}

bool TimedCall(client::ProtocolClient& client, proto::Interface interface, const std::string& data_json,
               Recorder& recorder, SteadyClock::time_point start, std::uint64_t units) {
  auto answer = client.Call(interface, data_json);
  const auto latency = SteadyClock::now() - start;
  const std::size_t slot = SlotOf(interface);
  if (!answer.ok()) {
    recorder.Fail(slot, latency, answer.status().ToString());
    return false;
  }
  if (!answer->ok()) {
    recorder.Fail(slot, latency, std::string(proto::Info(interface).name) + " answered Ret " +
                                     std::to_string(answer->wire_ret) + " \"" + answer->msg.substr(0, 300) + "\"");
    return false;
  }
  recorder.Ok(slot, latency, units);
  return true;
}

// ---- the client pool ----------------------------------------------------------------------------

Result<std::unique_ptr<ClientPool>> ClientPool::Open(const Target& target, int n, PhaseResult& setup,
                                                     const Warmup& warmup) {
  auto pool = std::make_unique<ClientPool>();
  for (int i = 0; i < n; ++i) {
    client::ProtocolClient::Options o;
    o.base_url = target.base_url;
    o.operator_id = target.operator_id;
    o.responder_keys = target.keys;
    o.tls_context = target.tls;
    o.stamps = target.stamps;
    o.timeout = target.timeout;
    VGI_ASSIGN_OR_RETURN(auto c, client::ProtocolClient::Create(std::move(o), Clock::System()));
    pool->clients_.push_back(std::move(c));
  }
  // Connect (TLS handshake) and fetch tokens in parallel, a few threads at a time.
  setup.name = warmup ? "connect" : "connect + query_token";
  std::vector<Status> results(static_cast<std::size_t>(n));
  std::vector<SteadyClock::duration> took(static_cast<std::size_t>(n));
  std::atomic<int> next{0};
  const auto t0 = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < std::min(n, 8); ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        const auto start = SteadyClock::now();
        auto& c = *pool->clients_[static_cast<std::size_t>(i)];
        results[static_cast<std::size_t>(i)] = warmup ? warmup(c) : c.Token().status();
        took[static_cast<std::size_t>(i)] = SteadyClock::now() - start;
      }
    });
  }
  for (auto& t : threads) t.join();
  setup.seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  for (int i = 0; i < n; ++i) {
    const Status& st = results[static_cast<std::size_t>(i)];
    if (!st.ok()) {
      return Status(st.code(), "connection " + std::to_string(i + 1) + " of " + std::to_string(n) +
                                   " could not start: " + st.message());
    }
    if (!warmup) {
      auto& s = setup.stats[SlotOf(proto::Interface::kQueryToken)];
      s.ok++;
      s.latency_us.push_back(Micros(took[static_cast<std::size_t>(i)]));
    }
  }
  return pool;
}

// ---- phases -------------------------------------------------------------------------------------

namespace {

// Prints the progress line on stderr while a phase runs: every second on a terminal (one line,
// rewritten), every 5 s otherwise (log-friendly lines).
class ProgressPrinter {
 public:
  ProgressPrinter(const std::string& name, const Progress& progress, std::uint64_t expected_units,
                  const std::string& units_name, bool quiet)
      : name_(name), progress_(progress), expected_(expected_units), units_name_(units_name) {
    if (quiet) return;
    tty_ = isatty(STDERR_FILENO) != 0;
    thread_ = std::thread([this] { Loop(); });
  }
  ~ProgressPrinter() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (printed_ && tty_) std::fputs("\n", stderr);
  }

 private:
  void Loop() {
    const auto start = SteadyClock::now();
    const auto every = tty_ ? std::chrono::seconds(1) : std::chrono::seconds(5);
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, every, [this] { return done_; })) {
      const double s = std::chrono::duration<double>(SteadyClock::now() - start).count();
      const auto requests = progress_.requests.load();
      const auto failed = progress_.failed.load();
      const auto units = progress_.units.load();
      char line[256];
      int n = std::snprintf(line, sizeof line, "[%s] %6.1f s %10llu requests %9.0f/s %6llu failed", name_.c_str(), s,
                            static_cast<unsigned long long>(requests), static_cast<double>(requests) / s,
                            static_cast<unsigned long long>(failed));
      if (expected_ > 0 && n > 0 && static_cast<std::size_t>(n) < sizeof line) {
        std::snprintf(line + n, sizeof line - static_cast<std::size_t>(n), "  %llu/%llu %s (%.0f %%)",
                      static_cast<unsigned long long>(units), static_cast<unsigned long long>(expected_),
                      units_name_.c_str(), 100.0 * static_cast<double>(units) / static_cast<double>(expected_));
      }
      std::fprintf(stderr, tty_ ? "\r%s\x1b[K" : "%s\n", line);
      std::fflush(stderr);
      printed_ = true;
    }
  }

  std::string name_;
  const Progress& progress_;
  std::uint64_t expected_;
  std::string units_name_;
  bool tty_ = false;
  bool printed_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace

PhaseResult RunPhase(const std::string& name, ClientPool& pool, int threads, const Options& options,
                     std::uint64_t expected_units, const std::string& units_name, const Work& work) {
  threads = std::clamp(threads, 1, pool.size());
  Progress progress;
  std::vector<std::unique_ptr<Recorder>> recorders;
  for (int i = 0; i < threads; ++i) recorders.push_back(std::make_unique<Recorder>(progress));

  PhaseResult result;
  result.name = name;
  result.units_name = units_name;
  const double cpu0 = SelfCpuSeconds();
  const auto server0 = ProcessCpuSeconds(options.server_pids);
  // Workers wait at a gate so that every one starts from the same t0.
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  SteadyClock::time_point t0;
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&, i] {
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return open; });
      }
      work(i, t0, pool.at(i), *recorders[static_cast<std::size_t>(i)]);
    });
  }
  {
    ProgressPrinter printer(name, progress, expected_units, units_name, options.quiet);
    {
      std::lock_guard lock(mu);
      t0 = SteadyClock::now();
      open = true;
    }
    cv.notify_all();
    for (auto& w : workers) w.join();
    result.seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  }
  result.client_cpu_s = SelfCpuSeconds() - cpu0;
  if (const auto server1 = ProcessCpuSeconds(options.server_pids); server0 && server1) {
    result.server_cpu_s = *server1 - *server0;
  }
  result.units = progress.units.load();
  for (auto& r : recorders) {
    for (std::size_t s = 0; s < result.stats.size(); ++s) result.stats[s].Merge(std::move(r->stats()[s]));
    for (auto& e : r->errors()) {
      if (result.errors.size() < kKeptErrors &&
          std::find(result.errors.begin(), result.errors.end(), e) == result.errors.end()) {
        result.errors.push_back(std::move(e));
      }
    }
  }
  return result;
}

// ---- observations -------------------------------------------------------------------------------

std::optional<double> ScrapeMetric(const Target& target, const std::string& name) {
  auto connection = client::HttpsConnection::Create(target.url, target.tls);
  if (!connection.ok()) return std::nullopt;
  auto reply = (*connection)->Get("/metrics", std::chrono::seconds(10));
  if (!reply.ok() || reply->status != 200) return std::nullopt;
  // Prometheus text: "<name> <value>" for an unlabelled series.
  std::istringstream lines(reply->body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 && line[name.size()] == ' ') {
      try {
        return std::stod(line.substr(name.size() + 1));
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

namespace {

// Fields of /proc/PID/stat after the command name (which may hold spaces and parentheses, so
// they resume after the last ')'); index 0 is field 3 (state).
std::optional<std::vector<std::string>> StatFields(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 1));
  std::vector<std::string> out;
  for (std::string f; fields >> f;) out.push_back(std::move(f));
  if (out.size() < 15) return std::nullopt;
  return out;
}

// utime + stime + cutime + cstime (fields 14-17) in clock ticks: the process and its reaped
// children.
std::optional<unsigned long long> TreeTicks(const std::vector<std::string>& f) {
  unsigned long long sum = 0;
  for (std::size_t i = 11; i <= 14; ++i) {
    const auto& s = f[i];
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    sum += std::stoull(s);
  }
  return sum;
}

}  // namespace

std::optional<double> ProcessCpuSeconds(const std::vector<int>& pids) {
  if (pids.empty()) return std::nullopt;
  // Each listed process with its children, live (their own ticks) and reaped (the parent's
  // cutime/cstime), so a child that ends between two readings keeps its CPU in the total:
  // e.g. a PostgreSQL postmaster and its backends.
  unsigned long long ticks = 0;
  for (std::size_t i = 0; i < pids.size(); ++i) {
    const auto f = StatFields(std::to_string(pids[i]));
    const auto t = f ? TreeTicks(*f) : std::nullopt;
    if (!t) {
      if (i == 0) return std::nullopt;
      continue;
    }
    ticks += *t;
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto f = StatFields(name);
    if (!f) continue;
    const int parent = std::atoi((*f)[1].c_str());  // field 4, ppid
    if (parent <= 0 || std::find(pids.begin(), pids.end(), parent) == pids.end()) continue;
    if (std::find(pids.begin(), pids.end(), std::atoi(name.c_str())) != pids.end()) continue;
    if (const auto t = TreeTicks(*f)) ticks += *t;
  }
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::optional<double> ProcessMemoryBytes(int pid, const char* field) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) == 0) {
      std::istringstream value(line.substr(key.size()));
      double kib = 0;
      if (value >> kib) return kib * 1024.0;
    }
  }
  return std::nullopt;
}

double SelfCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

}  // namespace vgi::app::bench
