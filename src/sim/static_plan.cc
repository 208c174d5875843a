#include "sim/static_plan.h"

#include <algorithm>
#include <tuple>

#include "plan/planner.h"
#include "sim/arrivals.h"

namespace migsched::sim {
namespace {

// Index of the job's shape in `shapes`, added on first sight.
size_t ShapeIndex(const SimRequest& request, std::vector<ShapeDemand>& shapes) {
  const int whole = request.request.whole_gpus;
  for (size_t i = 0; i < shapes.size(); ++i) {
    if (shapes[i].whole_gpus == whole && shapes[i].options == request.request.options) return i;
  }
  shapes.push_back(ShapeDemand{whole, request.request.options, 0});
  return shapes.size() - 1;
}

// Instances (1) or whole GPUs a job of this shape holds.
int64_t Units(const ShapeDemand& shape) { return shape.whole_gpus > 0 ? shape.whole_gpus : 1; }

void CountReplayPeaks(const std::vector<SimJob>& jobs, const StaticPlanSpec& spec, std::vector<ShapeDemand>& shapes) {
  // (time, +units/-units, shape): at one instant departures (negative) go first, as in the engine.
  std::vector<std::tuple<int64_t, int64_t, size_t>> events;
  const auto add = [&](const SimRequest& request, int64_t from_ms, int64_t to_ms) {
    const size_t shape = ShapeIndex(request, shapes);
    events.emplace_back(from_ms, Units(shapes[shape]), shape);
    events.emplace_back(to_ms, -Units(shapes[shape]), shape);
  };
  for (const SimJob& job : jobs) {
    if (!job.request) continue;
    const int64_t arrival = ReplayArrivalMs(job, spec.compress);
    add(*job.request, arrival, arrival + job.job.duration_ms);
  }
  for (const ServiceLoad& service : spec.services) {
    for (const ReplicaWant& want : service.replicas) add(service.request, want.start_ms, want.end_ms);
  }
  std::sort(events.begin(), events.end());
  std::vector<int64_t> running(shapes.size(), 0);
  for (const auto& [t, delta, shape] : events) {
    running[shape] += delta;
    shapes[shape].count = std::max(shapes[shape].count, running[shape]);
  }
}

void CountFillMix(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet, uint64_t seed,
                  std::vector<ShapeDemand>& shapes) {
  if (jobs.empty()) return;
  const int64_t capacity_milli = static_cast<int64_t>(fleet.gpus.size()) * 1000;
  FillArrivals arrivals(jobs.size(), seed);
  for (int64_t arrived = 0; arrived < capacity_milli;) {
    const SimJob& job = jobs[arrivals.Next()];
    arrived += job.job.DemandMilli();
    if (!job.request) continue;
    ShapeDemand& shape = shapes[ShapeIndex(*job.request, shapes)];
    shape.count += Units(shape);
  }
}

plan::Workload WorkloadOf(const ShapeDemand& shape, size_t index) {
  plan::Workload workload;
  workload.replicas = static_cast<int>(shape.count);
  for (const sched::ProfileOption& option : shape.options) workload.allowed_models.push_back(option.model->name);
  if (shape.whole_gpus > 0) {
    workload.name = "shape-" + std::to_string(index) + "-whole-gpu";
    workload.kind = plan::WorkloadKind::kTraining;
    return workload;
  }
  // The first option's profile; the planner's right-sizing gives it back
  // (smallest profile with this memory and compute, profile_fit.h).
  const geometry::GiProfile& profile =
      shape.options.front().model->profiles[static_cast<size_t>(shape.options.front().profile)];
  workload.name = "shape-" + std::to_string(index) + "-" + profile.name;
  workload.memory_mib = profile.memory_mib;
  workload.min_compute_slices = profile.compute_slices;
  return workload;
}

// The planner's target as a static layout: owned instances become idle, whole GPUs empty.
fleet::Fleet StaticLayout(fleet::Fleet target) {
  for (fleet::FleetGpu& gpu : target.gpus) {
    if (!gpu.mig_enabled) {
      gpu.mig_enabled = true;
      gpu.whole_gpu_workload.clear();
    }
    for (fleet::FleetInstance& instance : gpu.instances) {
      instance.workload.clear();
      instance.busy = false;
    }
  }
  return target;
}

}  // namespace

std::vector<ShapeDemand> ConcurrentDemand(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet,
                                          const StaticPlanSpec& spec) {
  std::vector<ShapeDemand> shapes;
  if (spec.basis == StaticPlanBasis::kReplayPeak) {
    CountReplayPeaks(jobs, spec, shapes);
  } else {
    CountFillMix(jobs, fleet, spec.seed, shapes);
  }
  std::erase_if(shapes, [](const ShapeDemand& shape) { return shape.count == 0; });
  return shapes;
}

Result<StaticPlan> PlanStaticFleet(const std::vector<SimJob>& jobs, const geometry::Catalog& catalog,
                                   const fleet::Fleet& fleet, const StaticPlanSpec& spec) {
  const std::vector<ShapeDemand> shapes = ConcurrentDemand(jobs, fleet, spec);
  plan::PlanRequest request{.current = fleet, .workloads = {}, .perf = std::nullopt, .keep_whole = {}};
  StaticPlan result;
  for (size_t i = 0; i < shapes.size(); ++i) {
    request.workloads.push_back(WorkloadOf(shapes[i], i));
    result.replicas_wanted += shapes[i].count;
  }
  Result<plan::PlanResult> planned = plan::PlanFleet(catalog, request, plan::PlanOptions{});
  if (!planned.has_value()) return planned.error().WithPrefix("static-plan");
  for (const plan::Unplaced& unplaced : planned->unplaced) result.replicas_unplaced += unplaced.replicas;
  result.fleet = StaticLayout(std::move(planned->target));
  for (const fleet::FleetGpu& gpu : result.fleet.gpus) result.gpus_cut += !gpu.instances.empty();
  return result;
}

}  // namespace migsched::sim
