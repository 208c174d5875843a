// NvmlSession over the fake library: the C++ API the agent uses, through the
// real dlopen path (MIGSCHED_NVML_LIBRARY points at the built fake).
#include "nvml/nvml_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "nvml/tests/fake_nvml_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::nvml::testing {
namespace {

using migsched::testing::BuiltinCatalogForTest;
using migsched::testing::Gpu;
using migsched::testing::HasCode;
using migsched::testing::HasError;
using migsched::testing::IsOk;
using migsched::testing::Profile;

class NvmlSessionTest : public FakeNvmlTest {
 protected:
  std::unique_ptr<NvmlSession> Open() {
    Result<std::unique_ptr<NvmlSession>> session = NvmlSession::Open(BuiltinCatalogForTest());
    if (!session.has_value()) {
      ADD_FAILURE() << session.error().ToString();
      return nullptr;
    }
    return std::move(session).value();
  }
  const geometry::GiProfile& GiProfile(const std::string& gpu, const std::string& name) {
    const geometry::GpuModel& model = Gpu(gpu);
    return model.profiles[static_cast<size_t>(Profile(model, name))];
  }
};

TEST_F(NvmlSessionTest, MissingLibrarySaysThereIsNoDriver) {
  setenv(kLibraryEnv, "/nonexistent/libnvidia-ml.so.1", 1);
  const auto session = NvmlSession::Open(BuiltinCatalogForTest());
  EXPECT_THAT(session, HasError(StatusCode::kUnavailable, "NVML not found: cannot load '/nonexistent/libnvidia-ml.so.1'"));
  EXPECT_THAT(session, HasError(StatusCode::kUnavailable, "no NVIDIA driver on this machine?"));
}

TEST_F(NvmlSessionTest, DefaultLibraryIsTheDriversWhenNoOverride) {
  unsetenv(kLibraryEnv);
  EXPECT_EQ(LibraryPathFromEnvironment(), "libnvidia-ml.so.1");
  setenv(kLibraryEnv, "", 1);
  EXPECT_EQ(LibraryPathFromEnvironment(), "libnvidia-ml.so.1");
}

TEST_F(NvmlSessionTest, LibraryWithoutNvmlSymbolsIsNamed) {
  // Any shared library that is not NVML: the C library itself.
  const auto library = NvmlLibrary::Load("libc.so.6");
  EXPECT_THAT(library, HasError(StatusCode::kUnavailable, "lacks NVML symbol 'nvmlInit_v2'"));
}

TEST_F(NvmlSessionTest, InitFailureCarriesNvmlsReason) {
  unsetenv(fake::kStateEnv);
  const auto session = NvmlSession::Open(BuiltinCatalogForTest());
  EXPECT_THAT(session, HasError(StatusCode::kUnavailable, "nvmlInit_v2"));
  EXPECT_THAT(session, HasError(StatusCode::kUnavailable, "NVML_ERROR_DRIVER_NOT_LOADED"));
}

TEST_F(NvmlSessionTest, DevicesMatchTheirCatalogModels) {
  InitMachine({{"A100-40GB", 1}, {"H100-80GB", 2}});
  const auto session = Open();
  ASSERT_NE(session, nullptr);
  EXPECT_THAT(session->DriverVersion(), IsOk());
  ASSERT_EQ(session->DeviceCount().value(), 3u);
  const DeviceInfo a100 = session->Device(0).value();
  EXPECT_EQ(a100.name, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(a100.model, &Gpu("A100-40GB"));
  EXPECT_EQ(a100.pci_device_id, 0x20B010DEu);
  EXPECT_EQ(a100.memory_total_mib, Gpu("A100-40GB").memory_mib);
  ASSERT_TRUE(a100.mig.has_value());
  EXPECT_EQ(*a100.mig, (MigMode{.current = true, .pending = true}));
  EXPECT_EQ(a100.uuid.rfind("GPU-", 0), 0u);
  const DeviceInfo h100 = session->Device(2).value();
  EXPECT_EQ(h100.model, &Gpu("H100-80GB"));
  EXPECT_NE(h100.uuid, session->Device(1).value().uuid);
  EXPECT_THAT(session->Device(3), HasError(StatusCode::kInvalidArgument, "GPU 3: nvmlDeviceGetHandleByIndex_v2"));
}

TEST_F(NvmlSessionTest, PossiblePlacementsEqualTheCatalogsForEveryModel) {
  std::vector<std::pair<std::string, int>> all;
  for (const geometry::GpuModel& model : BuiltinCatalogForTest().models()) all.emplace_back(model.name, 1);
  InitMachine(all);
  const auto session = Open();
  ASSERT_NE(session, nullptr);
  for (unsigned i = 0; i < all.size(); ++i) {
    const geometry::GpuModel& model = *session->Model(i).value();
    ASSERT_EQ(model.name, all[i].first);
    const std::vector<GiProfileInfo> profiles = session->GiProfiles(i).value();
    ASSERT_EQ(profiles.size(), model.profiles.size()) << model.name;
    for (const GiProfileInfo& info : profiles) {
      ASSERT_GE(info.profile, 0) << model.name << " id " << info.id;
      const geometry::GiProfile& profile = model.profiles[static_cast<size_t>(info.profile)];
      EXPECT_EQ(info.nvml_enum, profile.nvml_enum);
      EXPECT_EQ(info.instance_count, static_cast<unsigned>(profile.max_count));
      EXPECT_EQ(info.memory_mib, profile.memory_mib);
      std::vector<geometry::Placement> expected;
      for (int start : profile.starts) expected.push_back(profile.PlacementAt(start));
      EXPECT_EQ(info.placements, expected) << model.name << " " << profile.name;
      EXPECT_EQ(session->PossiblePlacements(i, profile).value(), expected);
    }
  }
}

TEST_F(NvmlSessionTest, CreatesListsAndDestroysInstancesInCatalogTerms) {
  InitMachine({{"A100-40GB", 1}});
  const auto session = Open();
  ASSERT_NE(session, nullptr);
  const geometry::GiProfile& three = GiProfile("A100-40GB", "3g.20gb");
  const Result<GpuInstanceInfo> gi = session->CreateGpuInstance(0, three, 4);
  ASSERT_THAT(gi, IsOk());
  EXPECT_EQ(gi->profile, Profile(Gpu("A100-40GB"), "3g.20gb"));
  EXPECT_EQ(gi->placement, (geometry::Placement{4, 4}));
  const Result<ComputeInstanceInfo> ci = session->CreateComputeInstance(0, gi->id, three.compute_instances.back());
  ASSERT_THAT(ci, IsOk());
  EXPECT_EQ(ci->uuid.rfind("MIG-", 0), 0u);
  ASSERT_THAT(session->CreateGpuInstance(0, GiProfile("A100-40GB", "1g.5gb"), 0), IsOk());

  const std::vector<GpuInstanceInfo> listed = session->GpuInstances(0).value();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].AsLayoutEntry(), (geometry::GpuInstance{Profile(Gpu("A100-40GB"), "1g.5gb"), {0, 1}}));
  EXPECT_TRUE(listed[0].compute_instances.empty());
  EXPECT_EQ(listed[1].id, gi->id);
  ASSERT_EQ(listed[1].compute_instances.size(), 1u);
  EXPECT_EQ(listed[1].compute_instances[0].uuid, ci->uuid);
  EXPECT_EQ(listed[1].compute_instances[0].placement, (geometry::Placement{0, 3}));

  EXPECT_THAT(session->DestroyGpuInstance(0, gi->id), HasError(StatusCode::kFailedPrecondition, "NVML_ERROR_IN_USE"));
  EXPECT_THAT(session->DestroyComputeInstance(0, gi->id, 77), HasCode(StatusCode::kNotFound));
  EXPECT_THAT(session->DestroyComputeInstance(0, gi->id, ci->id), IsOk());
  EXPECT_THAT(session->DestroyGpuInstance(0, gi->id), IsOk());
  EXPECT_THAT(session->DestroyGpuInstance(0, gi->id), HasCode(StatusCode::kNotFound));
  EXPECT_EQ(session->GpuInstances(0).value().size(), 1u);
}

TEST_F(NvmlSessionTest, RuleViolationsMapToStatusCodes) {
  InitMachine({{"A100-40GB", 1}});
  const auto session = Open();
  ASSERT_NE(session, nullptr);
  EXPECT_THAT(session->CreateGpuInstance(0, GiProfile("A100-40GB", "3g.20gb"), 2),
              HasError(StatusCode::kInvalidArgument, "nvmlDeviceCreateGpuInstanceWithPlacement(3g.20gb@2)"));
  ASSERT_THAT(session->CreateGpuInstance(0, GiProfile("A100-40GB", "4g.20gb"), 0), IsOk());
  EXPECT_THAT(session->CreateGpuInstance(0, GiProfile("A100-40GB", "3g.20gb"), 0),
              HasError(StatusCode::kResourceExhausted, "NVML_ERROR_INSUFFICIENT_RESOURCES"));
  // A profile of another GPU model is refused before NVML is asked.
  EXPECT_THAT(session->CreateGpuInstance(0, GiProfile("H100-80GB", "3g.40gb"), 4),
              HasError(StatusCode::kInvalidArgument, "has no profile '3g.40gb'"));
  EXPECT_THAT(session->SetMigMode(0, false), HasError(StatusCode::kFailedPrecondition, "NVML_ERROR_IN_USE"));
}

TEST_F(NvmlSessionTest, SetMigModeOnlyWhenAskedAndReportsTheMode) {
  InitMachine({{"H100-80GB", 1}});
  const auto session = Open();
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->SetMigMode(0, false).value(), (MigMode{.current = false, .pending = false}));
  EXPECT_EQ(*session->Device(0).value().mig, (MigMode{.current = false, .pending = false}));
  EXPECT_THAT(session->GpuInstances(0), HasError(StatusCode::kFailedPrecondition, "NVML_ERROR_NOT_SUPPORTED"));
  EXPECT_EQ(session->SetMigMode(0, true).value(), (MigMode{.current = true, .pending = true}));
}

TEST_F(NvmlSessionTest, ProcessesOnAnInstanceAreReported) {
  InitMachine({{"A100-40GB", 1}});
  const auto session = Open();
  ASSERT_NE(session, nullptr);
  const geometry::GiProfile& two = GiProfile("A100-40GB", "2g.10gb");
  const GpuInstanceInfo gi = session->CreateGpuInstance(0, two, 2).value();
  const ComputeInstanceInfo ci = session->CreateComputeInstance(0, gi.id, two.compute_instances[0]).value();
  EXPECT_TRUE(session->Processes(0, gi.id).value().empty());
  fake::FakeState state = ReadState();
  state.gpus[0].processes.push_back({.pid = 777, .gpu_instance = gi.id, .compute_instance = ci.id, .used_memory_mib = 1024});
  WriteState(state);
  const std::vector<ProcessInfo> processes = session->Processes(0, gi.id).value();
  ASSERT_EQ(processes.size(), 1u);
  EXPECT_EQ(processes[0].pid, 777u);
  EXPECT_EQ(processes[0].used_memory_mib, 1024);
  EXPECT_EQ(processes[0].gpu_instance_id, gi.id);
  EXPECT_THAT(session->Processes(0, gi.id + 100), HasCode(StatusCode::kNotFound));
}

TEST_F(NvmlSessionTest, StatePersistsAcrossShutdownAndAnotherLoad) {
  InitMachine({{"A100-40GB", 1}});
  std::vector<GpuInstanceInfo> before;
  {
    const auto session = Open();
    ASSERT_NE(session, nullptr);
    const geometry::GiProfile& four = GiProfile("A100-40GB", "4g.20gb");
    const GpuInstanceInfo gi = session->CreateGpuInstance(0, four, 0).value();
    ASSERT_THAT(session->CreateComputeInstance(0, gi.id, four.compute_instances[0]), IsOk());
    before = session->GpuInstances(0).value();
  }  // nvmlShutdown and dlclose
  const auto session = Open();
  ASSERT_NE(session, nullptr);
  const std::vector<GpuInstanceInfo> after = session->GpuInstances(0).value();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, before[0].id);
  EXPECT_EQ(after[0].placement, before[0].placement);
  ASSERT_EQ(after[0].compute_instances.size(), 1u);
  EXPECT_EQ(after[0].compute_instances[0].uuid, before[0].compute_instances[0].uuid);
  EXPECT_EQ(ReadState().mutations, 2);
}

TEST_F(NvmlSessionTest, InjectedFailureHitsTheNthCallOnce) {
  InitMachine({{"A100-40GB", 1}});
  fake::FakeState state = ReadState();
  state.failures.push_back(
      {.call = "nvmlDeviceCreateGpuInstanceWithPlacement", .nth = 2, .error = NVML_ERROR_UNKNOWN});
  WriteState(state);
  const auto session = Open();
  ASSERT_NE(session, nullptr);
  const geometry::GiProfile& one = GiProfile("A100-40GB", "1g.5gb");
  EXPECT_THAT(session->CreateGpuInstance(0, one, 0), IsOk());
  EXPECT_THAT(session->CreateGpuInstance(0, one, 1), HasError(StatusCode::kInternal, "NVML_ERROR_UNKNOWN"));
  EXPECT_THAT(session->CreateGpuInstance(0, one, 1), IsOk());
  EXPECT_TRUE(ReadState().failures.empty());
  EXPECT_EQ(session->GpuInstances(0).value().size(), 2u);  // the failed call changed nothing
}

TEST_F(NvmlSessionTest, InjectedFailureOfAQueryAndOfInit) {
  InitMachine({{"A100-40GB", 1}});
  fake::FakeState state = ReadState();
  state.failures = {{.call = "nvmlInit_v2", .nth = 1, .error = NVML_ERROR_LIB_RM_VERSION_MISMATCH},
                    {.call = "nvmlDeviceGetMigMode", .nth = 1, .error = NVML_ERROR_GPU_IS_LOST}};
  WriteState(state);
  EXPECT_THAT(NvmlSession::Open(BuiltinCatalogForTest()),
              HasError(StatusCode::kUnavailable, "NVML_ERROR_LIB_RM_VERSION_MISMATCH"));
  const auto session = Open();
  ASSERT_NE(session, nullptr);
  EXPECT_THAT(session->Device(0), HasError(StatusCode::kUnavailable, "GPU 0: nvmlDeviceGetMigMode: NVML_ERROR_GPU_IS_LOST"));
  EXPECT_THAT(session->Device(0), IsOk());
}

// The crash hook the agent's kill-at-every-step tests use: the process dies
// by SIGKILL right after the Nth change is persisted, and only once.
TEST_F(NvmlSessionTest, KillAfterMutationsKillsRightAfterThePersistedChange) {
  InitMachine({{"A100-40GB", 1}});
  fake::FakeState state = ReadState();
  state.kill_after_mutations = 2;
  WriteState(state);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child creates three instances; it must not survive the second.
    Result<std::unique_ptr<NvmlSession>> session = NvmlSession::Open(BuiltinCatalogForTest());
    if (!session.has_value()) _exit(3);
    const geometry::GiProfile& one = GiProfile("A100-40GB", "1g.5gb");
    for (int start = 0; start < 3; ++start) {
      if (!(*session)->CreateGpuInstance(0, one, start).has_value()) _exit(4);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  const fake::FakeState after = ReadState();
  EXPECT_EQ(after.gpus[0].gpu_instances.size(), 2u);
  EXPECT_EQ(after.mutations, 2);
  EXPECT_FALSE(after.kill_after_mutations.has_value());
  // A re-run is not killed again.
  const auto session = Open();
  ASSERT_NE(session, nullptr);
  EXPECT_THAT(session->CreateGpuInstance(0, GiProfile("A100-40GB", "1g.5gb"), 2), IsOk());
}

TEST(NvmlReturnCodesTest, EveryCodeHasANameAMeaningAndAStatus) {
  EXPECT_EQ(ReturnCodeName(NVML_ERROR_IN_USE), "NVML_ERROR_IN_USE");
  EXPECT_EQ(ParseReturnCode("NVML_ERROR_INSUFFICIENT_RESOURCES"), NVML_ERROR_INSUFFICIENT_RESOURCES);
  EXPECT_EQ(ParseReturnCode("NVML_ERROR_BOGUS"), std::nullopt);
  EXPECT_THAT(NvmlStatus(NVML_SUCCESS, "x"), IsOk());
  EXPECT_THAT(NvmlStatus(NVML_ERROR_IN_USE, "GPU 0: destroy"),
              HasError(StatusCode::kFailedPrecondition, "GPU 0: destroy: NVML_ERROR_IN_USE (in use"));
  EXPECT_THAT(NvmlStatus(NVML_ERROR_NOT_FOUND, "x"), HasCode(StatusCode::kNotFound));
  EXPECT_THAT(NvmlStatus(NVML_ERROR_DRIVER_NOT_LOADED, "x"), HasCode(StatusCode::kUnavailable));
  EXPECT_THAT(NvmlStatus(NVML_ERROR_UNKNOWN, "x"), HasCode(StatusCode::kInternal));
  EXPECT_THAT(NvmlStatus(static_cast<nvmlReturn_t>(1000), "x"), HasError(StatusCode::kInternal, "unrecognised"));
}

}  // namespace
}  // namespace migsched::nvml::testing
