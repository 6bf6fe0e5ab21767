#pragma once
// HttpsConnection: one keep-alive HTTPS (HTTP/1.1) connection to one server, synchronous, with a
// deadline per call. The transport under ProtocolClient, `vgi bench` and the grid's own calls to
// operators.
//
// TLS: 1.2 and 1.3 only, the same Mozilla "intermediate" ciphers the server offers (ECDHE with
// AES-GCM or ChaCha20-Poly1305; TLS 1.3's three AEAD suites). The peer's certificate chain and
// name are checked unless verify_peer is off. IP-address names are checked against the
// certificate's IP SANs and sent without SNI (RFC 6066 forbids IP literals there).
//
// Connection reuse and the one resend. A connection is opened on the first call and kept for the
// next ones. Before a kept connection is reused it is checked: when the server has closed it
// meanwhile (idle timeout, restart), it is reopened first and nothing is resent. If the server
// closes it in the instant the request is written (the request was written, or writing failed,
// and the connection ended before the first byte of an answer), the connection is reopened and
// the same bytes are sent once more. That resend is safe here: every POST of this protocol is
// idempotent by design (a resend overwrites the same minute, page or instruction), and a
// responder that did process the first copy refuses the identical second one as a replay
// (Ret 4009) rather than acting twice. A call on a freshly opened connection is never resent,
// and nothing is resent after a timeout or once any byte of the answer arrived.
//
// Errors (never with the Authorization value in them):
//  - cannot resolve, connect or complete TLS   -> Unavailable naming host:port, the cause and
//                                                 what to do (e.g. "pass the server's CA with ca_file")
//  - the call's deadline passed                -> DeadlineExceeded
//  - connection lost mid-answer, malformed HTTP -> Unavailable
// Any HTTP status is a reply, not an error, here (ProtocolClient decides what a non-200 means).
//
// Thread safety: HttpsConnection is not thread-safe: use one per thread. TlsClientContext is
// immutable after Create and may be shared by any number of connections on any threads.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "vgi/base/status.hpp"
#include "vgi/client/url.hpp"

namespace vgi::client {

struct TlsOptions {
  // Check the server's certificate chain and name. Off only for tests and lab set-ups.
  bool verify_peer = true;
  // PEM file with the CA certificate(s) to trust; empty = the system store (/etc/ssl/certs).
  std::string ca_file;
  // The name sent as SNI and checked against the certificate; empty = the URL's host.
  std::string server_name;
};

// The TLS settings (an OpenSSL SSL_CTX) shared by connections.
class TlsClientContext {
 public:
  // Loads the CA file (or the system store). Invalid naming ca_file and the reason when it cannot
  // be read as PEM certificates.
  static Result<std::shared_ptr<TlsClientContext>> Create(const TlsOptions& options);
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  [[nodiscard]] const TlsOptions& options() const;

  struct Impl;
  // For the connection implementation only (holds the boost::asio::ssl::context).
  [[nodiscard]] Impl& impl() const { return *impl_; }

 private:
  explicit TlsClientContext(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct HttpReply {
  int status = 0;
  std::string body;
};

class HttpsConnection {
 public:
  // A response body larger than this is refused (Unavailable): the protocol's own limit on a
  // whole message (proto::Limits::max_body_bytes).
  static constexpr std::size_t kMaxResponseBytes = std::size_t{16} << 20;

  // No I/O yet (the first call connects), except loading ca_file when given TlsOptions.
  static Result<std::unique_ptr<HttpsConnection>> Create(const Url& url, const TlsOptions& tls);
  static Result<std::unique_ptr<HttpsConnection>> Create(const Url& url, std::shared_ptr<TlsClientContext> tls);
  ~HttpsConnection();  // sends TLS close_notify on an open connection (waits at most 100 ms)
  HttpsConnection(const HttpsConnection&) = delete;
  HttpsConnection& operator=(const HttpsConnection&) = delete;

  // POST `body` to `path` (the full target, e.g. "/evcs/v1/send_station_power_1440") with
  // Content-Type application/json; charset=utf-8. `authorization` is sent as the Authorization
  // header when not empty. `timeout` bounds the whole call: connecting, TLS, writing, the answer,
  // and the one resend described above.
  Result<HttpReply> Post(std::string_view path, std::string_view body, std::string_view authorization,
                         std::chrono::milliseconds timeout);
  Result<HttpReply> Get(std::string_view path, std::chrono::milliseconds timeout);

  // Opens the connection now if it is not open (e.g. to fail early on a wrong CA).
  Status Connect(std::chrono::milliseconds timeout);
  // Closes the connection (with close_notify); the next call opens a new one.
  void Close();

  [[nodiscard]] const Url& url() const;
  [[nodiscard]] bool connected() const;

  struct Stats {
    std::uint64_t connects = 0;  // TCP+TLS connections opened
    std::uint64_t resends = 0;   // requests sent a second time after the server closed
    std::uint64_t requests = 0;  // calls that got an HTTP answer
  };
  [[nodiscard]] Stats stats() const;

 private:
  struct Impl;
  explicit HttpsConnection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vgi::client
