#include "vgi/server/tls.hpp"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace vgi::server {
namespace {

namespace ssl = boost::asio::ssl;
namespace fs = std::filesystem;

// Mozilla "intermediate" (v5.7) for TLS 1.2; TLS 1.3 keeps OpenSSL's default suites.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
constexpr const char* kGroups = "X25519:prime256v1:secp384r1";
constexpr long kValidityDays = 825;

// The reason of the first queued OpenSSL error, the specific one ("no start line" rather than
// the caller's "PEM lib"), and clears the queue.
std::string OpenSslReason() {
  const unsigned long first = ERR_get_error();
  ERR_clear_error();
  if (first == 0) return "unknown OpenSSL error";
  const char* reason = ERR_reason_error_string(first);
  return reason != nullptr ? reason : "OpenSSL error " + std::to_string(ERR_GET_REASON(first));
}

// Io when the file cannot be read at all, so that "missing" and "not PEM" read differently.
Status CheckReadable(const std::string& what, const std::string& file) {
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) {
    return Status::Io(what + " " + file + ": cannot open: " + std::strerror(errno) +
                      "; check the path in the configuration");
  }
  std::fclose(f);
  return Status::Ok();
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using UniqueFile = std::unique_ptr<std::FILE, FileCloser>;
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};

// Opens `file` for writing only if it does not exist yet (O_EXCL: never overwrites a key that
// appeared meanwhile), with `mode` regardless of the umask.
Result<UniqueFile> CreateExclusive(const std::string& file, mode_t mode) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Status::Io(file + ": cannot create: " + std::strerror(errno));
  if (::fchmod(fd, mode) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(file.c_str());
    return Status::Io(file + ": cannot set mode: " + std::strerror(err));
  }
  std::FILE* f = ::fdopen(fd, "wb");
  if (f == nullptr) {
    const int err = errno;
    ::close(fd);
    ::unlink(file.c_str());
    return Status::Io(file + ": cannot open stream: " + std::strerror(err));
  }
  return UniqueFile(f);
}

// fclose flushes: its failure (disk full) is a write failure.
Status Finish(UniqueFile file, const std::string& name, bool written) {
  const bool closed = std::fclose(file.release()) == 0;
  if (written && closed) return Status::Ok();
  ::unlink(name.c_str());
  return Status::Io(name + ": cannot write: " + (written ? std::strerror(errno) : OpenSslReason()));
}

Status CreateParent(const std::string& file) {
  const fs::path parent = fs::path(file).parent_path();
  if (parent.empty()) return Status::Ok();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return Status::Io(parent.string() + ": cannot create directory: " + ec.message());
  return Status::Ok();
}

// SAN entries: DNS:localhost, IP:127.0.0.1, and `host` as IP or DNS name.
Result<std::string> SubjectAltNames(const std::string& host) {
  std::string san = "DNS:localhost,IP:127.0.0.1";
  if (host.empty() || host == "localhost" || host == "127.0.0.1") return san;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (!ec) return san + ",IP:" + address.to_string();
  for (char c : host) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '*';
    if (!ok) {
      return Status::Invalid("tls host \"" + host +
                             "\": not an IP address or DNS name (letters, digits, '-', '.'); give the name "
                             "clients connect to");
    }
  }
  return san + ",DNS:" + host;
}

bool AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

Result<std::unique_ptr<X509, X509Free>> MakeCertificate(EVP_PKEY* key, const std::string& host,
                                                        const std::string& san) {
  std::unique_ptr<X509, X509Free> cert(X509_new());
  std::unique_ptr<BIGNUM, BnFree> serial(BN_new());
  const std::string cn = host.empty() ? "localhost" : host;
  bool ok = cert && serial && X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
            BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr &&
            X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
            X509_time_adj_ex(X509_getm_notAfter(cert.get()), kValidityDays, 0, nullptr) != nullptr &&
            X509_set_pubkey(cert.get(), key) == 1;
  if (ok) {
    X509_NAME* name = X509_get_subject_name(cert.get());
    ok = X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("vgi"), -1, -1,
                                    0) == 1 &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                                    -1, 0) == 1 &&
         X509_set_issuer_name(cert.get(), name) == 1;
  }
  // A leaf, not a CA (browsers reject CA certificates used as a server's own).
  ok = ok && AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") &&
       AddExtension(cert.get(), NID_ext_key_usage, "serverAuth") &&
       AddExtension(cert.get(), NID_subject_key_identifier, "hash") &&
       AddExtension(cert.get(), NID_subject_alt_name, san) && X509_sign(cert.get(), key, EVP_sha256()) > 0;
  if (!ok) return Status::Internal("tls: cannot build the self-signed certificate: " + OpenSslReason());
  return cert;
}

}  // namespace

struct TlsContext::Impl {
  Impl() : ctx(ssl::context::tls_server) {}
  ssl::context ctx;
};

TlsContext::TlsContext() = default;
TlsContext::~TlsContext() = default;
boost::asio::ssl::context& TlsContext::native() {
  return impl_->ctx;
}

Result<std::unique_ptr<TlsContext>> TlsContext::ForServer(const std::string& cert_file, const std::string& key_file) {
  VGI_RETURN_IF_ERROR(CheckReadable("tls certificate", cert_file));
  VGI_RETURN_IF_ERROR(CheckReadable("tls key", key_file));
  std::unique_ptr<TlsContext> tls(new TlsContext());
  try {
    tls->impl_ = std::make_unique<Impl>();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("tls: cannot create the OpenSSL context: ") + e.what());
  }
  ERR_clear_error();
  SSL_CTX* ctx = tls->impl_->ctx.native_handle();
  // No SSLv2/3, TLS 1.0/1.1 (the NO_ options as well, in case a config file lowers the minimum);
  // no compression (CRIME); no renegotiation (a DoS lever and needless with TLS 1.2+).
  SSL_CTX_set_options(ctx, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 |
                               SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_SINGLE_DH_USE |
                               SSL_OP_SINGLE_ECDH_USE);
  // Intermediate: the client's cipher order wins (every listed cipher is strong).
  SSL_CTX_clear_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 || SSL_CTX_set_max_proto_version(ctx, 0) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 || SSL_CTX_set1_groups_list(ctx, kGroups) != 1 ||
      SSL_CTX_set_dh_auto(ctx, 1) != 1) {
    return Status::Internal("tls: cannot configure protocols and ciphers: " + OpenSslReason());
  }
  // Resumption: stateless tickets (keys rotate with the process) plus the server-side cache.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  static constexpr unsigned char kSessionContext[] = "vgi";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  // Partial writes and moving buffers are what asio's SSL engine expects.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return Status::Invalid("tls certificate " + cert_file + ": " + OpenSslReason() +
                           "; it must be a PEM certificate chain, leaf first");
  }
  // Read apart from installing it, so that "not a key" and "not this certificate's key" differ.
  std::unique_ptr<EVP_PKEY, PkeyFree> key;
  if (std::FILE* f = std::fopen(key_file.c_str(), "rb")) {
    key.reset(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr));
    std::fclose(f);
  }
  if (!key) {
    return Status::Invalid("tls key " + key_file + ": " + OpenSslReason() +
                           "; it must be an unencrypted PEM private key");
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return Status::Invalid("tls key " + key_file + ": " + OpenSslReason() + "; it does not match certificate " +
                           cert_file);
  }
  return tls;
}

Result<bool> EnsureSelfSignedCertificate(const std::string& cert_file, const std::string& key_file,
                                         const std::string& host) {
  std::error_code ec;
  const bool have_cert = fs::exists(cert_file, ec);
  const bool have_key = fs::exists(key_file, ec);
  if (have_cert && have_key) return false;
  if (have_cert) {
    return Status::Invalid("tls key " + key_file + " is missing but certificate " + cert_file +
                           " exists; restore the key or remove the certificate to generate a new pair");
  }
  if (have_key) {
    return Status::Invalid("tls certificate " + cert_file + " is missing but key " + key_file +
                           " exists; restore the certificate or remove the key to generate a new pair");
  }
  VGI_ASSIGN_OR_RETURN(const std::string san, SubjectAltNames(host));
  VGI_RETURN_IF_ERROR(CreateParent(key_file));
  VGI_RETURN_IF_ERROR(CreateParent(cert_file));

  ERR_clear_error();
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
  if (!key) return Status::Internal("tls: cannot generate an EC P-256 key: " + OpenSslReason());
  VGI_ASSIGN_OR_RETURN(auto cert, MakeCertificate(key.get(), host, san));

  // Key first, so that a crash in between leaves "certificate missing", which the next run
  // reports instead of silently pairing a new certificate with nothing.
  {
    VGI_ASSIGN_OR_RETURN(UniqueFile f, CreateExclusive(key_file, 0600));
    const bool written = PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
    VGI_RETURN_IF_ERROR(Finish(std::move(f), key_file, written));
  }
  auto cert_out = CreateExclusive(cert_file, 0644);
  Status status = cert_out.status();
  if (cert_out.ok()) {
    const bool written = PEM_write_X509(cert_out->get(), cert.get()) == 1;
    status = Finish(std::move(*cert_out), cert_file, written);
  }
  if (!status.ok()) {
    ::unlink(key_file.c_str());  // never leave half a pair behind
    return status;
  }
  return true;
}

}  // namespace vgi::server
