#include "engines/k8s_resources.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/fleet_fixture.h"

namespace migsched::engines {
namespace {

using migsched::testing::MixedPlannedFleet;
using ::testing::ElementsAre;
using ::testing::Pair;

TEST(K8sResourcesTest, MixedStrategyCountsPerNodeAndFleet) {
  const K8sResources resources = ComputeK8sResources(MixedPlannedFleet());
  ASSERT_EQ(resources.nodes.size(), 3u);
  EXPECT_EQ(resources.nodes[0].node, "node-1");
  EXPECT_THAT(resources.nodes[0].resources,
              ElementsAre(Pair("nvidia.com/mig-1g.10gb", 4), Pair("nvidia.com/mig-2g.20gb", 2),
                          Pair("nvidia.com/mig-3g.40gb", 2), Pair("nvidia.com/mig-7g.80gb", 1),
                          Pair("nvidia.com/gpu", 1)));
  EXPECT_THAT(resources.nodes[2].resources, ElementsAre(Pair("nvidia.com/mig-1g.10gb.me", 1)));
  EXPECT_THAT(resources.fleet,
              ElementsAre(Pair("nvidia.com/mig-1g.10gb", 8), Pair("nvidia.com/mig-2g.20gb", 4),
                          Pair("nvidia.com/mig-3g.40gb", 4), Pair("nvidia.com/mig-7g.80gb", 2),
                          Pair("nvidia.com/gpu", 2), Pair("nvidia.com/mig-1g.10gb.me", 1)));
  EXPECT_EQ(MigResourceName("2g.48gb-me"), "nvidia.com/mig-2g.48gb-me");
}

TEST(K8sResources, ProfileOfMigResourceInvertsTheResourceName) {
  for (const char* profile : {"1g.10gb", "1g.10gb+me", "2g.48gb-me", "1g.12gb+me.all", "7g.80gb"}) {
    EXPECT_EQ(ProfileOfMigResource(MigResourceName(profile)), profile);
  }
  EXPECT_EQ(ProfileOfMigResource("nvidia.com/gpu"), std::nullopt);
  EXPECT_EQ(ProfileOfMigResource("nvidia.com/mig-"), std::nullopt);
  EXPECT_EQ(ProfileOfMigResource("example.com/mig-1g.10gb"), std::nullopt);
  EXPECT_EQ(ProfileOfMigResource("nvidia.com/mig-weird"), std::nullopt);
}

}  // namespace
}  // namespace migsched::engines
