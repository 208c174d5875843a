#include "engines/hostlist.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace migsched::engines {
namespace {

TEST(HostlistTest, ConsecutiveNumbersBecomeOneRange) {
  std::vector<std::string> names;
  for (int i = 1; i <= 664; ++i) names.push_back("node" + std::to_string(i));
  EXPECT_EQ(CompressHostlist(names), "node[1-664]");
}

TEST(HostlistTest, KeepsZeroPaddingAndSplitsGaps) {
  EXPECT_EQ(CompressHostlist({"gpu-a01", "gpu-a02", "gpu-a03", "gpu-a07"}), "gpu-a[01-03,07]");
  EXPECT_EQ(CompressHostlist({"n001", "n002", "n010"}), "n[001-002,010]");
  // An unpadded number of the padded width joins the padded group.
  EXPECT_EQ(CompressHostlist({"gpu-a09", "gpu-a10", "gpu-a11"}), "gpu-a[09-11]");
}

TEST(HostlistTest, UnpaddedNumbersOfDifferentWidthsShareARange) {
  EXPECT_EQ(CompressHostlist({"node9", "node10", "node11", "node100"}), "node[9-11,100]");
}

TEST(HostlistTest, DifferentPaddingWidthsStayApart) {
  EXPECT_EQ(CompressHostlist({"n01", "n02", "n001"}), "n[01-02],n001");
  // "n1" is unpadded but no padded group of width 1 exists: it stays unpadded.
  EXPECT_EQ(CompressHostlist({"n1", "n01", "n02"}), "n1,n[01-02]");
}

TEST(HostlistTest, SingleNodesNeedNoBrackets) {
  EXPECT_EQ(CompressHostlist({"node7"}), "node7");
  EXPECT_EQ(CompressHostlist({"dgx-h100-1"}), "dgx-h100-1");
  EXPECT_EQ(CompressHostlist({"node0"}), "node0");
}

TEST(HostlistTest, NamesWithoutNumbersStayAsTheyAre) {
  EXPECT_EQ(CompressHostlist({"login", "node1", "node2", "head"}), "head,login,node[1-2]");
  EXPECT_EQ(CompressHostlist({"localhost"}), "localhost");
}

TEST(HostlistTest, SeveralPrefixesAreCommaJoinedInOrder) {
  EXPECT_EQ(CompressHostlist({"node3", "gpu-a02", "node1", "gpu-a01", "node2", "rack1-n4"}),
            "gpu-a[01-02],node[1-3],rack1-n4");
}

TEST(HostlistTest, InputOrderAndDuplicatesDoNotMatter) {
  EXPECT_EQ(CompressHostlist({"node5", "node1", "node3", "node2", "node1", "node5"}), "node[1-3,5]");
  EXPECT_EQ(CompressHostlist({"a", "a"}), "a");
}

TEST(HostlistTest, NoNamesGiveAnEmptyList) { EXPECT_EQ(CompressHostlist({}), ""); }

}  // namespace
}  // namespace migsched::engines
