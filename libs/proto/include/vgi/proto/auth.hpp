#pragma once
// query_token request and response Data (seed 5.5.3, 5.5.4).

#include <cstdint>
#include <string>

namespace vgi::proto {

struct TokenRequest {
  std::string operator_id;      // OperatorID
  std::string operator_secret;  // OperatorSecret
  friend bool operator==(const TokenRequest&, const TokenRequest&) = default;
};

struct TokenResponse {
  std::string operator_id;
  int code = 0;                        // 0 success, other failure
  std::string access_token;            // empty on failure
  std::int64_t token_available_time = 0;  // seconds
  std::string message;
  friend bool operator==(const TokenResponse&, const TokenResponse&) = default;
};

}  // namespace vgi::proto
