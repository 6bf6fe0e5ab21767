#pragma once
// Console passwords (issue 6): argon2id hashes in PHC string form, the password policy and the
// username rule. Pure: no I/O; the salt comes from the caller's RandomSource.
//
// Secrets: no function here logs a password or puts it (or any part of it) into a Status message.
// Thread safety: free functions over values; safe from any thread (RandomSource must be too).

#include <cstdint>
#include <string>
#include <string_view>

#include "vgi/base/random.hpp"
#include "vgi/base/status.hpp"

namespace vgi::console {

// argon2id cost parameters. The defaults are the (m = 19 MiB, t = 2, p = 1: OWASP's
// minimum for argon2id); tests pass weaker ones where the cost is not what is tested.
struct PasswordParams {
  std::uint32_t memory_kib = 19456;
  std::uint32_t iterations = 2;
  std::uint32_t parallelism = 1;
};

// argon2id, 16-byte salt from `random`, 32-byte tag, as the PHC string
// "$argon2id$v=19$m=19456,t=2,p=1$<salt b64>$<tag b64>" (libargon2's argon2id_hash_encoded).
// Internal when libargon2 fails (e.g. parameters out of its range, memory exhausted).
Result<std::string> HashPassword(std::string_view password, RandomSource& random, const PasswordParams& params = {});

// true on match, false on mismatch (argon2id_verify compares in constant time).
// Invalid("password hash: not an argon2id PHC string") when `encoded` is malformed or not
// argon2id; Internal when libargon2 fails otherwise (e.g. memory exhausted).
Result<bool> VerifyPassword(std::string_view password, std::string_view encoded);

// Whether `encoded` was made with weaker parameters than `params` (any of m, t, p smaller), so a
// successful login can re-hash the password. A string that cannot be parsed needs re-hashing.
bool NeedsRehash(std::string_view encoded, const PasswordParams& params = {});

// The password policy (GB/T 22239 level 3 practice), checked in this order:
//   "password: at least 10 characters are required"            (counted in UTF-8 code points)
//   "password: at most 128 bytes are allowed"
//   "password: at least 3 of upper-case letters, lower-case letters, digits and other characters
//    are required"
//   "password: must not contain the username"                   (ASCII case-insensitive)
// All Invalid; the password itself is never part of a message.
Status CheckPasswordPolicy(std::string_view username, std::string_view password);

// Usernames: 3..32 characters of [a-z0-9._-], starting with a letter. Invalid naming the rule:
//   "username: 3 to 32 characters are required"
//   "username: must start with a lower-case letter a-z"
//   "username: only a-z, 0-9, '.', '_' and '-' are allowed"
Status CheckUsername(std::string_view username);

}  // namespace vgi::console
