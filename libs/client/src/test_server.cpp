#include "test_server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <list>
#include <thread>

#include "vgi/proto/codec.hpp"
#include "vgi/testing/fake_random.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::client::test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "test_server: %s\n", what.c_str());
  std::abort();
}

template <class T>
T Must(Result<T> result, const char* what) {
  if (!result.ok()) Die(std::string(what) + ": " + result.status().ToString());
  return std::move(result).value();
}

// ---- certificates ----

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* x) const { X509_free(x); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) Die("cannot add a certificate extension");
  X509_EXTENSION_free(ext);
}

CertPtr MakeCert(EVP_PKEY* key, std::string_view common_name, X509* issuer, EVP_PKEY* issuer_key, long serial) {
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn(common_name);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (issuer == nullptr) {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    AddExtension(cert.get(), signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) Die("cannot sign");
  return cert;
}

Pem ToPem(X509* cert, EVP_PKEY* key) {
  Pem out;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  out.cert.assign(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  n = BIO_get_mem_data(bio, &data);
  out.key.assign(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

}  // namespace

TestPki MakeTestPki(std::string_view ca_name) {
  KeyPtr ca_key(EVP_EC_gen("P-256"));
  KeyPtr server_key(EVP_EC_gen("P-256"));
  if (!ca_key || !server_key) Die("cannot generate EC keys");
  CertPtr ca = MakeCert(ca_key.get(), ca_name, nullptr, nullptr, 1);
  CertPtr server = MakeCert(server_key.get(), "localhost", ca.get(), ca_key.get(), 2);
  return TestPki{ToPem(ca.get(), ca_key.get()), ToPem(server.get(), server_key.get())};
}

// ---- temp dir, gate ----

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "vgi-client-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) Die("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::Write(const std::string& name, std::string_view content) const {
  const std::string file = path_ + "/" + name;
  std::ofstream out(file, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) Die("cannot write " + file);
  return file;
}

const SharedPki& GetSharedPki() {
  static const SharedPki pki;
  return pki;
}

void Gate::Open() const {
  std::lock_guard lock(state_->mu);
  state_->open = true;
  state_->cv.notify_all();
}

void Gate::Wait() const {
  const std::shared_ptr<State> state = state_;
  std::unique_lock lock(state->mu);
  state->cv.wait(lock, [&] { return state->open; });
}

// ---- HTTPS server ----

struct TestHttpsServer::Impl {
  struct Conn {
    std::thread thread;
    int fd = -1;
    bool open = true;
  };

  net::io_context ioc;  // sockets only; every operation here is blocking
  net::ssl::context ssl{net::ssl::context::tls_server};
  tcp::acceptor acceptor{ioc};
  ServerHandler handler;
  std::uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> handshake_failures{0};
  std::atomic<std::uint64_t> requests{0};
  std::thread accept_thread;
  std::mutex mu;
  std::list<Conn> conns;
  mutable std::mutex closed_mu;
  mutable std::condition_variable closed_cv;
  std::uint64_t closed = 0;

  void AcceptLoop() {
    while (true) {
      tcp::socket socket(ioc);
      boost::system::error_code ec;
      acceptor.accept(socket, ec);
      if (stopping) return;
      if (ec) continue;
      std::lock_guard lock(mu);
      Conn& conn = conns.emplace_back();
      conn.fd = socket.native_handle();
      conn.thread = std::thread([this, &conn, s = std::move(socket)]() mutable { Serve(conn, std::move(s)); });
    }
  }

  void Serve(Conn& conn, tcp::socket socket) {
    net::ssl::stream<tcp::socket> stream(std::move(socket), ssl);
    ServeLoop(stream);
    // Marked closed before the descriptor is, so Stop never shuts down a reused descriptor.
    std::lock_guard lock(mu);
    conn.open = false;
  }

  void ServeLoop(net::ssl::stream<tcp::socket>& stream) {
    boost::system::error_code ec;
    stream.handshake(net::ssl::stream_base::server, ec);
    if (ec) {
      ++handshake_failures;
      return;
    }
    const std::uint64_t id = ++connections;
    beast::flat_buffer buffer;
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64u << 20);
      http::read(stream, buffer, parser, ec);
      if (ec == http::error::end_of_stream) {
        stream.shutdown(ec);
        return;
      }
      if (ec) return;
      ++requests;
      auto& req = parser.get();
      ServerRequest request{std::string(req.method_string()),
                            std::string(req.target()),
                            std::string(req[http::field::authorization]),
                            std::string(req[http::field::content_type]),
                            std::move(req.body()),
                            id};
      ServerReply reply = handler(request);
      if (reply.drop) {
        stream.next_layer().shutdown(tcp::socket::shutdown_both, ec);
        return;
      }
      http::response<http::string_body> res;
      res.version(11);
      res.result(static_cast<unsigned>(reply.status));
      res.set(http::field::content_type, "application/json; charset=utf-8");
      res.keep_alive(req.keep_alive());
      res.body() = std::move(reply.body);
      res.prepare_payload();
      http::write(stream, res, ec);
      if (ec) return;
      if (reply.close_after) {
        CloseWithFin(stream.next_layer());
        return;
      }
      if (reply.close_notify_after || !req.keep_alive()) {
        stream.shutdown(ec);
        return;
      }
    }
  }

  // Sends a FIN and waits until the peer's kernel acknowledged it (FIN_WAIT2), or the peer is gone.
  void CloseWithFin(tcp::socket& socket) {
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
    for (int i = 0; i < 10'000 && !ec && !stopping; ++i) {
      tcp_info info{};
      socklen_t size = sizeof(info);
      if (getsockopt(socket.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &size) != 0) break;
      if (info.tcpi_state != TCP_FIN_WAIT1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::lock_guard lock(closed_mu);
    ++closed;
    closed_cv.notify_all();
  }

  void Stop() {
    stopping = true;
    {  // wakes the blocking accept
      tcp::socket wake(ioc);
      boost::system::error_code ec;
      wake.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    }
    if (accept_thread.joinable()) accept_thread.join();
    {
      std::lock_guard lock(mu);
      for (Conn& c : conns) {
        if (c.open) ::shutdown(c.fd, SHUT_RDWR);
      }
    }
    for (Conn& c : conns) c.thread.join();
  }
};

TestHttpsServer::TestHttpsServer(const Pem& certificate, ServerHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  SSL_CTX_set_min_proto_version(impl_->ssl.native_handle(), TLS1_2_VERSION);
  impl_->ssl.use_certificate_chain(net::buffer(certificate.cert));
  impl_->ssl.use_private_key(net::buffer(certificate.key), net::ssl::context::pem);
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept_thread = std::thread([this] { impl_->AcceptLoop(); });
}

TestHttpsServer::~TestHttpsServer() {
  impl_->Stop();
}

std::uint16_t TestHttpsServer::port() const {
  return impl_->port;
}
std::string TestHttpsServer::base_url(std::string_view prefix) const {
  return "https://127.0.0.1:" + std::to_string(impl_->port) + std::string(prefix);
}
std::uint64_t TestHttpsServer::connections() const {
  return impl_->connections;
}
std::uint64_t TestHttpsServer::handshake_failures() const {
  return impl_->handshake_failures;
}
std::uint64_t TestHttpsServer::requests() const {
  return impl_->requests;
}
void TestHttpsServer::WaitClosed(std::uint64_t n) const {
  std::unique_lock lock(impl_->closed_mu);
  impl_->closed_cv.wait(lock, [&] { return impl_->closed >= n; });
}

std::uint16_t UnusedPort() {
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// ---- plain HTTP server ----

struct PlainHttpServer::Impl {
  net::io_context ioc;
  tcp::acceptor acceptor{ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)};
  std::thread thread;
};

PlainHttpServer::PlainHttpServer() : impl_(std::make_unique<Impl>()) {
  impl_->thread = std::thread([impl = impl_.get()] {
    tcp::socket socket(impl->ioc);
    boost::system::error_code ec;
    impl->acceptor.accept(socket, ec);
    if (ec) return;
    char buf[4096];
    socket.read_some(net::buffer(buf), ec);  // the ClientHello
    const std::string_view answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    net::write(socket, net::buffer(answer.data(), answer.size()), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
  });
}

PlainHttpServer::~PlainHttpServer() {
  {  // in case nobody connected
    tcp::socket wake(impl_->ioc);
    boost::system::error_code ec;
    wake.connect(impl_->acceptor.local_endpoint(), ec);
  }
  impl_->thread.join();
}

std::uint16_t PlainHttpServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

// ---- protocol responder ----

namespace {

proto::KeySet IssueKeys() {
  vgi::testing::FakeRandom random(7);
  return proto::GenerateKeySet(random);
}

proto::KeySet WithOtherSigSecret(proto::KeySet keys) {
  keys.sig_secret = std::string(64, 'F');
  return keys;
}

}  // namespace

TestResponder::TestResponder(const Clock& clock, std::string operator_id)
    : clock_(clock),
      operator_id_(std::move(operator_id)),
      keys_(IssueKeys()),
      prepared_(Must(proto::PreparedKeys::Create(keys_), "keys")),
      wrong_sig_keys_(Must(proto::PreparedKeys::Create(WithOtherSigSecret(keys_)), "keys")),
      authority_(Must(proto::TokenAuthority::Create({proto::TokenKey{"k1", std::string(48, 'k')}}, clock, &revocations),
                      "token authority")),
      replay_(clock) {}

void TestResponder::Hold(std::shared_ptr<Gate> gate) {
  std::lock_guard lock(mu_);
  hold_ = std::move(gate);
}

std::vector<std::string> TestResponder::data_seen() const {
  std::lock_guard lock(mu_);
  return data_seen_;
}

std::vector<std::string> TestResponder::bearers_seen() const {
  std::lock_guard lock(mu_);
  return bearers_seen_;
}

ServerReply TestResponder::Answer(proto::Ret ret, std::string_view msg, std::string_view data_json) {
  proto::WireProfile profile;
  if (example_dialect) profile.response_dialect = proto::ResponseDialect::kExample;
  ServerReply reply;
  reply.body = proto::SealResponse(ret, msg, data_json, wrong_sig ? wrong_sig_keys_ : prepared_, profile, clock_);
  reply.close_after = close_after;
  return reply;
}

ServerReply TestResponder::Handle(const ServerRequest& request) {
  std::shared_ptr<Gate> hold;
  {
    std::lock_guard lock(mu_);
    hold = hold_;
  }
  if (hold != nullptr) hold->Wait();
  if (http_status != 200) return ServerReply{http_status, "<html>busy</html>"};
  if (unsigned_refusal) {  // what the grid answers a caller it has no keys for (proto::UnsignedResponse)
    return ServerReply{200, R"({"Ret":4009,"Msg":"OperatorID: 123456789 is not registered","Data":"","Sig":""})"};
  }
  constexpr std::string_view kPrefix = "/evcs/v1/";
  const std::string_view target = request.target;
  const proto::InterfaceInfo* info =
      target.substr(0, kPrefix.size()) == kPrefix ? proto::FindInterface(target.substr(kPrefix.size())) : nullptr;
  if (info == nullptr || request.method != "POST") return ServerReply{404, "no such interface"};

  if (info->needs_token) {
    ++calls;
    std::lock_guard lock(mu_);
    bearers_seen_.push_back(request.authorization);
  }
  auto envelope = proto::ParseRequestEnvelope(request.body);
  if (!envelope.ok()) return Answer(proto::RetFor(envelope.status()), envelope.status().message(), "");
  if (envelope->operator_id != operator_id_) return Answer(proto::Ret::kAuthFailed, "OperatorID: unknown", "");
  if (info->needs_token) {
    constexpr std::string_view kBearer = "Bearer ";
    const std::string_view auth = request.authorization;
    if (auth.substr(0, kBearer.size()) != kBearer) return Answer(proto::Ret::kAuthFailed, "token: missing", "");
    if (Status s = authority_.Validate(auth.substr(kBearer.size()), envelope->operator_id); !s.ok()) {
      return Answer(proto::Ret::kAuthFailed, s.message(), "");
    }
    if (refuse_auth > 0) {
      --refuse_auth;
      return Answer(proto::Ret::kAuthFailed, "token: refused by the test", "");
    }
  }
  proto::WireProfile profile;
  auto json = proto::OpenRequest(*envelope, prepared_, profile, clock_, &replay_);
  if (!json.ok()) return Answer(proto::RetFor(json.status()), json.status().message(), "");

  if (info->id == proto::Interface::kQueryToken) {
    auto token_request = proto::DecodeData<proto::TokenRequest>(*json);
    if (!token_request.ok()) return Answer(proto::RetFor(token_request.status()), token_request.status().message(), "");
    proto::TokenResponse response;
    response.operator_id = envelope->operator_id;
    if (token_request->operator_id != envelope->operator_id ||
        !prepared_.CheckOperatorSecret(token_request->operator_secret)) {
      response.code = 1;
      response.message = "OperatorSecret: does not match the one the grid issued";
      return Answer(proto::Ret::kAuthFailed, "authentication failed", proto::EncodeData(response));
    }
    const auto issued = authority_.Issue(envelope->operator_id);
    response.access_token = issued.token;
    response.token_available_time = issued.available.count();
    ++token_requests;
    return Answer(proto::Ret::kOk, proto::DefaultMsg(proto::Ret::kOk), proto::EncodeData(response));
  }

  if (const int ret = answer_ret; ret != 0) {
    if (answer_ret_times > 0 && --answer_ret_times == 0) answer_ret = 0;
    return Answer(static_cast<proto::Ret>(ret), "refused by the test", "");
  }
  {
    std::lock_guard lock(mu_);
    data_seen_.push_back(*json);
  }
  ++accepted;
  const std::string data = info->id == proto::Interface::kQueryTaskResult
                               ? proto::EncodeData(vgi::testing::SampleInstructionResult())
                               : std::string();
  return Answer(proto::Ret::kOk, proto::DefaultMsg(proto::Ret::kOk), data);
}

}  // namespace vgi::client::test
