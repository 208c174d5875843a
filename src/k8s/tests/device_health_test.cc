#include "k8s/device_health.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace migsched::k8s {
namespace {

std::vector<PluginDevice> Devices(std::initializer_list<const char*> ids) {
  std::vector<PluginDevice> out;
  for (const char* id : ids) out.push_back({.id = id});
  return out;
}

TEST(MergeHealth, NewDevicesAreHealthy) {
  EXPECT_EQ(MergeHealth({}, Devices({"MIG-a", "MIG-b"})),
            (std::vector<ListedDevice>{{"MIG-a", true}, {"MIG-b", true}}));
}

TEST(MergeHealth, VanishedDevicesStayUnhealthyAfterThePresentOnes) {
  const std::vector<ListedDevice> before{{"MIG-a", true}, {"MIG-b", true}, {"MIG-old", false}};
  EXPECT_EQ(MergeHealth(before, Devices({"MIG-c", "MIG-b"})),
            (std::vector<ListedDevice>{{"MIG-c", true}, {"MIG-b", true}, {"MIG-a", false}, {"MIG-old", false}}));
}

TEST(MergeHealth, ADeviceThatComesBackIsHealthyAgain) {
  EXPECT_EQ(MergeHealth({{"MIG-a", false}}, Devices({"MIG-a"})), (std::vector<ListedDevice>{{"MIG-a", true}}));
}

TEST(MergeHealth, KeepsTheMostRecentlyVanishedWithinTheBound) {
  std::vector<ListedDevice> before{{"MIG-just-gone", true}};
  for (std::size_t i = 0; i < kMaxVanishedDevices; ++i) before.push_back({"MIG-old-" + std::to_string(i), false});
  const std::vector<ListedDevice> after = MergeHealth(before, {});
  ASSERT_EQ(after.size(), kMaxVanishedDevices);
  EXPECT_EQ(after.front(), (ListedDevice{"MIG-just-gone", false}));
  EXPECT_EQ(after.back().id, "MIG-old-" + std::to_string(kMaxVanishedDevices - 2));
}

}  // namespace
}  // namespace migsched::k8s
