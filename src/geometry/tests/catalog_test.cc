#include "geometry/catalog.h"

#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::geometry {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::HasError;

TEST(CatalogTest, CoversTheGpusUsersAskFor) {
  const Catalog& catalog = BuiltinCatalogForTest();
  for (const char* name :
       {"A30-24GB", "A100-40GB", "A100-80GB", "H100-80GB", "H100-PCIE-80GB", "H100-94GB",
        "H100-96GB", "H20-96GB", "H200-141GB", "GH200-144GB", "B200-180GB", "GB200", "B300",
        "GB300", "RTX-PRO-6000", "RTX-PRO-5000", "RTX-PRO-4500"}) {
    EXPECT_TRUE(catalog.Find(name).has_value()) << name;
  }
  EXPECT_EQ(catalog.models().size(), 17u);
}

TEST(CatalogTest, FindsByProductNameAndPciIdCaseInsensitively) {
  const Catalog& catalog = BuiltinCatalogForTest();
  EXPECT_EQ(catalog.Find("NVIDIA A100-SXM4-40GB").value()->name, "A100-40GB");
  EXPECT_EQ(catalog.Find("nvidia a100-sxm4-40gb").value()->name, "A100-40GB");
  EXPECT_EQ(catalog.Find("0x20B010DE").value()->name, "A100-40GB");
  EXPECT_EQ(catalog.Find("0x20b0").value()->name, "A100-40GB");
  EXPECT_EQ(catalog.Find("0x233010DE").value()->name, "H100-80GB");
  EXPECT_EQ(catalog.Find("h100-nvl-94gb").value()->name, "H100-94GB");
}

TEST(CatalogTest, UnknownGpuListsKnownOnes) {
  EXPECT_THAT(BuiltinCatalogForTest().Find("A100X"),
              HasError(StatusCode::kNotFound, "unknown GPU 'A100X'; known GPUs: A30-24GB, A100-40GB"));
}

TEST(CatalogTest, RejectsTwoModelsAnsweringToOneName) {
  GpuModel a = testing::Gpu("A30-24GB");
  GpuModel b = a;
  b.name = "A30-clone";
  EXPECT_THAT(Catalog::Create({a, b}),
              HasError(StatusCode::kInvalidArgument, "already belongs to gpu 'A30-24GB'"));
}

// Regression: a model defined twice in one file was silently replaced.
TEST(CatalogTest, RejectsAModelDefinedTwice) {
  const GpuModel a30 = testing::Gpu("A30-24GB");
  EXPECT_THAT(Catalog::Create({a30, a30}),
              HasError(StatusCode::kInvalidArgument, "gpu 'A30-24GB' is defined twice"));
  EXPECT_THAT(BuiltinCatalogForTest().Merge({a30, a30}),
              HasError(StatusCode::kInvalidArgument, "gpu 'A30-24GB' is defined twice"));
}

TEST(CatalogTest, MergeReplacesAModelOfTheSameNameAndAddsNewOnes) {
  GpuModel changed = testing::Gpu("A30-24GB");
  changed.memory_mib = 12345;
  GpuModel added = testing::Gpu("A30-24GB");
  added.name = "A30-test";
  added.aliases.clear();
  added.product_names = {"Test A30"};
  added.pci_device_ids.clear();
  const Catalog merged = BuiltinCatalogForTest().Merge({changed, added}).value();
  EXPECT_EQ(merged.Find("A30-24GB").value()->memory_mib, 12345);
  EXPECT_EQ(merged.Find("Test A30").value()->name, "A30-test");
  EXPECT_EQ(merged.models().size(), BuiltinCatalogForTest().models().size() + 1);
}

TEST(GpuModelTest, ValidationNamesTheProfileAndProblem) {
  GpuModel model = testing::Gpu("A100-40GB");
  model.profiles[0].starts.push_back(8);  // 1g.5gb at slot 8 of an 8-slot GPU
  EXPECT_THAT(ValidateGpuModel(model),
              HasError(StatusCode::kInvalidArgument,
                       "profile '1g.5gb': start 8 + size 1 exceeds 8 memory slices"));
}

TEST(GpuModelTest, RejectsCountsThePlacementsCannotEnforce) {
  GpuModel model = testing::Gpu("A100-40GB");
  model.profiles[0].max_count = 3;  // 1g.5gb: placements allow 7
  EXPECT_THAT(ValidateGpuModel(model),
              HasError(StatusCode::kInvalidArgument, "max_count 3 is below the 7"));
  model.profiles[0].max_count = 9;
  EXPECT_THAT(ValidateGpuModel(model), HasError(StatusCode::kInvalidArgument, "outside 1..7"));
}

TEST(PciDeviceIdTest, ParsesBothFormsAndRejectsGarbage) {
  EXPECT_EQ(ParsePciDeviceId("0x20B010DE").value(), 0x20B010DEu);
  EXPECT_EQ(ParsePciDeviceId("0x20B0").value(), 0x20B010DEu);
  EXPECT_EQ(FormatPciDeviceId(0x20B010DEu), "0x20B010DE");
  EXPECT_THAT(ParsePciDeviceId("0xZZ"), HasError(StatusCode::kInvalidArgument, "0xDDDDVVVV"));
  EXPECT_THAT(ParsePciDeviceId("0x20B01"), HasError(StatusCode::kInvalidArgument, "malformed"));
  // Regression: a model named like hex digits ("B300") is a name, not a PCI id.
  EXPECT_THAT(ParsePciDeviceId("B300"), HasError(StatusCode::kInvalidArgument, "malformed"));
}

}  // namespace
}  // namespace migsched::geometry
