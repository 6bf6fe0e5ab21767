#pragma once
// Test-only: certificates made on the fly, a small blocking HTTPS server on loopback port 0 (one
// thread per connection), and a protocol responder built on libs/proto that plays the peer a
// ProtocolClient talks to. Nothing here is part of the library.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "vgi/base/clock.hpp"
#include "vgi/proto/envelope.hpp"
#include "vgi/proto/keys.hpp"
#include "vgi/proto/replay_guard.hpp"
#include "vgi/proto/token.hpp"
#include "vgi/proto/wire_profile.hpp"

namespace vgi::client::test {

struct Pem {
  std::string cert;
  std::string key;
};

// A CA and a server certificate it signed (EC P-256; SAN IP:127.0.0.1 and DNS:localhost).
struct TestPki {
  Pem ca;
  Pem server;
};
TestPki MakeTestPki(std::string_view ca_name);

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Writes `content` to `name` in the directory and returns the file's path.
  std::string Write(const std::string& name, std::string_view content) const;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One PKI for the whole test binary: the CA that signed the server certificate (also written to
// ca_file), and another CA that did not (wrong_ca_file), whose own server certificate is `other`.
struct SharedPki {
  TestPki trusted = MakeTestPki("vgi test CA");
  TestPki other = MakeTestPki("some other CA");
  TempDir dir;
  std::string ca_file = dir.Write("ca.pem", trusted.ca.cert);
  std::string wrong_ca_file = dir.Write("other-ca.pem", other.ca.cert);
};
const SharedPki& GetSharedPki();

// A gate a server handler can wait on; opening it (or destroying it) lets waiters go. A waiter
// keeps the gate's state alive, so the Gate may be destroyed while a waiter wakes up.
class Gate {
 public:
  Gate() : state_(std::make_shared<State>()) {}
  ~Gate() { Open(); }
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;
  void Open() const;
  void Wait() const;

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
  };
  std::shared_ptr<State> state_;
};

struct ServerRequest {
  std::string method;
  std::string target;
  std::string authorization;
  std::string content_type;
  std::string body;
  std::uint64_t connection = 0;  // 1 for the first connection accepted, 2 for the next, ...
};

struct ServerReply {
  int status = 200;
  std::string body;
  // Close the connection after answering, unannounced (the answer says keep-alive): with a TCP FIN
  // and no TLS goodbye, as a Beast server's idle timer does. Counted in closed() once the
  // client's kernel acknowledged the FIN, so a test can wait until the client can see it.
  bool close_after = false;
  // The same with a TLS close_notify first (the server then waits for the client's goodbye).
  bool close_notify_after = false;
  bool drop = false;  // close the connection (TCP, no TLS goodbye) without answering
};

using ServerHandler = std::function<ServerReply(const ServerRequest&)>;

// Serves every request with `handler` (called on the connection's thread). Stops in the
// destructor; a handler blocked on a Gate must be released first (declare the Gate after the
// server so it is destroyed, and opened, before).
class TestHttpsServer {
 public:
  TestHttpsServer(const Pem& certificate, ServerHandler handler);
  ~TestHttpsServer();
  TestHttpsServer(const TestHttpsServer&) = delete;
  TestHttpsServer& operator=(const TestHttpsServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  // "https://127.0.0.1:<port>" + prefix.
  [[nodiscard]] std::string base_url(std::string_view prefix = "/evcs/v1") const;
  [[nodiscard]] std::uint64_t connections() const;  // completed TLS handshakes
  [[nodiscard]] std::uint64_t handshake_failures() const;
  [[nodiscard]] std::uint64_t requests() const;  // requests read (answered or not)
  // Blocks until `n` connections were closed by close_after (see ServerReply).
  void WaitClosed(std::uint64_t n) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// A port on 127.0.0.1 that nothing listens on (bound, then released).
std::uint16_t UnusedPort();

// Accepts one TCP connection on 127.0.0.1 and answers in plain HTTP (not TLS).
class PlainHttpServer {
 public:
  PlainHttpServer();
  ~PlainHttpServer();
  [[nodiscard]] std::uint16_t port() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The responder side of the protocol at "/evcs/v1/<interface>": query_token issues tokens
// (TokenAuthority on the given clock) for the OperatorSecret in keys(); every other interface
// checks the bearer token, opens the request (signature, freshness, replay), records its Data and
// answers Ret 0 (query_task_result with SampleInstructionResult()). Thread-safe.
class TestResponder {
 public:
  explicit TestResponder(const Clock& clock, std::string operator_id = "123456789");

  ServerReply Handle(const ServerRequest& request);

  // The key set the responder issued to its caller.
  [[nodiscard]] const proto::KeySet& keys() const { return keys_; }
  [[nodiscard]] const std::string& operator_id() const { return operator_id_; }

  // Knobs (set before the call they should affect).
  std::atomic<int> refuse_auth{0};       // answer this many token-carrying requests with 4009
  std::atomic<bool> wrong_sig{false};    // sign answers with another SigSecret
  std::atomic<int> http_status{200};     // answer with this HTTP status and an HTML body
  std::atomic<bool> close_after{false};  // close each connection after answering
  std::atomic<bool> example_dialect{false};
  std::atomic<bool> unsigned_refusal{false};  // answer as to an unknown caller: Ret 4009, empty Sig
  // Answer opened token-carrying calls with this Ret (signed; 0 = normal answers), for
  // `answer_ret_times` calls (0 = until changed).
  std::atomic<int> answer_ret{0};
  std::atomic<int> answer_ret_times{0};
  void Hold(std::shared_ptr<Gate> gate);  // every request waits for the gate (null: none)
  proto::MemoryTokenRevocations revocations;

  // What it saw.
  std::atomic<int> token_requests{0};                           // query_token requests answered with a token
  std::atomic<int> calls{0};                                    // token-carrying requests that reached the handler
  std::atomic<int> accepted{0};                                 // ... and were answered Ret 0
  [[nodiscard]] std::vector<std::string> data_seen() const;     // Data JSON of accepted calls
  [[nodiscard]] std::vector<std::string> bearers_seen() const;  // Authorization of every call

 private:
  ServerReply Answer(proto::Ret ret, std::string_view msg, std::string_view data_json);

  const Clock& clock_;
  std::string operator_id_;
  proto::KeySet keys_;
  proto::PreparedKeys prepared_;
  proto::PreparedKeys wrong_sig_keys_;
  proto::TokenAuthority authority_;
  proto::MemoryReplayGuard replay_;
  mutable std::mutex mu_;
  std::shared_ptr<Gate> hold_;
  std::vector<std::string> data_seen_;
  std::vector<std::string> bearers_seen_;
};

}  // namespace vgi::client::test
