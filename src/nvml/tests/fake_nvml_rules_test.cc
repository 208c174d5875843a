// The fake NVML rejects what the driver rejects, with the driver's codes.
// Every test goes through dlopen and the exported C symbols.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "geometry/gpu_state.h"
#include "geometry/layout_enumerator.h"
#include "nvml/tests/fake_nvml_fixture.h"

namespace migsched::nvml::testing {
namespace {

using migsched::testing::Gpu;
using migsched::testing::Instances;

class FakeNvmlRulesTest : public FakeNvmlTest {};

TEST_F(FakeNvmlRulesTest, CallsBeforeInitAreUninitialized) {
  InitMachine({{"A100-40GB", 1}});
  Result<std::unique_ptr<NvmlLibrary>> library = NvmlLibrary::Load(MIGSCHED_FAKE_NVML_PATH);
  ASSERT_TRUE(library.has_value()) << library.error().ToString();
  unsigned count = 0;
  EXPECT_EQ((*library)->fn().nvmlDeviceGetCount_v2(&count), NVML_ERROR_UNINITIALIZED);
  EXPECT_EQ((*library)->fn().nvmlShutdown(), NVML_ERROR_UNINITIALIZED);
}

TEST_F(FakeNvmlRulesTest, InitWithoutStateFileNamedFails) {
  unsetenv(fake::kStateEnv);
  RawNvml nvml;
  EXPECT_EQ(nvml.init_result(), NVML_ERROR_DRIVER_NOT_LOADED);
}

TEST_F(FakeNvmlRulesTest, InitRejectsAStateWithAnImpossibleLayout) {
  InitMachine({{"A100-40GB", 1}});
  fake::FakeState state = ReadState();
  // 4g.20gb@0 and 3g.20gb@0 overlap: no driver could be in this state.
  state.gpus[0].gpu_instances = {{.id = 1, .profile_id = 5, .start = 0, .serial = 1, .compute_instances = {}},
                                 {.id = 2, .profile_id = 9, .start = 0, .serial = 2, .compute_instances = {}}};
  WriteState(state);
  RawNvml nvml;
  EXPECT_EQ(nvml.init_result(), NVML_ERROR_UNKNOWN);
}

TEST_F(FakeNvmlRulesTest, InitRejectsImpossibleComputeInstancesAndOrphanProcesses) {
  InitMachine({{"A100-40GB", 1}});
  const fake::FakeState good = ReadState();
  fake::FakeState state = good;
  // Two 3-slice compute instances cannot share one 3g GPU instance.
  state.gpus[0].gpu_instances = {
      {.id = 1, .profile_id = 9, .start = 0, .serial = 1,
       .compute_instances = {{.id = 0, .profile_id = 2, .start = 0, .size = 3, .serial = 2, .uuid = "MIG-a"},
                             {.id = 1, .profile_id = 2, .start = 0, .size = 3, .serial = 3, .uuid = "MIG-b"}}}};
  WriteState(state);
  EXPECT_EQ(RawNvml().init_result(), NVML_ERROR_UNKNOWN);
  state = good;
  state.gpus[0].processes = {{.pid = 9, .gpu_instance = 1, .compute_instance = 0, .used_memory_mib = 0}};
  WriteState(state);
  EXPECT_EQ(RawNvml().init_result(), NVML_ERROR_UNKNOWN);
  WriteState(good);
  EXPECT_EQ(RawNvml().init_result(), NVML_SUCCESS);
}

TEST_F(FakeNvmlRulesTest, DeviceHandleOutOfRangeIsInvalidArgument) {
  InitMachine({{"A100-40GB", 2}});
  RawNvml nvml;
  unsigned count = 0;
  ASSERT_EQ(nvml.fn().nvmlDeviceGetCount_v2(&count), NVML_SUCCESS);
  EXPECT_EQ(count, 2u);
  nvmlDevice_t device = nullptr;
  EXPECT_EQ(nvml.fn().nvmlDeviceGetHandleByIndex_v2(2, &device), NVML_ERROR_INVALID_ARGUMENT);
}

TEST_F(FakeNvmlRulesTest, StartTheProfileDoesNotAllowIsInvalidArgument) {
  InitMachine({{"A100-40GB", 1}});
  RawNvml nvml;
  const auto& a100 = Gpu("A100-40GB");
  EXPECT_EQ(nvml.CreateGi(0, a100, "3g.20gb", 2).first, NVML_ERROR_INVALID_ARGUMENT);  // only 0 or 4
  EXPECT_EQ(nvml.CreateGi(0, a100, "1g.5gb", 7).first, NVML_ERROR_INVALID_ARGUMENT);   // slot 7 is never a start
  EXPECT_EQ(nvml.CreateGi(0, a100, "7g.40gb", 1).first, NVML_ERROR_INVALID_ARGUMENT);
}

TEST_F(FakeNvmlRulesTest, WrongPlacementSizeOrUnknownProfileIsInvalidArgument) {
  InitMachine({{"A100-40GB", 1}});
  RawNvml nvml;
  const nvmlGpuInstancePlacement_t wrong_size{0, 2};
  nvmlGpuInstance_t gi = nullptr;
  EXPECT_EQ(nvml.fn().nvmlDeviceCreateGpuInstanceWithPlacement(nvml.Device(0), 9, &wrong_size, &gi),
            NVML_ERROR_INVALID_ARGUMENT);
  const nvmlGpuInstancePlacement_t placement{0, 1};
  EXPECT_EQ(nvml.fn().nvmlDeviceCreateGpuInstanceWithPlacement(nvml.Device(0), 99, &placement, &gi),
            NVML_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(nvml.fn().nvmlDeviceCreateGpuInstanceWithPlacement(nvml.Device(0), 19, nullptr, &gi),
            NVML_ERROR_INVALID_ARGUMENT);
}

TEST_F(FakeNvmlRulesTest, OverlapIsInsufficientResources) {
  InitMachine({{"A100-40GB", 1}});
  RawNvml nvml;
  const auto& a100 = Gpu("A100-40GB");
  ASSERT_EQ(nvml.CreateGi(0, a100, "2g.10gb", 4).first, NVML_SUCCESS);
  EXPECT_EQ(nvml.CreateGi(0, a100, "3g.20gb", 4).first, NVML_ERROR_INSUFFICIENT_RESOURCES);
  EXPECT_EQ(nvml.CreateGi(0, a100, "1g.5gb", 5).first, NVML_ERROR_INSUFFICIENT_RESOURCES);
  EXPECT_EQ(nvml.CreateGi(0, a100, "7g.40gb", 0).first, NVML_ERROR_INSUFFICIENT_RESOURCES);
  EXPECT_EQ(nvml.CreateGi(0, a100, "3g.20gb", 0).first, NVML_SUCCESS);
}

TEST_F(FakeNvmlRulesTest, SecondMediaExtensionInstanceIsInsufficientResources) {
  InitMachine({{"H100-80GB", 1}});
  RawNvml nvml;
  const auto& h100 = Gpu("H100-80GB");
  ASSERT_EQ(nvml.CreateGi(0, h100, "1g.10gb+me", 0).first, NVML_SUCCESS);
  EXPECT_EQ(nvml.CreateGi(0, h100, "1g.10gb+me", 1).first, NVML_ERROR_INSUFFICIENT_RESOURCES);
  EXPECT_EQ(nvml.CreateGi(0, h100, "1g.10gb", 1).first, NVML_SUCCESS);
}

TEST_F(FakeNvmlRulesTest, AllMediaInstanceExcludesMediaUsers) {
  const auto& rtx = Gpu("RTX-PRO-6000");
  const auto all_me = std::find_if(rtx.profiles.begin(), rtx.profiles.end(), [](const geometry::GiProfile& p) {
    return p.media_variant == geometry::MediaVariant::kAllMedia;
  });
  const auto standard = std::find_if(rtx.profiles.begin(), rtx.profiles.end(), [&](const geometry::GiProfile& p) {
    return p.media_variant == geometry::MediaVariant::kStandard && p.memory_slices == all_me->memory_slices;
  });
  ASSERT_NE(all_me, rtx.profiles.end());
  ASSERT_NE(standard, rtx.profiles.end());
  InitMachine({{"RTX-PRO-6000", 1}});
  RawNvml nvml;
  ASSERT_EQ(nvml.CreateGi(0, rtx, standard->name, static_cast<unsigned>(standard->starts.front())).first,
            NVML_SUCCESS);
  EXPECT_EQ(nvml.CreateGi(0, rtx, all_me->name, static_cast<unsigned>(all_me->starts.back())).first,
            NVML_ERROR_INSUFFICIENT_RESOURCES);
}

TEST_F(FakeNvmlRulesTest, MigModeOffRefusesInstancesWithNotSupported) {
  InitMachine({{"A100-40GB", 1}});
  RawNvml nvml;
  nvmlReturn_t activation = NVML_ERROR_UNKNOWN;
  ASSERT_EQ(nvml.fn().nvmlDeviceSetMigMode(nvml.Device(0), NVML_DEVICE_MIG_DISABLE, &activation), NVML_SUCCESS);
  EXPECT_EQ(activation, NVML_SUCCESS);
  unsigned current = 1, pending = 1;
  ASSERT_EQ(nvml.fn().nvmlDeviceGetMigMode(nvml.Device(0), &current, &pending), NVML_SUCCESS);
  EXPECT_EQ(current, unsigned{NVML_DEVICE_MIG_DISABLE});
  EXPECT_EQ(pending, unsigned{NVML_DEVICE_MIG_DISABLE});
  EXPECT_EQ(nvml.CreateGi(0, Gpu("A100-40GB"), "1g.5gb", 0).first, NVML_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(nvml.fn().nvmlDeviceSetMigMode(nvml.Device(0), 7, &activation), NVML_ERROR_INVALID_ARGUMENT);
}

TEST_F(FakeNvmlRulesTest, MigModeChangeWhileInstancesExistIsInUse) {
  InitMachine({{"A100-40GB", 1}});
  RawNvml nvml;
  const auto [created, gi] = nvml.CreateGi(0, Gpu("A100-40GB"), "1g.5gb", 0);
  ASSERT_EQ(created, NVML_SUCCESS);
  nvmlReturn_t activation = NVML_SUCCESS;
  EXPECT_EQ(nvml.fn().nvmlDeviceSetMigMode(nvml.Device(0), NVML_DEVICE_MIG_DISABLE, &activation), NVML_ERROR_IN_USE);
  ASSERT_EQ(nvml.fn().nvmlGpuInstanceDestroy(gi), NVML_SUCCESS);
  EXPECT_EQ(nvml.fn().nvmlDeviceSetMigMode(nvml.Device(0), NVML_DEVICE_MIG_DISABLE, &activation), NVML_SUCCESS);
}

TEST_F(FakeNvmlRulesTest, DestroyingAGpuInstanceWithComputeInstancesIsInUse) {
  InitMachine({{"A100-40GB", 1}});
  RawNvml nvml;
  const auto [created, gi] = nvml.CreateGi(0, Gpu("A100-40GB"), "3g.20gb", 4);
  ASSERT_EQ(created, NVML_SUCCESS);
  const auto [ci_created, ci] = nvml.CreateCi(gi, 2);
  ASSERT_EQ(ci_created, NVML_SUCCESS);
  EXPECT_EQ(nvml.fn().nvmlGpuInstanceDestroy(gi), NVML_ERROR_IN_USE);
  ASSERT_EQ(nvml.fn().nvmlComputeInstanceDestroy(ci), NVML_SUCCESS);
  EXPECT_EQ(nvml.fn().nvmlGpuInstanceDestroy(gi), NVML_SUCCESS);
  // The destroyed instance's handle is dead, not reused.
  EXPECT_EQ(nvml.fn().nvmlGpuInstanceDestroy(gi), NVML_ERROR_INVALID_ARGUMENT);
  nvmlGpuInstanceInfo_t info{};
  EXPECT_EQ(nvml.fn().nvmlGpuInstanceGetInfo(gi, &info), NVML_ERROR_INVALID_ARGUMENT);
}

TEST_F(FakeNvmlRulesTest, DestroyingAComputeInstanceWithARunningProcessIsInUse) {
  InitMachine({{"A100-40GB", 1}});
  RawNvml nvml;
  const auto [created, gi] = nvml.CreateGi(0, Gpu("A100-40GB"), "2g.10gb", 2);
  ASSERT_EQ(created, NVML_SUCCESS);
  const auto [ci_created, ci] = nvml.CreateCi(gi, 1);
  ASSERT_EQ(ci_created, NVML_SUCCESS);
  nvmlGpuInstanceInfo_t gi_info{};
  ASSERT_EQ(nvml.fn().nvmlGpuInstanceGetInfo(gi, &gi_info), NVML_SUCCESS);
  nvmlComputeInstanceInfo_t ci_info{};
  ASSERT_EQ(nvml.fn().nvmlComputeInstanceGetInfo_v2(ci, &ci_info), NVML_SUCCESS);

  // A test marks the instance busy the way a workload would: a process on it.
  fake::FakeState state = ReadState();
  state.gpus[0].processes.push_back(
      {.pid = 4242, .gpu_instance = gi_info.id, .compute_instance = ci_info.id, .used_memory_mib = 512});
  WriteState(state);
  EXPECT_EQ(nvml.fn().nvmlComputeInstanceDestroy(ci), NVML_ERROR_IN_USE);
  EXPECT_EQ(nvml.fn().nvmlGpuInstanceDestroy(gi), NVML_ERROR_IN_USE);
  nvmlReturn_t activation = NVML_SUCCESS;
  EXPECT_EQ(nvml.fn().nvmlDeviceSetMigMode(nvml.Device(0), NVML_DEVICE_MIG_DISABLE, &activation), NVML_ERROR_IN_USE);

  state.gpus[0].processes.clear();
  WriteState(state);
  EXPECT_EQ(nvml.fn().nvmlComputeInstanceDestroy(ci), NVML_SUCCESS);
}

TEST_F(FakeNvmlRulesTest, ComputeInstancesMustFitTheirGpuInstance) {
  InitMachine({{"A100-40GB", 1}});
  RawNvml nvml;
  const auto [created, gi] = nvml.CreateGi(0, Gpu("A100-40GB"), "3g.20gb", 0);
  ASSERT_EQ(created, NVML_SUCCESS);
  EXPECT_EQ(nvml.CreateCi(gi, 4).first, NVML_ERROR_INVALID_ARGUMENT);  // a 7-slice CI in a 3g instance
  nvmlComputeInstanceProfileInfo_t info{};
  EXPECT_EQ(nvml.fn().nvmlGpuInstanceGetComputeInstanceProfileInfo(gi, 4, NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED,
                                                                    &info),
            NVML_ERROR_NOT_SUPPORTED);
  ASSERT_EQ(nvml.CreateCi(gi, 1).first, NVML_SUCCESS);                  // 2 slices at 0
  EXPECT_EQ(nvml.CreateCi(gi, 1).first, NVML_ERROR_INSUFFICIENT_RESOURCES);  // max one 2c
  EXPECT_EQ(nvml.CreateCi(gi, 2).first, NVML_ERROR_INSUFFICIENT_RESOURCES);  // 3c: slices taken
  ASSERT_EQ(nvml.CreateCi(gi, 0).first, NVML_SUCCESS);                  // the third slice
  EXPECT_EQ(nvml.CreateCi(gi, 0).first, NVML_ERROR_INSUFFICIENT_RESOURCES);
}

TEST_F(FakeNvmlRulesTest, ProcessListFollowsTheSizingProtocol) {
  InitMachine({{"A100-40GB", 1}});
  RawNvml nvml;
  unsigned count = 0;
  EXPECT_EQ(nvml.fn().nvmlDeviceGetComputeRunningProcesses_v3(nvml.Device(0), &count, nullptr), NVML_SUCCESS);
  EXPECT_EQ(count, 0u);
  const auto [created, gi] = nvml.CreateGi(0, Gpu("A100-40GB"), "7g.40gb", 0);
  ASSERT_EQ(created, NVML_SUCCESS);
  ASSERT_EQ(nvml.CreateCi(gi, 4).first, NVML_SUCCESS);
  fake::FakeState state = ReadState();
  state.gpus[0].processes = {{.pid = 10, .gpu_instance = 0, .compute_instance = 0, .used_memory_mib = 100},
                             {.pid = 11, .gpu_instance = 0, .compute_instance = 0, .used_memory_mib = 200}};
  WriteState(state);
  count = 1;
  nvmlProcessInfo_t infos[2] = {};
  EXPECT_EQ(nvml.fn().nvmlDeviceGetComputeRunningProcesses_v3(nvml.Device(0), &count, infos),
            NVML_ERROR_INSUFFICIENT_SIZE);
  EXPECT_EQ(count, 2u);
  ASSERT_EQ(nvml.fn().nvmlDeviceGetComputeRunningProcesses_v3(nvml.Device(0), &count, infos), NVML_SUCCESS);
  EXPECT_EQ(infos[1].pid, 11u);
  EXPECT_EQ(infos[1].usedGpuMemory, 200ull * 1024 * 1024);
}

// The fake accepts exactly the layouts the geometry engine calls valid: every
// maximal layout of a sample of GPUs can be created (in reverse order too), and
// then no profile has capacity left.
TEST_F(FakeNvmlRulesTest, EveryMaximalLayoutCreatesAndLeavesNoRoom) {
  for (const char* name : {"A30-24GB", "A100-40GB", "RTX-PRO-6000"}) {
    const geometry::GpuModel& model = Gpu(name);
    InitMachine({{name, 1}});
    RawNvml nvml;
    const geometry::LayoutCensus census = geometry::EnumerateLayouts(model, migsched::testing::Space(model));
    const size_t stride = std::max<size_t>(1, census.maximal_layouts.size() / 12);  // each change is fsync'ed; sample
    for (size_t l = 0; l < census.maximal_layouts.size(); l += stride) {
      std::vector<geometry::GpuInstance> layout = census.maximal_layouts[l];
      if (l % 2 == 1) std::reverse(layout.begin(), layout.end());
      std::vector<nvmlGpuInstance_t> created;
      for (const geometry::GpuInstance& instance : layout) {
        const auto& profile = model.profiles[static_cast<size_t>(instance.profile)];
        const auto [code, gi] = nvml.CreateGi(0, model, profile.name, static_cast<unsigned>(instance.placement.start));
        ASSERT_EQ(code, NVML_SUCCESS) << name << " " << geometry::InstanceLabel(model, instance);
        created.push_back(gi);
      }
      for (const geometry::GiProfile& profile : model.profiles) {
        unsigned remaining = 99;
        ASSERT_EQ(nvml.fn().nvmlDeviceGetGpuInstanceRemainingCapacity(nvml.Device(0), static_cast<unsigned>(profile.id),
                                                                      &remaining),
                  NVML_SUCCESS);
        EXPECT_EQ(remaining, 0u) << name << " layout " << l << " still fits " << profile.name;
      }
      for (nvmlGpuInstance_t gi : created) ASSERT_EQ(nvml.fn().nvmlGpuInstanceDestroy(gi), NVML_SUCCESS);
    }
  }
}

// Random create attempts agree with geometry::CheckPlace on every GPU model:
// kFits -> SUCCESS, a disallowed start -> INVALID_ARGUMENT, any other
// rejection -> INSUFFICIENT_RESOURCES. Seeded, so failures reproduce.
TEST_F(FakeNvmlRulesTest, CreateAgreesWithTheGeometryRulesOnRandomAttempts) {
  std::mt19937 rng(20261126);
  for (const geometry::GpuModel& model : migsched::testing::BuiltinCatalogForTest().models()) {
    InitMachine({{model.name, 1}});
    RawNvml nvml;
    geometry::GpuState state;
    std::vector<int> counts(model.profiles.size(), 0);
    for (int attempt = 0; attempt < 12; ++attempt) {
      const size_t p = std::uniform_int_distribution<size_t>(0, model.profiles.size() - 1)(rng);
      const geometry::GiProfile& profile = model.profiles[p];
      const int start = std::uniform_int_distribution<int>(0, model.memory_slices - 1)(rng);
      geometry::PlaceCheck check = geometry::CheckPlace(model, profile, state, start);
      if (check == geometry::PlaceCheck::kFits && counts[p] >= profile.max_count) {
        check = geometry::PlaceCheck::kInstanceLimit;
      }
      const nvmlReturn_t expected = check == geometry::PlaceCheck::kFits ? NVML_SUCCESS
                                    : check == geometry::PlaceCheck::kStartNotAllowed
                                        ? NVML_ERROR_INVALID_ARGUMENT
                                        : NVML_ERROR_INSUFFICIENT_RESOURCES;
      EXPECT_EQ(nvml.CreateGi(0, model, profile.name, static_cast<unsigned>(start)).first, expected)
          << model.name << " " << profile.name << "@" << start << ": " << geometry::PlaceCheckName(check);
      if (check == geometry::PlaceCheck::kFits) {
        state = geometry::AfterPlace(profile, state, start);
        ++counts[p];
      }
    }
  }
}

}  // namespace
}  // namespace migsched::nvml::testing
