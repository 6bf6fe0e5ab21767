#include "vgi/server/http_server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <stdlib.h>

#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "http_test_client.hpp"
#include "vgi/server/metrics.hpp"
#include "vgi/server/tls.hpp"

namespace vgi::server {
namespace {

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

TEST_F(HttpServerTest, PostIsRoutedWithBodyAndAuthorization) {
  StartServer();
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  auto x = client.Post("/v1/echo?trace=1", R"({"a":1})", "Bearer token-123");
  ASSERT_FALSE(x.ec) << x.ec.message();
  EXPECT_EQ(x.response.result_int(), 200);
  EXPECT_EQ(x.response.body(), R"(echo:{"a":1})");
  EXPECT_EQ(x.response[http::field::content_type], "application/json");
  EXPECT_FALSE(x.response[http::field::date].empty());
  std::lock_guard lock(mu_);
  EXPECT_EQ(last_.method, "POST");
  EXPECT_EQ(last_.path, "/v1/echo");
  EXPECT_EQ(last_.authorization, "Bearer token-123");
  EXPECT_EQ(last_.content_type, "application/json");
  EXPECT_EQ(last_.body, R"({"a":1})");
  EXPECT_EQ(last_.remote_ip, "127.0.0.1");
}

TEST_F(HttpServerTest, QueryCookieCsrfTokenAndOriginReachTheHandler) {
  StartServer();
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  http::request<http::string_body> request(http::verb::post, "/v1/echo?a=1&b=%20x", 11);
  request.set(http::field::host, "localhost");
  request.set(http::field::cookie, "vgi_session=abc; theme=dark");
  request.set("X-CSRF-Token", "csrf-456");
  request.set(http::field::origin, "https://localhost:8443");
  request.body() = "1";
  request.prepare_payload();
  ASSERT_FALSE(client.Send(request));
  TestClient::Response response;
  ASSERT_FALSE(client.Read(response));
  EXPECT_EQ(response.body(), "echo:1");
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(last_.path, "/v1/echo");
    EXPECT_EQ(last_.query, "a=1&b=%20x");  // raw, undecoded
    EXPECT_EQ(last_.cookie, "vgi_session=abc; theme=dark");
    EXPECT_EQ(last_.csrf_token, "csrf-456");
    EXPECT_EQ(last_.origin, "https://localhost:8443");
  }
  // The next request on the connection has none of them: nothing is left over from the last.
  auto x = client.Post("/v1/echo", "2");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.body(), "echo:2");
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(last_.path, "/v1/echo");
    EXPECT_EQ(last_.query, "");
    EXPECT_EQ(last_.cookie, "");
    EXPECT_EQ(last_.csrf_token, "");
    EXPECT_EQ(last_.origin, "");
  }
  // A bare '?' is an empty query; the header name is matched in any case.
  http::request<http::string_body> lower(http::verb::post, "/v1/echo?", 11);
  lower.set(http::field::host, "localhost");
  lower.set("x-csrf-token", "t");
  lower.prepare_payload();
  ASSERT_FALSE(client.Send(lower));
  ASSERT_FALSE(client.Read(response));
  EXPECT_EQ(response.result_int(), 200);
  std::lock_guard lock(mu_);
  EXPECT_EQ(last_.path, "/v1/echo");
  EXPECT_EQ(last_.query, "");
  EXPECT_EQ(last_.csrf_token, "t");
}

TEST_F(HttpServerTest, ExtraHeadersAreSentAndUnsafeOrReservedOnesAreDropped) {
  StartServer();
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  EXPECT_EQ(server_->stats().errors, 0u);
  auto x = client.Request(http::verb::get, "/v1/headers");
  ASSERT_FALSE(x.ec) << x.ec.message();
  const auto& r = x.response;
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "with headers");
  EXPECT_EQ(r[http::field::content_length], "12");
  EXPECT_EQ(r[http::field::content_type], "text/plain");
  EXPECT_EQ(r.count(http::field::content_length), 1u);
  EXPECT_EQ(r.count(http::field::transfer_encoding), 0u);
  EXPECT_FALSE(r[http::field::date].empty());
  EXPECT_TRUE(r.keep_alive());
  // Two Set-Cookie lines, in order.
  std::vector<std::string> cookies;
  for (auto [it, end] = r.equal_range(http::field::set_cookie); it != end; ++it) cookies.emplace_back(it->value());
  EXPECT_THAT(cookies, ::testing::ElementsAre("a=1; Secure; HttpOnly", "b=2; Path=/"));
  EXPECT_EQ(r[http::field::cache_control], "no-store");
  // The injection attempt sent neither its header nor the smuggled one.
  EXPECT_EQ(r.count("X-Injected"), 0u);
  EXPECT_EQ(r.count("Injected"), 0u);
  EXPECT_EQ(r.count("X-Nul"), 0u);
  EXPECT_EQ(r.count("Bad Name"), 0u);
  std::size_t lines = 0;
  for (auto it = r.begin(); it != r.end(); ++it) ++lines;
  EXPECT_EQ(lines, 6u);  // Date, Content-Type, Content-Length, 2 x Set-Cookie, Cache-Control
  // X-Injected, content-length, Transfer-Encoding, "Bad Name", X-Nul.
  EXPECT_EQ(server_->stats().errors, 5u);
  // The connection is in step: the next response is the next request's.
  x = client.Post("/v1/echo", "next");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.body(), "echo:next");
}

TEST_F(HttpServerTest, PrefixRoutesTakeEveryMethodAndTheLongestPrefixWins) {
  StartServer();
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  auto x = client.Request(http::verb::get, "/api/v1/x?limit=5");
  ASSERT_FALSE(x.ec) << x.ec.message();
  EXPECT_EQ(x.response.result_int(), 200);
  EXPECT_EQ(x.response.body(), "api:GET /api/v1/x?limit=5");
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(last_.path, "/api/v1/x");
    EXPECT_EQ(last_.query, "limit=5");
  }
  x = client.Request(http::verb::post, "/api/v1/a/b", "{}");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.body(), "api:POST /api/v1/a/b?");
  for (const auto verb : {http::verb::put, http::verb::delete_, http::verb::options}) {
    x = client.Request(verb, "/api/v1/y", "{}");
    ASSERT_FALSE(x.ec);
    EXPECT_EQ(x.response.result_int(), 200);
    EXPECT_EQ(x.response.body(), "api:" + std::string(http::to_string(verb)) + " /api/v1/y?");
  }
  // The handler answers methods it does not serve itself.
  x = client.Request(http::verb::patch, "/api/v1/y", "{}");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.result_int(), 405);
  EXPECT_EQ(x.response[http::field::allow], "GET, POST");
  // An exact route wins over the prefix.
  x = client.Request(http::verb::get, "/api/v1/openapi.json");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.body(), "{}");
  // ... and its other methods get the exact route's 405, not the prefix handler.
  x = client.Request(http::verb::post, "/api/v1/openapi.json", "{}");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.result_int(), 405);
  EXPECT_EQ(x.response[http::field::allow], "GET");
  // No match: 404.
  for (const char* path : {"/api/v2", "/api/v1", "/api/v2/x"}) {
    x = client.Request(http::verb::get, path);
    ASSERT_FALSE(x.ec);
    EXPECT_EQ(x.response.result_int(), 404) << path;
  }
  // The longest prefix wins whatever the registration order.
  x = client.Request(http::verb::get, "/a/b/c");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.body(), "ab:GET /a/b/c?");
  x = client.Request(http::verb::get, "/a/bc");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.body(), "a:GET /a/bc?");
  x = client.Request(http::verb::get, "/a/b/");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.body(), "ab:GET /a/b/?");

  const std::string text = metrics_.Render();
  EXPECT_THAT(text, HasSubstr("vgi_http_requests_total{path=\"/api/v1/*\",status=\"200\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("vgi_http_requests_total{path=\"/api/v1/*\",status=\"405\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("vgi_http_request_duration_seconds_count{path=\"/api/v1/*\"} 6\n"));
  EXPECT_THAT(text, HasSubstr("vgi_http_requests_total{path=\"/api/v1/openapi.json\",status=\"200\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("vgi_http_requests_total{path=\"/a/b/*\",status=\"200\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("vgi_http_requests_total{path=\"/a/*\",status=\"200\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("vgi_http_requests_total{path=\"other\",status=\"404\"} 3\n"));
  EXPECT_THAT(text, Not(HasSubstr("/api/v1/x")));
}

TEST_F(HttpServerTest, HeadToAPrefixRouteReachesTheHandlerAndGetsTheHeadOnly) {
  StartServer();
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  http::request<http::string_body> head(http::verb::head, "/api/v1/x", 11);
  head.set(http::field::host, "localhost");
  ASSERT_FALSE(client.Send(head));
  TestClient::Response response;
  ASSERT_FALSE(client.ReadHead(response));
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response[http::field::content_length], "19");  // "api:HEAD /api/v1/x?", not sent
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(last_.method, "HEAD");
    EXPECT_EQ(last_.path, "/api/v1/x");
  }
  // Had the body been sent, it would be read as the next response's start.
  auto x = client.Post("/v1/echo", "after");
  ASSERT_FALSE(x.ec) << x.ec.message();
  EXPECT_EQ(x.response.body(), "echo:after");
}

TEST_F(HttpServerTest, LargeResponseBodyIsSentWhole) {
  StartServer();
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  // Over TLS's 16 KiB record and Beast's coalescing limit, twice on one connection.
  for (std::size_t size : {std::size_t{24} << 10, std::size_t{300} << 10}) {
    const std::string body(size, 'x');
    auto x = client.Post("/v1/echo", body);
    ASSERT_FALSE(x.ec) << x.ec.message();
    EXPECT_EQ(x.response.body().size(), size + 5);
    EXPECT_EQ(x.response.body(), "echo:" + body);
  }
}

TEST_F(HttpServerTest, KeepAliveServesThreeRequestsOnOneConnectionAndCountsThem) {
  StartServer();
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  for (int i = 0; i < 3; ++i) {
    auto x = client.Post("/v1/echo", std::to_string(i));
    ASSERT_FALSE(x.ec) << i << ": " << x.ec.message();
    EXPECT_EQ(x.response.body(), "echo:" + std::to_string(i));
    EXPECT_TRUE(x.response.keep_alive());
  }
  EXPECT_EQ(server_->stats().open_connections, 1u);
  const std::string text = metrics_.Render();
  EXPECT_THAT(text, HasSubstr("vgi_http_requests_total{path=\"/v1/echo\",status=\"200\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("vgi_http_request_duration_seconds_count{path=\"/v1/echo\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("vgi_http_open_connections 1\n"));
  EXPECT_THAT(text, HasSubstr("vgi_http_refused_connections_total 0\n"));
  EXPECT_THAT(text, HasSubstr("vgi_http_timeouts_total 0\n"));
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  StartServer();
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  auto x = client.Post("/v1/nope", "{}");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.result_int(), 404);
  x = client.Request(http::verb::get, "/v1/echo");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.result_int(), 405);
  EXPECT_EQ(x.response[http::field::allow], "POST");
  x = client.Request(http::verb::put, "/v1/both", "{}");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.result_int(), 405);
  EXPECT_EQ(x.response[http::field::allow], "GET, POST");
  x = client.Request(http::verb::get, "/v1/both");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.body(), "g");
  // Scanners' paths all land in one series.
  x = client.Request(http::verb::get, "/wp-admin");
  ASSERT_FALSE(x.ec);
  const std::string text = metrics_.Render();
  EXPECT_THAT(text, HasSubstr("vgi_http_requests_total{path=\"other\",status=\"404\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("vgi_http_requests_total{path=\"/v1/echo\",status=\"405\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("wp-admin")));
}

TEST_F(HttpServerTest, HeadGetsTheHeadOnly) {
  StartServer();
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  http::request<http::string_body> head(http::verb::head, "/v1/echo", 11);
  head.set(http::field::host, "localhost");
  ASSERT_FALSE(client.Send(head));
  TestClient::Response response;
  ASSERT_FALSE(client.ReadHead(response));
  EXPECT_EQ(response.result_int(), 405);
  EXPECT_EQ(response[http::field::content_length], "19");  // "method not allowed\n", not sent
  // Had the body been sent, it would be read as the next response's start.
  auto x = client.Post("/v1/echo", "after");
  ASSERT_FALSE(x.ec) << x.ec.message();
  EXPECT_EQ(x.response.body(), "echo:after");
}

TEST_F(HttpServerTest, OversizedBodyGets413AndTheConnectionCloses) {
  ServerLimits limits;
  limits.max_body_bytes = 16;
  limits.read_timeout = std::chrono::milliseconds(500);
  StartServer(limits);
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  auto x = client.Post("/v1/echo", std::string(100, 'x'));
  ASSERT_FALSE(x.ec) << x.ec.message();
  EXPECT_EQ(x.response.result_int(), 413);
  EXPECT_FALSE(x.response.keep_alive());
  TestClient::Response next;
  EXPECT_CLOSED_BY_SERVER(client.Read(next));
  EXPECT_THAT(metrics_.Render(), HasSubstr("vgi_http_requests_total{path=\"/v1/echo\",status=\"413\"} 1\n"));
  // A body at the limit is fine.
  TestClient again = Client();
  ASSERT_FALSE(again.Connect(server_->port()));
  x = again.Post("/v1/echo", std::string(16, 'y'));
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.result_int(), 200);
}

TEST_F(HttpServerTest, OversizedHeaderGets431) {
  ServerLimits limits;
  limits.max_header_bytes = 1024;
  StartServer(limits);
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  ASSERT_FALSE(client.WriteRaw("POST /v1/echo HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'b') +
                               "\r\nContent-Length: 0\r\n\r\n"));
  TestClient::Response response;
  ASSERT_FALSE(client.Read(response));
  EXPECT_EQ(response.result_int(), 431);
  EXPECT_FALSE(response.keep_alive());
}

TEST_F(HttpServerTest, MalformedRequestGets400) {
  StartServer();
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  ASSERT_FALSE(client.WriteRaw("POST /v1/echo HTTP/1.1\r\nContent-Length: banana\r\n\r\n"));
  TestClient::Response response;
  ASSERT_FALSE(client.Read(response));
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_CLOSED_BY_SERVER(client.Read(response));
}

TEST_F(HttpServerTest, ExpectContinueGets100BeforeTheBody) {
  StartServer();
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  ASSERT_FALSE(
      client.WriteRaw("POST /v1/echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  TestClient::Response response;
  ASSERT_FALSE(client.Read(response));
  EXPECT_EQ(response.result_int(), 100);
  ASSERT_FALSE(client.WriteRaw("hello"));
  ASSERT_FALSE(client.Read(response));
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "echo:hello");
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  auto x = client.Request(http::verb::post, "/v1/echo", "1", {}, /*close=*/true);
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.result_int(), 200);
  EXPECT_EQ(x.response[http::field::connection], "close");
  TestClient::Response next;
  EXPECT_CLOSED_BY_SERVER(client.Read(next));
}

TEST_F(HttpServerTest, SlowClientIsCutOffWhileOthersAreServed) {
  ServerLimits limits;
  limits.read_timeout = std::chrono::milliseconds(300);
  StartServer(limits);
  TestClient slow = Client();
  ASSERT_FALSE(slow.Connect(server_->port()));
  ASSERT_FALSE(slow.WriteRaw("POST /v1/echo HTTP/1.1\r\nHost: x\r\n"));  // and then nothing

  TestClient fast = Client();
  ASSERT_FALSE(fast.Connect(server_->port()));
  auto x = fast.Post("/v1/echo", "a");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.result_int(), 200);

  TestClient::Response response;
  EXPECT_CLOSED_BY_SERVER(slow.Read(response));
  x = fast.Post("/v1/echo", "b");
  ASSERT_FALSE(x.ec) << x.ec.message();
  EXPECT_EQ(x.response.body(), "echo:b");
  EXPECT_EQ(server_->stats().timed_out, 1u);
  EXPECT_THAT(metrics_.Render(), HasSubstr("vgi_http_timeouts_total 1\n"));
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerLimits limits;
  limits.idle_timeout = std::chrono::milliseconds(200);
  StartServer(limits);
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  ASSERT_FALSE(client.Post("/v1/echo", "a").ec);
  TestClient::Response response;
  EXPECT_CLOSED_BY_SERVER(client.Read(response));
  EXPECT_EQ(server_->stats().timed_out, 1u);
}

TEST_F(HttpServerTest, ConnectionsBeyondMaxAreRefused) {
  ServerLimits limits;
  limits.max_connections = 1;
  StartServer(limits);
  TestClient first = Client();
  ASSERT_FALSE(first.Connect(server_->port()));
  ASSERT_FALSE(first.Post("/v1/echo", "a").ec);

  TestClient second = Client();
  EXPECT_CLOSED_BY_SERVER(second.Connect(server_->port()));
  EXPECT_EQ(server_->stats().refused_connections, 1u);
  EXPECT_THAT(metrics_.Render(), HasSubstr("vgi_http_refused_connections_total 1\n"));

  auto x = first.Post("/v1/echo", "b");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.body(), "echo:b");
}

TEST_F(HttpServerTest, ResponderWorksFromAnotherThreadAndOnlyOnce) {
  StartServer();
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  auto x = client.Post("/v1/later", "z");
  ASSERT_FALSE(x.ec) << x.ec.message();
  EXPECT_EQ(x.response.result_int(), 202);
  EXPECT_EQ(x.response.body(), "later:z");
  // The second call was dropped: the next answer on the connection is the next request's.
  x = client.Post("/v1/echo", "next");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.body(), "echo:next");
}

TEST_F(HttpServerTest, ResponderDroppedWithoutACallSends500) {
  StartServer();
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  auto x = client.Post("/v1/forget", "{}");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.result_int(), 500);
  EXPECT_TRUE(x.response.keep_alive());
  EXPECT_EQ(server_->stats().errors, 0u);
}

TEST_F(HttpServerTest, HandlerExceptionSends500AndIsCounted) {
  StartServer();
  TestClient client = Client();
  ASSERT_FALSE(client.Connect(server_->port()));
  auto x = client.Post("/v1/throw", "{}");
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.result_int(), 500);
  EXPECT_THAT(x.response.body(), Not(HasSubstr("boom")));
  EXPECT_EQ(server_->stats().errors, 1u);
  x = client.Post("/v1/echo", "ok");  // the thread and the connection live on
  ASSERT_FALSE(x.ec);
  EXPECT_EQ(x.response.result_int(), 200);
}

TEST_F(HttpServerTest, Tls11ClientIsRefused) {
  StartServer();
  TestClient client = Client({.min_version = TLS1_VERSION, .max_version = TLS1_1_VERSION, .legacy = true});
  const auto ec = client.Connect(server_->port());
  ASSERT_TRUE(ec);
  // The server's alert, not the client declining to offer TLS 1.1.
  EXPECT_EQ(ec.category(), boost::asio::error::get_ssl_category());
  EXPECT_EQ(ERR_GET_REASON(static_cast<unsigned long>(ec.value())), SSL_R_TLSV1_ALERT_PROTOCOL_VERSION) << ec.message();
}

TEST_F(HttpServerTest, Tls12AndTls13Succeed) {
  StartServer();
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    TestClient client = Client({.min_version = version, .max_version = version});
    ASSERT_FALSE(client.Connect(server_->port()));
    EXPECT_EQ(client.tls_version(), version);
    auto x = client.Post("/v1/echo", "v");
    ASSERT_FALSE(x.ec);
    EXPECT_EQ(x.response.result_int(), 200);
  }
}

TEST_F(HttpServerTest, StopClosesOpenConnectionsAndLateRespondersAreHarmless) {
  StartServer();
  TestClient idle = Client();
  ASSERT_FALSE(idle.Connect(server_->port()));
  ASSERT_FALSE(idle.Post("/v1/echo", "a").ec);
  TestClient waiting = Client();
  ASSERT_FALSE(waiting.Connect(server_->port()));
  http::request<http::string_body> hold(http::verb::post, "/v1/hold", 11);
  hold.body() = "{}";
  hold.prepare_payload();
  ASSERT_FALSE(waiting.Send(hold));
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket raw(ioc);  // connected, never says hello
  raw.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
  // The held handler has run once the server answers a later request on another connection.
  for (;;) {
    std::lock_guard lock(mu_);
    if (held_) break;
    std::this_thread::yield();
  }

  server_->Stop();
  EXPECT_EQ(server_->stats().open_connections, 0u);
  TestClient::Response response;
  EXPECT_CLOSED_BY_SERVER(idle.Read(response));
  EXPECT_CLOSED_BY_SERVER(waiting.Read(response));
  held_({200, "text/plain", "too late"});
  EXPECT_THAT(metrics_.Render(), Not(HasSubstr("path=\"/v1/hold\",status")));
  server_.reset();  // the Responder outlives the server
  held_ = nullptr;
}

TEST_F(HttpServerTest, DestroyingTheServerWithAPendingResponderIsSafe) {
  StartServer();
  TestClient waiting = Client();
  ASSERT_FALSE(waiting.Connect(server_->port()));
  http::request<http::string_body> hold(http::verb::post, "/v1/hold", 11);
  hold.prepare_payload();
  ASSERT_FALSE(waiting.Send(hold));
  for (;;) {
    std::lock_guard lock(mu_);
    if (held_) break;
    std::this_thread::yield();
  }
  server_.reset();
  Responder late = std::move(held_);
  held_ = nullptr;
  late = nullptr;  // the last copy: its 500 has nowhere to go
  TestClient::Response response;
  EXPECT_CLOSED_BY_SERVER(waiting.Read(response));
}

TEST_F(HttpServerTest, StartReportsAnAddressInUse) {
  StartServer();
  ServerOptions options;
  options.listen = "127.0.0.1:" + std::to_string(server_->port());
  HttpServer second(options, *tls_, metrics_);
  const Status status = second.Start();
  EXPECT_EQ(status.code(), StatusCode::kIo);
  EXPECT_THAT(status.message(), HasSubstr("listen " + options.listen));
  options.listen = "nowhere";
  HttpServer third(options, *tls_, metrics_);
  EXPECT_EQ(third.Start().code(), StatusCode::kInvalid);
}

}  // namespace
}  // namespace vgi::server
