#pragma once
// Sealer: encryption at rest for secrets and the protocol's sensitive fields ("(加密)").
//
// AES-256-GCM under the master key (data_dir/master.key, 32 random bytes). A sealed value is
// "\x01" | nonce (12 random bytes) | ciphertext | tag (16 bytes): binary, stored as BLOB/bytea.
// The optional `context` is bound as GCM additional data (e.g. "peer:123456789"), so a sealed
// value moved to another row does not open.
//
// Thread safety: immutable after Create; Seal/Open may be called from any thread.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "vgi/base/status.hpp"

namespace vgi::store {

inline constexpr std::size_t kMasterKeyBytes = 32;

class Sealer {
 public:
  // `key` must be exactly kMasterKeyBytes bytes; Invalid otherwise.
  static Result<Sealer> Create(std::string_view key);

  [[nodiscard]] std::string Seal(std::string_view plaintext, std::string_view context = {}) const;
  // One uniform error for every failure (wrong key, wrong context, truncated, tampered):
  // Internal("sealed value does not open: wrong master key or corrupted data").
  [[nodiscard]] Result<std::string> Open(std::string_view sealed, std::string_view context = {}) const;

 private:
  explicit Sealer(const std::array<std::uint8_t, kMasterKeyBytes>& key) : key_(key) {}
  std::array<std::uint8_t, kMasterKeyBytes> key_;
};

}  // namespace vgi::store
