#include "engines/container_devices.h"

#include <gtest/gtest.h>

namespace migsched::engines {
namespace {

TEST(ContainerDevicesTest, DockerAndCdiNamesForAMigUuid) {
  const ContainerDeviceArgs args = ContainerArgsForMig("MIG-4b1e9c2a-7d3f-5e6a-8b9c-0d1e2f3a4b5c");
  EXPECT_EQ(args.docker, "--gpus '\"device=MIG-4b1e9c2a-7d3f-5e6a-8b9c-0d1e2f3a4b5c\"'");
  EXPECT_EQ(args.cdi, "--device nvidia.com/gpu=MIG-4b1e9c2a-7d3f-5e6a-8b9c-0d1e2f3a4b5c");
}

}  // namespace
}  // namespace migsched::engines
