#include "vgi/client/https_connection.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "test_server.hpp"

namespace vgi::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr auto kTimeout = 10'000ms;

const test::SharedPki& GetPki() {
  return test::GetSharedPki();
}

TlsOptions Trusting() {
  return TlsOptions{true, GetPki().ca_file, ""};
}

Url UrlOf(std::uint16_t port) {
  return Url{"127.0.0.1", port, "/evcs/v1"};
}

std::unique_ptr<HttpsConnection> Connect(std::uint16_t port, const TlsOptions& tls = Trusting()) {
  auto connection = HttpsConnection::Create(UrlOf(port), tls);
  EXPECT_TRUE(connection.ok()) << connection.status();
  return connection.ok() ? std::move(*connection) : nullptr;
}

// Records requests and answers "ok <n>" (n counts from 1), with per-request behaviour.
class Recorder {
 public:
  std::function<void(int n, test::ServerReply&)> tweak;

  test::ServerReply operator()(const test::ServerRequest& request) {
    int n;
    {
      std::lock_guard lock(mu_);
      seen_.push_back(request);
      n = static_cast<int>(seen_.size());
    }
    test::ServerReply reply{200, "ok " + std::to_string(n)};
    if (tweak) tweak(n, reply);
    return reply;
  }
  std::vector<test::ServerRequest> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<test::ServerRequest> seen_;
};

TEST(HttpsConnection, PostSendsBodyAndHeadersAndKeepsTheConnection) {
  Recorder recorder;
  test::TestHttpsServer server(GetPki().trusted.server, std::ref(recorder));
  auto connection = Connect(server.port());
  ASSERT_NE(connection, nullptr);

  auto first = connection->Post("/evcs/v1/send_task", R"({"a":1})", "Bearer t0k3n", kTimeout);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "ok 1");
  auto second = connection->Post("/evcs/v1/query_task_result", "{}", "", kTimeout);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->body, "ok 2");

  const auto seen = recorder.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/evcs/v1/send_task");
  EXPECT_EQ(seen[0].authorization, "Bearer t0k3n");
  EXPECT_EQ(seen[0].content_type, "application/json; charset=utf-8");
  EXPECT_EQ(seen[0].body, R"({"a":1})");
  EXPECT_EQ(seen[1].authorization, "");  // not sent when empty
  EXPECT_EQ(seen[1].target, "/evcs/v1/query_task_result");
  EXPECT_EQ(seen[1].connection, seen[0].connection);
  EXPECT_EQ(server.connections(), 1u);
  EXPECT_EQ(connection->stats().connects, 1u);
  EXPECT_EQ(connection->stats().requests, 2u);
  EXPECT_TRUE(connection->connected());
}

TEST(HttpsConnection, GetSendsNoBody) {
  Recorder recorder;
  test::TestHttpsServer server(GetPki().trusted.server, std::ref(recorder));
  auto connection = Connect(server.port());
  auto reply = connection->Get("/metrics", kTimeout);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->body, "ok 1");
  const auto seen = recorder.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].body, "");
  EXPECT_EQ(seen[0].content_type, "");
}

TEST(HttpsConnection, AnyHttpStatusIsAReply) {
  Recorder recorder;
  recorder.tweak = [](int, test::ServerReply& r) { r.status = 503; };
  test::TestHttpsServer server(GetPki().trusted.server, std::ref(recorder));
  auto connection = Connect(server.port());
  auto reply = connection->Post("/evcs/v1/send_task", "{}", "", kTimeout);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 503);
  EXPECT_EQ(reply->body, "ok 1");
}

TEST(HttpsConnection, LargeBodiesBothWays) {
  const std::string big(3 << 20, 'x');
  Recorder recorder;
  recorder.tweak = [&](int, test::ServerReply& r) { r.body = big + "!"; };
  test::TestHttpsServer server(GetPki().trusted.server, std::ref(recorder));
  auto connection = Connect(server.port());
  auto reply = connection->Post("/evcs/v1/send_station_info", big, "", kTimeout);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->body.size(), big.size() + 1);
  EXPECT_EQ(recorder.seen().at(0).body.size(), big.size());
}

TEST(HttpsConnection, ReconnectsWhenTheServerClosedAnIdleConnection) {
  Recorder recorder;
  recorder.tweak = [](int n, test::ServerReply& r) { r.close_after = n == 1; };
  test::TestHttpsServer server(GetPki().trusted.server, std::ref(recorder));
  auto connection = Connect(server.port());
  ASSERT_TRUE(connection->Post("/evcs/v1/a", "1", "", kTimeout).ok());
  EXPECT_TRUE(connection->connected());  // the answer said keep-alive
  server.WaitClosed(1);

  auto second = connection->Post("/evcs/v1/b", "2", "", kTimeout);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->body, "ok 2");  // the server saw it once
  EXPECT_EQ(server.requests(), 2u);
  EXPECT_EQ(server.connections(), 2u);
  EXPECT_EQ(connection->stats().connects, 2u);
  EXPECT_EQ(connection->stats().resends, 0u);  // seen closed before anything was written
}

TEST(HttpsConnection, ReconnectsWhenTheServerSaidGoodbyeWithCloseNotify) {
  Recorder recorder;
  recorder.tweak = [](int n, test::ServerReply& r) { r.close_notify_after = n == 1; };
  test::TestHttpsServer server(GetPki().trusted.server, std::ref(recorder));
  auto connection = Connect(server.port());
  ASSERT_TRUE(connection->Post("/evcs/v1/a", "1", "", kTimeout).ok());
  // The close_notify may still be on its way (then the request goes out on the closing
  // connection and is resent); either way the server answers it exactly once.
  auto second = connection->Post("/evcs/v1/b", "2", "", kTimeout);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->body, "ok 2");
  EXPECT_EQ(server.requests(), 2u);
  EXPECT_EQ(server.connections(), 2u);
  EXPECT_EQ(connection->stats().connects, 2u);
}

TEST(HttpsConnection, ResendsOnceWhenAKeptConnectionClosesAsTheRequestGoesOut) {
  Recorder recorder;
  recorder.tweak = [](int n, test::ServerReply& r) { r.drop = n == 2; };
  test::TestHttpsServer server(GetPki().trusted.server, std::ref(recorder));
  auto connection = Connect(server.port());
  ASSERT_TRUE(connection->Post("/evcs/v1/a", "first", "Bearer x", kTimeout).ok());

  auto second = connection->Post("/evcs/v1/b", "second", "Bearer x", kTimeout);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->body, "ok 3");
  const auto seen = recorder.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].body, "second");  // the same bytes, on a new connection
  EXPECT_EQ(seen[2].target, "/evcs/v1/b");
  EXPECT_NE(seen[2].connection, seen[1].connection);
  EXPECT_EQ(connection->stats().resends, 1u);
  EXPECT_EQ(connection->stats().connects, 2u);
}

TEST(HttpsConnection, NeverResendsOnAFreshConnection) {
  Recorder recorder;
  recorder.tweak = [](int, test::ServerReply& r) { r.drop = true; };
  test::TestHttpsServer server(GetPki().trusted.server, std::ref(recorder));
  auto connection = Connect(server.port());
  auto reply = connection->Post("/evcs/v1/a", "x", "", kTimeout);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(reply.status().message(), HasSubstr("POST /evcs/v1/a at 127.0.0.1:" + std::to_string(server.port())));
  EXPECT_THAT(reply.status().message(), HasSubstr("closed the connection without answering"));
  EXPECT_EQ(server.requests(), 1u);
  EXPECT_EQ(connection->stats().resends, 0u);
  EXPECT_FALSE(connection->connected());
}

TEST(HttpsConnection, TimeoutIsDeadlineExceededAndTheNextCallReconnects) {
  auto gate = std::make_shared<test::Gate>();
  Recorder recorder;
  recorder.tweak = [gate](int n, test::ServerReply&) {
    if (n == 1) gate->Wait();
  };
  test::TestHttpsServer server(GetPki().trusted.server, std::ref(recorder));
  struct OpenOnExit {  // lets the server stop even when an assertion below fails
    std::shared_ptr<test::Gate> gate;
    ~OpenOnExit() { gate->Open(); }
  } open_on_exit{gate};
  auto connection = Connect(server.port());
  auto reply = connection->Post("/evcs/v1/slow", "x", "", 200ms);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(reply.status().message(), HasSubstr("POST /evcs/v1/slow at 127.0.0.1:"));
  EXPECT_THAT(reply.status().message(), HasSubstr("no complete answer within 200 ms"));
  EXPECT_EQ(connection->stats().resends, 0u);
  gate->Open();

  auto next = connection->Post("/evcs/v1/fast", "y", "", kTimeout);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->body, "ok 2");
  EXPECT_EQ(connection->stats().connects, 2u);
}

TEST(HttpsConnection, RefusedConnectionIsUnavailableNamingHostAndPort) {
  const std::uint16_t port = test::UnusedPort();
  auto connection = Connect(port);
  auto reply = connection->Post("/evcs/v1/a", "x", "Bearer secret-token", kTimeout);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(reply.status().message(), HasSubstr("cannot connect to 127.0.0.1:" + std::to_string(port)));
  EXPECT_THAT(reply.status().message(), HasSubstr("refused"));
  EXPECT_THAT(reply.status().message(), Not(HasSubstr("secret-token")));
}

TEST(HttpsConnection, WrongCaFailsTheHandshakeWithAMessage) {
  Recorder recorder;
  test::TestHttpsServer server(GetPki().trusted.server, std::ref(recorder));
  auto connection = Connect(server.port(), TlsOptions{true, GetPki().wrong_ca_file, ""});
  auto reply = connection->Post("/evcs/v1/a", "x", "", kTimeout);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(reply.status().message(), HasSubstr("TLS handshake with 127.0.0.1:" + std::to_string(server.port()) +
                                                  " failed: certificate verify failed"));
  EXPECT_THAT(reply.status().message(), HasSubstr("does not hold the CA that signed the server's certificate"));
  EXPECT_EQ(server.requests(), 0u);
}

TEST(HttpsConnection, UntrustedCertificateSaysToPassTheCa) {
  Recorder recorder;
  test::TestHttpsServer server(GetPki().trusted.server, std::ref(recorder));
  auto connection = Connect(server.port(), TlsOptions{});  // the system store
  const Status status = connection->Connect(kTimeout);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("certificate verify failed"));
  EXPECT_THAT(status.message(), HasSubstr("pass the server's CA with ca_file"));
}

TEST(HttpsConnection, RightCaFileAndNameSucceed) {
  Recorder recorder;
  test::TestHttpsServer server(GetPki().trusted.server, std::ref(recorder));
  auto by_ip = Connect(server.port());
  EXPECT_TRUE(by_ip->Connect(kTimeout).ok());
  auto by_name = Connect(server.port(), TlsOptions{true, GetPki().ca_file, "localhost"});
  auto reply = by_name->Post("/evcs/v1/a", "x", "", kTimeout);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
}

TEST(HttpsConnection, NameNotInTheCertificateFails) {
  Recorder recorder;
  test::TestHttpsServer server(GetPki().trusted.server, std::ref(recorder));
  auto connection = Connect(server.port(), TlsOptions{true, GetPki().ca_file, "grid.example.com"});
  const Status status = connection->Connect(kTimeout);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("certificate verify failed"));
  EXPECT_THAT(status.message(), HasSubstr("not issued to \"grid.example.com\""));
}

TEST(HttpsConnection, VerifyPeerOffAcceptsAnyCertificate) {
  Recorder recorder;
  test::TestHttpsServer server(GetPki().other.server, std::ref(recorder));
  auto connection = Connect(server.port(), TlsOptions{false, "", ""});
  auto reply = connection->Post("/evcs/v1/a", "x", "", kTimeout);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->body, "ok 1");
}

TEST(HttpsConnection, PlainHttpServerFailsTheHandshakeWithAHint) {
  test::PlainHttpServer server;
  auto connection = Connect(server.port());
  const Status status = connection->Connect(kTimeout);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("TLS handshake with 127.0.0.1:" + std::to_string(server.port()) + " failed"));
  EXPECT_THAT(status.message(), HasSubstr("plain HTTP"));
}

TEST(HttpsConnection, CaFileProblemsAreInvalidNamingTheFile) {
  auto missing = HttpsConnection::Create(UrlOf(1), TlsOptions{true, "/nonexistent/ca.pem", ""});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(missing.status().message(), HasSubstr("ca_file \"/nonexistent/ca.pem\": no such file"));

  const std::string garbage = GetPki().dir.Write("garbage.pem", "not a certificate\n");
  auto unreadable = HttpsConnection::Create(UrlOf(1), TlsOptions{true, garbage, ""});
  ASSERT_FALSE(unreadable.ok());
  EXPECT_EQ(unreadable.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(unreadable.status().message(), HasSubstr("cannot be read as PEM certificates"));
}

TEST(HttpsConnection, PathMustBeAbsolute) {
  auto connection = Connect(1);
  auto reply = connection->Post("evcs/v1/a", "x", "", kTimeout);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(reply.status().message(), HasSubstr("must start with '/'"));
}

TEST(HttpsConnection, SharedTlsContextServesManyConnections) {
  Recorder recorder;
  test::TestHttpsServer server(GetPki().trusted.server, std::ref(recorder));
  auto context = TlsClientContext::Create(Trusting());
  ASSERT_TRUE(context.ok()) << context.status();
  auto a = HttpsConnection::Create(UrlOf(server.port()), *context);
  auto b = HttpsConnection::Create(UrlOf(server.port()), *context);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->Post("/evcs/v1/a", "1", "", kTimeout).ok());
  ASSERT_TRUE((*b)->Post("/evcs/v1/b", "2", "", kTimeout).ok());
  EXPECT_EQ(server.connections(), 2u);
}

}  // namespace
}  // namespace vgi::client
