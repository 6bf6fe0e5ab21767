// The HTTP server's request fields beyond the protocol's (query, cookie, CSRF token, origin),
// handlers' extra response headers, and prefix routes — what the console's API needs.
#include "http_server_test_fixture.hpp"
#include "vgi/server/http_server.hpp"

namespace vgi::server {
namespace {

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

}  // namespace
}  // namespace vgi::server
