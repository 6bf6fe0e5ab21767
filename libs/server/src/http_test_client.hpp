#pragma once
// Test-only HTTPS client: one connection, blocking calls built from Beast's async operations run
// to completion on a private io_context, each under a 10 s guard so that a server that fails to
// answer or to close fails the test instead of hanging it. Not thread-safe.

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vgi::server::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct ClientTls {
  int min_version = TLS1_2_VERSION;
  int max_version = 0;  // highest
  bool legacy = false;  // allow TLS 1.0/1.1 at all (OpenSSL 3 needs security level 0 for them)
};

class TestClient {
 public:
  using Response = http::response<http::string_body>;

  // Trusts exactly `ca_file` (the server's self-signed certificate) and checks the name localhost.
  explicit TestClient(const std::string& ca_file, ClientTls tls = {})
      : ctx_(net::ssl::context::tls_client), stream_(ioc_, Configure(ctx_, ca_file, tls)) {}

  // TCP connect and TLS handshake.
  beast::error_code Connect(std::uint16_t port) {
    const net::ip::tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
    auto ec = Run([&](auto handler) { beast::get_lowest_layer(stream_).async_connect(endpoint, handler); });
    if (ec) return ec;
    SSL_set_tlsext_host_name(stream_.native_handle(), "localhost");
    SSL_set1_host(stream_.native_handle(), "localhost");
    return Run([&](auto handler) { stream_.async_handshake(net::ssl::stream_base::client, handler); });
  }

  beast::error_code WriteRaw(std::string_view bytes) {
    return Run([&](auto handler) { net::async_write(stream_, net::buffer(bytes.data(), bytes.size()), handler); });
  }

  beast::error_code Send(http::request<http::string_body>& request) {
    return Run([&](auto handler) { http::async_write(stream_, request, handler); });
  }

  beast::error_code Read(Response& response) {
    response = {};
    return Run([&](auto handler) { http::async_read(stream_, buffer_, response, handler); });
  }

  // The response to a HEAD request: a header only, whatever its Content-Length says.
  beast::error_code ReadHead(Response& response) {
    http::response_parser<http::string_body> parser;
    parser.skip(true);
    auto ec = Run([&](auto handler) { http::async_read(stream_, buffer_, parser, handler); });
    response = parser.release();
    return ec;
  }

  // One request and its response; `ec` is set when either failed.
  struct Exchange {
    beast::error_code ec;
    Response response;
  };
  Exchange Request(http::verb verb, std::string_view target, std::string body = {}, std::string_view authorization = {},
                   bool close = false) {
    http::request<http::string_body> request(verb, {target.data(), target.size()}, 11);
    request.set(http::field::host, "localhost");
    request.set(http::field::content_type, "application/json");
    if (!authorization.empty()) request.set(http::field::authorization, {authorization.data(), authorization.size()});
    if (close) request.keep_alive(false);
    request.body() = std::move(body);
    if (verb != http::verb::get || !request.body().empty()) request.prepare_payload();
    Exchange x;
    x.ec = Send(request);
    if (!x.ec) x.ec = Read(x.response);
    return x;
  }
  Exchange Post(std::string_view target, std::string body, std::string_view authorization = {}) {
    return Request(http::verb::post, target, std::move(body), authorization);
  }

  // The negotiated protocol, e.g. TLS1_3_VERSION.
  int tls_version() { return SSL_version(stream_.native_handle()); }

 private:
  static net::ssl::context& Configure(net::ssl::context& ctx, const std::string& ca_file, const ClientTls& tls) {
    SSL_CTX* native = ctx.native_handle();
    if (tls.legacy) {
      SSL_CTX_set_security_level(native, 0);
      SSL_CTX_set_cipher_list(native, "DEFAULT:@SECLEVEL=0");
    }
    SSL_CTX_set_min_proto_version(native, tls.min_version);
    SSL_CTX_set_max_proto_version(native, tls.max_version);
    ctx.load_verify_file(ca_file);
    ctx.set_verify_mode(net::ssl::verify_peer);
    return ctx;
  }

  // Starts one operation and runs it to completion (or to the guard's timeout, which closes the
  // stream and completes it with beast::error::timeout).
  template <class Start>
  beast::error_code Run(Start&& start) {
    std::optional<beast::error_code> result;
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
    start([&result](const beast::error_code& ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    beast::get_lowest_layer(stream_).expires_never();
    return result.value_or(net::error::operation_aborted);
  }

  net::io_context ioc_;
  net::ssl::context ctx_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

}  // namespace vgi::server::testing
