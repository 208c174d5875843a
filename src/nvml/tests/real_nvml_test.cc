// Read-only checks against the real NVIDIA driver, for machines that have
// one; skipped (with the reason) everywhere else. Never changes a GPU: no MIG
// mode change, no instance created or destroyed.
#include <gtest/gtest.h>

#include "nvml/nvml_library.h"
#include "nvml/nvml_session.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::nvml {
namespace {

using migsched::testing::BuiltinCatalogForTest;
using migsched::testing::IsOk;

TEST(RealNvmlTest, ReadOnlyQueriesAgreeWithTheCatalog) {
  Result<std::unique_ptr<NvmlSession>> opened = NvmlSession::OpenLibrary(kDefaultLibrary, BuiltinCatalogForTest());
  if (!opened.has_value()) GTEST_SKIP() << "no NVIDIA driver here: " << opened.error().message();
  const NvmlSession& session = **opened;
  ASSERT_THAT(session.DriverVersion(), IsOk());
  const unsigned count = session.DeviceCount().value();
  for (unsigned i = 0; i < count; ++i) {
    const Result<DeviceInfo> device = session.Device(i);
    ASSERT_THAT(device, IsOk());
    EXPECT_EQ(device->uuid.rfind("GPU-", 0), 0u) << device->uuid;
    if (!device->mig) continue;  // not MIG-capable
    // The driver describes profiles and placements with MIG mode on or off.
    const Result<std::vector<GiProfileInfo>> profiles = session.GiProfiles(i);
    ASSERT_THAT(profiles, IsOk());
    if (device->mig->current) {
      ASSERT_THAT(session.GpuInstances(i), IsOk());
    }
    if (device->model == nullptr) continue;  // a GPU the catalog does not know: nothing to compare
    for (const GiProfileInfo& info : *profiles) {
      ASSERT_GE(info.profile, 0) << device->name << ": the catalog lacks profile id " << info.id;
      const geometry::GiProfile& profile = device->model->profiles[static_cast<size_t>(info.profile)];
      std::vector<geometry::Placement> expected;
      for (int start : profile.starts) expected.push_back(profile.PlacementAt(start));
      EXPECT_EQ(info.placements, expected) << device->name << " " << profile.name;
      EXPECT_EQ(info.instance_count, static_cast<unsigned>(profile.max_count)) << profile.name;
    }
  }
}

}  // namespace
}  // namespace migsched::nvml
