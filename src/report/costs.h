// What GPUs cost to run: board power per GPU model (the catalog's published
// maximum board power, or the operator's), price per GPU-hour (the operator's
// or a catalog's: rented, or purchase price spread over a depreciation
// period), electricity price and PUE. CostOf turns GPU-hours per model into
// kWh and money; `plan` (GPUs saved per month), `simulate` (GPU-hours of a
// trace) and `serve` (live) all count with it. Pure.
//
// Worked example: 10 H100-80GB saved for a month (730 h) at 700 W, PUE 1.3,
// 0.15/kWh, 2.50/GPU-hour: 10 x 730 = 7,300 GPU-hours; 7,300 x 0.7 kW x 1.3
// = 6,643 kWh; energy 996.45, GPUs 18,250.00, total 19,246.45.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "geometry/gpu_model.h"

namespace migsched::report {

inline constexpr double kHoursPerMonth = 730;  // 365 x 24 / 12

struct ModelCosts {
  std::optional<double> price_per_gpu_hour;  // rent, or purchase / depreciation hours; overrides the catalog's
  std::optional<int> board_power_w;          // overrides the catalog's figure
};

struct CostSheet {
  std::string currency = "USD";
  std::optional<double> electricity_per_kwh;
  double pue = 1.0;                          // facility power / IT power, >= 1
  std::map<std::string, ModelCosts> models;  // by catalog model name
};

// The power a GPU of `model` draws under load: the sheet's override, else the
// catalog's published figure (GpuModel::board_power_w); 0 when neither knows.
int BoardPowerW(const CostSheet& costs, const geometry::GpuModel& model);

// What a GPU-hour of `model` costs: the sheet's price, else the catalog's;
// nullopt when neither gives one.
std::optional<double> PricePerGpuHour(const CostSheet& costs, const geometry::GpuModel& model);

struct CostFigures {
  double gpu_hours = 0;
  double kwh = 0;                      // board power x PUE; models without a power figure add 0
  std::optional<double> energy_cost;   // needs electricity_per_kwh
  std::optional<double> gpu_cost;      // needs a price for every model with GPU-hours
  std::vector<std::string> unpriced;   // models given (even with 0 hours) but without a price
  std::vector<std::string> unpowered;  // models given but without a power figure
  // energy + GPUs when both are known, else whichever is; nullopt for neither.
  std::optional<double> TotalCost() const;
};

// kWh and money of these GPU-hours (negative hours count as negative).
CostFigures CostOf(const CostSheet& costs, const std::map<const geometry::GpuModel*, double>& gpu_hours);

// The same for GPUs held for `hours` (plan: per month, kHoursPerMonth).
CostFigures CostOfGpus(const CostSheet& costs, const std::map<const geometry::GpuModel*, int>& gpus,
                       double hours);

// "1,234.5" style figure with `digits` decimals and thousands separators.
std::string FormatAmount(double value, int digits);

// GPU-hours, kWh: whole numbers from 100 up, one decimal below ("12.5").
std::string FormatQuantity(double value);

// One line of figures: "7,300 GPU-hours, 6,643 kWh, USD 19,246.45 (energy
// 996.45, GPUs 18,250.00)"; money parts say what is missing ("no electricity
// price", "no price for H100-80GB: --costs").
std::string DescribeCosts(const CostSheet& costs, const CostFigures& figures);

}  // namespace migsched::report
