#pragma once
// Private: the OpenSSL side of the client's TLS (context settings, per-connection name checks
// and readable handshake failures). Used by https_connection.cpp.

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <string>
#include <string_view>

#include "vgi/client/https_connection.hpp"

namespace vgi::client {

struct TlsClientContext::Impl {
  TlsOptions options;
  boost::asio::ssl::context ssl{boost::asio::ssl::context::tls_client};
};

// Sets SNI (for DNS names only) and the name the certificate must carry on a new connection's
// SSL. `name` is TlsOptions::server_name or the URL's host.
Status PrepareSsl(SSL* ssl, const std::string& name, const TlsOptions& options);

// "TLS handshake with <authority> failed: <why> — <what to do>", from the handshake's error code
// and the SSL's verification result.
std::string DescribeHandshakeFailure(SSL* ssl, const boost::system::error_code& ec, std::string_view authority,
                                     const std::string& name, const TlsOptions& options);

}  // namespace vgi::client
