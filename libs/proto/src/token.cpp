#include "vgi/proto/token.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <vector>

#include "vgi/proto/crypto.hpp"
#include "vgi/proto/keys.hpp"

namespace vgi::proto {
namespace {

constexpr std::string_view kVersion = "v1";

std::int64_t Millis(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

bool ParseInt(std::string_view s, std::int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}


Status Bad(std::string_view why) {
  return Status::Unauthenticated(std::string("token: ") + std::string(why) +
                                 "; call query_token for a new one");
}

}  // namespace

void MemoryTokenRevocations::Revoke(std::string_view operator_id, SystemTime before) {
  std::lock_guard lock(mu_);
  auto& at = revoked_[std::string(operator_id)];
  at = std::max(at, before);
}

std::optional<SystemTime> MemoryTokenRevocations::RevokedBefore(std::string_view operator_id) const {
  std::lock_guard lock(mu_);
  auto it = revoked_.find(std::string(operator_id));
  if (it == revoked_.end()) return std::nullopt;
  return it->second;
}

Result<TokenAuthority> TokenAuthority::Create(std::vector<TokenKey> keys, const Clock& clock,
                                              const TokenRevocations* revocations,
                                              std::chrono::seconds lifetime) {
  if (keys.empty()) return Status::Invalid("token keys: at least one key is needed");
  for (const auto& k : keys) {
    const bool id_ok = !k.id.empty() && k.id.size() <= 16 &&
                       std::all_of(k.id.begin(), k.id.end(), [](char c) {
                         return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
                       });
    if (!id_ok) return Status::Invalid("token key id: must be 1 to 16 characters of 0-9 and a-z");
    if (k.secret.size() < 32) return Status::Invalid("token key " + k.id + ": secret must be at least 32 bytes");
  }
  if (lifetime <= std::chrono::seconds(0)) return Status::Invalid("token lifetime: must be positive");
  std::vector<Key> prepared;
  for (auto& k : keys) {
    auto mac = HmacKey::Create(HmacKey::Digest::kSha256, k.secret);
    if (!mac.ok()) return mac.status();
    prepared.push_back(Key{std::move(k.id), std::move(mac).value()});
  }
  return TokenAuthority(std::move(prepared), clock, revocations, lifetime);
}

TokenAuthority::Issued TokenAuthority::Issue(std::string_view operator_id) const {
  const SystemTime now = clock_->Now();
  const Key& key = keys_.front();
  std::string payload;
  payload.append(kVersion).append(1, '.').append(key.id).append(1, '.').append(operator_id);
  payload.append(1, '.').append(std::to_string(Millis(now)));
  payload.append(1, '.').append(std::to_string(Millis(now + lifetime_)));
  std::string token = payload + "." + HexEncode(key.mac.Mac({payload}), false);
  return Issued{std::move(token), lifetime_};
}

Status TokenAuthority::Validate(std::string_view token, std::string_view operator_id) const {
  if (token.empty()) return Bad("missing (send Authorization: Bearer <token>)");
  if (token.size() > 256) return Bad("malformed");
  const auto parts = Split(token, '.');
  if (parts.size() != 6 || parts[0] != kVersion) return Bad("malformed");
  const auto key = std::find_if(keys_.begin(), keys_.end(), [&](const Key& k) { return k.id == parts[1]; });
  if (key == keys_.end()) return Bad("signed with an unknown or retired key");
  const std::string_view payload = token.substr(0, token.size() - parts[5].size() - 1);
  if (!ConstantTimeEquals(HexEncode(key->mac.Mac({payload}), false), parts[5])) return Bad("signature does not match");
  // From here the token is genuine: its fields can be trusted and named in messages.
  std::int64_t issued_ms = 0;
  std::int64_t expires_ms = 0;
  if (!ParseInt(parts[3], issued_ms) || !ParseInt(parts[4], expires_ms)) return Bad("malformed");
  if (parts[2] != operator_id) {
    return Bad("issued to operator " + std::string(parts[2]) + ", not to " + std::string(operator_id));
  }
  const std::int64_t now_ms = Millis(clock_->Now());
  if (now_ms >= expires_ms) return Bad("expired");
  if (revocations_ != nullptr) {
    if (auto before = revocations_->RevokedBefore(operator_id); before && issued_ms < Millis(*before)) {
      return Bad("revoked");
    }
  }
  return Status::Ok();
}

std::string_view BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return {};
  }
  header.remove_prefix(kScheme.size());
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  return header;
}

}  // namespace vgi::proto
