#include "cli/simulate_costs.h"

#include <cstdint>
#include <optional>
#include <string>

#include "sim/fleet_spec.h"

namespace migsched::cli {

std::map<const geometry::GpuModel*, double> BusyGpuHours(const sim::PolicyResult& result, const fleet::Fleet& fleet) {
  double busy_ms = 0;  // GPU-milliseconds
  for (size_t i = 0; i < result.samples.size(); ++i) {
    const int64_t until = i + 1 < result.samples.size() ? result.samples[i + 1].t_ms : result.end_ms;
    busy_ms += static_cast<double>(result.samples[i].busy_gpus) * static_cast<double>(until - result.samples[i].t_ms);
  }
  std::map<const geometry::GpuModel*, double> hours;
  if (fleet.gpus.empty()) return hours;
  for (const fleet::FleetGpu& gpu : fleet.gpus) hours[gpu.model] += 1;
  for (auto& [model, share] : hours) share = share / static_cast<double>(fleet.gpus.size()) * busy_ms / 3.6e6;
  return hours;
}

void PrintPolicyCosts(std::ostream& out, const std::vector<sim::PolicyRun>& runs, const fleet::Fleet& fleet,
                      const report::CostSheet& costs) {
  const bool mixed = sim::FleetModels(fleet).size() > 1;
  out << "\nGPU-hours with a job on them, at full board power x PUE " << report::FormatAmount(costs.pue, 2)
      << " (idle GPUs counted as powered down or given to other work"
      << (mixed ? "; mixed fleet: busy GPUs split over models by fleet share" : "") << "):\n";
  const report::CostFigures* whole = nullptr;
  size_t whole_run = 0;
  std::vector<report::CostFigures> figures;
  for (const sim::PolicyRun& run : runs) figures.push_back(report::CostOf(costs, BusyGpuHours(run.result, fleet)));
  for (size_t i = 0; i < runs.size(); ++i) {
    if (runs[i].result.isolation == "whole-gpu" && whole == nullptr) {
      whole = &figures[i];
      whole_run = i;
    }
  }
  for (size_t i = 0; i < runs.size(); ++i) {
    out << "  " << runs[i].result.policy << ": " << report::DescribeCosts(costs, figures[i]) << "\n";
    if (whole == nullptr || runs[i].result.isolation != "mig" || whole->gpu_hours <= 0) continue;
    const double saved_hours = whole->gpu_hours - figures[i].gpu_hours;
    out << "    saves " << report::FormatQuantity(saved_hours) << " GPU-hours ("
        << report::FormatAmount(100 * saved_hours / whole->gpu_hours, 1) << "%), "
        << report::FormatQuantity(whole->kwh - figures[i].kwh) << " kWh";
    const std::optional<double> theirs = whole->TotalCost(), ours = figures[i].TotalCost();
    if (theirs && ours) out << ", " << costs.currency << " " << report::FormatAmount(*theirs - *ours, 2);
    out << " against whole-gpu";
    const int64_t fewer = runs[whole_run].result.placed - runs[i].result.placed;
    if (fewer > 0) out << " (but it starts " << fewer << " fewer jobs)";
    out << "\n";
  }
}

}  // namespace migsched::cli
