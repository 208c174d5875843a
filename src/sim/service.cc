#include "sim/service.h"

#include <algorithm>
#include <tuple>

#include "sim/fleet_spec.h"
#include "sim/profile_mapping.h"

namespace migsched::sim {
namespace {

// A repeated series is expanded into steps, and every scale-up is a replica
// request: both are bounded, so that a typo cannot exhaust memory (ten years
// of hourly points are 87,600).
constexpr int64_t kMaxExpandedPoints = 1'000'000;
constexpr int64_t kMaxScaleUps = 1'000'000;

int Desired(const ServiceSpec& spec, int64_t milli_rps) {
  const int64_t needed = (milli_rps + spec.replica_milli_rps - 1) / spec.replica_milli_rps;
  return static_cast<int>(std::clamp<int64_t>(needed, spec.min_replicas, spec.max_replicas));
}

}  // namespace

Status ValidateService(const ServiceSpec& spec) {
  const auto bad = [&](const std::string& why) {
    return InvalidArgumentError("service '" + spec.name + "': " + why);
  };
  if (spec.name.empty()) return InvalidArgumentError("a service needs a name");
  if (spec.replica_milli_rps <= 0) return bad("replica_rps must be above 0");
  if (spec.min_replicas < 0 || spec.max_replicas < 1 || spec.min_replicas > spec.max_replicas) {
    return bad("needs 0 <= min_replicas <= max_replicas and max_replicas >= 1");
  }
  if (spec.replica.num_gpu != 1) return bad("a replica takes one GPU or a part of one");
  if (spec.rate.empty()) return bad("the rate series is empty");
  for (size_t i = 0; i < spec.rate.size(); ++i) {
    if (spec.rate[i].milli_rps < 0) return bad("a rate must not be negative");
    if (spec.rate[i].t_ms < 0) return bad("a time must not be negative");
    if (i > 0 && spec.rate[i].t_ms <= spec.rate[i - 1].t_ms) return bad("the rate series' times must increase");
  }
  const int64_t first = spec.rate.front().t_ms;
  if (spec.end_ms <= first) return bad("end must be after the first rate point");
  if (spec.period_ms < 0) return bad("the repeat period must not be negative");
  if (spec.period_ms > 0) {
    if (spec.rate.back().t_ms - first >= spec.period_ms) return bad("the rate series is longer than its repeat period");
    const int64_t cycles = (spec.end_ms - first) / spec.period_ms + 1;
    if (cycles > kMaxExpandedPoints / static_cast<int64_t>(spec.rate.size())) {
      return bad("the repeated series has more than " + std::to_string(kMaxExpandedPoints) + " points before its end");
    }
  }
  return Status::Ok();
}

std::vector<ScaleStep> DesiredReplicas(const ServiceSpec& spec) {
  std::vector<ScaleStep> steps;
  const auto add = [&](int64_t t_ms, int replicas) {
    if (!steps.empty() && steps.back().replicas == replicas) return;
    steps.push_back(ScaleStep{t_ms, replicas});
  };
  const int64_t first = spec.rate.front().t_ms;
  for (int64_t cycle_start = first;; cycle_start += spec.period_ms) {
    for (const RatePoint& point : spec.rate) {
      const int64_t t_ms = cycle_start + (point.t_ms - first);
      if (t_ms >= spec.end_ms) break;
      add(t_ms, Desired(spec, point.milli_rps));
    }
    if (spec.period_ms == 0 || cycle_start + spec.period_ms >= spec.end_ms) break;
  }
  add(spec.end_ms, 0);
  return steps;
}

std::vector<ReplicaWant> ReplicaWants(const std::vector<ScaleStep>& steps) {
  std::vector<ReplicaWant> wants;
  std::vector<int64_t> opened;  // start of each wanted slot, by slot
  for (const ScaleStep& step : steps) {
    while (static_cast<int>(opened.size()) < step.replicas) opened.push_back(step.t_ms);
    while (static_cast<int>(opened.size()) > step.replicas) {
      const int slot = static_cast<int>(opened.size()) - 1;
      wants.push_back(ReplicaWant{slot, opened.back(), step.t_ms});
      opened.pop_back();
    }
  }
  std::sort(wants.begin(), wants.end(), [](const ReplicaWant& a, const ReplicaWant& b) {
    return std::tie(a.start_ms, a.slot) < std::tie(b.start_ms, b.slot);
  });
  return wants;
}

Result<std::vector<ServiceLoad>> PrepareServices(const std::vector<ServiceSpec>& specs, const fleet::Fleet& fleet) {
  const std::vector<const geometry::GpuModel*> models = FleetModels(fleet);
  std::vector<ServiceLoad> loads;
  for (const ServiceSpec& spec : specs) {
    MIGSCHED_RETURN_IF_ERROR(ValidateService(spec));
    std::optional<sched::Request> request = RequestForJob(spec.replica, models);
    if (!request) {
      return InvalidArgumentError("service '" + spec.name + "': no GPU of the fleet can run one replica");
    }
    const std::vector<ScaleStep> steps = DesiredReplicas(spec);
    int64_t scale_ups = 0;
    for (size_t i = 0; i < steps.size(); ++i) {
      scale_ups += std::max(0, steps[i].replicas - (i > 0 ? steps[i - 1].replicas : 0));
    }
    if (scale_ups > kMaxScaleUps) {
      return InvalidArgumentError("service '" + spec.name + "': its series asks for " + std::to_string(scale_ups) +
                                  " replica starts, more than " + std::to_string(kMaxScaleUps));
    }
    loads.push_back(ServiceLoad{spec.name, SimRequest{std::move(*request), spec.replica.gpu_milli, 1},
                                ReplicaWants(steps)});
  }
  return loads;
}

}  // namespace migsched::sim
