#include "e2e_fixture.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <simdjson.h>

namespace vgi::e2e {

void GridServerTest::SetUp() {
  InitSetup(dir_.path() + "/var");
  StartServer();
}

void GridServerTest::TearDown() { StopServer(); }

void GridServerTest::InitSetup(const std::string& data_dir) {
  setup_.data_dir = data_dir;
  setup_.tls_dir = dir_.path() + "/tls";
  // Errors only: the bad-input cases would otherwise fill the test log with one warning each.
  log_ = std::make_shared<spdlog::logger>("vgi-e2e", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  log_->set_level(spdlog::level::err);
}

void GridServerTest::StartServer() {
  auto config = server::ParseConfig(ConfigYaml(setup_), dir_.path());
  ASSERT_TRUE(config.ok()) << config.status();
  config_ = std::move(*config);
  auto started = server::GridServer::Start(config_, clock_, log_);
  ASSERT_TRUE(started.ok()) << started.status();
  server_ = std::move(*started);
  ASSERT_NE(server_->port(), 0);
  auto c = MakeClient(server_->port(), CertFile(setup_), stamps_, Clock::System());
  ASSERT_TRUE(c.ok()) << c.status();
  client_ = std::move(*c);
}

void GridServerTest::StopServer() {
  client_.reset();
  if (server_) server_->Stop();
  server_.reset();
}

server::StoreHandle GridServerTest::OpenStore() {
  auto h = server::OpenConfiguredStore(config_, Clock::System(), /*create_key=*/false);
  EXPECT_TRUE(h.ok()) << h.status();
  return h.ok() ? std::move(*h) : server::StoreHandle{};
}

std::optional<store::StationDay> GridServerTest::Day(const std::string& station, proto::BeijingDate day) {
  auto h = OpenStore();
  if (!h.store) return std::nullopt;
  auto d = h.store->GetStationDay(kOperatorId, station, day);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : std::nullopt;
}

std::string GridServerTest::SealedBody(std::string_view data_json) {
  return proto::SerializeRequestEnvelope(client_->Seal(data_json));
}

std::string GridServerTest::Bearer() {
  auto token = client_->Token();
  EXPECT_TRUE(token.ok()) << token.status();
  return token.ok() ? "Bearer " + *token : std::string();
}

namespace {

// The unsigned refusal a responder gives a caller it has no keys for:
// {"Ret":n,"Msg":"...","Data":"","Sig":""}. Anything else is an error.
Result<proto::OpenedResponse> OpenUnsigned(const std::string& body) {
  simdjson::ondemand::parser parser;
  const simdjson::padded_string json(body);
  simdjson::ondemand::document doc;
  std::int64_t ret = 0;
  std::string_view msg, data, sig;
  if (parser.iterate(json).get(doc) != simdjson::SUCCESS || doc["Ret"].get_int64().get(ret) != simdjson::SUCCESS) {
    return Status::Invalid("unsigned answer: no integer Ret");
  }
  proto::OpenedResponse out;
  out.wire_ret = static_cast<int>(ret);
  out.ret = static_cast<proto::Ret>(ret);
  if (doc["Msg"].get_string().get(msg) != simdjson::SUCCESS) return Status::Invalid("unsigned answer: no Msg");
  out.msg = std::string(msg);
  if (doc["Data"].get_string().get(data) != simdjson::SUCCESS || !data.empty()) {
    return Status::Invalid("unsigned answer: Data must be present and empty");
  }
  if (doc["Sig"].get_string().get(sig) != simdjson::SUCCESS || !sig.empty()) {
    return Status::Invalid("unsigned answer: Sig must be present and empty");
  }
  return out;
}

}  // namespace

proto::OpenedResponse GridServerTest::Open(const client::HttpReply& reply, bool must_be_signed) {
  auto opened = must_be_signed ? proto::OpenResponse(reply.body, client_->keys(), proto::WireProfile{})
                               : OpenUnsigned(reply.body);
  EXPECT_TRUE(opened.ok()) << opened.status() << "; body: " << reply.body;
  if (!opened.ok()) return proto::OpenedResponse{proto::Ret::kSystemError, -1, reply.body, {}, false};
  EXPECT_EQ(opened->sig_verified, must_be_signed) << reply.body;
  return std::move(*opened);
}

proto::OpenedResponse GridServerTest::Call(proto::Interface i, std::string_view data_json) {
  auto r = client_->Call(i, data_json);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? std::move(*r) : proto::OpenedResponse{proto::Ret::kSystemError, -1, r.status().ToString(), {}, false};
}

}  // namespace vgi::e2e
