#pragma once
// The wire's cryptography (seed 5.4), on OpenSSL 3 EVP:
//   Data = base64(AES-128-CBC-PKCS5(DataSecret, DataSecretIV, utf8(json)))   (standard alphabet,
//          padded, no line breaks)
//   Sig  = upper(hex(HMAC-MD5(SigSecret, concatenated strings)))
//
// DataCipher and Signer are prepared once per key and are immutable afterwards: safe to share
// between threads, cheap to copy.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "vgi/base/status.hpp"

namespace vgi::proto {

// Bytes readable past the end of a JSON text that the SIMD parser needs. Buffers that hold JSON
// for decoding (DataCipher::Decrypt's output) keep this much spare capacity.
inline constexpr std::size_t kJsonPadding = 64;

// The one error for every way Data can fail to turn into a JSON document after its signature
// checked out: bad base64, wrong length, wrong padding, wrong key, invalid UTF-8, broken JSON.
// Uniform on purpose: a caller learns nothing about which step failed (no padding oracle).
Status UndecryptableData();

class DataCipher {
 public:
  // `key` and `iv` are the DataSecret and DataSecretIV strings: exactly 16 bytes each.
  static Result<DataCipher> Create(std::string_view key, std::string_view iv);

  // base64 of the ciphertext of `plaintext`.
  [[nodiscard]] std::string Encrypt(std::string_view plaintext) const;
  // As Encrypt, replacing the content of `out` (reuses its capacity).
  void EncryptTo(std::string_view plaintext, std::string& out) const;

  // Decrypts base64 `data` into `out` (replaced), leaving kJsonPadding spare capacity.
  // Any failure returns UndecryptableData().
  Status Decrypt(std::string_view data, std::string& out) const;

 private:
  DataCipher() = default;
  std::uint8_t key_[16] = {};
  std::uint8_t iv_[16] = {};
};

// A keyed HMAC prepared once (the key schedule is computed a single time and copied per message).
class HmacKey {
 public:
  enum class Digest { kMd5, kSha256 };
  // Any key length; an empty key is refused.
  static Result<HmacKey> Create(Digest digest, std::string_view key);

  // Raw MAC bytes of the concatenation of `parts` (16 for MD5, 32 for SHA-256).
  [[nodiscard]] std::string Mac(std::initializer_list<std::string_view> parts) const;

 private:
  struct Impl;
  explicit HmacKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// The protocol's Sig: HMAC-MD5 keyed with the SigSecret string's bytes, upper-case hex.
class Signer {
 public:
  // `key` is the SigSecret string. Must not be empty.
  static Result<Signer> Create(std::string_view key);

  // Upper-case hex HMAC-MD5 of the concatenation of `parts` (32 characters).
  [[nodiscard]] std::string Sign(std::initializer_list<std::string_view> parts) const;
  // Constant-time check of `sig` (32 hex digits, either case) against Sign(parts).
  [[nodiscard]] bool Verify(std::initializer_list<std::string_view> parts, std::string_view sig) const;

 private:
  explicit Signer(HmacKey key) : key_(std::move(key)) {}
  HmacKey key_;
};

// Base64 with the standard alphabet, padded, no line breaks.
std::string Base64Encode(std::span<const std::uint8_t> bytes);
std::string Base64Encode(std::string_view bytes);
// Strict: length a multiple of 4, only the standard alphabet, '=' only as final padding.
Result<std::string> Base64Decode(std::string_view text);

// Constant-time equality (time depends only on the lengths).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Lower/upper-case hex of raw bytes.
std::string HexEncode(std::string_view bytes, bool upper = true);

}  // namespace vgi::proto
