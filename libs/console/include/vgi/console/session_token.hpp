#pragma once
// Session ids and CSRF tokens for the console (issue 6).
//
// Thread safety: free functions; safe from any thread (RandomSource must be too).

#include <string>
#include <string_view>

#include "vgi/base/random.hpp"

namespace vgi::console {

// 32 random bytes, base64url without padding (43 characters of [A-Za-z0-9_-]).
std::string NewToken(RandomSource& random);

// What the store keeps instead of the session id: lower-case hex SHA-256 of the token (64
// characters), so a database leak grants no session.
std::string TokenDigest(std::string_view token);

// Constant-time equality (CRYPTO_memcmp) of two strings; false when the lengths differ (the
// length is not secret: tokens have a fixed one).
bool SameToken(std::string_view a, std::string_view b);

}  // namespace vgi::console
