#pragma once
// Bearer tokens (seed 5.5): query_token hands one out, every other call carries it.
//
// A token is self-validating: "v1.<key id>.<OperatorID>.<issued ms>.<expires ms>.<HMAC-SHA256>".
// Any node holding the same token keys validates it, before and after a restart, with no shared
// session state. Tokens are revoked per operator by a "revoked before" instant that the server
// stores (TokenRevocations): every token issued to that operator before it stops working.
// Key rotation: sign with the first key, accept any listed key.
//
// Thread safety: TokenAuthority is immutable after Create; its methods may be called from any
// thread as long as the TokenRevocations it uses is thread-safe.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vgi/base/clock.hpp"
#include "vgi/base/status.hpp"
#include "vgi/proto/crypto.hpp"

namespace vgi::proto {

inline constexpr std::chrono::seconds kTokenLifetime{7200};

class TokenRevocations {
 public:
  virtual ~TokenRevocations() = default;
  // Tokens issued to `operator_id` before the returned instant are invalid.
  [[nodiscard]] virtual std::optional<SystemTime> RevokedBefore(std::string_view operator_id) const = 0;
};

class MemoryTokenRevocations final : public TokenRevocations {
 public:
  void Revoke(std::string_view operator_id, SystemTime before);
  [[nodiscard]] std::optional<SystemTime> RevokedBefore(std::string_view operator_id) const override;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, SystemTime> revoked_;
};

struct TokenKey {
  std::string id;      // 1..16 characters of [0-9a-z]
  std::string secret;  // at least 32 bytes
};

class TokenAuthority {
 public:
  // `keys` must not be empty; the first one signs. `revocations` may be null (nothing revoked)
  // and must outlive the authority, as must `clock`.
  static Result<TokenAuthority> Create(std::vector<TokenKey> keys, const Clock& clock,
                                       const TokenRevocations* revocations,
                                       std::chrono::seconds lifetime = kTokenLifetime);

  struct Issued {
    std::string token;
    std::chrono::seconds available;  // TokenAvailableTime
  };
  [[nodiscard]] Issued Issue(std::string_view operator_id) const;

  // Ok when `token` is well-formed, signed by a known key, issued to `operator_id`, unexpired
  // and not revoked; otherwise Unauthenticated saying which (and what to do).
  [[nodiscard]] Status Validate(std::string_view token, std::string_view operator_id) const;

 private:
  struct Key {
    std::string id;
    HmacKey mac;  // HMAC-SHA256, prepared once
  };
  TokenAuthority(std::vector<Key> keys, const Clock& clock, const TokenRevocations* revocations,
                 std::chrono::seconds lifetime)
      : keys_(std::move(keys)), clock_(&clock), revocations_(revocations), lifetime_(lifetime) {}
  std::vector<Key> keys_;
  const Clock* clock_;
  const TokenRevocations* revocations_;
  std::chrono::seconds lifetime_;
};

// The token of an Authorization header "Bearer <token>" (scheme case-insensitive, spaces after
// it skipped); empty when the header is absent or names another scheme.
std::string_view BearerToken(std::string_view authorization);

}  // namespace vgi::proto
