#include "io/costs_reader.h"

#include <cmath>

#include "io/text_file.h"
#include "io/yaml_reader.h"

namespace migsched::io {
namespace {

constexpr double kHoursPerYear = 8760;

Status ParseModel(const geometry::Catalog& catalog, const YamlReader& reader, const YAML::Node& item,
                  report::CostSheet& sheet) {
  MIGSCHED_RETURN_IF_ERROR(reader.ExpectKeys(
      item, "gpu costs", {"model", "price_per_gpu_hour", "purchase_price", "depreciation_years", "board_power_w"}));
  std::string name;
  MIGSCHED_ASSIGN_OR_RETURN(name, reader.String(item, "model"));
  const Result<const geometry::GpuModel*> model = catalog.Find(name);
  if (!model.has_value()) return Status(StatusCode::kNotFound, reader.Where(item) + ": " + model.error().message());
  report::ModelCosts costs;
  std::optional<double> hourly, purchase, years, watts;
  MIGSCHED_ASSIGN_OR_RETURN(hourly, reader.OptionalNumber(item, "price_per_gpu_hour", 0, 1e6));
  MIGSCHED_ASSIGN_OR_RETURN(purchase, reader.OptionalNumber(item, "purchase_price", 0, 1e9));
  MIGSCHED_ASSIGN_OR_RETURN(years, reader.OptionalNumber(item, "depreciation_years", 0.1, 50));
  MIGSCHED_ASSIGN_OR_RETURN(watts, reader.OptionalNumber(item, "board_power_w", 1, 100000));
  if (hourly && purchase) {
    return reader.Error(item, "give price_per_gpu_hour or purchase_price for " + name + ", not both");
  }
  if (purchase.has_value() != years.has_value()) {
    return reader.Error(item, "purchase_price and depreciation_years go together (" + name + ")");
  }
  costs.price_per_gpu_hour = purchase ? std::optional(*purchase / (*years * kHoursPerYear)) : hourly;
  if (watts) costs.board_power_w = static_cast<int>(std::lround(*watts));
  if (!sheet.models.emplace((*model)->name, costs).second) {
    return reader.Error(item, (*model)->name + " is listed twice");
  }
  return Status::Ok();
}

}  // namespace

Result<report::CostSheet> ParseCostSheet(const geometry::Catalog& catalog, std::string_view text,
                                         const std::string& source) {
  const YamlReader reader(source);
  YAML::Node root;
  MIGSCHED_ASSIGN_OR_RETURN(root, reader.Parse(text));
  MIGSCHED_RETURN_IF_ERROR(reader.ExpectKeys(root, "costs", {"currency", "electricity_per_kwh", "pue", "gpus"}));
  report::CostSheet sheet;
  if (root["currency"]) MIGSCHED_ASSIGN_OR_RETURN(sheet.currency, reader.String(root, "currency"));
  MIGSCHED_ASSIGN_OR_RETURN(sheet.electricity_per_kwh, reader.OptionalNumber(root, "electricity_per_kwh", 0, 1000));
  std::optional<double> pue;
  MIGSCHED_ASSIGN_OR_RETURN(pue, reader.OptionalNumber(root, "pue", 1, 10));
  sheet.pue = pue.value_or(1.0);
  const YAML::Node gpus = root["gpus"];
  if (!gpus) return sheet;
  if (!gpus.IsSequence()) return reader.Error(gpus, "'gpus' must be a list");
  for (const YAML::Node& item : gpus) MIGSCHED_RETURN_IF_ERROR(ParseModel(catalog, reader, item, sheet));
  return sheet;
}

Result<report::CostSheet> ReadCostSheetFile(const geometry::Catalog& catalog, const std::string& path) {
  std::string text;
  MIGSCHED_ASSIGN_OR_RETURN(text, ReadTextFile(path, "costs file"));
  return ParseCostSheet(catalog, text, path);
}

}  // namespace migsched::io
