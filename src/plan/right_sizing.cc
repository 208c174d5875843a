#include "plan/right_sizing.h"

#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>
#include <string>
#include <tuple>

#include "plan/profile_fit.h"

namespace migsched::plan {
namespace {

// Memory a replica must get: the need plus headroom, rounded up to a MiB.
int64_t NeededMib(const Workload& workload, const RightSizingOptions& options) {
  return (workload.memory_mib * (100 + options.headroom_pct) + 99) / 100;
}

// 2000 -> "2000", 27.88 -> "27.88": the number as the user wrote it.
std::string Decimal(double value) {
  std::ostringstream out;
  out << std::setprecision(6) << value;
  return out.str();
}

std::string NeedText(const Workload& workload, const RightSizingOptions& options) {
  std::string text = "needs " + std::to_string(NeededMib(workload, options)) + " MiB";
  if (options.headroom_pct > 0) {
    text += " (" + std::to_string(workload.memory_mib) + " + " +
            std::to_string(options.headroom_pct) + "% headroom)";
  }
  if (workload.min_compute_slices > 0) {
    text += " and >= " + std::to_string(workload.min_compute_slices) + " compute slices";
  }
  return text;
}

// The workload's need in the one request -> profile rule (plan/profile_fit.h).
ProfileNeed NeedOf(const Workload& workload, const RightSizingOptions& options) {
  return ProfileNeed{.compute_slices = workload.min_compute_slices, .memory_slices = 0,
                     .memory_mib = NeededMib(workload, options)};
}

SizingChoice WholeGpu(const geometry::GpuModel& model, int replicas, std::string why) {
  return SizingChoice{.model = &model,
                      .profile = std::nullopt,
                      .replicas = replicas,
                      .compute_slices = model.compute_slices,
                      .memory_slices = model.memory_slices,
                      .explanation = std::move(why)};
}

std::string Label(const Workload& workload, const geometry::GpuModel& model) {
  return workload.name + " on " + model.name + ": ";
}

// Fewest compute slices, then least memory, then catalog order.
SizingOutcome SizeByMemory(const geometry::GpuModel& model, const Workload& workload,
                           const RightSizingOptions& options) {
  const std::optional<int> best = SmallestFittingProfile(model, NeedOf(workload, options));
  const std::string need = NeedText(workload, options);
  if (best) {
    const geometry::GiProfile& p = model.profiles[static_cast<size_t>(*best)];
    return {SizingChoice{
                .model = &model,
                .profile = best,
                .replicas = workload.replicas,
                .compute_slices = p.compute_slices,
                .memory_slices = p.memory_slices,
                .explanation = Label(workload, model) + need + " -> " + p.name + " x " +
                               std::to_string(workload.replicas) + " (fewest compute slices, " +
                               std::to_string(p.compute_slices) + ", then least memory, " +
                               std::to_string(p.memory_mib) + " MiB)"},
            ""};
  }
  if (NeededMib(workload, options) <= model.memory_mib) {
    return {WholeGpu(model, workload.replicas,
                     Label(workload, model) + need +
                         ": larger than every profile -> whole GPU (MIG disabled, " +
                         std::to_string(model.memory_mib) + " MiB) x " +
                         std::to_string(workload.replicas)),
            ""};
  }
  return {std::nullopt, need + ", more than the GPU's " + std::to_string(model.memory_mib) + " MiB"};
}

struct Candidate {
  std::optional<int> profile;
  std::string name;
  int compute_slices = 0;
  int memory_slices = 0;
  int64_t memory_mib = 0;
};

// Profile x replicas meeting the demand and latency at least cost in compute
// slices, then memory, then replicas.
SizingOutcome SizeByDemand(const geometry::GpuModel& model, const Workload& workload,
                           const PerfTable& perf, const RightSizingOptions& options) {
  std::vector<Candidate> candidates;
  for (size_t i = 0; i < model.profiles.size(); ++i) {
    const geometry::GiProfile& p = model.profiles[i];
    if (!ProfileFits(p, NeedOf(workload, options))) continue;
    candidates.push_back(
        {static_cast<int>(i), p.name, p.compute_slices, p.memory_slices, p.memory_mib});
  }
  if (NeededMib(workload, options) <= model.memory_mib) {
    candidates.push_back({std::nullopt, std::string(kWholeGpuProfile), model.compute_slices,
                          model.memory_slices, model.memory_mib});
  }
  const double demand = *workload.demand_rps;
  std::optional<Candidate> best;
  int best_replicas = 0;
  std::string considered;
  for (const Candidate& c : candidates) {
    const PerfEntry* entry = perf.Find(workload.PerfKey(), model.name, c.name);
    if (entry == nullptr || entry->throughput_rps <= 0) continue;
    if (workload.max_latency_ms && entry->p99_latency_ms &&
        *entry->p99_latency_ms > *workload.max_latency_ms) {
      considered += " " + c.name + ": p99 " + Decimal(*entry->p99_latency_ms) + " ms too slow;";
      continue;
    }
    const double needed = std::ceil(demand / entry->throughput_rps);
    if (needed > 1e6) continue;
    const int replicas = std::max(1, static_cast<int>(needed));
    considered += " " + c.name + " x " + std::to_string(replicas) + " = " +
                  std::to_string(replicas * c.compute_slices) + " slices;";
    if (best) {
      const auto cost = std::make_tuple(int64_t{replicas} * c.compute_slices,
                                        replicas * c.memory_mib, replicas);
      const auto best_cost = std::make_tuple(int64_t{best_replicas} * best->compute_slices,
                                             best_replicas * best->memory_mib, best_replicas);
      if (cost >= best_cost) continue;
    }
    best = c;
    best_replicas = replicas;
  }
  const std::string head = Label(workload, model) + NeedText(workload, options) + ", demand " +
                           Decimal(demand) + " rps";
  if (!best) {
    std::string reason = "no profile that holds it has a perf table entry for '" + workload.PerfKey() + "'";
    if (workload.max_latency_ms) reason += " with p99 <= " + Decimal(*workload.max_latency_ms) + " ms";
    return {std::nullopt, reason + (considered.empty() ? "" : " (" + considered.substr(1, considered.size() - 2) + ")")};
  }
  SizingChoice choice{.model = &model,
                      .profile = best->profile,
                      .replicas = best_replicas,
                      .compute_slices = best->compute_slices,
                      .memory_slices = best->memory_slices,
                      .explanation = head + " -> " + best->name + " x " +
                                     std::to_string(best_replicas) + " (least cost of:" +
                                     considered + ")"};
  return {std::move(choice), ""};
}

}  // namespace

SizingOutcome RightSize(const geometry::GpuModel& model, const Workload& workload,
                        const PerfTable* perf, const RightSizingOptions& options) {
  if (workload.kind == WorkloadKind::kTraining) {
    if (NeededMib(workload, options) > model.memory_mib) {
      return {std::nullopt, "training " + NeedText(workload, options) + ", more than the GPU's " +
                                std::to_string(model.memory_mib) + " MiB"};
    }
    return {WholeGpu(model, workload.replicas,
                     Label(workload, model) + "training -> whole GPU (MIG disabled) x " +
                         std::to_string(workload.replicas)),
            ""};
  }
  if (workload.demand_rps) {
    if (perf == nullptr || !perf->HasKey(workload.PerfKey())) {
      return {std::nullopt, "demand_rps needs a perf table entry for '" + workload.PerfKey() + "'" +
                                (perf == nullptr ? " and no perf table was given" : "")};
    }
    return SizeByDemand(model, workload, *perf, options);
  }
  return SizeByMemory(model, workload, options);
}

WorkloadSizing RightSizeOnModels(const std::vector<const geometry::GpuModel*>& models,
                                 const Workload& workload, const PerfTable* perf,
                                 const RightSizingOptions& options) {
  WorkloadSizing sizing{.workload = workload.name, .require_labels = workload.require_labels, .choices = {},
                        .rejections = {}};
  for (const geometry::GpuModel* model : models) {
    SizingOutcome outcome = RightSize(*model, workload, perf, options);
    if (outcome.choice) {
      sizing.choices.push_back(std::move(*outcome.choice));
    } else {
      sizing.rejections.push_back({model->name, std::move(outcome.reason)});
    }
  }
  return sizing;
}

}  // namespace migsched::plan
