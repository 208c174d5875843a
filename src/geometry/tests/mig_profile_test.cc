#include "geometry/mig_profile.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace migsched::geometry {
namespace {

using ::migsched::testing::HasError;

TEST(MigProfileNameTest, ParsesEveryVariantAndRoundTrips) {
  for (const char* text : {"1g.5gb", "7g.80gb", "1g.10gb+me", "1g.24gb+me.all", "2g.48gb-me",
                           "4g.96gb+gfx", "7g.141gb"}) {
    const Result<MigProfileName> name = MigProfileName::Parse(text);
    ASSERT_TRUE(name.has_value()) << text;
    EXPECT_EQ(name->ToString(), text);
  }
}

TEST(MigProfileNameTest, ExtractsSlicesAndVariant) {
  const MigProfileName name = MigProfileName::Parse("3g.40gb").value();
  EXPECT_EQ(name.compute_slices, 3);
  EXPECT_EQ(name.memory_gb, 40);
  EXPECT_EQ(name.variant, MediaVariant::kStandard);
  EXPECT_EQ(MigProfileName::Parse("1g.24gb+me.all")->variant, MediaVariant::kAllMedia);
  EXPECT_EQ(MigProfileName::Parse("1g.24gb+me")->variant, MediaVariant::kMediaExtension);
  EXPECT_EQ(MigProfileName::Parse("1g.24gb-me")->variant, MediaVariant::kNoMedia);
  EXPECT_EQ(MigProfileName::Parse("1g.24gb+gfx")->variant, MediaVariant::kGraphics);
}

TEST(MigProfileNameTest, RejectsMalformedNames) {
  EXPECT_THAT(MigProfileName::Parse("3g40gb"), HasError(StatusCode::kInvalidArgument, "3g40gb"));
  EXPECT_THAT(MigProfileName::Parse("0g.5gb"), HasError(StatusCode::kInvalidArgument, "malformed"));
  EXPECT_THAT(MigProfileName::Parse(""), HasError(StatusCode::kInvalidArgument, "malformed"));
  EXPECT_THAT(MigProfileName::Parse("1g.5gb+foo"),
              HasError(StatusCode::kInvalidArgument, "unknown suffix '+foo'"));
}

}  // namespace
}  // namespace migsched::geometry
