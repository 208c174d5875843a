// GoogleTest matchers for Status and Result<T>: IsOk() and HasCode(code),
// so tests assert on the precise error, never on a bare "not ok".
#pragma once

#include <gmock/gmock.h>

#include <ostream>
#include <string>

#include "common/status.h"

namespace migsched {

// How GoogleTest prints a Status or Result in failure messages.
inline void PrintTo(const Status& status, std::ostream* os) { *os << status.ToString(); }
template <typename T>
void PrintTo(const Result<T>& result, std::ostream* os) {
  *os << (result.has_value() ? std::string("a value") : result.error().ToString());
}

}  // namespace migsched

namespace migsched::testing {

inline const Status& GetStatus(const Status& status) { return status; }
template <typename T>
Status GetStatus(const Result<T>& result) {
  return result.has_value() ? Status::Ok() : result.error();
}

MATCHER(IsOk, "is OK") {
  const Status status = GetStatus(arg);
  if (!status.ok()) *result_listener << "which is " << status.ToString();
  return status.ok();
}

MATCHER_P(HasCode, code, "has code " + std::string(StatusCodeName(code))) {
  const Status status = GetStatus(arg);
  *result_listener << "which is " << status.ToString();
  return status.code() == code;
}

MATCHER_P2(HasError, code, substring,
           "has code " + std::string(StatusCodeName(code)) + " and a message containing \"" +
               std::string(substring) + "\"") {
  const Status status = GetStatus(arg);
  *result_listener << "which is " << status.ToString();
  return status.code() == code && status.message().find(substring) != std::string::npos;
}

}  // namespace migsched::testing
