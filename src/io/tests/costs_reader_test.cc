#include "io/costs_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::io {
namespace {

using migsched::testing::BuiltinCatalogForTest;
using migsched::testing::HasError;
using migsched::testing::IsOk;

Result<report::CostSheet> Parse(const std::string& text) {
  return ParseCostSheet(BuiltinCatalogForTest(), text, "costs.yaml");
}

TEST(CostsReaderTest, ReadsPricesPowerAndDepreciation) {
  const Result<report::CostSheet> sheet = Parse(
      "currency: EUR\nelectricity_per_kwh: 0.15\npue: 1.3\ngpus:\n"
      "  - {model: H100-80GB, price_per_gpu_hour: 2.5}\n"
      "  - {model: A100-SXM4-80GB, purchase_price: 17520, depreciation_years: 4, board_power_w: 300}\n");
  ASSERT_THAT(sheet, IsOk());
  EXPECT_EQ(sheet->currency, "EUR");
  EXPECT_DOUBLE_EQ(*sheet->electricity_per_kwh, 0.15);
  EXPECT_DOUBLE_EQ(sheet->pue, 1.3);
  EXPECT_DOUBLE_EQ(*sheet->models.at("H100-80GB").price_per_gpu_hour, 2.5);
  EXPECT_DOUBLE_EQ(*sheet->models.at("A100-80GB").price_per_gpu_hour, 0.5);  // an alias; 17,520 / (4 x 8,760 h)
  EXPECT_EQ(*sheet->models.at("A100-80GB").board_power_w, 300);
}

TEST(CostsReaderTest, EmptyFileKeepsDefaults) {
  const Result<report::CostSheet> sheet = Parse("pue: 1\n");
  ASSERT_THAT(sheet, IsOk());
  EXPECT_EQ(sheet->currency, "USD");
  EXPECT_FALSE(sheet->electricity_per_kwh.has_value());
}

TEST(CostsReaderTest, ErrorsNameFileLineAndKey) {
  EXPECT_THAT(Parse("pue: 0.5\n"), HasError(StatusCode::kInvalidArgument, "costs.yaml:1: 'pue' must be a number from 1 to 10"));
  EXPECT_THAT(Parse("electricity_per_kwh: cheap\n"),
              HasError(StatusCode::kInvalidArgument, "costs.yaml:1: 'electricity_per_kwh' must be a number"));
  EXPECT_THAT(Parse("colour: red\n"), HasError(StatusCode::kInvalidArgument, "costs.yaml:1: unknown key 'colour'"));
  EXPECT_THAT(Parse("gpus:\n  - {model: Z100, price_per_gpu_hour: 1}\n"),
              HasError(StatusCode::kNotFound, "costs.yaml:2: unknown GPU 'Z100'"));
  EXPECT_THAT(Parse("gpus:\n  - {model: H100-80GB, price_per_gpu_hour: 1, purchase_price: 2, depreciation_years: 3}\n"),
              HasError(StatusCode::kInvalidArgument, "costs.yaml:2: give price_per_gpu_hour or purchase_price"));
  EXPECT_THAT(Parse("gpus:\n  - {model: H100-80GB, purchase_price: 20000}\n"),
              HasError(StatusCode::kInvalidArgument, "purchase_price and depreciation_years go together"));
  EXPECT_THAT(Parse("gpus:\n  - {model: H100-80GB, price_per_gpu_hour: -1}\n"),
              HasError(StatusCode::kInvalidArgument, "'price_per_gpu_hour' must be a number from 0"));
  EXPECT_THAT(Parse("gpus:\n  - {model: A100-80GB}\n  - {model: A100-SXM4-80GB, board_power_w: 600}\n"),
              HasError(StatusCode::kInvalidArgument, "costs.yaml:3: A100-80GB is listed twice"));
  EXPECT_THAT(Parse("gpus: {model: H100}\n"), HasError(StatusCode::kInvalidArgument, "'gpus' must be a list"));
  EXPECT_THAT(ReadCostSheetFile(BuiltinCatalogForTest(), "/nonexistent/costs.yaml"),
              HasError(StatusCode::kNotFound, "/nonexistent/costs.yaml"));
}

}  // namespace
}  // namespace migsched::io
