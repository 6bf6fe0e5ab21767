#include "vgi/client/https_connection.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "tls_client.hpp"

namespace vgi::client {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;
using SteadyTime = std::chrono::steady_clock::time_point;

constexpr std::string_view kUserAgent = "vgi-client/0.1";
constexpr std::size_t kMaxHeaderBytes = 64 << 10;
// How long a polite close waits for the server's close_notify.
constexpr std::chrono::milliseconds kCloseWait{100};

struct SessionFree {
  void operator()(SSL_SESSION* s) const { SSL_SESSION_free(s); }
};

std::string Millis(std::chrono::milliseconds ms) {
  return std::to_string(ms.count()) + " ms";
}

// getaddrinfo on a helper thread, so the call's deadline holds even when DNS hangs (the thread
// finishes on its own later; its result is then dropped). Only DNS names come here.
struct ResolveState {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int error = 0;
  std::vector<tcp::endpoint> endpoints;
};

Result<std::vector<tcp::endpoint>> Resolve(const Url& url, SteadyTime deadline, std::chrono::milliseconds timeout) {
  boost::system::error_code ec;
  const auto address = net::ip::make_address(url.host, ec);
  if (!ec) return std::vector<tcp::endpoint>{tcp::endpoint(address, url.port)};

  auto state = std::make_shared<ResolveState>();
  try {
    std::thread([state, host = url.host, port = std::to_string(url.port)] {
      addrinfo hints{};
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      hints.ai_flags = AI_ADDRCONFIG;
      addrinfo* found = nullptr;
      const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
      std::vector<tcp::endpoint> endpoints;
      for (addrinfo* p = found; rc == 0 && p != nullptr; p = p->ai_next) {
        if ((p->ai_family != AF_INET && p->ai_family != AF_INET6) || p->ai_addrlen > sizeof(sockaddr_in6)) continue;
        tcp::endpoint endpoint;
        std::memcpy(endpoint.data(), p->ai_addr, p->ai_addrlen);
        endpoint.resize(p->ai_addrlen);
        endpoints.push_back(endpoint);
      }
      if (found != nullptr) freeaddrinfo(found);
      std::lock_guard lock(state->mu);
      state->error = rc;
      state->endpoints = std::move(endpoints);
      state->done = true;
      state->cv.notify_all();
    }).detach();
  } catch (const std::system_error& e) {
    return Status::Unavailable("cannot resolve host \"" + url.host + "\": no thread for the lookup (" + e.what() + ")");
  }
  std::unique_lock lock(state->mu);
  if (!state->cv.wait_until(lock, deadline, [&] { return state->done; })) {
    return Status::DeadlineExceeded("resolving host \"" + url.host + "\" took longer than the call's " +
                                    Millis(timeout) + "; check the DNS servers or use an IP address");
  }
  if (state->error != 0 || state->endpoints.empty()) {
    const std::string why = state->error != 0 ? gai_strerror(state->error) : "no IPv4 or IPv6 address";
    return Status::Unavailable("cannot resolve host \"" + url.host + "\": " + why + "; check the base URL's host");
  }
  return std::move(state->endpoints);
}

}  // namespace

struct HttpsConnection::Impl {
  Url url;
  std::string authority;
  std::shared_ptr<TlsClientContext> tls;
  std::string verify_name;
  net::io_context ioc{1};
  std::optional<Stream> stream;
  beast::flat_buffer buffer;
  http::request<http::span_body<const char>> request;
  std::unique_ptr<SSL_SESSION, SessionFree> session;  // for resumption on the next connect
  Stats stats;
  bool connected = false;

  // Runs every handler of the operation just started (the op, its timer's cancellation).
  void Run() {
    ioc.restart();
    ioc.run();
  }

  void KeepSession() {
    if (!stream) return;
    SSL_SESSION* s = SSL_get1_session(stream->native_handle());
    if (s != nullptr && SSL_SESSION_is_resumable(s) == 1) {
      session.reset(s);
    } else if (s != nullptr) {
      SSL_SESSION_free(s);
    }
  }

  // Drops the connection without a TLS goodbye (after an error, or when the server left first).
  void Drop() {
    if (!stream) return;
    KeepSession();
    boost::system::error_code ignored;
    beast::get_lowest_layer(*stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(*stream).close();
    stream.reset();
    buffer.clear();
    connected = false;
  }

  void GracefulClose() {
    if (!stream) return;
    if (connected && !PeerLeft()) {
      KeepSession();
      beast::get_lowest_layer(*stream).expires_after(kCloseWait);
      stream->async_shutdown([](beast::error_code) {});
      Run();
    }
    Drop();
  }

  // True when a kept connection cannot be reused: the server closed it (TLS close_notify or FIN
  // is waiting), reset it, or sent bytes nobody asked for. A non-blocking read through TLS, not
  // just a poll of the socket: the close_notify often arrives with the last answer and then
  // already sits in the TLS layer's buffer, where a poll cannot see it.
  bool PeerLeft() {
    if (buffer.size() != 0) return true;
    auto& socket = beast::get_lowest_layer(*stream).socket();
    boost::system::error_code ec;
    socket.non_blocking(true, ec);
    if (ec) return true;
    char byte = 0;
    stream->read_some(net::buffer(&byte, 1), ec);
    const bool alive = ec == net::error::would_block;
    socket.non_blocking(false, ec);
    return !alive || ec;
  }

  Status Connect(SteadyTime deadline, std::chrono::milliseconds timeout) {
    Drop();
    VGI_ASSIGN_OR_RETURN(std::vector<tcp::endpoint> endpoints, Resolve(url, deadline, timeout));
    stream.emplace(ioc, tls->impl().ssl);
    SSL* ssl = stream->native_handle();
    if (Status s = PrepareSsl(ssl, verify_name, tls->options()); !s.ok()) {
      stream.reset();
      return s;
    }
    if (session) SSL_set_session(ssl, session.get());

    auto& socket = beast::get_lowest_layer(*stream);
    socket.expires_at(deadline);
    beast::error_code ec;
    socket.async_connect(endpoints, [&ec](beast::error_code e, const tcp::endpoint&) { ec = e; });
    Run();
    if (ec) {
      stream.reset();
      if (ec == beast::error::timeout) {
        return Status::DeadlineExceeded("connecting to " + authority + " took longer than the call's " +
                                        Millis(timeout) + "; is the host reachable (firewall, allow-list)?");
      }
      return Status::Unavailable("cannot connect to " + authority + ": " + ec.message() +
                                 "; is the server running and listening there?");
    }
    boost::system::error_code ignored;
    socket.socket().set_option(tcp::no_delay(true), ignored);

    stream->async_handshake(net::ssl::stream_base::client, [&ec](beast::error_code e) { ec = e; });
    Run();
    if (ec) {
      std::string why = DescribeHandshakeFailure(ssl, ec, authority, verify_name, tls->options());
      // A resumed session that the server refused is not retried with: start afresh next time.
      session.reset();
      stream.reset();
      if (ec == beast::error::timeout) {
        return Status::DeadlineExceeded("TLS handshake with " + authority + " took longer than the call's " +
                                        Millis(timeout));
      }
      return Status::Unavailable(std::move(why));
    }
    connected = true;
    ++stats.connects;
    return Status::Ok();
  }

  enum class Failure { kNone, kWrite, kReadBeforeAnswer, kRead };

  // One request and its answer on the open connection.
  Result<HttpReply> Exchange(SteadyTime deadline, std::chrono::milliseconds timeout, Failure& failure) {
    failure = Failure::kNone;
    auto& socket = beast::get_lowest_layer(*stream);
    socket.expires_at(deadline);
    beast::error_code ec;
    http::async_write(*stream, request, [&ec](beast::error_code e, std::size_t) { ec = e; });
    Run();
    const auto where = [&] {
      return std::string(request.method_string()) + " " + std::string(request.target()) + " at " + authority;
    };
    if (ec) {
      Drop();
      if (ec == beast::error::timeout) {
        return Status::DeadlineExceeded(where() + ": the request could not be written within " + Millis(timeout));
      }
      failure = Failure::kWrite;
      return Status::Unavailable(where() + ": connection lost while writing the request: " + ec.message());
    }

    http::response_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(kMaxResponseBytes);
    http::async_read(*stream, buffer, parser, [&ec](beast::error_code e, std::size_t) { ec = e; });
    Run();
    if (ec) {
      const bool answered = parser.got_some();
      Drop();
      if (ec == beast::error::timeout) {
        return Status::DeadlineExceeded(where() + ": no complete answer within " + Millis(timeout));
      }
      if (ec == http::error::body_limit) {
        return Status::Unavailable(where() + ": the answer is larger than " + std::to_string(kMaxResponseBytes >> 20) +
                                   " MiB");
      }
      failure = answered ? Failure::kRead : Failure::kReadBeforeAnswer;
      if (!answered)
        return Status::Unavailable(where() + ": the server closed the connection without answering (" + ec.message() +
                                   ")");
      return Status::Unavailable(where() + ": the answer broke off or is not valid HTTP: " + ec.message());
    }
    socket.expires_never();
    ++stats.requests;
    HttpReply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    reply.body = std::move(parser.get().body());
    if (!parser.keep_alive()) Drop();
    return reply;
  }

  Result<HttpReply> Call(http::verb verb, std::string_view path, std::string_view body, std::string_view authorization,
                         std::chrono::milliseconds timeout) {
    if (path.empty() || path.front() != '/') {
      return Status::Invalid("request path \"" + std::string(path.substr(0, 200)) + "\": must start with '/'");
    }
    const SteadyTime deadline = std::chrono::steady_clock::now() + timeout;
    request.method(verb);
    request.target(beast::string_view(path.data(), path.size()));
    if (authorization.empty()) {
      request.erase(http::field::authorization);
    } else {
      request.set(http::field::authorization, beast::string_view(authorization.data(), authorization.size()));
    }
    if (verb == http::verb::post) {
      request.set(http::field::content_type, "application/json; charset=utf-8");
      request.content_length(body.size());
    } else {
      request.erase(http::field::content_type);
      request.erase(http::field::content_length);
    }
    request.body() = beast::span<const char>(body.data(), body.size());

    bool reused = connected;
    if (connected && PeerLeft()) {
      Drop();
      reused = false;
    }
    if (!connected) VGI_RETURN_IF_ERROR(Connect(deadline, timeout));
    Failure failure = Failure::kNone;
    auto reply = Exchange(deadline, timeout, failure);
    if (!reply.ok() && reused && (failure == Failure::kWrite || failure == Failure::kReadBeforeAnswer)) {
      // The server closed the kept connection as the request went out; see the header.
      ++stats.resends;
      VGI_RETURN_IF_ERROR(Connect(deadline, timeout));
      return Exchange(deadline, timeout, failure);
    }
    return reply;
  }
};

HttpsConnection::HttpsConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpsConnection::~HttpsConnection() {
  try {
    impl_->GracefulClose();
  } catch (...) {  // NOLINT: a destructor must not throw; the socket closes with the object anyway
  }
}

Result<std::unique_ptr<HttpsConnection>> HttpsConnection::Create(const Url& url, const TlsOptions& tls) {
  VGI_ASSIGN_OR_RETURN(std::shared_ptr<TlsClientContext> context, TlsClientContext::Create(tls));
  return Create(url, std::move(context));
}

Result<std::unique_ptr<HttpsConnection>> HttpsConnection::Create(const Url& url,
                                                                 std::shared_ptr<TlsClientContext> tls) {
  if (tls == nullptr) return Status::Invalid("HttpsConnection: no TLS context given");
  if (url.host.empty() || url.port == 0) return Status::Invalid("HttpsConnection: the URL needs a host and a port");
  try {
    auto impl = std::make_unique<Impl>();
    impl->url = url;
    impl->authority = url.Authority();
    impl->verify_name = tls->options().server_name.empty() ? url.host : tls->options().server_name;
    impl->tls = std::move(tls);
    impl->request.version(11);
    impl->request.set(http::field::host, impl->authority);
    impl->request.set(http::field::user_agent, beast::string_view(kUserAgent.data(), kUserAgent.size()));
    impl->request.keep_alive(true);
    return std::unique_ptr<HttpsConnection>(new HttpsConnection(std::move(impl)));
  } catch (const std::exception& e) {
    return Status::Internal(std::string("HttpsConnection: ") + e.what());
  }
}

Result<HttpReply> HttpsConnection::Post(std::string_view path, std::string_view body, std::string_view authorization,
                                        std::chrono::milliseconds timeout) {
  try {
    return impl_->Call(http::verb::post, path, body, authorization, timeout);
  } catch (const std::exception& e) {
    impl_->Drop();
    return Status::Internal("POST " + std::string(path.substr(0, 200)) + " at " + impl_->authority + ": " + e.what());
  }
}

Result<HttpReply> HttpsConnection::Get(std::string_view path, std::chrono::milliseconds timeout) {
  try {
    return impl_->Call(http::verb::get, path, {}, {}, timeout);
  } catch (const std::exception& e) {
    impl_->Drop();
    return Status::Internal("GET " + std::string(path.substr(0, 200)) + " at " + impl_->authority + ": " + e.what());
  }
}

Status HttpsConnection::Connect(std::chrono::milliseconds timeout) {
  try {
    if (impl_->connected && !impl_->PeerLeft()) return Status::Ok();
    return impl_->Connect(std::chrono::steady_clock::now() + timeout, timeout);
  } catch (const std::exception& e) {
    impl_->Drop();
    return Status::Internal("connecting to " + impl_->authority + ": " + e.what());
  }
}

void HttpsConnection::Close() {
  try {
    impl_->GracefulClose();
  } catch (const std::exception&) {
    impl_->stream.reset();
    impl_->connected = false;
  }
}

const Url& HttpsConnection::url() const {
  return impl_->url;
}
bool HttpsConnection::connected() const {
  return impl_->connected;
}
HttpsConnection::Stats HttpsConnection::stats() const {
  return impl_->stats;
}

}  // namespace vgi::client
