#include "daemon/live_savings.h"

#include <map>
#include <set>

#include "common/strings.h"

namespace migsched::daemon {
namespace {

constexpr MetricFamily kInUse{"migsched_gpus_in_use", MetricType::kGauge,
                              "GPUs holding at least one active job (MIG instance or whole GPU)."};
constexpr MetricFamily kWholeAllocation{"migsched_whole_gpu_allocation_gpus", MetricType::kGauge,
                                        "GPUs the active jobs would hold if each took whole GPUs."};
constexpr MetricFamily kSaved{"migsched_gpus_saved", MetricType::kGauge,
                              "GPUs MIG saves against whole-GPU allocation: free for other work."};
constexpr MetricFamily kSavedPower{"migsched_gpus_saved_power_watts", MetricType::kGauge,
                                   "Full board power x PUE of the GPUs saved."};
constexpr MetricFamily kSavedMoney{"migsched_gpus_saved_money_per_month", MetricType::kGauge,
                                   "What the GPUs saved cost per month (730 h): GPU price and energy, "
                                   "from serve --costs."};

}  // namespace

LiveSavings SavingsOf(const FleetView& fleet, const geometry::Catalog& catalog, const report::CostSheet& costs) {
  std::map<std::string, ModelSavings> by_name;
  for (const FleetView::Node& node : fleet.nodes) {
    for (const FleetView::Gpu& gpu : node.gpus) {
      const Result<const geometry::GpuModel*> model = catalog.Find(gpu.model);
      if (!model.has_value()) continue;
      std::set<std::uint64_t> jobs;
      for (const FleetView::Instance& instance : gpu.instances) {
        if (instance.job != 0) jobs.insert(instance.job);
      }
      const int holders = gpu.whole_job != 0 ? 1 : static_cast<int>(jobs.size());
      if (holders == 0) continue;
      ModelSavings& entry = by_name[gpu.model];
      entry.model = *model;
      entry.gpus_in_use += 1;
      entry.whole_gpu_allocation += holders;
    }
  }
  LiveSavings savings;
  std::map<const geometry::GpuModel*, int> saved;
  for (auto& [name, entry] : by_name) {
    savings.gpus_saved += entry.gpus_saved();
    // Only models that save: one without a price but saving nothing costs nothing.
    if (entry.gpus_saved() > 0) saved[entry.model] = entry.gpus_saved();
    savings.models.push_back(entry);
  }
  savings.month = report::CostOfGpus(costs, saved, report::kHoursPerMonth);
  savings.kw = savings.month.kwh / report::kHoursPerMonth;
  return savings;
}

nlohmann::ordered_json SavingsJson(const LiveSavings& savings, const report::CostSheet& costs) {
  int in_use = 0, whole = 0;
  for (const ModelSavings& m : savings.models) {
    in_use += m.gpus_in_use;
    whole += m.whole_gpu_allocation;
  }
  const std::optional<double> money = savings.month.TotalCost();
  std::string basis = "vs whole-GPU allocation of the active jobs; saved GPUs are free for other work";
  if (!savings.month.unpowered.empty()) basis += "; no power figure for " + Join(savings.month.unpowered, ", ");
  if (!money) basis += "; money: give prices with serve --costs FILE";
  return {{"gpus_saved", savings.gpus_saved},
          {"whole_gpu_allocation", whole},
          {"gpus_in_use", in_use},
          {"kw", savings.kw},
          {"currency", costs.currency},
          {"money_per_month", money ? nlohmann::ordered_json(*money) : nlohmann::ordered_json(nullptr)},
          {"basis", basis}};
}

void WriteSavingsMetrics(const LiveSavings& savings, const report::CostSheet& costs, MetricsText& out) {
  for (const ModelSavings& m : savings.models) {
    const Labels model{{"model", m.model->name}};
    out.Add(kInUse, model, m.gpus_in_use);
    out.Add(kWholeAllocation, model, m.whole_gpu_allocation);
    out.Add(kSaved, model, m.gpus_saved());
    out.Add(kSavedPower, model, static_cast<double>(m.gpus_saved()) * report::BoardPowerW(costs, *m.model) * costs.pue);
  }
  if (const std::optional<double> money = savings.month.TotalCost()) {
    out.Add(kSavedMoney, {{"currency", costs.currency}}, *money);
  }
}

}  // namespace migsched::daemon
