#pragma once
// The base URL of a protocol peer: "https://<host>[:<port>]<path prefix>", e.g.
// "https://127.0.0.1:9443/evcs/v1". Interface paths are the prefix + "/" + the interface name.
//
// HTTPS only: the protocol carries bearer tokens and runs over TLS (protocol.md, Transport), so
// "http://" is refused rather than silently allowed for tests.
//
// Thread safety: values and pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include "vgi/base/status.hpp"

namespace vgi::client {

struct Url {
  std::string host;  // a DNS name or an IP address (IPv6 without brackets)
  std::uint16_t port = 443;
  std::string path_prefix;  // "" or "/..." without a trailing slash, e.g. "/evcs/v1"

  // "host:port" ("[::1]:9443" for IPv6), the form used in messages and in the Host header.
  [[nodiscard]] std::string Authority() const;
  // "https://" + Authority() + path_prefix.
  [[nodiscard]] std::string ToString() const;

  friend bool operator==(const Url&, const Url&) = default;
};

// Parses a base URL. Rules, each named in the Invalid message when broken:
//  - scheme "https://" (any case); "http://" and every other scheme are refused;
//  - host: a DNS name ([0-9A-Za-z.-]) or an IPv4 address or a bracketed IPv6 address; no
//    user-info ("user@");
//  - port: 1..65535, 443 when absent;
//  - path prefix: optional, no query ("?") or fragment ("#"), no spaces or control characters;
//    one trailing "/" is dropped ("https://h/evcs/v1/" == "https://h/evcs/v1").
Result<Url> ParseBaseUrl(std::string_view url);

// True when `host` is an IPv4 or IPv6 address literal (no brackets), false for a DNS name.
bool IsIpAddress(std::string_view host);

}  // namespace vgi::client
