#include "vgi/proto/ret.hpp"

namespace vgi::proto {

Ret RetFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return Ret::kOk;
    case StatusCode::kEmpty: return Ret::kEmpty;
    case StatusCode::kInvalid: return Ret::kInvalid;
    case StatusCode::kUnauthenticated: return Ret::kAuthFailed;
    case StatusCode::kRefused:
    case StatusCode::kNotFound:
    case StatusCode::kConflict: return Ret::kFailed;
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kResourceExhausted:
    case StatusCode::kInternal:
    case StatusCode::kIo: return Ret::kSystemError;
  }
  return Ret::kSystemError;
}

std::string_view DefaultMsg(Ret ret) {
  switch (ret) {
    case Ret::kOk: return "请求成功";
    case Ret::kFailed: return "请求失败";
    case Ret::kSystemError: return "系统错误";
    case Ret::kEmpty: return "请求参数为空";
    case Ret::kInvalid: return "参数不合法";
    case Ret::kAuthFailed: return "鉴权失败";
  }
  return "";
}

bool IsKnownRet(int ret) {
  return ret == 0 || ret == 1 || ret == 500 || ret == 4000 || ret == 4003 || ret == 4009;
}

}  // namespace vgi::proto
