// HttpServer: the listening socket, the worker threads, routes and Stop. Connections live in
// http_connection.cpp.

#include "vgi/server/http_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cassert>
#include <charconv>
#include <optional>
#include <thread>

#include "http_internal.hpp"

namespace vgi::server {

using internal::Shared;
using internal::Worker;
namespace net = boost::asio;

internal::Shared::Shared(ServerLimits l, Metrics& m, net::ssl::context& t)
    : limits(l),
      metrics(m),
      tls(t),
      other("other", m.histogram(internal::kDuration, internal::kDurationHelp, {"path"}, {"other"})),
      open_gauge(m.gauge("vgi_http_open_connections", "Open HTTPS connections.", {}, {})),
      refused_counter(m.counter("vgi_http_refused_connections_total",
                                "Connections closed at once because max_connections were open.", {}, {})),
      timeouts_counter(m.counter("vgi_http_timeouts_total",
                                 "Connections closed because the TLS handshake, a request or the idle time "
                                 "between requests took too long.",
                                 {}, {})) {}

namespace {

// The sweep timer's period: a tenth of the shortest timeout, so deadlines are kept to within
// ~10%, but no busier than every 10 ms nor lazier than every second.
std::chrono::milliseconds SweepPeriod(const ServerLimits& l) {
  const auto shortest = std::min({l.read_timeout, l.idle_timeout, l.handshake_timeout});
  return std::clamp(shortest / 10, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
}

Result<net::ip::tcp::endpoint> ParseListen(const std::string& listen) {
  const auto fail = [&] {
    return Status::Invalid("listen \"" + listen + "\": expected host:port, e.g. 127.0.0.1:8443 or [::]:8443");
  };
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return fail();
  std::string host = listen.substr(0, colon);
  const std::string port_text = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) return fail();
  boost::system::error_code error;
  const auto address = net::ip::make_address(host, error);
  if (error) return fail();
  return net::ip::tcp::endpoint(address, static_cast<unsigned short>(port));
}

}  // namespace

struct HttpServer::Impl {
  Impl(ServerOptions o, TlsContext& t, Metrics& m)
      : options(std::move(o)), shared(std::make_shared<Shared>(options.limits, m, t.native())) {}

  void Accept() {
    Worker& target = *shared->workers[next_worker++ % shared->workers.size()];
    acceptor->async_accept(target.ctx, [this, &target](const boost::system::error_code& ec, internal::Socket socket) {
      OnAccept(ec, std::move(socket), target);
    });
  }

  void OnAccept(const boost::system::error_code& ec, internal::Socket socket, Worker& target) {
    if (shared->stopping.load() || ec == net::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors (EMFILE) or a connection reset before accept: do not spin.
      retry->expires_after(std::chrono::milliseconds(50));
      retry->async_wait([this](const boost::system::error_code& error) {
        if (!error && !shared->stopping.load()) Accept();
      });
      return;
    }
    boost::system::error_code ignored;
    if (shared->open.load() >= shared->limits.max_connections) {
      shared->refused.fetch_add(1, std::memory_order_relaxed);
      shared->refused_counter.Increment();
      socket.close(ignored);
    } else {
      shared->open.fetch_add(1, std::memory_order_relaxed);
      shared->open_gauge.Add(1);
      // Request/response traffic: Nagle plus delayed ACKs would add 40 ms to a split response.
      socket.set_option(net::ip::tcp::no_delay(true), ignored);
      internal::ServeConnection(shared, target, std::move(socket));
    }
    Accept();
  }

  void ArmSweep(Worker& worker) {
    worker.sweep.expires_after(sweep_period);
    worker.sweep.async_wait([this, &worker](const boost::system::error_code& ec) {
      if (ec || shared->stopping.load()) return;
      internal::SweepDeadlines(worker);
      ArmSweep(worker);
    });
  }

  ServerOptions options;
  std::shared_ptr<Shared> shared;
  std::chrono::milliseconds sweep_period{1000};
  std::optional<net::ip::tcp::acceptor> acceptor;
  std::optional<net::steady_timer> retry;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  std::size_t next_worker = 0;  // acceptor thread only
  std::uint16_t port = 0;
  bool started = false;
  bool stopped = false;
};

HttpServer::HttpServer(ServerOptions options, TlsContext& tls, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), tls, metrics)) {}

HttpServer::~HttpServer() {
  Stop();
}

void HttpServer::AddRoute(std::string method, std::string path, Handler handler) {
  assert(!impl_->started && "AddRoute after Start");
  if (impl_->started) return;
  Shared& shared = *impl_->shared;
  auto it = shared.routes.find(path);
  if (it == shared.routes.end()) {
    Histogram& latency = shared.metrics.histogram(internal::kDuration, internal::kDurationHelp, {"path"}, {path});
    it = shared.routes.emplace(path, std::make_unique<internal::Route>(path, latency)).first;
  }
  internal::Route& route = *it->second;
  for (auto& [m, h] : route.methods) {
    if (m == method) {
      h = std::move(handler);  // the later registration wins
      return;
    }
  }
  route.methods.emplace_back(std::move(method), std::move(handler));
  route.allow = "Allow: ";
  for (std::size_t i = 0; i < route.methods.size(); ++i) {
    if (i > 0) route.allow += ", ";
    route.allow += route.methods[i].first;
  }
  route.allow += "\r\n";
}

void HttpServer::AddPrefixRoute(std::string prefix, Handler handler) {
  assert(!impl_->started && "AddPrefixRoute after Start");
  if (impl_->started) return;
  Shared& shared = *impl_->shared;
  auto& prefixes = shared.prefixes;
  // Kept longest first, so that the first match is the longest.
  auto it = prefixes.begin();
  while (it != prefixes.end() && it->first.size() > prefix.size()) ++it;
  for (auto same = it; same != prefixes.end() && same->first.size() == prefix.size(); ++same) {
    if (same->first == prefix) {
      same->second->any = std::move(handler);  // the later registration wins
      return;
    }
  }
  std::string label = prefix + "*";
  Histogram& latency = shared.metrics.histogram(internal::kDuration, internal::kDurationHelp, {"path"}, {label});
  auto route = std::make_unique<internal::Route>(std::move(label), latency);
  route->any = std::move(handler);
  prefixes.emplace(it, std::move(prefix), std::move(route));
}

Status HttpServer::Start() {
  Impl& impl = *impl_;
  if (impl.started) return Status::Internal("HttpServer::Start called twice; create a new server instead");
  VGI_ASSIGN_OR_RETURN(const auto endpoint, ParseListen(impl.options.listen));
  int threads = impl.options.threads;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  Shared& shared = *impl.shared;
  try {
    for (int i = 0; i < threads; ++i) shared.workers.push_back(std::make_unique<Worker>());
    net::io_context& first = shared.workers.front()->ctx;
    impl.acceptor.emplace(first);
    impl.retry.emplace(first);
    boost::system::error_code ec;
    impl.acceptor->open(endpoint.protocol(), ec);
    if (!ec) impl.acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) impl.acceptor->bind(endpoint, ec);
    if (!ec) impl.acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      impl.acceptor.reset();  // I/O objects before their io_contexts
      impl.retry.reset();
      shared.workers.clear();
      return Status::Io("listen " + impl.options.listen + ": cannot listen: " + ec.message() +
                        "; choose a free port or stop the process using it");
    }
    impl.port = impl.acceptor->local_endpoint().port();
    impl.sweep_period = SweepPeriod(shared.limits);
    for (auto& worker : shared.workers) {
      impl.guards.push_back(net::make_work_guard(worker->ctx));
      impl.ArmSweep(*worker);
    }
    impl.Accept();
    impl.started = true;
    for (auto& worker : shared.workers) {
      impl.threads.emplace_back([&ctx = worker->ctx, &errors = shared.errors] {
        // One connection's exception must not take the other connections on this thread down.
        for (;;) {
          try {
            ctx.run();
            return;
          } catch (...) {
            errors.fetch_add(1, std::memory_order_relaxed);
          }
        }
      });
    }
  } catch (const std::exception& e) {
    Stop();
    return Status::Internal(std::string("HttpServer::Start: ") + e.what());
  }
  return Status::Ok();
}

std::uint16_t HttpServer::port() const {
  return impl_->port;
}

void HttpServer::Stop() {
  Impl& impl = *impl_;
  if (!impl.started || impl.stopped) return;
  impl.stopped = true;
  Shared& shared = *impl.shared;
  shared.stopping.store(true);
  // Responders on other threads that saw `stopping` false are posting now; after this loop no
  // one posts again (http_internal.hpp).
  while (shared.posting.load() != 0) std::this_thread::yield();
  net::post(shared.workers.front()->ctx, [&impl] {
    boost::system::error_code ignored;
    impl.acceptor->close(ignored);
    impl.retry->cancel();
  });
  for (auto& worker : shared.workers) {
    net::post(worker->ctx, [&w = *worker] {
      w.sweep.cancel();
      internal::CloseAll(w);
    });
  }
  impl.guards.clear();
  // Each run() returns once its closed connections' last handlers have run.
  for (auto& t : impl.threads) {
    if (t.joinable()) t.join();
  }
  impl.threads.clear();
  for (auto& worker : shared.workers) {
    worker->ctx.restart();
    worker->ctx.poll();
  }
}

HttpServer::Stats HttpServer::stats() const {
  const Shared& shared = *impl_->shared;
  Stats s;
  s.open_connections = shared.open.load(std::memory_order_relaxed);
  s.refused_connections = shared.refused.load(std::memory_order_relaxed);
  s.timed_out = shared.timed_out.load(std::memory_order_relaxed);
  s.errors = shared.errors.load(std::memory_order_relaxed);
  return s;
}

}  // namespace vgi::server
