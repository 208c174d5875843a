#include "common/strings.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

namespace migsched {
namespace {

TEST(StringsTest, ShortValuesAreQuotedWhole) {
  EXPECT_EQ(Quote("abc"), "'abc'");
  EXPECT_EQ(Abbreviate(std::string(200, 'x')), std::string(200, 'x'));
}

// Issue 16: a 100 MB bad value was echoed in full.
TEST(StringsTest, LongValuesAreCutAndSayHowLongTheyWere) {
  EXPECT_EQ(Quote(std::string(100'000'000, '9')), "'" + std::string(80, '9') + "...' (100000000 bytes)");
  // "é" is two bytes: the cut falls before it rather than inside it.
  EXPECT_EQ(Abbreviate("abc\xC3\xA9z", 4), "abc... (6 bytes)");
}

TEST(StringsTest, ParseInt64TakesWholeFieldsOnly) {
  EXPECT_EQ(ParseInt64("-3"), -3);
  EXPECT_EQ(ParseInt64("9223372036854775807"), INT64_MAX);
  for (const char* bad : {"", "1.5", "12abc", " 1", "9223372036854775808"}) {
    EXPECT_EQ(ParseInt64(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace migsched
