#include "vgi/console/password.hpp"

#include <argon2.h>

#include <array>
#include <charconv>
#include <cstring>
#include <optional>

namespace vgi::console {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kTagBytes = 32;
constexpr std::string_view kPrefix = "$argon2id$v=19$";
constexpr std::string_view kNotPhc = "password hash: not an argon2id PHC string";

struct Parsed {
  std::uint32_t m = 0;
  std::uint32_t t = 0;
  std::uint32_t p = 0;
};

bool IsB64(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// "<name>=<decimal>" at the front of `s`, consumed.
bool TakeParam(std::string_view& s, char name, std::uint32_t& out) {
  if (s.size() < 3 || s[0] != name || s[1] != '=') return false;
  s.remove_prefix(2);
  if (s[0] == '0' && s.size() > 1 && s[1] >= '0' && s[1] <= '9') return false;  // no leading zeros
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || ptr == s.data()) return false;
  s.remove_prefix(static_cast<std::size_t>(ptr - s.data()));
  return true;
}

bool TakeB64(std::string_view& s) {
  std::size_t n = 0;
  while (n < s.size() && IsB64(s[n])) ++n;
  if (n == 0) return false;
  s.remove_prefix(n);
  return true;
}

// The form libargon2 writes: "$argon2id$v=19$m=<m>,t=<t>,p=<p>$<salt>$<tag>" (unpadded base64).
// libargon2 itself also accepts strings without "v=" (version 1.0); we refuse them: every hash
// we made is v=19, anything else was not made by us.
std::optional<Parsed> Parse(std::string_view s) {
  if (!s.starts_with(kPrefix)) return std::nullopt;
  s.remove_prefix(kPrefix.size());
  Parsed out;
  if (!TakeParam(s, 'm', out.m) || !s.starts_with(',')) return std::nullopt;
  s.remove_prefix(1);
  if (!TakeParam(s, 't', out.t) || !s.starts_with(',')) return std::nullopt;
  s.remove_prefix(1);
  if (!TakeParam(s, 'p', out.p) || !s.starts_with('$')) return std::nullopt;
  s.remove_prefix(1);
  if (!TakeB64(s) || !s.starts_with('$')) return std::nullopt;
  s.remove_prefix(1);
  if (!TakeB64(s) || !s.empty()) return std::nullopt;
  return out;
}

// Code points of UTF-8 text: every byte that is not a continuation byte starts one.
std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool ContainsIgnoringCase(std::string_view haystack, std::string_view needle) {
  if (needle.empty() || needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    bool same = true;
    for (std::size_t j = 0; j < needle.size() && same; ++j) {
      same = AsciiLower(haystack[i + j]) == AsciiLower(needle[j]);
    }
    if (same) return true;
  }
  return false;
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, RandomSource& random, const PasswordParams& params) {
  std::array<std::uint8_t, kSaltBytes> salt{};
  random.Fill(salt);
  const std::size_t length =
      argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism, kSaltBytes, kTagBytes, Argon2_id);
  std::string encoded(length, '\0');  // length counts the terminating NUL
  const int rc =
      argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism, password.data(), password.size(),
                            salt.data(), salt.size(), kTagBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return Status::Internal(std::string("password hash: argon2id failed: ") + argon2_error_message(rc));
  }
  encoded.resize(std::strlen(encoded.c_str()));
  return encoded;
}

Result<bool> VerifyPassword(std::string_view password, std::string_view encoded) {
  if (!Parse(encoded)) return Status::Invalid(std::string(kNotPhc));
  const std::string terminated(encoded);  // libargon2 wants a C string
  const int rc = argon2id_verify(terminated.c_str(), password.data(), password.size());
  switch (rc) {
    case ARGON2_OK:
      return true;
    case ARGON2_VERIFY_MISMATCH:
      return false;
    case ARGON2_MEMORY_ALLOCATION_ERROR:
    case ARGON2_THREAD_FAIL:
      return Status::Internal(std::string("password hash: argon2id failed: ") + argon2_error_message(rc));
    default:  // parameters or lengths libargon2 refuses: not a hash we could have made
      return Status::Invalid(std::string(kNotPhc));
  }
}

bool NeedsRehash(std::string_view encoded, const PasswordParams& params) {
  const std::optional<Parsed> p = Parse(encoded);
  if (!p) return true;
  return p->m < params.memory_kib || p->t < params.iterations || p->p < params.parallelism;
}

Status CheckPasswordPolicy(std::string_view username, std::string_view password) {
  if (CodePoints(password) < 10) {
    return Status::Invalid("password: at least 10 characters are required");
  }
  if (password.size() > 128) return Status::Invalid("password: at most 128 bytes are allowed");
  bool upper = false, lower = false, digit = false, other = false;
  for (char c : password) {
    if (c >= 'A' && c <= 'Z') {
      upper = true;
    } else if (c >= 'a' && c <= 'z') {
      lower = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      other = true;
    }
  }
  if (int{upper} + int{lower} + int{digit} + int{other} < 3) {
    return Status::Invalid(
        "password: at least 3 of upper-case letters, lower-case letters, digits and other "
        "characters are required");
  }
  if (ContainsIgnoringCase(password, username)) {
    return Status::Invalid("password: must not contain the username");
  }
  return Status::Ok();
}

Status CheckUsername(std::string_view username) {
  if (username.size() < 3 || username.size() > 32) {
    return Status::Invalid("username: 3 to 32 characters are required");
  }
  if (username[0] < 'a' || username[0] > 'z') {
    return Status::Invalid("username: must start with a lower-case letter a-z");
  }
  for (char c : username) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return Status::Invalid("username: only a-z, 0-9, '.', '_' and '-' are allowed");
  }
  return Status::Ok();
}

}  // namespace vgi::console
