#include "report/costs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"

namespace migsched::report {
namespace {

using migsched::testing::Gpu;

TEST(CostsTest, EveryCatalogModelHasNvidiasBoardPowerAndNoPrice) {
  const CostSheet none;
  EXPECT_EQ(BoardPowerW(none, Gpu("H100-80GB")), 700);
  EXPECT_EQ(BoardPowerW(none, Gpu("A100-80GB")), 400);
  EXPECT_EQ(BoardPowerW(none, Gpu("A30-24GB")), 165);
  for (const geometry::GpuModel& model : migsched::testing::BuiltinCatalogForTest().models()) {
    EXPECT_GT(model.board_power_w, 0) << model.name;
    EXPECT_THAT(model.board_power_source, ::testing::HasSubstr("NVIDIA")) << model.name;
    EXPECT_FALSE(model.price_per_gpu_hour.has_value()) << model.name;
  }
}

TEST(CostsTest, TheSheetOverridesTheCatalogsPowerAndPrice) {
  geometry::GpuModel model = Gpu("H100-80GB");
  model.price_per_gpu_hour = 3.0;
  CostSheet costs;
  EXPECT_EQ(PricePerGpuHour(costs, model), 3.0);
  costs.models["H100-80GB"] = ModelCosts{.price_per_gpu_hour = 2.0, .board_power_w = 500};
  EXPECT_EQ(PricePerGpuHour(costs, model), 2.0);
  EXPECT_EQ(BoardPowerW(costs, model), 500);
  const CostFigures figures = CostOfGpus(CostSheet{}, {{&model, 1}}, 10);
  EXPECT_DOUBLE_EQ(*figures.gpu_cost, 30);
  EXPECT_DOUBLE_EQ(figures.kwh, 7);
}

// The worked example of costs.h.
TEST(CostsTest, TenH100sForAMonth) {
  CostSheet costs{.currency = "EUR", .electricity_per_kwh = 0.15, .pue = 1.3, .models = {}};
  costs.models["H100-80GB"].price_per_gpu_hour = 2.50;
  const CostFigures figures = CostOfGpus(costs, {{&Gpu("H100-80GB"), 10}}, kHoursPerMonth);
  EXPECT_DOUBLE_EQ(figures.gpu_hours, 7300);
  EXPECT_NEAR(figures.kwh, 6643, 1e-6);
  EXPECT_NEAR(*figures.energy_cost, 996.45, 1e-6);
  EXPECT_NEAR(*figures.gpu_cost, 18250, 1e-6);
  EXPECT_EQ(DescribeCosts(costs, figures),
            "7,300 GPU-hours, 6,643 kWh, EUR 19,246.45 (energy 996.45, GPUs 18,250.00)");
}

TEST(CostsTest, DefaultsGiveEnergyButNoMoney) {
  const CostSheet costs;
  const CostFigures figures = CostOfGpus(costs, {{&Gpu("H100-80GB"), 2}, {&Gpu("A30-24GB"), 1}}, 10);
  EXPECT_DOUBLE_EQ(figures.kwh, (2 * 700 + 165) * 10 / 1000.0);
  EXPECT_FALSE(figures.TotalCost().has_value());
  EXPECT_THAT(figures.unpriced, ::testing::ElementsAre("A30-24GB", "H100-80GB"));
  EXPECT_EQ(DescribeCosts(costs, figures),
            "30.0 GPU-hours, 15.7 kWh (money: no electricity price, no price for A30-24GB, H100-80GB; give "
            "them with --costs)");
}

TEST(CostsTest, OverridesAndNegativeSavings) {
  CostSheet costs;
  costs.models["H100-80GB"] = {.price_per_gpu_hour = 1.0, .board_power_w = 500};
  const CostFigures figures = CostOfGpus(costs, {{&Gpu("H100-80GB"), -3}}, 2);
  EXPECT_DOUBLE_EQ(figures.kwh, -3.0);
  EXPECT_DOUBLE_EQ(*figures.TotalCost(), -6.0);
  EXPECT_EQ(FormatAmount(-1234567.891, 2), "-1,234,567.89");
  EXPECT_EQ(FormatAmount(-0.001, 2), "0.00");
}

}  // namespace
}  // namespace migsched::report
