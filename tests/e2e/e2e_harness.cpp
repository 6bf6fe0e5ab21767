#include "e2e_harness.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <thread>
#include <cstdlib>
#include <filesystem>
#include <fstream>

extern char** environ;

namespace vgi::e2e {

namespace fs = std::filesystem;

proto::KeySet InboundKeys() {
  proto::KeySet k;
  k.operator_secret = "0F1E2D3C4B5A69788796A5B4C3D2E1F0";
  k.data_secret = "E2eDataSecret001";
  k.data_iv = "E2eDataSecretIV1";
  k.sig_secret = "A1B2C3D4E5F60718293A4B5C6D7E8F90";
  return k;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/vgi-e2e-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::perror("vgi e2e: mkdtemp");
    std::abort();
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string CertFile(const ServerSetup& setup) { return setup.tls_dir + "/server.crt"; }

std::string ConfigYaml(const ServerSetup& setup) {
  const proto::KeySet k = InboundKeys();
  std::string y;
  y += "grid:\n  operator_id: \"MA0GRID01\"\n";
  y += "server:\n";
  y += "  listen: \"127.0.0.1:0\"\n";
  y += "  threads: " + std::to_string(setup.threads) + "\n";
  y += "  tls:\n";
  y += "    cert: \"" + CertFile(setup) + "\"\n";
  y += "    key: \"" + setup.tls_dir + "/server.key\"\n";
  y += "  max_body_bytes: " + std::to_string(setup.max_body_bytes) + "\n";
  y += "  read_timeout: " + setup.read_timeout + "\n";
  y += "  idle_timeout: " + setup.idle_timeout + "\n";
  y += "data_dir: \"" + setup.data_dir + "\"\n";
  y += "log:\n  level: " + setup.log_level + "\n";
  y += "peers:\n";
  y += "  - operator_id: \"" + std::string(kOperatorId) + "\"\n";
  y += "    name: \"E2E Charging Co.\"\n";
  y += "    enabled: true\n";
  y += "    inbound:\n";
  y += "      operator_secret: \"" + k.operator_secret + "\"\n";
  y += "      data_secret: \"" + k.data_secret + "\"\n";
  y += "      data_iv: \"" + k.data_iv + "\"\n";
  y += "      sig_secret: \"" + k.sig_secret + "\"\n";
  return y;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) {
    std::fprintf(stderr, "vgi e2e: cannot write %s\n", path.c_str());
    std::abort();
  }
}

Result<std::unique_ptr<client::ProtocolClient>> MakeClient(std::uint16_t port, const std::string& ca_file,
                                                           std::shared_ptr<proto::StampGenerator> stamps,
                                                           const Clock& clock, std::chrono::milliseconds timeout) {
  client::ProtocolClient::Options o;
  o.base_url = "https://127.0.0.1:" + std::to_string(port) + "/evcs/v1";
  o.operator_id = kOperatorId;
  o.responder_keys = InboundKeys();
  o.tls.ca_file = ca_file;
  o.timeout = timeout;
  o.stamps = std::move(stamps);
  return client::ProtocolClient::Create(std::move(o), clock);
}

Result<std::unique_ptr<client::HttpsConnection>> MakeConnection(std::uint16_t port, const std::string& ca_file) {
  VGI_ASSIGN_OR_RETURN(const client::Url url, client::ParseBaseUrl("https://127.0.0.1:" + std::to_string(port)));
  client::TlsOptions tls;
  tls.ca_file = ca_file;
  return client::HttpsConnection::Create(url, tls);
}

proto::BeijingDate Today(const Clock& clock) { return proto::DateOf(proto::ToBeijingMinute(clock.Now())); }

proto::BeijingMinute MinuteOf(proto::BeijingDate day, int minute_of_day) {
  return proto::BeijingMinute{proto::StartOf(day).minutes + minute_of_day};
}

proto::StationPower Power(const std::string& station_code,
                          const std::vector<std::pair<proto::BeijingMinute, std::optional<std::int64_t>>>& points) {
  proto::StationPower s;
  s.station_code = station_code;
  s.credit_code = "911101901234567890";
  s.adjust_top_power = proto::Kilowatts::FromUnits(5000);
  s.adjust_bottom_power = proto::Kilowatts::FromUnits(125);
  for (const auto& [minute, centi] : points) {
    proto::PowerPoint p;
    p.point = minute;
    if (centi) p.power = proto::Kilowatts::FromUnits(*centi);
    s.points.push_back(p);
  }
  return s;
}

server::Config SimGridConfig(const std::string& dir, const std::string& sim_cert) {
  using namespace std::chrono_literals;
  server::Config c;
  c.server.listen = "127.0.0.1:0";
  c.server.threads = 2;
  c.data_dir = dir + "/grid";
  c.tls_cert = dir + "/tls/server.crt";
  c.tls_key = dir + "/tls/server.key";
  c.relay.node_id = "e2e";
  c.relay.ca_file = sim_cert;
  c.relay.attempt_timeout = 2s;
  c.relay.lease = 240s;
  c.relay.backoff_base = 20s;
  c.relay.backoff_cap = 60s;
  return c;
}

proto::Instruction PeakShavingInstruction(const std::string& op, const std::string& regulation_id,
                                          proto::Kilowatts target, SystemTime start, int minutes) {
  proto::Instruction in;
  in.task_id = "TASK-" + regulation_id;
  in.regulation_id = regulation_id;
  in.type = proto::RegulationType::kPeakShaving;
  in.synchro_type = proto::SynchroType::kNew;
  in.range_type = proto::RangeType::kOperator;
  in.adjust_ids = {op};
  const auto first = proto::ToBeijingMinute(start);
  in.targets = {{target, first, proto::ToBeijingMinute(proto::ToSystemTime(first) + std::chrono::minutes(minutes - 1))}};
  return in;
}

std::string Tail(const std::string& path, std::size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  const std::string all = s.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

ServerProcess::ServerProcess(const std::string& binary, const std::string& config, const std::string& port_file,
                             const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<std::string> args = {binary, "serve", "--config", config, "--port-file", port_file};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  pid_ = rc == 0 ? pid : -1;
}

bool ServerProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

Result<std::string> FetchMetrics(std::uint16_t port, const std::string& ca_file, std::chrono::milliseconds timeout) {
  VGI_ASSIGN_OR_RETURN(auto conn, MakeConnection(port, ca_file));
  VGI_ASSIGN_OR_RETURN(client::HttpReply reply, conn->Get("/metrics", timeout));
  if (reply.status != 200) return Status::Internal("GET /metrics: HTTP " + std::to_string(reply.status));
  return std::move(reply.body);
}

std::optional<double> MetricValue(const std::string& page, const std::string& name) {
  const std::string key = name + " ";
  for (std::size_t at = 0; at < page.size();) {
    const std::size_t end = std::min(page.find('\n', at), page.size());
    if (page.compare(at, key.size(), key) == 0) {
      const std::string value = page.substr(at + key.size(), end - at - key.size());
      char* stop = nullptr;
      const double v = std::strtod(value.c_str(), &stop);
      if (stop != value.c_str() && *stop == '\0') return v;
      return std::nullopt;
    }
    at = end + 1;
  }
  return std::nullopt;
}

CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args, const std::string& capture) {
  CommandResult result;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, capture.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<std::string> all = {binary};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return result;
  int status = 0;
  if (::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  std::ifstream in(capture, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  result.output = s.str();
  return result;
}

std::uint16_t WaitForPort(const std::string& port_file, ServerProcess& server) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < give_up) {
    std::ifstream in(port_file);
    unsigned port = 0;
    if (in >> port && port > 0 && port < 65536) return static_cast<std::uint16_t>(port);
    if (!server.Running()) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return 0;
}

}  // namespace vgi::e2e
