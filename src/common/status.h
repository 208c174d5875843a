// Status and Result<T>: how every fallible migsched function reports failure.
//
// A Status is a code plus a message that names the place of the problem
// ("fleet.yaml:12: unknown GPU 'A100X'"). Result<T> holds either a T or a
// non-OK Status; its API is the subset of std::expected that migsched uses
// (has_value, value, error, and_then, transform), so moving to C++23 is
// mechanical. No exceptions cross module boundaries.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace migsched {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // the caller's input is malformed or contradictory
  kNotFound,            // a named thing (GPU, profile, file) does not exist
  kFailedPrecondition,  // the system is not in a state that allows the call
  kResourceExhausted,   // no room: a request that cannot be satisfied now
  kUnavailable,         // a dependency (library, device) cannot be reached
  kInternal,            // a bug in migsched
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<prefix>: <message>", for adding context
  // such as a file name and line as an error travels outwards.
  Status WithPrefix(std::string_view prefix) const;

  // "INVALID_ARGUMENT: <message>"; "OK" when ok.
  std::string ToString() const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status FailedPreconditionError(std::string message);
Status ResourceExhaustedError(std::string message);
Status UnavailableError(std::string message);
Status InternalError(std::string message);

namespace internal {
[[noreturn]] void DieOnBadResultAccess(const Status& status);
}  // namespace internal

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design, like std::expected
  Result(Status status) : data_(std::move(status)) {  // NOLINT
    if (std::get<Status>(data_).ok()) {
      data_ = InternalError("Result constructed from an OK status without a value");
    }
  }

  bool has_value() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return has_value(); }

  const T& value() const& {
    CheckHasValue();
    return std::get<T>(data_);
  }
  T& value() & {
    CheckHasValue();
    return std::get<T>(data_);
  }
  T&& value() && {
    CheckHasValue();
    return std::get<T>(std::move(data_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The error; only valid when !has_value().
  const Status& error() const& { return std::get<Status>(data_); }

  // f: const T& -> Result<U>.
  template <typename F>
  auto and_then(F&& f) const& -> std::invoke_result_t<F, const T&> {
    if (!has_value()) return error();
    return std::forward<F>(f)(std::get<T>(data_));
  }

  // f: const T& -> U; gives Result<U>.
  template <typename F>
  auto transform(F&& f) const& -> Result<std::invoke_result_t<F, const T&>> {
    if (!has_value()) return error();
    return std::forward<F>(f)(std::get<T>(data_));
  }

 private:
  void CheckHasValue() const {
    if (!has_value()) internal::DieOnBadResultAccess(std::get<Status>(data_));
  }

  std::variant<T, Status> data_;
};

}  // namespace migsched

// Propagates a non-OK Status (or the error of a Result) to the caller.
#define MIGSCHED_RETURN_IF_ERROR(expr)            \
  do {                                             \
    ::migsched::Status migsched_status_ = (expr); \
    if (!migsched_status_.ok()) return migsched_status_; \
  } while (false)

// Assigns the value of a Result expression to `lhs`, or returns its error.
#define MIGSCHED_ASSIGN_OR_RETURN(lhs, expr)                             \
  do {                                                                   \
    auto migsched_result_ = (expr);                                      \
    if (!migsched_result_.has_value()) return migsched_result_.error(); \
    lhs = std::move(*migsched_result_);                                  \
  } while (false)
