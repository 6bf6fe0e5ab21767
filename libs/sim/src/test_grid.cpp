#include "test_grid.hpp"

#include <stdlib.h>

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "vgi/proto/codec.hpp"
#include "vgi/proto/envelope.hpp"
#include "vgi/proto/replay_guard.hpp"
#include "vgi/proto/ret.hpp"
#include "vgi/proto/token.hpp"
#include "vgi/server/http_server.hpp"
#include "vgi/server/metrics.hpp"
#include "vgi/server/tls.hpp"
#include "vgi/testing/fake_random.hpp"

namespace vgi::sim::test {

namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "test grid: %s\n", what.c_str());
  std::abort();
}

template <class T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

}  // namespace

struct FakeGrid::Impl {
  const Clock& clock;
  std::string dir, cert, key;
  std::unique_ptr<server::TlsContext> tls;
  server::Metrics metrics;
  std::unique_ptr<server::HttpServer> server;
  proto::TokenAuthority tokens;
  proto::MemoryReplayGuard replay;
  testing::FakeRandom random{99};
  mutable std::mutex mu;
  mutable std::condition_variable changed;
  std::map<std::string, proto::PreparedKeys> keys;
  std::map<std::string, Received> received;
  FakeGrid* owner = nullptr;

  explicit Impl(const Clock& c)
      : clock(c),
        tokens(Must(proto::TokenAuthority::Create({proto::TokenKey{"grid", std::string(40, 'g')}}, c, nullptr),
                    "token authority")),
        replay(c) {}

  void Reply(const server::Responder& respond, const proto::PreparedKeys& k, const Status& st, std::string_view data) {
    const proto::Ret ret = proto::RetFor(st);
    respond(server::HttpResponse{
        200, "application/json",
        proto::SealResponse(ret, st.ok() ? proto::DefaultMsg(ret) : st.message(), data, k, {}, clock)});
  }

  void Handle(proto::Interface iface, server::HttpRequest&& req, const server::Responder& respond) {
    if (owner->http_status != 200) return respond(server::HttpResponse{owner->http_status, "text/plain", "busy"});
    auto env = proto::ParseRequestEnvelope(req.body);
    if (!env.ok()) return respond(server::HttpResponse{200, "application/json",
                                                       proto::UnsignedResponse(proto::RetFor(env.status()),
                                                                               env.status().message(), {}, clock)});
    std::optional<proto::PreparedKeys> k;
    {
      std::lock_guard lock(mu);
      if (auto it = keys.find(env->operator_id); it != keys.end()) k = it->second;
    }
    if (!k) {
      return respond(server::HttpResponse{
          200, "application/json", proto::UnsignedResponse(proto::Ret::kAuthFailed, "unknown operator", {}, clock)});
    }
    const std::string op = env->operator_id;
    const auto refuse = [&](const Status& st) {
      {
        std::lock_guard lock(mu);
        ++received[op].refused;
      }
      Reply(respond, *k, st, {});
    };
    if (iface != proto::Interface::kQueryToken) {
      const std::string prefix = "Bearer ";
      if (req.authorization.rfind(prefix, 0) != 0) return refuse(Status::Unauthenticated("token: missing"));
      if (Status st = tokens.Validate(req.authorization.substr(prefix.size()), op); !st.ok()) return refuse(st);
    }
    auto json = proto::OpenRequest(*env, *k, {}, clock, &replay);
    if (!json.ok()) return refuse(json.status());
    if (iface == proto::Interface::kQueryToken) {
      auto request = proto::DecodeData<proto::TokenRequest>(*json);
      if (!request.ok() || !k->CheckOperatorSecret(request->operator_secret)) {
        return refuse(Status::Unauthenticated("OperatorSecret: wrong"));
      }
      const auto issued = tokens.Issue(op);
      proto::TokenResponse response{op, 0, issued.token, issued.available.count(), "ok"};
      {
        std::lock_guard lock(mu);
        ++received[op].tokens;
      }
      return Reply(respond, *k, Status::Ok(), proto::EncodeData(response));
    }
    if (const int ret = owner->ret; ret != 0) {
      return refuse(ret == 500 ? Status::Internal("simulated grid failure") : Status::Invalid("simulated refusal"));
    }
    Status st = Status::Ok();
    {
      std::lock_guard lock(mu);
      Received& r = received[op];
      switch (iface) {
        case proto::Interface::kSendStationInfo: {
          auto d = proto::DecodeData<proto::StationInfoPage>(*json);
          st = d.status();
          if (d.ok()) r.pages.push_back(std::move(*d));
          break;
        }
        case proto::Interface::kSendStationPower1440: {
          auto d = proto::DecodeData<proto::StationPowerBatch>(*json);
          st = d.status();
          if (d.ok()) r.power.push_back(std::move(*d));
          break;
        }
        case proto::Interface::kCallbackTaskOverview: {
          auto d = proto::DecodeData<proto::InstructionFeedback>(*json);
          st = d.status();
          if (d.ok()) r.overviews.push_back(std::move(*d));
          break;
        }
        case proto::Interface::kCallbackTaskCheck: {
          auto d = proto::DecodeData<proto::InstructionAdjustment>(*json);
          st = d.status();
          if (d.ok()) r.checks.push_back(std::move(*d));
          break;
        }
        default: st = Status::Internal("not served");
      }
      if (!st.ok()) ++r.refused;
    }
    changed.notify_all();
    Reply(respond, *k, st, {});
  }
};

FakeGrid::FakeGrid(const Clock& clock) : impl_(std::make_unique<Impl>(clock)) {
  impl_->owner = this;
  std::string pattern = (std::filesystem::temp_directory_path() / "vgi-sim-grid-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) Die("mkdtemp");
  impl_->dir = pattern;
  impl_->cert = pattern + "/grid.crt";
  impl_->key = pattern + "/grid.key";
  Must(server::EnsureSelfSignedCertificate(impl_->cert, impl_->key, "127.0.0.1"), "certificate");
  impl_->tls = Must(server::TlsContext::ForServer(impl_->cert, impl_->key), "tls");
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.threads = 1;
  impl_->server = std::make_unique<server::HttpServer>(options, *impl_->tls, impl_->metrics);
  for (proto::Interface iface : {proto::Interface::kQueryToken, proto::Interface::kSendStationInfo,
                                 proto::Interface::kSendStationPower1440, proto::Interface::kCallbackTaskOverview,
                                 proto::Interface::kCallbackTaskCheck}) {
    impl_->server->AddRoute("POST", "/evcs/v1/" + std::string(proto::Info(iface).name),
                            [impl = impl_.get(), iface](server::HttpRequest&& r, server::Responder done) {
                              impl->Handle(iface, std::move(r), done);
                            });
  }
  if (Status st = impl_->server->Start(); !st.ok()) Die(st.ToString());
}

FakeGrid::~FakeGrid() {
  impl_->server->Stop();
  std::error_code ignored;
  std::filesystem::remove_all(impl_->dir, ignored);
}

proto::KeySet FakeGrid::AddOperator(const std::string& operator_id) {
  const proto::KeySet keys = proto::GenerateKeySet(impl_->random);
  std::lock_guard lock(impl_->mu);
  impl_->keys.insert_or_assign(operator_id, Must(proto::PreparedKeys::Create(keys), "keys"));
  return keys;
}

std::string FakeGrid::base_url() const {
  return "https://127.0.0.1:" + std::to_string(impl_->server->port()) + "/evcs/v1";
}

const std::string& FakeGrid::ca_file() const { return impl_->cert; }

FakeGrid::Received FakeGrid::Of(const std::string& operator_id) const {
  std::lock_guard lock(impl_->mu);
  const auto it = impl_->received.find(operator_id);
  return it == impl_->received.end() ? Received{} : it->second;
}

bool FakeGrid::WaitFor(const std::function<bool()>& done, std::chrono::seconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::unique_lock lock(impl_->mu);
    impl_->changed.wait_for(lock, std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace vgi::sim::test
