#include "daemon/external_holds_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace migsched::daemon {
namespace {

using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

TEST(ExternalHoldsRequestTest, ReadsTheUuidsInOrder) {
  const Result<std::vector<std::string>> uuids =
      ExternalHoldsRequestFromJson(R"({"mig_uuids": ["MIG-b", "MIG-a"]})");
  ASSERT_THAT(uuids, IsOk());
  EXPECT_THAT(*uuids, ::testing::ElementsAre("MIG-b", "MIG-a"));
  const Result<std::vector<std::string>> none = ExternalHoldsRequestFromJson(R"({"mig_uuids": []})");
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->empty());
}

TEST(ExternalHoldsRequestTest, ErrorsNameTheJsonPath) {
  EXPECT_THAT(ExternalHoldsRequestFromJson(R"({"mig_uuids": ["MIG-a", ""]})"),
              HasError(StatusCode::kInvalidArgument, "$.mig_uuids[1]: must be a MIG device UUID"));
  EXPECT_THAT(ExternalHoldsRequestFromJson(R"({"mig_uuids": ["MIG-a", 7]})"),
              HasError(StatusCode::kInvalidArgument, "$.mig_uuids[1]"));
  EXPECT_THAT(ExternalHoldsRequestFromJson(R"({"mig_uuids": "MIG-a"})"),
              HasError(StatusCode::kInvalidArgument, "mig_uuids"));
  EXPECT_THAT(ExternalHoldsRequestFromJson(R"({"mig_uuids": [], "extra": 1})"),
              HasError(StatusCode::kInvalidArgument, "extra"));
  EXPECT_THAT(ExternalHoldsRequestFromJson("[1"), HasError(StatusCode::kInvalidArgument, "$"));
}

}  // namespace
}  // namespace migsched::daemon
