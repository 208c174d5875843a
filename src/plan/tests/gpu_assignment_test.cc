#include "plan/gpu_assignment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::plan {
namespace {

using ::migsched::testing::Gpu;
using ::migsched::testing::Instances;
using ::migsched::testing::IsOk;
using ::migsched::testing::Profile;

fleet::Fleet ThreeGpus(const geometry::GpuModel& model) {
  fleet::Fleet f;
  for (int i = 0; i < 3; ++i) {
    fleet::FleetGpu gpu;
    gpu.node = "n";
    gpu.index = i;
    gpu.model = &model;
    f.gpus.push_back(std::move(gpu));
  }
  return f;
}

TEST(GpuAssignmentTest, PartitionedGpuKeepsTheInstancesItCanReuse) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  fleet::Fleet f = ThreeGpus(a100);
  for (const geometry::GpuInstance& i : Instances(a100, {"4g.20gb@0", "3g.20gb@4"})) {
    f.gpus[1].instances.push_back({i, "old", false});
  }
  ModelConfigs configs = ModelConfigs::Create(a100).value();
  NodeRoom room;
  const GpuContent content{{{Profile(a100, "3g.20gb"), "x"},
                            {Profile(a100, "2g.10gb"), "y"},
                            {Profile(a100, "1g.5gb"), "z"}}};
  Result<std::vector<AssignedGpu>> assigned = AssignGpus(configs, f, {0, 1, 2}, {content}, room);
  ASSERT_THAT(assigned, IsOk());
  ASSERT_EQ(assigned->size(), 1u);
  EXPECT_EQ((*assigned)[0].index, 1u);  // the partitioned GPU before the blank ones
  const fleet::FleetGpu& gpu = (*assigned)[0].gpu;
  EXPECT_TRUE(geometry::CheckLayout(a100, fleet::LayoutOf(gpu)).valid);
  ASSERT_EQ(gpu.instances.size(), 3u);
  EXPECT_EQ(gpu.instances[0].instance, Instances(a100, {"3g.20gb@4"})[0]);  // kept in place
  EXPECT_EQ(gpu.instances[0].workload, "x");
}

TEST(GpuAssignmentTest, WholeGpuContentPrefersMigDisabledGpus) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  fleet::Fleet f = ThreeGpus(h100);
  f.gpus[2].mig_enabled = false;
  ModelConfigs configs = ModelConfigs::Create(h100).value();
  NodeRoom room;
  Result<std::vector<AssignedGpu>> assigned =
      AssignGpus(configs, f, {0, 1, 2}, {GpuContent{{{kWholeGpuItem, "train"}}}}, room);
  ASSERT_THAT(assigned, IsOk());
  EXPECT_EQ((*assigned)[0].index, 2u);
  EXPECT_FALSE((*assigned)[0].gpu.mig_enabled);
  EXPECT_EQ((*assigned)[0].gpu.whole_gpu_workload, "train");
}

TEST(GpuAssignmentTest, MoreContentsThanGpusIsAnInternalError) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  ModelConfigs configs = ModelConfigs::Create(a100).value();
  const GpuContent one{{{Profile(a100, "7g.40gb"), "a"}}};
  NodeRoom room;
  EXPECT_THAT(AssignGpus(configs, ThreeGpus(a100), {0}, {one, one}, room),
              ::migsched::testing::HasCode(StatusCode::kInternal));
}

}  // namespace
}  // namespace migsched::plan
