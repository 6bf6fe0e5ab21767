#pragma once
// Status and Result<T>: errors are values in vgi's libraries (exceptions only at the edges).
//
// A Status is a code and a message written for the person who has to act on it: it names the
// field or object and the rule that failed. The codes are few and map onto the protocol's Ret
// codes (see vgi/proto/ret.hpp) and onto HTTP/CLI outcomes at the edges.
//
// Thread safety: values; copy freely.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vgi {

enum class StatusCode : std::uint8_t {
  kOk = 0,
  kEmpty,              // a required parameter is empty or absent        (protocol Ret 4000)
  kInvalid,            // a parameter breaks a stated rule               (protocol Ret 4003)
  kUnauthenticated,    // token, signature, freshness, replay, unknown peer (Ret 4009)
  kRefused,            // well-formed, but the business logic declines   (Ret 1)
  kNotFound,           // the named object does not exist
  kConflict,           // the object exists or changed concurrently
  kUnavailable,        // a dependency is down or busy; retrying may help
  kDeadlineExceeded,   // a time limit passed
  kResourceExhausted,  // a limit or quota is reached
  kInternal,           // a bug or an invariant broke                    (Ret 500)
  kIo,                 // the operating system or a database failed
};

// Short lower-case name of a code, e.g. "invalid".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status Empty(std::string m) { return {StatusCode::kEmpty, std::move(m)}; }
  static Status Invalid(std::string m) { return {StatusCode::kInvalid, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
  static Status Refused(std::string m) { return {StatusCode::kRefused, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status Io(std::string m) { return {StatusCode::kIo, std::move(m)}; }

  [[nodiscard]] bool ok() const { return code_ == StatusCode::kOk; }
  [[nodiscard]] StatusCode code() const { return code_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  // "invalid: stationList[0].type: 9 is not one of 1, 50, ..." or "ok".
  [[nodiscard]] std::string ToString() const;

  // Returns a copy whose message is "<prefix>: <message>", same code.
  [[nodiscard]] Status WithPrefix(std::string_view prefix) const;

  friend bool operator==(const Status& a, const Status& b) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// For test failure messages and logs: Status::ToString().
std::ostream& operator<<(std::ostream& os, const Status& status);

// Result<T>: either a value or a non-ok Status.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::in_place_index<1>, std::move(status)) {}  // NOLINT

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // The status: Ok() when a value is held.
  [[nodiscard]] Status status() const { return ok() ? Status::Ok() : std::get<1>(v_); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace vgi

#define VGI_STATUS_CONCAT_INNER_(a, b) a##b
#define VGI_STATUS_CONCAT_(a, b) VGI_STATUS_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the enclosing function when it is not ok.
#define VGI_RETURN_IF_ERROR(expr)                        \
  do {                                                   \
    ::vgi::Status vgi_status_ = (expr);                  \
    if (!vgi_status_.ok()) return vgi_status_;           \
  } while (false)

// Evaluates `rexpr` (a Result<T>); on error returns its Status, else moves the value into `lhs`.
#define VGI_ASSIGN_OR_RETURN(lhs, rexpr) \
  VGI_ASSIGN_OR_RETURN_IMPL_(VGI_STATUS_CONCAT_(vgi_result_, __LINE__), lhs, rexpr)
#define VGI_ASSIGN_OR_RETURN_IMPL_(result, lhs, rexpr) \
  auto result = (rexpr);                               \
  if (!result.ok()) return result.status();            \
  lhs = std::move(result).value()
