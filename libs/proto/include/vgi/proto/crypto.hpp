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

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX

namespace vgi::proto {

class MacStream;

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

  // As EncryptTo, but appends to `out` and feeds every byte it appends to `mac` (a request's Sig
  // covers its Data). Encrypts, encodes and signs in pieces that stay in the L1 cache, so a
  // large payload is read from memory once instead of three times.
  void EncryptAppend(std::string_view plaintext, std::string& out, MacStream& mac) const;

  // Decrypts base64 `data` into `out` (replaced), leaving kJsonPadding spare capacity.
  // Any failure returns UndecryptableData().
  Status Decrypt(std::string_view data, std::string& out) const;

  // Decrypt in two halves, for signed Data whose signature must be checked before anything is
  // decrypted, without reading the Data twice:
  // 1. DecodeSigned feeds all of `data` to `mac` while base64-decoding it into `out`, in pieces
  //    that stay in cache. Nothing is decrypted. Returns false (and clears `out`) when `data` is
  //    not strict base64 of a whole number of AES blocks; the caller reports that, as
  //    UndecryptableData(), only after the signature has checked out.
  // 2. DecryptDecoded decrypts what DecodeSigned left in `buffer`, in place, with Decrypt's
  //    contract for `out` (JSON text with kJsonPadding spare capacity, or UndecryptableData()).
  static bool DecodeSigned(std::string_view data, MacStream& mac, std::string& out);
  Status DecryptDecoded(std::string& buffer) const;

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
  // The same MAC computed piece by piece: Begin().Update(a) ... .Final() == Mac({a, ...}).
  [[nodiscard]] MacStream Begin() const;

 private:
  struct Impl;
  explicit HmacKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// An HMAC being computed piece by piece (HmacKey::Begin, Signer::Begin). Move-only; one thread.
class MacStream {
 public:
  MacStream(MacStream&& other) noexcept : ctx_(other.ctx_), size_(other.size_) { other.ctx_ = nullptr; }
  MacStream& operator=(MacStream&&) = delete;
  ~MacStream();

  void Update(std::string_view bytes);
  // Raw MAC bytes of everything fed so far. Call once.
  [[nodiscard]] std::string Final();

 private:
  friend class HmacKey;
  MacStream(evp_mac_ctx_st* ctx, std::size_t size) : ctx_(ctx), size_(size) {}
  evp_mac_ctx_st* ctx_;
  std::size_t size_;
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

  // The same, fed piece by piece: Finish(Begin() fed a, b, ...) == Sign({a, b, ...}), and
  // Matches(stream, sig) == Verify({a, b, ...}, sig). Finish and Matches spend the stream.
  [[nodiscard]] MacStream Begin() const { return key_.Begin(); }
  [[nodiscard]] static std::string Finish(MacStream& stream);
  [[nodiscard]] static bool Matches(MacStream& stream, std::string_view sig);

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
