#include "report/costs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <utility>

#include "common/strings.h"

namespace migsched::report {

int BoardPowerW(const CostSheet& costs, const geometry::GpuModel& model) {
  const auto it = costs.models.find(model.name);
  if (it != costs.models.end() && it->second.board_power_w) return *it->second.board_power_w;
  return model.board_power_w;
}

std::optional<double> PricePerGpuHour(const CostSheet& costs, const geometry::GpuModel& model) {
  const auto it = costs.models.find(model.name);
  if (it != costs.models.end() && it->second.price_per_gpu_hour) return it->second.price_per_gpu_hour;
  return model.price_per_gpu_hour;
}

std::optional<double> CostFigures::TotalCost() const {
  if (!energy_cost && !gpu_cost) return std::nullopt;
  return energy_cost.value_or(0) + gpu_cost.value_or(0);
}

CostFigures CostOf(const CostSheet& costs, const std::map<const geometry::GpuModel*, double>& gpu_hours) {
  CostFigures figures;
  double gpu_cost = 0;
  for (const auto& [model, hours] : gpu_hours) {
    figures.gpu_hours += hours;
    const int watts = BoardPowerW(costs, *model);
    if (watts == 0) figures.unpowered.push_back(model->name);
    figures.kwh += hours * watts / 1000.0 * costs.pue;
    if (const std::optional<double> price = PricePerGpuHour(costs, *model)) {
      gpu_cost += hours * *price;
    } else {
      figures.unpriced.push_back(model->name);
    }
  }
  // Keyed by address: sort the names so that messages do not depend on it.
  std::sort(figures.unpriced.begin(), figures.unpriced.end());
  std::sort(figures.unpowered.begin(), figures.unpowered.end());
  if (costs.electricity_per_kwh) figures.energy_cost = figures.kwh * *costs.electricity_per_kwh;
  if (figures.unpriced.empty()) figures.gpu_cost = gpu_cost;
  return figures;
}

CostFigures CostOfGpus(const CostSheet& costs, const std::map<const geometry::GpuModel*, int>& gpus,
                       double hours) {
  std::map<const geometry::GpuModel*, double> gpu_hours;
  for (const auto& [model, count] : gpus) gpu_hours[model] = count * hours;
  return CostOf(costs, gpu_hours);
}

std::string FormatAmount(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, std::fabs(value));
  std::string plain = text;
  const size_t point = plain.find('.');
  std::string whole = plain.substr(0, point);
  std::string out;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out += ',';
    out += whole[i];
  }
  if (point != std::string::npos) out += plain.substr(point);
  const bool negative = value < 0 && out.find_first_not_of("0,.") != std::string::npos;
  return (negative ? "-" : "") + out;
}

std::string FormatQuantity(double value) { return FormatAmount(value, std::fabs(value) < 100 ? 1 : 0); }

std::string DescribeCosts(const CostSheet& costs, const CostFigures& figures) {
  std::string line = FormatQuantity(figures.gpu_hours) + " GPU-hours, " + FormatQuantity(figures.kwh) + " kWh";
  if (!figures.unpowered.empty()) line += " (no power figure for " + Join(figures.unpowered, ", ") + ")";
  const std::optional<double> total = figures.TotalCost();
  std::vector<std::string> parts;
  parts.push_back(figures.energy_cost ? "energy " + FormatAmount(*figures.energy_cost, 2)
                                      : std::string("no electricity price"));
  parts.push_back(figures.gpu_cost ? "GPUs " + FormatAmount(*figures.gpu_cost, 2)
                                   : "no price for " + Join(figures.unpriced, ", "));
  line += total ? ", " + costs.currency + " " + FormatAmount(*total, 2) + " (" + Join(parts, ", ") + ")"
                : " (money: " + Join(parts, ", ") + "; give them with --costs)";
  return line;
}

}  // namespace migsched::report
