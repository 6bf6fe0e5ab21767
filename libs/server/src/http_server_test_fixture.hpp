#pragma once
// Private to the HTTP server's tests (http_server_test.cpp, http_routes_test.cpp): a server on
// port 0 with a self-signed certificate, a TLS client, and what the handlers saw.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <stdlib.h>

#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "http_test_client.hpp"
#include "vgi/server/http_server.hpp"
#include "vgi/server/metrics.hpp"
#include "vgi/server/tls.hpp"

namespace vgi::server {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TestClient;
namespace http = boost::beast::http;
namespace fs = std::filesystem;

// The server closed the connection (rather than the client's 10 s guard firing).
#define EXPECT_CLOSED_BY_SERVER(ec)                     \
  do {                                                  \
    const auto ec_ = (ec);                              \
    EXPECT_TRUE(ec_) << "the connection is still open"; \
    EXPECT_NE(ec_, boost::beast::error::timeout);       \
  } while (false)

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/vgi-http-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    cert_ = dir_ + "/tls/cert.pem";
    auto created = EnsureSelfSignedCertificate(cert_, dir_ + "/tls/key.pem", "localhost");
    ASSERT_TRUE(created.ok()) << created.status();
    auto tls = TlsContext::ForServer(cert_, dir_ + "/tls/key.pem");
    ASSERT_TRUE(tls.ok()) << tls.status();
    tls_ = std::move(*tls);
  }

  void TearDown() override {
    for (auto& t : threads_) t.join();
    server_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // A server on 127.0.0.1:0, one thread, with the test routes.
  void StartServer(ServerLimits limits = {}) {
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.threads = 1;
    options.limits = limits;
    server_ = std::make_unique<HttpServer>(options, *tls_, metrics_);
    server_->AddRoute("POST", "/v1/echo", [this](HttpRequest&& request, Responder respond) {
      const std::string body = "echo:" + request.body;
      {
        std::lock_guard lock(mu_);
        last_ = std::move(request);
      }
      respond({200, "application/json", body});
    });
    server_->AddRoute("GET", "/v1/both", [](HttpRequest&&, Responder respond) { respond({200, "text/plain", "g"}); });
    server_->AddRoute("POST", "/v1/both", [](HttpRequest&&, Responder respond) { respond({200, "text/plain", "p"}); });
    server_->AddRoute("POST", "/v1/later", [this](HttpRequest&& request, Responder respond) {
      std::lock_guard lock(mu_);
      threads_.emplace_back([respond = std::move(respond), body = std::move(request.body)] {
        respond({202, "text/plain", "later:" + body});
        respond({200, "text/plain", "twice"});  // ignored
      });
    });
    server_->AddRoute("POST", "/v1/forget", [](HttpRequest&&, Responder) {});
    server_->AddRoute("POST", "/v1/throw", [](HttpRequest&&, Responder) { throw std::runtime_error("boom"); });
    server_->AddRoute("POST", "/v1/hold", [this](HttpRequest&&, Responder respond) {
      std::lock_guard lock(mu_);
      held_ = std::move(respond);
    });
    server_->AddRoute("GET", "/v1/headers", [](HttpRequest&&, Responder respond) {
      HttpResponse r{200, "text/plain", "with headers"};
      r.headers = {{"Set-Cookie", "a=1; Secure; HttpOnly"},
                   {"X-Injected", "v\r\nInjected: yes"},  // injection attempt: dropped
                   {"Set-Cookie", "b=2; Path=/"},
                   {"content-length", "0"},  // reserved to the server, any case: dropped
                   {"Transfer-Encoding", "chunked"},
                   {"Bad Name", "x"},  // not a token: dropped
                   {"X-Nul", std::string("a\0b", 3)},
                   {"Cache-Control", "no-store"}};
      respond(std::move(r));
    });
    // Prefix routes: the handler reports what it got; "/a/" is registered before the longer
    // "/a/b/" so that order cannot be what picks the longest.
    const auto reporter = [this](std::string name) {
      return [this, name](HttpRequest&& request, Responder respond) {
        if (request.method == "PATCH") return respond({405, "text/plain", "no", {{"Allow", "GET, POST"}}});
        std::string body = name + ":" + request.method + " " + request.path + "?" + request.query;
        {
          std::lock_guard lock(mu_);
          last_ = std::move(request);
        }
        respond({200, "text/plain", std::move(body)});
      };
    };
    server_->AddPrefixRoute("/api/v1/", reporter("api"));
    server_->AddPrefixRoute("/a/", reporter("a"));
    server_->AddPrefixRoute("/a/b/", reporter("ab"));
    server_->AddRoute("GET", "/api/v1/openapi.json", [](HttpRequest&&, Responder respond) {
      respond({200, "application/json", "{}"});
    });
    const Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
    ASSERT_NE(server_->port(), 0);
  }

  TestClient Client(testing::ClientTls tls = {}) { return TestClient(cert_, tls); }

  std::string dir_;
  std::string cert_;
  std::unique_ptr<TlsContext> tls_;
  Metrics metrics_;
  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  HttpRequest last_;
  Responder held_;
  std::vector<std::thread> threads_;
};

}  // namespace vgi::server
