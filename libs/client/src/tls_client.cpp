#include "tls_client.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <filesystem>
#include <system_error>

namespace vgi::client {
namespace {

// Mozilla "intermediate" (v5.7), ECDHE only, as the server: forward secrecy and AEAD ciphers.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";

// The reason of OpenSSL's most recent queued error, and clears the queue.
std::string TakeOpenSslError() {
  unsigned long last = 0;
  while (unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return "unknown OpenSSL error";
  const char* reason = ERR_reason_error_string(last);
  return reason != nullptr ? reason : "OpenSSL error " + std::to_string(last);
}

Status LoadCaFile(SSL_CTX* ctx, const std::string& path) {
  std::error_code fs_error;
  if (!std::filesystem::is_regular_file(path, fs_error)) {
    return Status::Invalid("ca_file \"" + path + "\": no such file; pass a PEM file with the server's CA certificate");
  }
  ERR_clear_error();
  if (SSL_CTX_load_verify_locations(ctx, path.c_str(), nullptr) != 1) {
    return Status::Invalid("ca_file \"" + path + "\": cannot be read as PEM certificates (" + TakeOpenSslError() +
                           "); pass a PEM file with the server's CA certificate");
  }
  return Status::Ok();
}

}  // namespace

TlsClientContext::TlsClientContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsClientContext::~TlsClientContext() = default;
const TlsOptions& TlsClientContext::options() const {
  return impl_->options;
}

Result<std::shared_ptr<TlsClientContext>> TlsClientContext::Create(const TlsOptions& options) {
  std::unique_ptr<Impl> impl;
  try {
    impl = std::make_unique<Impl>();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("TLS: cannot create an OpenSSL context: ") + e.what());
  }
  impl->options = options;
  SSL_CTX* ctx = impl->ssl.native_handle();
  ERR_clear_error();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 || SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1 || SSL_CTX_set1_groups_list(ctx, kGroups) != 1) {
    return Status::Internal("TLS: OpenSSL refused the protocol/cipher settings: " + TakeOpenSslError());
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  // Sessions are kept per connection (HttpsConnection resumes its own), not in a shared cache.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);

  if (options.verify_peer) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (options.ca_file.empty()) {
      if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        return Status::Internal("TLS: cannot load the system CA store: " + TakeOpenSslError() +
                                "; pass the server's CA with ca_file");
      }
    } else {
      VGI_RETURN_IF_ERROR(LoadCaFile(ctx, options.ca_file));
    }
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  return std::shared_ptr<TlsClientContext>(new TlsClientContext(std::move(impl)));
}

Status PrepareSsl(SSL* ssl, const std::string& name, const TlsOptions& options) {
  const bool ip = IsIpAddress(name);
  ERR_clear_error();
  // RFC 6066: SNI carries DNS names only.
  if (!ip && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
    return Status::Invalid("TLS: \"" + name + "\" cannot be sent as the server name (SNI): " + TakeOpenSslError());
  }
  if (!options.verify_peer) return Status::Ok();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  const int ok =
      ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) : X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
  if (ok != 1)
    return Status::Invalid("TLS: \"" + name + "\" cannot be checked against certificates: " + TakeOpenSslError());
  if (!ip) X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return Status::Ok();
}

std::string DescribeHandshakeFailure(SSL* ssl, const boost::system::error_code& ec, std::string_view authority,
                                     const std::string& name, const TlsOptions& options) {
  std::string out = "TLS handshake with " + std::string(authority) + " failed: ";
  const long verify = ssl != nullptr ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (options.verify_peer && verify != X509_V_OK) {
    out += "certificate verify failed (";
    out += X509_verify_cert_error_string(verify);
    out += ") — ";
    switch (verify) {
      case X509_V_ERR_HOSTNAME_MISMATCH:
      case X509_V_ERR_IP_ADDRESS_MISMATCH:
        out += "the certificate is not issued to \"" + name +
               "\"; connect with a name the certificate lists, or set server_name to one";
        break;
      case X509_V_ERR_CERT_HAS_EXPIRED:
      case X509_V_ERR_CERT_NOT_YET_VALID:
        out += "the server must renew its certificate (or this machine's clock is wrong)";
        break;
      default:
        if (options.ca_file.empty()) {
          out += "pass the server's CA with ca_file";
        } else {
          out += "ca_file \"" + options.ca_file + "\" does not hold the CA that signed the server's certificate";
        }
    }
    return out;
  }
  if (ec == boost::asio::ssl::error::stream_truncated || ec == boost::asio::error::eof ||
      ec == boost::asio::error::connection_reset) {
    return out +
           "the server closed the connection during the handshake — it must speak TLS 1.2 or 1.3 with "
           "ECDHE and AES-GCM or ChaCha20 ciphers on this port";
  }
  out += ec.message();
  if (ec.category() == boost::asio::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_WRONG_VERSION_NUMBER) {
    out += " — is the server speaking plain HTTP or an old TLS version on this port?";
  } else {
    out += " — the server must speak TLS 1.2 or 1.3 with ECDHE and AES-GCM or ChaCha20 ciphers";
  }
  return out;
}

}  // namespace vgi::client
