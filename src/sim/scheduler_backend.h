// The scheduler core as a simulator backend. `whole_gpu_requests` turns every
// request into whole GPUs (num_gpu of them): the whole-GPU (no MIG) baseline.
#pragma once

#include <memory>
#include <string>

#include "fleet/fleet.h"
#include "geometry/catalog.h"
#include "sched/options.h"
#include "sched/scheduler.h"
#include "sim/backend.h"

namespace migsched::sim {

class SchedulerBackend : public Backend {
 public:
  // Errors of sched::Scheduler::Create (unknown policy, bad fleet).
  static Result<std::unique_ptr<Backend>> Create(std::string name, const geometry::Catalog& catalog,
                                                 fleet::Fleet fleet, sched::Options options,
                                                 bool whole_gpu_requests);

  const std::string& name() const override { return name_; }
  Isolation isolation() const override { return whole_gpu_requests_ ? Isolation::kWholeGpu : Isolation::kMig; }
  Result<std::vector<sched::Decision>> Submit(const SimRequest& request, sched::Time now) override;
  Result<std::vector<sched::Decision>> Release(sched::JobId job, sched::Time now) override {
    return scheduler_.Release(job, now);
  }
  Result<std::vector<sched::Decision>> Advance(sched::Time now) override { return scheduler_.Advance(now); }
  sched::FleetUsage Totals() const override { return scheduler_.Totals(); }
  int64_t Reconfigurations() const override { return scheduler_.counters().reconfigurations; }
  bool DestroysOnRelease() const override { return destroys_on_release_; }
  int64_t BusyDisturbed() const override { return scheduler_.counters().busy_disturbed; }

 private:
  SchedulerBackend(std::string name, sched::Scheduler scheduler, bool whole_gpu_requests,
                   bool destroys_on_release)
      : name_(std::move(name)),
        scheduler_(std::move(scheduler)),
        whole_gpu_requests_(whole_gpu_requests),
        destroys_on_release_(destroys_on_release) {}

  std::string name_;
  sched::Scheduler scheduler_;
  bool whole_gpu_requests_;
  bool destroys_on_release_;
};

}  // namespace migsched::sim
