#pragma once
// Private to http_server.cpp / http_connection.cpp: the state connections share with the server.
//
// Threading: each Worker's io_context is run by exactly one thread; a connection and its
// Worker's list are touched only on that thread. Shared's atomics and the Metrics series are
// the only things touched from several threads (plus Responders, which post).

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "vgi/server/http_server.hpp"
#include "vgi/server/metrics.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vgi::server::internal {

namespace net = boost::asio;
using SteadyClock = std::chrono::steady_clock;
// Sockets bound to one io_context's executor: no type-erased executor on the hot path.
using Socket = net::basic_stream_socket<net::ip::tcp, net::io_context::executor_type>;

class Connection;

inline constexpr const char* kRequestsTotal = "vgi_http_requests_total";
inline constexpr const char* kRequestsHelp = "HTTP requests answered, by route (\"other\": no route) and status.";
inline constexpr const char* kDuration = "vgi_http_request_duration_seconds";
inline constexpr const char* kDurationHelp =
    "Seconds from a request fully read to its response handed to TLS, by route (\"other\": no route).";

// One path's (or prefix's) handlers and its metric series, cached so that a request touches no
// lock.
struct Route {
  Route(std::string path_label, Histogram& latency) : label(std::move(path_label)), duration(&latency) {}

  // Counter for `status` (100..599) on this route: the registry (a mutex) only on first use.
  Counter& Requests(Metrics& metrics, int status);
  // The handler for `method`, or nullptr.
  [[nodiscard]] const Handler* Find(std::string_view method) const {
    for (const auto& [m, h] : methods) {
      if (m == method) return &h;
    }
    return any ? &any : nullptr;
  }

  std::string label;  // the path, the prefix + "*", or "other"
  std::vector<std::pair<std::string, Handler>> methods;
  Handler any;        // a prefix route's handler, for every method (exact routes: empty)
  std::string allow;  // "Allow: GET, POST\r\n"
  Histogram* duration;
  std::array<std::atomic<Counter*>, 500> by_status{};
};

struct Worker {
  Worker() : ctx(1), sweep(ctx) {}
  // A Date header value, re-formatted once a second.
  std::string_view Date();

  net::io_context ctx;         // concurrency hint 1: one thread runs it
  net::steady_timer sweep;     // checks the connections' deadlines
  Connection* head = nullptr;  // open connections (intrusive list, not owning)
  std::int64_t date_second = -1;
  std::string date;
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// What connections need from the server. Connections hold it by shared_ptr: a Responder kept
// after Stop keeps its (closed) connection, and so the io_context its socket belongs to, alive.
struct Shared {
  Shared(ServerLimits l, Metrics& m, net::ssl::context& t);

  // The exact route for `path`, else the longest prefix route it starts with, else nullptr.
  [[nodiscard]] Route* FindRoute(std::string_view path) const {
    auto it = routes.find(path);
    if (it != routes.end()) return it->second.get();
    for (const auto& [prefix, route] : prefixes) {
      if (path.starts_with(prefix)) return route.get();
    }
    return nullptr;
  }

  const ServerLimits limits;
  Metrics& metrics;
  net::ssl::context& tls;
  std::unordered_map<std::string, std::unique_ptr<Route>, StringHash, std::equal_to<>> routes;
  std::vector<std::pair<std::string, std::unique_ptr<Route>>> prefixes;  // longest prefix first
  Route other;
  std::vector<std::unique_ptr<Worker>> workers;

  // Stop protocol for Responders called on other threads: a Responder bumps `posting`, checks
  // `stopping`, posts, drops `posting`; Stop sets `stopping` and waits for `posting` == 0, so no
  // post reaches an io_context after its thread has gone.
  std::atomic<bool> stopping{false};
  std::atomic<int> posting{0};

  std::atomic<std::uint64_t> open{0};
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> timed_out{0};
  std::atomic<std::uint64_t> errors{0};
  Gauge& open_gauge;
  Counter& refused_counter;
  Counter& timeouts_counter;
};

// Takes over a socket accepted for `worker` (call on any thread; the connection runs on the
// worker's thread): TLS handshake, requests until closed. `shared.open` already counts it.
void ServeConnection(const std::shared_ptr<Shared>& shared, Worker& worker, Socket socket);
// On the worker's thread: closes the connections whose deadline has passed, counting timeouts.
void SweepDeadlines(Worker& worker);
// On the worker's thread: closes every connection (Stop).
void CloseAll(Worker& worker);

}  // namespace vgi::server::internal
