#include "common/status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace migsched {
namespace {

using ::migsched::testing::HasCode;
using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

Result<int> ParsePositive(int x) {
  if (x <= 0) return InvalidArgumentError("not positive: " + std::to_string(x));
  return x;
}

TEST(StatusTest, DefaultIsOk) {
  EXPECT_THAT(Status(), IsOk());
  EXPECT_EQ(Status().ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  const Status s = NotFoundError("unknown GPU 'X'");
  EXPECT_THAT(s, HasCode(StatusCode::kNotFound));
  EXPECT_EQ(s.ToString(), "NOT_FOUND: unknown GPU 'X'");
}

TEST(StatusTest, WithPrefixAddsContextToErrorsOnly) {
  EXPECT_EQ(InvalidArgumentError("bad").WithPrefix("f.yaml:3").message(), "f.yaml:3: bad");
  EXPECT_THAT(Status::Ok().WithPrefix("f.yaml:3"), IsOk());
}

TEST(ResultTest, HoldsValueOrError) {
  EXPECT_EQ(ParsePositive(3).value(), 3);
  EXPECT_THAT(ParsePositive(-1), HasError(StatusCode::kInvalidArgument, "not positive: -1"));
}

TEST(ResultTest, OkStatusWithoutValueBecomesInternalError) {
  const Result<int> r = Status::Ok();
  EXPECT_THAT(r, HasCode(StatusCode::kInternal));
}

TEST(ResultTest, AndThenAndTransformChain) {
  const auto doubled = ParsePositive(4).transform([](int v) { return v * 2; });
  EXPECT_EQ(doubled.value(), 8);
  const auto chained = ParsePositive(-2).and_then([](int v) { return ParsePositive(v - 10); });
  EXPECT_THAT(chained, HasError(StatusCode::kInvalidArgument, "-2"));
}

TEST(ResultDeathTest, ValueOnErrorAborts) {
  const Result<int> r = NotFoundError("gone");
  EXPECT_DEATH((void)r.value(), "gone");
}

}  // namespace
}  // namespace migsched
