// The name rules of common/names.h: what a host name and a display name may
// hold, and that a refusal names the thing and the rule.
#include "common/names.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/status_matchers.h"

namespace migsched {
namespace {

using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

TEST(NamesTest, HostNamesAreLettersDigitsDashUnderscoreDot) {
  for (const std::string& good : std::vector<std::string>{"n1", "dgx-h100-01", "a.b_c", "9", "A-B", "n000000000000000000000001",
                                 "y18446744073709551614", std::string(253, 'x')}) {
    EXPECT_THAT(CheckHostName(good, "node name"), IsOk()) << good;
  }
  for (const std::string& bad : std::vector<std::string>{"", "-n", ".n", "a b", "a=b", "a:b", "a\nb", "a,b", "a[1]", "é",
                                std::string(254, 'x')}) {
    EXPECT_THAT(CheckHostName(bad, "node name"), HasError(StatusCode::kInvalidArgument, "node name '"))
        << bad;
  }
}

// Found by round-tripping node names through Slurm's own hostlist reader
// (HostlistTest.SlurmReadsBackEveryNameWeWrite): "n99999999999999999999" in
// slurm.conf is node "n18446744073709551615" to Slurm, and scontrol 22.05
// crashes on "n18446744073709551614,n18446744073709551615".
TEST(NamesTest, HostNamesWhoseTrailingNumberSlurmCannotHoldAreRefused) {
  for (const std::string& bad :
       std::vector<std::string>{"n18446744073709551615", "n18446744073709551616", "n99999999999999999999999"}) {
    EXPECT_THAT(CheckHostName(bad, "node name"),
                HasError(StatusCode::kInvalidArgument,
                         "node name '" + bad + "' is not a valid name: its trailing number is 2^64 - 1 or more"));
  }
  EXPECT_THAT(CheckHostName("n00018446744073709551614", "node name"), IsOk());
}

TEST(NamesTest, DisplayNamesRefuseControlCharacters) {
  EXPECT_THAT(CheckDisplayName("NVIDIA A100-SXM4-40GB <b>&'\"", "product name"), IsOk());
  EXPECT_THAT(CheckDisplayName("a\tb", "workload name"),
              HasError(StatusCode::kInvalidArgument, "workload name 'a\tb' is not a valid name"));
}

}  // namespace
}  // namespace migsched
