#include "vgi/store/sealer.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace vgi::store {
namespace {

constexpr std::uint8_t kFormat = 0x01;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr std::size_t kOverhead = 1 + kNonceBytes + kTagBytes;

[[noreturn]] void Die(const char* what) {
  // Only reachable when OpenSSL itself is broken (no provider, no entropy, out of memory):
  // sealing with a repeated or weak nonce would be worse than stopping.
  std::fprintf(stderr, "vgi: OpenSSL failure in the sealer: %s\n", what);
  std::abort();
}

Status DoesNotOpen() {
  return Status::Internal("sealed value does not open: wrong master key or corrupted data");
}

// Fetched once per process (OpenSSL 3 fetches take a lock).
const EVP_CIPHER* Aes256Gcm() {
  static EVP_CIPHER* cipher = [] {
    EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (c == nullptr) Die("AES-256-GCM unavailable");
    return c;
  }();
  return cipher;
}

// One context per thread, re-keyed per call: no allocation per seal/open.
EVP_CIPHER_CTX* ThreadContext() {
  struct Holder {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    ~Holder() { EVP_CIPHER_CTX_free(ctx); }
  };
  thread_local Holder holder;
  if (holder.ctx == nullptr) Die("EVP_CIPHER_CTX_new");
  return holder.ctx;
}

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

Result<Sealer> Sealer::Create(std::string_view key) {
  if (key.size() != kMasterKeyBytes) {
    return Status::Invalid("master key: must be exactly " + std::to_string(kMasterKeyBytes) + " bytes, got " +
                           std::to_string(key.size()) + "; regenerate data_dir/master.key or restore it from backup");
  }
  std::array<std::uint8_t, kMasterKeyBytes> k{};
  std::memcpy(k.data(), key.data(), k.size());
  return Sealer(k);
}

std::string Sealer::Seal(std::string_view plaintext, std::string_view context) const {
  std::string out(kOverhead + plaintext.size(), '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  o[0] = kFormat;
  unsigned char* nonce = o + 1;
  unsigned char* ct = nonce + kNonceBytes;
  unsigned char* tag = ct + plaintext.size();
  if (RAND_bytes(nonce, static_cast<int>(kNonceBytes)) != 1) Die("RAND_bytes");

  EVP_CIPHER_CTX* ctx = ThreadContext();
  int len = 0;
  if (EVP_EncryptInit_ex2(ctx, Aes256Gcm(), key_.data(), nonce, nullptr) != 1) Die("EVP_EncryptInit_ex2");
  if (!context.empty() && EVP_EncryptUpdate(ctx, nullptr, &len, Bytes(context), static_cast<int>(context.size())) != 1) {
    Die("EVP_EncryptUpdate (aad)");
  }
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx, ct, &len, Bytes(plaintext), static_cast<int>(plaintext.size())) != 1) {
    Die("EVP_EncryptUpdate");
  }
  if (EVP_EncryptFinal_ex(ctx, ct + plaintext.size(), &len) != 1) Die("EVP_EncryptFinal_ex");
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagBytes), tag) != 1) Die("GET_TAG");
  return out;
}

Result<std::string> Sealer::Open(std::string_view sealed, std::string_view context) const {
  if (sealed.size() < kOverhead || static_cast<std::uint8_t>(sealed[0]) != kFormat) return DoesNotOpen();
  const auto* s = Bytes(sealed);
  const unsigned char* nonce = s + 1;
  const unsigned char* ct = nonce + kNonceBytes;
  const std::size_t ct_len = sealed.size() - kOverhead;
  const unsigned char* tag = ct + ct_len;

  std::string out(ct_len, '\0');
  EVP_CIPHER_CTX* ctx = ThreadContext();
  int len = 0;
  if (EVP_DecryptInit_ex2(ctx, Aes256Gcm(), key_.data(), nonce, nullptr) != 1) return DoesNotOpen();
  if (!context.empty() && EVP_DecryptUpdate(ctx, nullptr, &len, Bytes(context), static_cast<int>(context.size())) != 1) {
    return DoesNotOpen();
  }
  if (ct_len > 0 && EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, ct,
                                      static_cast<int>(ct_len)) != 1) {
    return DoesNotOpen();
  }
  // The tag is only read by OpenSSL; the API takes a non-const pointer.
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTagBytes),
                          const_cast<unsigned char*>(tag)) != 1) {
    return DoesNotOpen();
  }
  if (EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + ct_len, &len) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return DoesNotOpen();
  }
  return out;
}

}  // namespace vgi::store
