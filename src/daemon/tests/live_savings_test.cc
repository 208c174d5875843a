#include "daemon/live_savings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"

namespace migsched::daemon {
namespace {

using ::testing::HasSubstr;

FleetView::Gpu MigGpu(const std::string& model, const std::vector<std::uint64_t>& jobs) {
  FleetView::Gpu gpu;
  gpu.model = model;
  for (const std::uint64_t job : jobs) {
    FleetView::Instance instance;
    instance.profile = "1g.10gb";
    instance.job = job;
    gpu.instances.push_back(instance);
  }
  return gpu;
}

// The example of live_savings.h: 3 MIG jobs on one H100, a 2-GPU whole job,
// an idle GPU and one with only idle instances.
FleetView ExampleFleet() {
  FleetView fleet;
  FleetView::Node node;
  node.name = "n1";
  node.gpus.push_back(MigGpu("H100-80GB", {11, 12, 13}));
  for (int i = 0; i < 2; ++i) {
    FleetView::Gpu whole = MigGpu("H100-80GB", {});
    whole.mig_enabled = false;
    whole.whole_job = 20;
    node.gpus.push_back(whole);
  }
  node.gpus.push_back(MigGpu("H100-80GB", {}));
  node.gpus.push_back(MigGpu("H100-80GB", {0, 0}));
  fleet.nodes.push_back(node);
  return fleet;
}

TEST(LiveSavingsTest, CountsWholeGpuAllocationOfTheActiveJobs) {
  const report::CostSheet costs;
  const LiveSavings savings = SavingsOf(ExampleFleet(), migsched::testing::BuiltinCatalogForTest(), costs);
  ASSERT_EQ(savings.models.size(), 1u);
  EXPECT_EQ(savings.models[0].gpus_in_use, 3);
  EXPECT_EQ(savings.models[0].whole_gpu_allocation, 5);
  EXPECT_EQ(savings.gpus_saved, 2);
  EXPECT_DOUBLE_EQ(savings.kw, 1.4);
  EXPECT_FALSE(savings.month.TotalCost().has_value());
  const nlohmann::ordered_json json = SavingsJson(savings, costs);
  EXPECT_EQ(json["gpus_saved"], 2);
  EXPECT_TRUE(json["money_per_month"].is_null());
  EXPECT_THAT(json["basis"].get<std::string>(), HasSubstr("give prices with serve --costs FILE"));

  MetricsText out;
  WriteSavingsMetrics(savings, costs, out);
  EXPECT_THAT(out.Text(), HasSubstr("migsched_gpus_saved{model=\"H100-80GB\"} 2\n"));
  EXPECT_THAT(out.Text(), HasSubstr("migsched_gpus_saved_power_watts{model=\"H100-80GB\"} 1400\n"));
  EXPECT_THAT(out.Text(), ::testing::Not(HasSubstr("money")));
}

TEST(LiveSavingsTest, MoneyPerMonthOncePricesAreGiven) {
  report::CostSheet costs{.currency = "EUR", .electricity_per_kwh = 0.2, .pue = 1.5, .models = {}};
  costs.models["H100-80GB"].price_per_gpu_hour = 1.0;
  const LiveSavings savings = SavingsOf(ExampleFleet(), migsched::testing::BuiltinCatalogForTest(), costs);
  // 2 GPUs x 730 h: 1,460 GPU-hours at 1.00, and 1,460 x 0.7 kW x 1.5 = 1,533 kWh at 0.20.
  EXPECT_NEAR(*savings.month.TotalCost(), 1460 + 306.6, 1e-6);
  EXPECT_DOUBLE_EQ(savings.kw, 2.1);
  EXPECT_EQ(SavingsJson(savings, costs)["currency"], "EUR");
  MetricsText out;
  WriteSavingsMetrics(savings, costs, out);
  EXPECT_THAT(out.Text(), HasSubstr("migsched_gpus_saved_money_per_month{currency=\"EUR\"} 1766.6"));
  EXPECT_THAT(out.Text(), HasSubstr("migsched_gpus_saved_power_watts{model=\"H100-80GB\"} 2100\n"));
}

}  // namespace
}  // namespace migsched::daemon
