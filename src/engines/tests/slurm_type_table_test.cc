#include "engines/slurm_type_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"

namespace migsched::engines {
namespace {

using ::testing::Contains;
using ::testing::Not;
using testing::BuiltinCatalogForTest;
using testing::Gpu;

TEST(SlurmTypeTableTest, TypesMapBackToModelsAndProfiles) {
  const SlurmTypeTable types(BuiltinCatalogForTest(), SlurmTypeStyle::kAutodetect);
  const SlurmType* three = types.Find("a100_3g.39gb");
  ASSERT_NE(three, nullptr);
  ASSERT_EQ(three->offers.size(), 1u);
  EXPECT_EQ(three->offers[0].model->name, "A100-80GB");
  EXPECT_EQ(three->offers[0].profile->name, "3g.40gb");
  const SlurmType* whole = types.Find("a100-sxm4-80gb");
  ASSERT_NE(whole, nullptr);
  EXPECT_EQ(whole->offers[0].profile, nullptr);
  EXPECT_EQ(types.Find("a100_9g.99gb"), nullptr);
  // Slurm's names join the A100-40GB and A100-80GB 1g.10gb (9984 and 9728 MiB).
  const SlurmType* one = types.Find("a100_1g.10gb");
  ASSERT_NE(one, nullptr);
  ASSERT_EQ(one->offers.size(), 2u);
  EXPECT_EQ(one->offers[0].model->name, "A100-40GB");
  EXPECT_EQ(one->offers[1].model->name, "A100-80GB");
  EXPECT_EQ(one->offers[1].profile->name, "1g.10gb") << "the base profile, not 1g.10gb+me";
  // The same profile on another model is another type.
  const SlurmType* h100 = types.Find("h100_80gb_hbm3_1g.10gb");
  ASSERT_NE(h100, nullptr);
  EXPECT_EQ(h100->offers[0].model->name, "H100-80GB");
}

TEST(SlurmTypeTableTest, AModelOffersItsProfilesWithoutMediaVariantsThenTheWholeGpu) {
  const SlurmTypeTable types(BuiltinCatalogForTest(), SlurmTypeStyle::kAutodetect);
  const std::vector<std::string> a100 = types.OfModel(Gpu("A100-80GB"));
  EXPECT_THAT(a100, ::testing::ElementsAre("a100_1g.10gb", "a100_1g.20gb", "a100_2g.20gb", "a100_3g.39gb",
                                           "a100_4g.39gb", "a100_7g.79gb", "a100-sxm4-80gb"));
  EXPECT_THAT(types.OfModel(Gpu("H100-80GB")), Not(Contains("a100_1g.10gb")));
}

}  // namespace
}  // namespace migsched::engines
