#include "sim/bounds.h"

#include <algorithm>
#include <array>
#include <map>
#include <numeric>
#include <tuple>

#include "sim/arrivals.h"
#include "sim/fleet_spec.h"

namespace migsched::sim {
namespace {

// A job's cost on a MIG fleet, in units of 1/unit of a GPU (unit = the lcm
// of every model's compute and memory slice counts, so shares are exact).
struct MigCost {
  int64_t compute = 0;    // compute share x unit
  int64_t memory = 0;     // memory share x unit
  int64_t exclusive = 0;  // GPUs no other exclusive job may share, x unit
  int whole_gpus = 0;
  bool half_compute = false;  // an instance with more than half the compute of every model it may use
};

int64_t SliceUnit(const fleet::Fleet& fleet) {
  int64_t unit = 1;
  for (const geometry::GpuModel* model : FleetModels(fleet)) {
    unit = std::lcm(unit, int64_t{model->compute_slices});
    unit = std::lcm(unit, int64_t{model->memory_slices});
  }
  return unit;
}

MigCost CostOf(const sched::Request& request, int64_t unit) {
  MigCost cost;
  if (request.whole_gpus > 0) {
    cost.whole_gpus = request.whole_gpus;
    cost.compute = cost.memory = cost.exclusive = request.whole_gpus * unit;
    return cost;
  }
  cost.compute = cost.memory = unit;
  cost.half_compute = true;
  for (const sched::ProfileOption& option : request.options) {
    const geometry::GpuModel& model = *option.model;
    const geometry::GiProfile& profile = model.profiles[static_cast<size_t>(option.profile)];
    cost.compute = std::min(cost.compute, profile.compute_slices * unit / model.compute_slices);
    cost.memory = std::min(cost.memory, profile.memory_slices * unit / model.memory_slices);
    cost.half_compute = cost.half_compute && 2 * profile.compute_slices > model.compute_slices;
  }
  cost.exclusive = cost.half_compute ? unit : 0;
  return cost;
}

// Jobs of equal value and cost, counted together.
struct ItemType {
  int64_t value = 0;
  std::array<int64_t, 3> cost{};  // compute, memory, exclusive
  int64_t count = 0;
};

// The single-row fractional knapsack under the surrogate row `weights` . cost
// <= weights . capacity, solved exactly by taking items in order of value per
// weight; rounded down.
int64_t SurrogateBound(std::vector<ItemType>& items, const std::array<int64_t, 3>& weights, int64_t capacity_per_row) {
  const auto weight = [&](const ItemType& item) {
    return weights[0] * item.cost[0] + weights[1] * item.cost[1] + weights[2] * item.cost[2];
  };
  std::sort(items.begin(), items.end(), [&](const ItemType& a, const ItemType& b) {
    return a.value * weight(b) > b.value * weight(a);  // a weight of 0 sorts first (free)
  });
  int64_t room = (weights[0] + weights[1] + weights[2]) * capacity_per_row;
  int64_t value = 0;
  for (const ItemType& item : items) {
    const int64_t w = weight(item);
    if (w == 0 || item.count * w <= room) {
      value += item.count * item.value;
      room -= item.count * w;
      continue;
    }
    return value + room * item.value / w;  // the fractional item; the rest does not fit
  }
  return value;
}

// The least surrogate bound over the combinations (a, b, c) with a + b + c =
// kGrid; every one is an upper bound on the LP, so the least is too.
constexpr int64_t kGrid = 60;

int64_t MigPlacedMax(std::vector<ItemType> items, int64_t capacity_per_row) {
  int64_t best = INT64_MAX;
  for (int64_t a = 0; a <= kGrid; ++a) {
    for (int64_t b = 0; a + b <= kGrid; ++b) {
      best = std::min(best, SurrogateBound(items, {a, b, kGrid - a - b}, capacity_per_row));
    }
  }
  return best;
}

void AddItem(std::map<std::tuple<int64_t, int64_t, int64_t, int64_t>, int64_t>& counts, int64_t value,
             const MigCost& cost) {
  ++counts[{value, cost.compute, cost.memory, cost.exclusive}];
}

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Running totals of jobs on the fleet at once, and the fewest GPUs they need.
class GpusNeeded {
 public:
  explicit GpusNeeded(int64_t unit) : unit_(unit) {}
  void Add(const MigCost& cost, int sign) {
    if (cost.whole_gpus > 0) {
      whole_ += sign * cost.whole_gpus;
    } else {
      compute_ += sign * cost.compute;
      memory_ += sign * cost.memory;
      half_ += sign * cost.half_compute;
    }
  }
  int64_t Min() const {
    return whole_ + std::max({CeilDiv(compute_, unit_), CeilDiv(memory_, unit_), half_});
  }

 private:
  int64_t unit_;
  int64_t whole_ = 0, compute_ = 0, memory_ = 0, half_ = 0;
};

// The first n for which the first n fill arrivals cannot all fit; 0 when
// that does not happen within `max_milli` of arrived demand.
int64_t ForcedRejectionBy(const std::vector<SimJob>& jobs, const FillOptions& options, int64_t unit,
                          int64_t gpus, int64_t max_milli) {
  FillArrivals arrivals(jobs.size(), options.seed);
  GpusNeeded needed(unit);
  int64_t arrived = 0;
  for (int64_t n = 1; arrived < max_milli; ++n) {
    const SimJob& job = jobs[arrivals.Next()];
    arrived += job.job.DemandMilli();
    if (!job.request) continue;
    needed.Add(CostOf(job.request->request, unit), +1);
    if (needed.Min() > gpus) return n;
  }
  return 0;
}

}  // namespace

Result<FillBounds> ComputeFillBounds(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet,
                                     const FillOptions& options) {
  if (jobs.empty() || fleet.gpus.empty()) return InvalidArgumentError("fill bounds need jobs and a fleet");
  const int64_t gpus = static_cast<int64_t>(fleet.gpus.size());
  const int64_t capacity_milli = gpus * 1000;
  const int64_t unit = SliceUnit(fleet);
  FillBounds bounds;
  std::map<std::tuple<int64_t, int64_t, int64_t, int64_t>, int64_t> counts;
  int64_t runnable_milli = 0;
  FillArrivals arrivals(jobs.size(), options.seed);
  while (bounds.arrived_demand_milli < capacity_milli) {
    const SimJob& job = jobs[arrivals.Next()];
    ++bounds.arrivals;
    bounds.arrived_demand_milli += job.job.DemandMilli();
    if (!job.request) continue;
    runnable_milli += job.job.DemandMilli();
    AddItem(counts, job.job.DemandMilli(), CostOf(job.request->request, unit));
  }
  std::vector<ItemType> items;
  for (const auto& [key, count] : counts) {
    const auto& [value, compute, memory, exclusive] = key;
    items.push_back(ItemType{value, {compute, memory, exclusive}, count});
  }
  bounds.mig_placed_milli_max = MigPlacedMax(std::move(items), gpus * unit);
  bounds.mig_forced_rejection_by =
      ForcedRejectionBy(jobs, options, unit, gpus, capacity_milli / 100 * options.max_demand_percent);
  bounds.fractional_placed_milli_max = std::min(runnable_milli, capacity_milli);
  const auto arrived = static_cast<double>(bounds.arrived_demand_milli);
  bounds.mig_allocation_rate_max = static_cast<double>(bounds.mig_placed_milli_max) / arrived;
  bounds.fractional_allocation_rate_max = static_cast<double>(bounds.fractional_placed_milli_max) / arrived;
  return bounds;
}

Result<ReplayBounds> ComputeReplayBounds(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet,
                                         const ReplayOptions& options) {
  if (!(options.compress >= 1e-3 && options.compress <= 1e9)) {
    return InvalidArgumentError("compress must be within 0.001..1e9");
  }
  const int64_t unit = SliceUnit(fleet);
  // (time, +1 start / -1 end, job); all changes at one instant are applied
  // before the fleet is measured, as the engine samples.
  std::vector<std::tuple<int64_t, int, size_t>> changes;
  std::vector<MigCost> costs(jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (!jobs[i].request || jobs[i].job.duration_ms <= 0) continue;
    costs[i] = CostOf(jobs[i].request->request, unit);
    const int64_t start = ReplayArrivalMs(jobs[i], options.compress);
    changes.emplace_back(start, +1, i);
    changes.emplace_back(start + jobs[i].job.duration_ms, -1, i);
  }
  std::sort(changes.begin(), changes.end());
  ReplayBounds bounds;
  GpusNeeded needed(unit);
  int64_t milli = 0;
  for (size_t i = 0; i < changes.size();) {
    const int64_t now = std::get<0>(changes[i]);
    for (; i < changes.size() && std::get<0>(changes[i]) == now; ++i) {
      const auto [t, sign, job] = changes[i];
      needed.Add(costs[job], sign);
      milli += sign * jobs[job].job.DemandMilli();
    }
    if (needed.Min() > bounds.mig_gpus_needed_min) {
      bounds.mig_gpus_needed_min = static_cast<int>(needed.Min());
      bounds.mig_peak_at_ms = now;
    }
    bounds.fractional_gpus_needed_min =
        std::max(bounds.fractional_gpus_needed_min, static_cast<int>(CeilDiv(milli, 1000)));
  }
  return bounds;
}

}  // namespace migsched::sim
