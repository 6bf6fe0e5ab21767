#include "vgi/sim/simulator.hpp"

#include <stdlib.h>

#include <condition_variable>
#include <filesystem>
#include <set>
#include <thread>

#include "operator.hpp"
#include "vgi/client/url.hpp"
#include "vgi/server/metrics.hpp"
#include "vgi/server/tls.hpp"

namespace vgi::sim {

namespace {

constexpr std::chrono::milliseconds kDriverPoll{5};
constexpr std::array<proto::Interface, 4> kServed = {proto::Interface::kQueryToken, proto::Interface::kSendTask,
                                                     proto::Interface::kQueryTaskResult,
                                                     proto::Interface::kExchangeInviteplanPush};

// "host:port" -> host (brackets kept for IPv6). Invalid when there is no port.
Result<std::string> ListenHost(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    return Status::Invalid("listen: \"" + listen + "\" is not host:port (e.g. 127.0.0.1:0)");
  }
  return listen.substr(0, colon);
}

Status ValidateOptions(const SimOptions& o) {
  if (o.page_size < 1 || o.page_size > static_cast<int>(proto::kMaxStationsPerPage)) {
    return Status::Invalid("page_size: must be 1.." + std::to_string(proto::kMaxStationsPerPage));
  }
  if (o.http_threads < 1 || o.http_threads > 64) return Status::Invalid("http_threads: must be 1..64");
  if (o.history_minutes < 1 || o.history_minutes > 7 * 1440) return Status::Invalid("history_minutes: must be 1..10080");
  if (o.max_backlog_minutes < 1 || o.max_backlog_minutes > static_cast<int>(proto::kMaxPowerPoints)) {
    return Status::Invalid("max_backlog_minutes: must be 1..1440");
  }
  if (o.push_timeout.count() <= 0) return Status::Invalid("push_timeout: must be positive");
  if (!proto::IsOperatorId(o.grid_operator_id)) {
    return Status::Invalid("grid_operator_id: \"" + o.grid_operator_id + "\" is not 9 characters of 0-9 and A-Z");
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    return Status::Invalid("tls_cert/tls_key: give both files or neither (neither = a temporary self-signed pair)");
  }
  if (!o.grid_base_url.empty()) {
    if (auto url = client::ParseBaseUrl(o.grid_base_url); !url.ok()) return url.status().WithPrefix("grid_base_url");
  }
  return Status::Ok();
}

}  // namespace

std::string_view DecisionName(Policy::Decision decision) {
  switch (decision) {
    case Policy::Decision::kAccept: return "accept";
    case Policy::Decision::kReject: return "reject";
    case Policy::Decision::kPartial: return "partial";
  }
  return "accept";
}

std::optional<Policy::Decision> ParseDecision(std::string_view name) {
  for (auto d : {Policy::Decision::kAccept, Policy::Decision::kReject, Policy::Decision::kPartial}) {
    if (DecisionName(d) == name) return d;
  }
  return std::nullopt;
}

struct Simulator::Impl {
  SimOptions options;
  const Clock& clock;
  std::string temp_dir;  // holds a temporary certificate; removed on destruction
  std::string cert_file, key_file;
  std::string host;  // in base URLs
  std::unique_ptr<server::TlsContext> tls;
  server::Metrics metrics;
  std::unique_ptr<server::HttpServer> server;
  std::vector<std::unique_ptr<SimOperator>> operators;
  std::map<std::string, std::size_t, std::less<>> by_id;

  std::mutex driver_mu;
  std::condition_variable driver_cv;
  bool stopping = false;
  std::vector<std::thread> drivers;

  Impl(SimOptions o, const Clock& c) : options(std::move(o)), clock(c) {}
  ~Impl() {
    StopDrivers();
    if (server) server->Stop();
    if (!temp_dir.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(temp_dir, ignored);
    }
  }

  SimOperator* Find(std::string_view id) const {
    const auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : operators[it->second].get();
  }

  std::string BaseUrl(const std::string& operator_id) const {
    return "https://" + host + ":" + std::to_string(server->port()) + "/op/" + operator_id + "/evcs/v1";
  }

  void StopDrivers() {
    {
      std::lock_guard lock(driver_mu);
      stopping = true;
    }
    driver_cv.notify_all();
    for (auto& t : drivers) t.join();
    drivers.clear();
    std::lock_guard lock(driver_mu);
    stopping = false;
  }

  void Drive(SimOperator& op) {
    std::unique_lock lock(driver_mu);
    while (!stopping) {
      lock.unlock();
      op.Pass();
      lock.lock();
      driver_cv.wait_for(lock, kDriverPoll, [&] { return stopping; });
    }
  }
};

Simulator::Simulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Simulator::~Simulator() = default;

Result<std::unique_ptr<Simulator>> Simulator::Create(SimOptions options, const Clock& clock) {
  VGI_RETURN_IF_ERROR(ValidateOptions(options));
  VGI_ASSIGN_OR_RETURN(std::vector<OperatorFleet> fleet, BuildFleet(options.fleet));
  {
    std::set<std::string> ids;
    for (const auto& op : fleet) ids.insert(op.operator_id);
    for (const auto& [id, policy] : options.policies) {
      if (!ids.contains(id)) return Status::Invalid("policies: " + id + " is not a simulated operator");
      VGI_RETURN_IF_ERROR(ValidatePolicy(policy).WithPrefix("policies." + id));
    }
    VGI_RETURN_IF_ERROR(ValidatePolicy(options.default_policy).WithPrefix("default_policy"));
  }
  VGI_ASSIGN_OR_RETURN(std::string listen_host, ListenHost(options.listen));
  auto impl = std::make_unique<Impl>(std::move(options), clock);
  SimOptions& o = impl->options;
  impl->host = !o.advertise_host.empty()                                         ? o.advertise_host
               : listen_host == "0.0.0.0" || listen_host == "[::]" || listen_host.empty() ? "127.0.0.1"
                                                                                          : listen_host;

  // TLS for the endpoint.
  impl->cert_file = o.tls_cert;
  impl->key_file = o.tls_key;
  if (impl->cert_file.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "vgi-sim-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return Status::Io("cannot create a temporary folder for the certificate");
    impl->temp_dir = pattern;
    impl->cert_file = pattern + "/sim.crt";
    impl->key_file = pattern + "/sim.key";
  }
  std::string cert_host = impl->host;
  if (cert_host.size() > 2 && cert_host.front() == '[') cert_host = cert_host.substr(1, cert_host.size() - 2);
  VGI_RETURN_IF_ERROR(server::EnsureSelfSignedCertificate(impl->cert_file, impl->key_file, cert_host).status());
  VGI_ASSIGN_OR_RETURN(impl->tls, server::TlsContext::ForServer(impl->cert_file, impl->key_file));

  // Trust for the grid.
  std::shared_ptr<client::TlsClientContext> grid_tls;
  if (!o.grid_base_url.empty()) {
    client::TlsOptions tls;
    tls.ca_file = o.grid_ca_file;
    VGI_ASSIGN_OR_RETURN(grid_tls, client::TlsClientContext::Create(tls));
  }

  RandomSource& random = o.random != nullptr ? *o.random : RandomSource::System();
  for (std::size_t i = 0; i < fleet.size(); ++i) {
    const std::string id = fleet[i].operator_id;
    VGI_ASSIGN_OR_RETURN(auto op, SimOperator::Create(std::move(fleet[i]), i, o, clock, random, grid_tls));
    impl->by_id.emplace(id, impl->operators.size());
    impl->operators.push_back(std::move(op));
  }

  server::ServerOptions so;
  so.listen = o.listen;
  so.threads = o.http_threads;
  impl->server = std::make_unique<server::HttpServer>(so, *impl->tls, impl->metrics);
  for (const auto& op : impl->operators) {
    SimOperator* target = op.get();
    const std::string prefix = "/op/" + op->fleet().operator_id;
    for (proto::Interface iface : kServed) {
      const std::string path = prefix + std::string(proto::kPathPrefix) + std::string(proto::Info(iface).name);
      impl->server->AddRoute("POST", path, [target, iface](server::HttpRequest&& r, server::Responder done) {
        target->Handle(iface, std::move(r), std::move(done));
      });
    }
    impl->server->AddRoute("POST", prefix + std::string(proto::kQueryTokenAlias),
                           [target](server::HttpRequest&& r, server::Responder done) {
                             target->Handle(proto::Interface::kQueryToken, std::move(r), std::move(done));
                           });
  }
  VGI_RETURN_IF_ERROR(impl->server->Start());
  return std::unique_ptr<Simulator>(new Simulator(std::move(impl)));
}

std::vector<SimPeer> Simulator::Peers() const {
  std::vector<SimPeer> peers;
  for (const auto& op : impl_->operators) {
    SimPeer peer = op->Peer();
    peer.base_url = impl_->BaseUrl(peer.operator_id);
    peers.push_back(std::move(peer));
  }
  return peers;
}

std::uint16_t Simulator::port() const { return impl_->server->port(); }
const std::string& Simulator::tls_cert_file() const { return impl_->cert_file; }

Status Simulator::SetGridKeys(std::string_view operator_id, const proto::KeySet& keys, std::string_view known_as) {
  SimOperator* op = impl_->Find(operator_id);
  if (op == nullptr) return Status::NotFound("operator " + std::string(operator_id) + " is not simulated here");
  return op->SetGridKeys(keys, std::string(known_as));
}

Status Simulator::Start() {
  if (!impl_->drivers.empty()) return Status::Ok();
  for (const auto& op : impl_->operators) {
    SimOperator* target = op.get();
    impl_->drivers.emplace_back([this, target] { impl_->Drive(*target); });
  }
  return Status::Ok();
}

void Simulator::Stop() { impl_->StopDrivers(); }

Status Simulator::Tick() {
  if (!impl_->drivers.empty()) return Status::Conflict("Tick: the drivers are running (Stop them first)");
  for (const auto& op : impl_->operators) op->Pass();
  return Status::Ok();
}

Status Simulator::SetPolicy(std::string_view operator_id, Policy policy) {
  SimOperator* op = impl_->Find(operator_id);
  if (op == nullptr) return Status::NotFound("operator " + std::string(operator_id) + " is not simulated here");
  return op->SetPolicy(policy);
}

Status Simulator::SetFaults(std::string_view operator_id, Faults faults) {
  SimOperator* op = impl_->Find(operator_id);
  if (op == nullptr) return Status::NotFound("operator " + std::string(operator_id) + " is not simulated here");
  return op->SetFaults(faults);
}

Status Simulator::SubmitInstruction(std::string_view operator_id, const proto::Instruction& instruction) {
  SimOperator* op = impl_->Find(operator_id);
  if (op == nullptr) return Status::NotFound("operator " + std::string(operator_id) + " is not simulated here");
  return op->Submit(instruction);
}

OperatorStats Simulator::Stats(std::string_view operator_id) const {
  SimOperator* op = impl_->Find(operator_id);
  return op == nullptr ? OperatorStats{} : op->Stats();
}

std::vector<OperatorStats> Simulator::AllStats() const {
  std::vector<OperatorStats> out;
  for (const auto& op : impl_->operators) out.push_back(op->Stats());
  return out;
}

Result<PowerSample> Simulator::StationSample(std::string_view operator_id, std::string_view station_code,
                                             proto::BeijingMinute minute) const {
  SimOperator* op = impl_->Find(operator_id);
  if (op == nullptr) return Status::NotFound("operator " + std::string(operator_id) + " is not simulated here");
  return op->StationSample(station_code, minute);
}

Result<PowerSample> Simulator::OperatorSample(std::string_view operator_id, proto::BeijingMinute minute) const {
  SimOperator* op = impl_->Find(operator_id);
  if (op == nullptr) return Status::NotFound("operator " + std::string(operator_id) + " is not simulated here");
  return op->OperatorSample(minute);
}

Result<proto::Kilowatts> Simulator::StationPower(std::string_view operator_id, std::string_view station_code,
                                                 proto::BeijingMinute minute) const {
  VGI_ASSIGN_OR_RETURN(PowerSample sample, StationSample(operator_id, station_code, minute));
  return sample.power;
}

Result<proto::Kilowatts> Simulator::OperatorPower(std::string_view operator_id, proto::BeijingMinute minute) const {
  VGI_ASSIGN_OR_RETURN(PowerSample sample, OperatorSample(operator_id, minute));
  return sample.power;
}

std::optional<proto::InstructionResult> Simulator::Instruction(std::string_view operator_id,
                                                               std::string_view regulation_id) const {
  SimOperator* op = impl_->Find(operator_id);
  return op == nullptr ? std::nullopt : op->Instruction(regulation_id);
}

std::vector<proto::SettlementPush> Simulator::Settlements(std::string_view operator_id) const {
  SimOperator* op = impl_->Find(operator_id);
  return op == nullptr ? std::vector<proto::SettlementPush>{} : op->Settlements();
}

const std::vector<proto::Station>& Simulator::Stations(std::string_view operator_id) const {
  static const std::vector<proto::Station> kNone;
  SimOperator* op = impl_->Find(operator_id);
  return op == nullptr ? kNone : op->fleet().stations;
}

}  // namespace vgi::sim
