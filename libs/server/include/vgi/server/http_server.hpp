#pragma once
// HttpServer: HTTPS (HTTP/1.1, keep-alive) on Boost.Beast + Asio, generic over what it serves.
//
// One io_context per thread (default: one per core); each accepted connection lives on one of
// them, round robin. TLS 1.2/1.3 only with Mozilla "intermediate" ciphers (tls.hpp).
//
// Limits (ServerLimits): request header + body must arrive within read_timeout (slow clients are
// cut off: they cannot hold a connection slot forever); an idle keep-alive connection closes
// after idle_timeout; a body over max_body_bytes gets 413 and the connection closes; beyond
// max_connections new connections are closed at once (counted in metrics).
//
// Routing: exact paths first. A known path with another method -> 405 (with Allow). A path with
// no exact route goes to the longest prefix route (AddPrefixRoute) it starts with, whatever the
// method (that handler answers 405 itself; a HEAD reaches it as "HEAD" and only the head of its
// answer is sent); no prefix either -> 404.
//
// A handler runs on the connection's thread and must not block it; the request it gets is valid
// only during the call (move out what you keep: the connection reuses the strings' storage for
// its next request). Handlers answer through a Responder, which may be called from any thread,
// exactly once (later calls are ignored); the server posts the write back to the connection's
// io_context. A Responder called after its connection closed (timeout,
// Stop, server destroyed) does nothing. When every copy of a Responder is destroyed without a
// call, or the handler throws, the client gets a 500. A status outside 200..599 is sent as 500.
// While a handler is pending the connection reads nothing more (HTTP/1.1, no pipelining) and
// has no deadline. Expect: 100-continue is answered; HEAD gets the head only.
//
// Extra response headers (HttpResponse::headers) are sent in order, so several Set-Cookie lines
// are possible. One whose name is not an RFC 7230 token, whose value holds CR, LF or NUL (header
// injection), or whose name the server writes itself (Content-Length, Content-Type, Connection,
// Date, Transfer-Encoding; any case) is dropped, never sent, and counted in stats().errors; the
// rest of the response goes out unchanged.
//
// A handler's exception is caught and counted in stats().errors; nothing is logged.
// Metrics: vgi_http_requests_total{path,status}, vgi_http_request_duration_seconds{path}
// (path = the route's path, the prefix followed by "*" for a prefix route, e.g. "/api/v1/*",
// or "other" for paths without a route), vgi_http_open_connections,
// vgi_http_refused_connections_total, vgi_http_timeouts_total. Timeouts are enforced to within
// a tenth of the shortest one (a sweep, not a timer per operation).
//
// Thread safety: AddRoute and AddPrefixRoute before Start only. Start/Stop from one controlling
// thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vgi/base/status.hpp"
#include "vgi/server/metrics.hpp"
#include "vgi/server/tls.hpp"

namespace vgi::server {

struct HttpRequest {
  std::string method;         // "POST"
  std::string path;           // target without the query string
  std::string query;          // raw (undecoded) query string after '?', without it; "" when none
  std::string authorization;  // the Authorization header, as sent ("" when absent)
  std::string content_type;   // header fields below likewise: as sent, "" when absent
  std::string cookie;         // Cookie (the first one, should a client send several)
  std::string csrf_token;     // X-CSRF-Token
  std::string origin;         // Origin
  std::string body;           // may have spare capacity; handlers may move from it
  std::string remote_ip;      // "127.0.0.1"
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  // Extra header lines {name, value}, e.g. {"Set-Cookie", "..."}, {"Retry-After", "5"}; see the
  // file comment for which are dropped. (`{}`: aggregate inits naming three fields stay warning-free.)
  std::vector<std::pair<std::string, std::string>> headers{};
};

using Responder = std::function<void(HttpResponse)>;
using Handler = std::function<void(HttpRequest&&, Responder)>;

struct ServerLimits {
  std::size_t max_body_bytes = std::size_t{8} << 20;     // 413 beyond
  std::size_t max_header_bytes = 16 << 10;               // 431 beyond
  std::chrono::milliseconds read_timeout{10'000};        // header + body of one request
  std::chrono::milliseconds idle_timeout{60'000};        // keep-alive between requests
  std::chrono::milliseconds handshake_timeout{10'000};   // TLS handshake
  std::size_t max_connections = 10'000;                  // open connections, all threads
};

struct ServerOptions {
  std::string listen = "127.0.0.1:8443";  // host:port; port 0 picks a free port
  int threads = 0;                        // io_contexts; 0 = std::thread::hardware_concurrency()
  ServerLimits limits;
};

class HttpServer {
 public:
  // `tls` and `metrics` must outlive the server. Metrics gets per-route request counts and
  // latency (see metrics.hpp); the server itself serves no /metrics route (the app adds it).
  HttpServer(ServerOptions options, TlsContext& tls, Metrics& metrics);
  ~HttpServer();  // stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Later registrations of the same method and path (or the same prefix) replace earlier ones.
  void AddRoute(std::string method, std::string path, Handler handler);
  // Every method on paths starting with `prefix` that have no exact route, e.g. "/api/v1/".
  void AddPrefixRoute(std::string prefix, Handler handler);

  // Binds and starts the threads. Io when the address cannot be bound (message names it).
  Status Start();
  // The bound port (after Start), e.g. when listen asked for port 0.
  [[nodiscard]] std::uint16_t port() const;
  // Stops accepting, closes connections, joins the threads. Idempotent.
  void Stop();

  struct Stats {
    std::uint64_t open_connections = 0;
    std::uint64_t refused_connections = 0;  // over max_connections
    std::uint64_t timed_out = 0;            // read/idle/handshake/write timeouts
    std::uint64_t errors = 0;               // exceptions caught from handlers or Beast/Asio
  };
  [[nodiscard]] Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vgi::server
