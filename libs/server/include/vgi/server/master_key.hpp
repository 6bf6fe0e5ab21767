#pragma once
// The master key: 32 random bytes in data_dir/master.key, created on first start with mode
// 0600. It seals peer secrets and sensitive fields at rest (store::Sealer) and derives the
// token-signing key. The server refuses to start when the file is readable by group or others.
//
// Back it up apart from the database: without it nothing sealed can be opened.

#include <string>

#include "vgi/base/status.hpp"
#include "vgi/proto/token.hpp"

namespace vgi::server {

inline constexpr const char* kMasterKeyFile = "master.key";

// Reads data_dir/master.key, creating data_dir (0700) and the key when `create` and absent.
// Invalid when its mode lets group or others read it (the message gives the chmod to run) or
// when it is not exactly 32 bytes; NotFound when absent and !create.
Result<std::string> LoadOrCreateMasterKey(const std::string& data_dir, bool create);

// The token-signing key derived from the master key (HMAC-SHA256 with a fixed label): every node
// sharing the master key validates every node's tokens, and tokens survive a restart.
proto::TokenKey DeriveTokenKey(const std::string& master_key);

}  // namespace vgi::server
