#include "slurm/dynamic_conf.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"

namespace migsched::slurm {
namespace {

using ::testing::HasSubstr;
using testing::BuiltinCatalogForTest;
using testing::Gpu;

TEST(DynamicConfTest, CapacityIsTheMostAnyOneNodeCanHoldPerType) {
  const engines::SlurmTypeTable types(BuiltinCatalogForTest(), engines::SlurmTypeStyle::kAutodetect);
  const geometry::GpuModel* a100 = &Gpu("A100-80GB");
  const geometry::GpuModel* h100 = &Gpu("H100-80GB");
  // Node 1: two A100-80GB; node 2: one A100-80GB and one H100-80GB.
  const std::string gres = CapacityGres(types, {{a100, a100}, {a100, h100}});
  EXPECT_THAT(gres, HasSubstr("mig:a100_1g.10gb:14,"));  // 7 per GPU
  EXPECT_THAT(gres, HasSubstr("mig:a100_3g.39gb:4,"));
  EXPECT_THAT(gres, HasSubstr("mig:a100-sxm4-80gb:2,"));
  EXPECT_THAT(gres, HasSubstr("mig:h100_80gb_hbm3_1g.10gb:7,"));
  EXPECT_THAT(gres, HasSubstr("mig:h100_80gb_hbm3:1"));  // the whole H100
}

TEST(DynamicConfTest, LinesNameTheGresTheTaskPrologAndTheCapacityNode) {
  const engines::SlurmTypeTable types(BuiltinCatalogForTest(), engines::SlurmTypeStyle::kAutodetect);
  const std::string conf = DynamicSlurmConf(types, {{&Gpu("A100-80GB")}}, "/etc/slurm/migsched-task-prolog");
  EXPECT_THAT(conf, HasSubstr("\nGresTypes=mig\n"));
  EXPECT_THAT(conf, HasSubstr("\nTaskProlog=/etc/slurm/migsched-task-prolog\n"));
  EXPECT_THAT(conf, HasSubstr("\nNodeName=migsched-capacity State=FUTURE CPUs=1 Gres=mig:a100_1g.10gb:7,"));
}

}  // namespace
}  // namespace migsched::slurm
