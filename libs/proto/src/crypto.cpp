#include "vgi/proto/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace vgi::proto {
namespace {

[[noreturn]] void Die(const char* what) {
  // Only reachable when OpenSSL itself is broken (no default provider, out of memory).
  std::fprintf(stderr, "vgi: OpenSSL failure: %s\n", what);
  std::abort();
}

// Algorithm fetches are expensive in OpenSSL 3 (provider lookups under a lock), so each is
// done once per process.
const EVP_CIPHER* Aes128Cbc() {
  static EVP_CIPHER* cipher = [] {
    EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr);
    if (c == nullptr) Die("AES-128-CBC unavailable");
    return c;
  }();
  return cipher;
}

EVP_MAC* Hmac() {
  static EVP_MAC* mac = [] {
    EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (m == nullptr) Die("HMAC unavailable");
    return m;
  }();
  return mac;
}

// One cipher context per thread, re-keyed for each message: no allocation per call.
EVP_CIPHER_CTX* ThreadCipherContext() {
  struct Holder {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    ~Holder() { EVP_CIPHER_CTX_free(ctx); }
  };
  thread_local Holder holder;
  if (holder.ctx == nullptr) Die("EVP_CIPHER_CTX_new");
  return holder.ctx;
}

// Checks the strict form; returns the number of '=' (0..2) or -1.
int CheckBase64Form(std::string_view text) {
  if (text.size() % 4 != 0) return -1;
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = (text.size() >= 2 && text[text.size() - 2] == '=') ? 2 : 1;
  const std::size_t body = text.size() - pad;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  // Branch-free range tests so the compiler vectorises the scan (a table lookup would not).
  // (Bitwise | rather than ||: short-circuiting would stop the vectoriser.)
  unsigned char bad = 0;
  for (std::size_t i = 0; i < body; ++i) {
    const unsigned char c = p[i];
    const unsigned char ok = static_cast<unsigned char>(
        static_cast<unsigned char>(static_cast<unsigned char>(c - 'A') < 26) |
        static_cast<unsigned char>(static_cast<unsigned char>(c - 'a') < 26) |
        static_cast<unsigned char>(static_cast<unsigned char>(c - '0') < 10) |
        static_cast<unsigned char>(c == '+') | static_cast<unsigned char>(c == '/'));
    bad |= static_cast<unsigned char>(ok ^ 1);
  }
  return bad != 0 ? -1 : static_cast<int>(pad);
}

// Decodes text of the strict form into `out` (which must have room for 3*len/4 bytes);
// returns the number of bytes, or -1. `final` false: a piece from the middle of a longer text,
// where '=' padding cannot appear.
long DecodeBase64Into(std::string_view text, std::uint8_t* out, bool final = true) {
  const int pad = CheckBase64Form(text);
  if (pad < 0 || (!final && pad != 0)) return -1;
  if (text.empty()) return 0;
  const int n = EVP_DecodeBlock(out, reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return -1;
  // EVP_DecodeBlock counts the padding positions as output bytes.
  return static_cast<long>(n) - pad;
}

// The piece of a large Data handled at a time: whole AES blocks and whole base64 quanta (48 bytes
// are 3 blocks and 64 characters), small enough that the piece, its ciphertext and its base64
// all stay in the L1/L2 cache between the steps that read them.
constexpr std::size_t kPieceBytes = 48 * 256;        // plaintext/ciphertext bytes
constexpr std::size_t kPieceChars = kPieceBytes / 3 * 4;  // base64 characters

}  // namespace

Status UndecryptableData() {
  return Status::Invalid(
      "Data: cannot be decrypted into a UTF-8 JSON document with this peer's DataSecret and "
      "DataSecretIV (check the keys, AES-128-CBC/PKCS5 and standard base64)");
}

Result<DataCipher> DataCipher::Create(std::string_view key, std::string_view iv) {
  if (key.size() != 16) return Status::Invalid("DataSecret: must be exactly 16 bytes");
  if (iv.size() != 16) return Status::Invalid("DataSecretIV: must be exactly 16 bytes");
  DataCipher c;
  std::memcpy(c.key_, key.data(), 16);
  std::memcpy(c.iv_, iv.data(), 16);
  return c;
}

std::string DataCipher::Encrypt(std::string_view plaintext) const {
  std::string out;
  EncryptTo(plaintext, out);
  return out;
}

void DataCipher::EncryptTo(std::string_view plaintext, std::string& out) const {
  EVP_CIPHER_CTX* ctx = ThreadCipherContext();
  if (EVP_EncryptInit_ex2(ctx, Aes128Cbc(), key_, iv_, nullptr) != 1) Die("EVP_EncryptInit_ex2");
  // Ciphertext first (up to one extra block), then base64 of it after it in the same buffer
  // would overlap; so encrypt into a thread-local scratch buffer and encode into `out`.
  thread_local std::string scratch;
  const std::size_t max_cipher = plaintext.size() + 16;
  if (scratch.size() < max_cipher) scratch.resize(max_cipher);
  auto* cbuf = reinterpret_cast<unsigned char*>(scratch.data());
  int len1 = 0;
  int len2 = 0;
  if (EVP_EncryptUpdate(ctx, cbuf, &len1, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx, cbuf + len1, &len2) != 1) {
    Die("AES encrypt");
  }
  const std::size_t clen = static_cast<std::size_t>(len1 + len2);
  out.resize(4 * ((clen + 2) / 3));
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), cbuf, static_cast<int>(clen));
  out.resize(static_cast<std::size_t>(n));
}

void DataCipher::EncryptAppend(std::string_view plaintext, std::string& out, MacStream& mac) const {
  EVP_CIPHER_CTX* ctx = ThreadCipherContext();
  if (EVP_EncryptInit_ex2(ctx, Aes128Cbc(), key_, iv_, nullptr) != 1) Die("EVP_EncryptInit_ex2");
  const std::size_t clen = (plaintext.size() / 16 + 1) * 16;  // PKCS#5 always adds 1..16 bytes
  const std::size_t start = out.size();
  out.resize(start + 4 * ((clen + 2) / 3));
  auto* dst = reinterpret_cast<unsigned char*>(out.data() + start);
  const auto* src = reinterpret_cast<const unsigned char*>(plaintext.data());
  std::size_t left = plaintext.size();
  unsigned char cbuf[kPieceBytes + 16];
  const auto emit = [&](int cipher_len) {
    const int n = EVP_EncodeBlock(dst, cbuf, cipher_len);
    mac.Update(std::string_view(reinterpret_cast<const char*>(dst), static_cast<std::size_t>(n)));
    dst += n;
  };
  // Whole pieces: CBC encryption of whole blocks returns all of them at once (only decryption
  // holds a block back), and a multiple of 3 bytes encodes without padding, so the pieces'
  // base64 concatenates to the base64 of the whole ciphertext.
  while (left > kPieceBytes) {
    int n = 0;
    if (EVP_EncryptUpdate(ctx, cbuf, &n, src, static_cast<int>(kPieceBytes)) != 1 ||
        n != static_cast<int>(kPieceBytes)) {
      Die("AES encrypt");
    }
    emit(n);
    src += kPieceBytes;
    left -= kPieceBytes;
  }
  int len1 = 0;
  int len2 = 0;
  if (EVP_EncryptUpdate(ctx, cbuf, &len1, src, static_cast<int>(left)) != 1 ||
      EVP_EncryptFinal_ex(ctx, cbuf + len1, &len2) != 1) {
    Die("AES encrypt");
  }
  emit(len1 + len2);
  if (dst != reinterpret_cast<unsigned char*>(out.data() + out.size())) Die("AES encrypt: unexpected length");
}

bool DataCipher::DecodeSigned(std::string_view data, MacStream& mac, std::string& out) {
  out.clear();
  out.reserve(data.size() / 4 * 3 + 3 + kJsonPadding);
  out.resize(data.size() / 4 * 3 + 3);
  auto* buf = reinterpret_cast<std::uint8_t*>(out.data());
  // After the first bad piece the rest is still MACed (the signature decides what is reported)
  // but no longer decoded.
  bool ok = data.size() % 4 == 0;
  std::size_t written = 0;
  for (std::size_t pos = 0; pos < data.size(); pos += kPieceChars) {
    const std::string_view piece = data.substr(pos, kPieceChars);
    mac.Update(piece);
    if (!ok) continue;
    const long n = DecodeBase64Into(piece, buf + written, pos + piece.size() == data.size());
    if (n < 0) {
      ok = false;
    } else {
      written += static_cast<std::size_t>(n);
    }
  }
  if (!ok || written == 0 || written % 16 != 0) {
    out.clear();
    return false;
  }
  out.resize(written);
  return true;
}

Status DataCipher::DecryptDecoded(std::string& buffer) const {
  if (buffer.empty() || buffer.size() % 16 != 0) {
    buffer.clear();
    return UndecryptableData();
  }
  auto* buf = reinterpret_cast<std::uint8_t*>(buffer.data());
  EVP_CIPHER_CTX* ctx = ThreadCipherContext();
  if (EVP_DecryptInit_ex2(ctx, Aes128Cbc(), key_, iv_, nullptr) != 1) Die("EVP_DecryptInit_ex2");
  int len1 = 0;
  int len2 = 0;
  if (EVP_DecryptUpdate(ctx, buf, &len1, buf, static_cast<int>(buffer.size())) != 1 ||
      EVP_DecryptFinal_ex(ctx, buf + len1, &len2) != 1) {
    buffer.clear();
    return UndecryptableData();
  }
  buffer.resize(static_cast<std::size_t>(len1 + len2));
  if (buffer.capacity() - buffer.size() < kJsonPadding) buffer.reserve(buffer.size() + kJsonPadding);
  return Status::Ok();
}

Status DataCipher::Decrypt(std::string_view data, std::string& out) const {
  // Every failure below returns the same Status: no hint of which step failed.
  // The ciphertext is base64-decoded straight into `out` and decrypted in place (CBC decryption
  // allows it): one buffer instead of two keeps a large request in cache.
  out.clear();
  out.reserve(data.size() / 4 * 3 + 3 + kJsonPadding);
  out.resize(data.size() / 4 * 3 + 3);
  auto* buf = reinterpret_cast<std::uint8_t*>(out.data());
  const long clen = DecodeBase64Into(data, buf);
  if (clen <= 0 || clen % 16 != 0) {
    out.clear();
    return UndecryptableData();
  }
  EVP_CIPHER_CTX* ctx = ThreadCipherContext();
  if (EVP_DecryptInit_ex2(ctx, Aes128Cbc(), key_, iv_, nullptr) != 1) Die("EVP_DecryptInit_ex2");
  int len1 = 0;
  int len2 = 0;
  if (EVP_DecryptUpdate(ctx, buf, &len1, buf, static_cast<int>(clen)) != 1 ||
      EVP_DecryptFinal_ex(ctx, buf + len1, &len2) != 1) {
    out.clear();
    return UndecryptableData();
  }
  out.resize(static_cast<std::size_t>(len1 + len2));
  return Status::Ok();
}

struct HmacKey::Impl {
  EVP_MAC_CTX* prototype = nullptr;  // keyed once; duplicated per message
  std::size_t size = 0;
  ~Impl() { EVP_MAC_CTX_free(prototype); }
};

Result<HmacKey> HmacKey::Create(Digest digest, std::string_view key) {
  if (key.empty()) return Status::Invalid("HMAC key must not be empty");
  auto impl = std::make_shared<Impl>();
  impl->prototype = EVP_MAC_CTX_new(Hmac());
  if (impl->prototype == nullptr) Die("EVP_MAC_CTX_new");
  char md5[] = "MD5";
  char sha256[] = "SHA256";
  impl->size = digest == Digest::kMd5 ? 16 : 32;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest == Digest::kMd5 ? md5 : sha256, 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_init(impl->prototype, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   params) != 1) {
    Die("HMAC init");
  }
  return HmacKey(std::move(impl));
}

MacStream HmacKey::Begin() const {
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(impl_->prototype);
  if (ctx == nullptr) Die("EVP_MAC_CTX_dup");
  return MacStream(ctx, impl_->size);
}

std::string HmacKey::Mac(std::initializer_list<std::string_view> parts) const {
  MacStream stream = Begin();
  for (std::string_view p : parts) stream.Update(p);
  return stream.Final();
}

MacStream::~MacStream() { EVP_MAC_CTX_free(ctx_); }

void MacStream::Update(std::string_view bytes) {
  if (!bytes.empty() && EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()) != 1) {
    Die("HMAC update");
  }
}

std::string MacStream::Final() {
  std::string out(size_, '\0');
  std::size_t len = 0;
  if (EVP_MAC_final(ctx_, reinterpret_cast<unsigned char*>(out.data()), &len, out.size()) != 1 || len != out.size()) {
    Die("HMAC final");
  }
  return out;
}

Result<Signer> Signer::Create(std::string_view key) {
  if (key.empty()) return Status::Invalid("SigSecret: must not be empty");
  auto mac = HmacKey::Create(HmacKey::Digest::kMd5, key);
  if (!mac.ok()) return mac.status();
  return Signer(std::move(mac).value());
}

std::string Signer::Sign(std::initializer_list<std::string_view> parts) const {
  return HexEncode(key_.Mac(parts), true);
}

bool Signer::Verify(std::initializer_list<std::string_view> parts, std::string_view sig) const {
  MacStream stream = key_.Begin();
  for (std::string_view p : parts) stream.Update(p);
  return Matches(stream, sig);
}

std::string Signer::Finish(MacStream& stream) { return HexEncode(stream.Final(), true); }

bool Signer::Matches(MacStream& stream, std::string_view sig) {
  const std::string expected = Finish(stream);
  if (sig.size() != 32) return false;
  // Upper-case the received hex, then compare with the expected value in constant time.
  char received[32];
  for (std::size_t i = 0; i < 32; ++i) {
    char c = sig[i];
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    received[i] = c;
  }
  return CRYPTO_memcmp(expected.data(), received, 32) == 0;
}

std::string Base64Encode(std::span<const std::uint8_t> bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  return Base64Encode(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

Result<std::string> Base64Decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  const long n = DecodeBase64Into(text, reinterpret_cast<std::uint8_t*>(out.data()));
  if (n < 0) return Status::Invalid("not standard padded base64");
  out.resize(static_cast<std::size_t>(n));
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string HexEncode(std::string_view bytes, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = digits[b >> 4];
    out[2 * i + 1] = digits[b & 0xF];
  }
  return out;
}

}  // namespace vgi::proto
