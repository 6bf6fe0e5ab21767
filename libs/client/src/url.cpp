#include "vgi/client/url.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace vgi::client {
namespace {

constexpr std::string_view kHint = "; expected e.g. https://127.0.0.1:9443/evcs/v1";

Status Bad(std::string_view url, std::string_view rule) {
  // The URL itself is echoed: base URLs are configuration, not secrets. Cut to keep messages short.
  std::string shown(url.substr(0, 200));
  return Status::Invalid("base URL \"" + shown + "\": " + std::string(rule) + std::string(kHint));
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool IsDnsChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '.';
}

}  // namespace

bool IsIpAddress(std::string_view host) {
  if (host.empty() || host.size() > 45) return false;
  const std::string text(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

std::string Url::Authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string out;
  out.reserve(host.size() + 8);
  if (v6) out += '[';
  out += host;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

std::string Url::ToString() const {
  return "https://" + Authority() + path_prefix;
}

Result<Url> ParseBaseUrl(std::string_view url) {
  if (url.empty()) return Status::Empty("base URL: empty" + std::string(kHint));
  if (StartsWithNoCase(url, "http://")) {
    return Bad(url, "http:// is refused, the protocol runs over HTTPS only (use https://)");
  }
  if (!StartsWithNoCase(url, "https://")) return Bad(url, "must start with https://");
  std::string_view rest = url.substr(8);

  const std::size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view path = rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) return Bad(url, "user-info (\"user@\") is not allowed");

  Url out;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return Bad(url, "IPv6 address: missing ']'");
    out.host = std::string(authority.substr(1, close - 1));
    if (!IsIpAddress(out.host) || out.host.find(':') == std::string::npos) {
      return Bad(url, "host: [" + out.host + "] is not an IPv6 address");
    }
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Bad(url, "host: unexpected characters after ']'");
      port_text = after.substr(1);
      has_port = true;
    }
  } else {
    const std::size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
    if (out.host.empty()) return Bad(url, "host: missing");
    if (out.host.size() > 253 || !std::all_of(out.host.begin(), out.host.end(), IsDnsChar) || out.host.front() == '.' ||
        out.host.front() == '-') {
      return Bad(url, "host: must be a DNS name (letters, digits, '-', '.') or an IP address");
    }
  }

  if (has_port) {
    unsigned value = 0;
    const char* begin = port_text.data();
    const char* end = begin + port_text.size();
    auto [p, ec] = std::from_chars(begin, end, value);
    if (port_text.empty() || port_text.size() > 5 || ec != std::errc() || p != end || value < 1 || value > 65535) {
      return Bad(url, "port: must be a number from 1 to 65535 (or absent for 443)");
    }
    out.port = static_cast<std::uint16_t>(value);
  }

  if (path.find_first_of("?#") != std::string_view::npos) {
    return Bad(url, "path: a base URL has no query (?) or fragment (#)");
  }
  for (const char c : path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Bad(url, "path: spaces and control characters are not allowed (percent-encode them)");
    }
  }
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.find("//") != std::string_view::npos) return Bad(url, "path: empty segment (\"//\")");
  out.path_prefix = std::string(path);
  return out;
}

}  // namespace vgi::client
