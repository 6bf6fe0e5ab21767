#include "vgi/server/http_server.hpp"

#include "http_server_test_fixture.hpp"

namespace vgi::server {
namespace {

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
