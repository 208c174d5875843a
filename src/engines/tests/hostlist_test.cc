#include "engines/hostlist.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/names.h"

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

// Slurm's own reading of a hostlist expression (`scontrol show hostnames`,
// which needs no cluster, only a slurm.conf naming one).
std::vector<std::string> SlurmExpands(const std::string& expression) {
  const std::filesystem::path conf =
      std::filesystem::temp_directory_path() / ("migsched_hostlist_" + std::to_string(::getpid()) + ".conf");
  std::ofstream(conf) << "ClusterName=hostlist\nSlurmctldHost=localhost\n";
  // Host names hold no quote, so single quotes keep the expression one word.
  const std::string command =
      "SLURM_CONF=" + conf.string() + " scontrol show hostnames '" + expression + "' 2>&1";
  std::vector<std::string> names;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char line[1024];
    while (std::fgets(line, sizeof line, pipe) != nullptr) {
      std::string name(line);
      if (!name.empty() && name.back() == '\n') name.pop_back();
      names.push_back(name);
    }
    ::pclose(pipe);
  }
  std::filesystem::remove(conf);
  return names;
}

// Round trip through the real peer with the most awkward names the node-name
// rule allows (dots, underscores, zero padding of several widths, numbers
// near 2^64, names that are only digits, 253 bytes): Slurm reads back
// exactly the names we wrote. Skipped where scontrol is not installed.
TEST(HostlistTest, SlurmReadsBackEveryNameWeWrite) {
  if (std::system("command -v scontrol > /dev/null 2>&1") != 0) GTEST_SKIP() << "scontrol is not installed";
  std::vector<std::string> names = {"n1", "n2", "n3", "n10", "n01", "n02", "n007", "a.b_c", "a.b_c1",
                                    "a.b_c2", "x-0", "x-00", "9", "10", "11", "dgx.rack-1.node_05",
                                    "y18446744073709551613", "y18446744073709551614", "z1234567890123456789",
                                    "z1234567890123456790", "n000000000000000000001", std::string(252, 'q') + "1",
                                    std::string(252, 'q') + "2", "login"};
  for (const std::string& name : names) ASSERT_TRUE(CheckHostName(name, "node name").ok()) << name;
  std::vector<std::string> read_back = SlurmExpands(CompressHostlist(names));
  std::sort(names.begin(), names.end());
  std::sort(read_back.begin(), read_back.end());
  EXPECT_EQ(read_back, names) << CompressHostlist(names);
}

}  // namespace
}  // namespace migsched::engines
