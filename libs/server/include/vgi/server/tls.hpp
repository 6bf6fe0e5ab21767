#pragma once
// TLS for the server and clients: TLS 1.2 and 1.3 only, Mozilla "intermediate" cipher list
// (ECDHE + AES-GCM / ChaCha20-Poly1305), server cipher preference off (as intermediate says).

#include <memory>
#include <string>

#include "vgi/base/status.hpp"

namespace boost::asio::ssl { class context; }

namespace vgi::server {

// An ssl::context configured for serving. Owns it.
class TlsContext {
 public:
  // Loads a PEM certificate chain and private key. Io/Invalid naming the file on failure.
  static Result<std::unique_ptr<TlsContext>> ForServer(const std::string& cert_file,
                                                       const std::string& key_file);
  ~TlsContext();
  boost::asio::ssl::context& native();

 private:
  TlsContext();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes a self-signed certificate (EC P-256, SAN DNS:localhost + IP:127.0.0.1 + `host` when it
// is an address or name, valid 825 days) and its key (file mode 0600) when both files are
// missing. Ok and does nothing when both exist; Invalid when only one exists (the message says
// which). Creates parent directories. Returns true when it created them.
Result<bool> EnsureSelfSignedCertificate(const std::string& cert_file, const std::string& key_file,
                                         const std::string& host);

}  // namespace vgi::server
