#pragma once
// Ret: the protocol's result codes (seed 5.3.2) and how vgi's Status codes map onto them.

#include <string_view>

#include "vgi/base/status.hpp"

namespace vgi::proto {

enum class Ret : int {
  kOk = 0,               // 请求成功
  kFailed = 1,           // 请求失败: a business refusal
  kSystemError = 500,    // 系统错误
  kEmpty = 4000,         // 请求参数为空
  kInvalid = 4003,       // 参数不合法: Msg names the field and the rule
  kAuthFailed = 4009,    // 鉴权失败: token, signature, freshness, replay, unknown operator, IP
};

// The Ret a failed Status is answered with (kOk for an ok Status).
Ret RetFor(const Status& status);

// The seed's wording for each Ret, used as Msg when there is nothing more specific to say.
std::string_view DefaultMsg(Ret ret);

// True for the codes the protocol defines.
bool IsKnownRet(int ret);

}  // namespace vgi::proto
