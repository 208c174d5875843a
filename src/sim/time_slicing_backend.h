// Time-slicing baseline (no MIG, no isolation): jobs share a GPU by its
// compute fraction alone, as the FGD paper's GPU-sharing cluster does. A job
// of gpu_milli m goes to the fullest GPU with at least m milli free (best
// fit); a gang of N takes N empty GPUs. Memory is not checked and faults are
// not contained, so the isolation is "none": it is the upper bound of sharing,
// not a MIG policy. Queue: FIFO with backfill (every waiting job that fits
// starts, in arrival order).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fleet/fleet.h"
#include "sim/backend.h"

namespace migsched::sim {

class TimeSlicingBackend : public Backend {
 public:
  explicit TimeSlicingBackend(const fleet::Fleet& fleet);

  const std::string& name() const override { return name_; }
  Isolation isolation() const override { return Isolation::kNone; }
  Result<std::vector<sched::Decision>> Submit(const SimRequest& request, sched::Time now) override;
  Result<std::vector<sched::Decision>> Release(sched::JobId job, sched::Time now) override;
  Result<std::vector<sched::Decision>> Advance(sched::Time) override { return std::vector<sched::Decision>{}; }
  sched::FleetUsage Totals() const override;
  int64_t Reconfigurations() const override { return 0; }
  bool DestroysOnRelease() const override { return false; }
  int64_t BusyDisturbed() const override { return 0; }

 private:
  struct Job {
    SimRequest request;
    std::vector<int> gpus;  // empty while queued
  };

  // Places the job if it fits now; the decision, or nullopt.
  std::optional<sched::Placed> TryPlace(sched::JobId id, Job& job);
  void SetUsed(int gpu, int used_milli);

  std::string name_ = "time-slicing";
  std::vector<int> used_milli_;              // per GPU
  std::vector<int> memory_slices_;           // per GPU, for slice totals
  std::set<std::pair<int, int>> by_used_;    // (used milli, gpu): best fit by lower_bound
  std::map<sched::JobId, Job> jobs_;
  std::vector<sched::JobId> queue_;          // arrival order
  int64_t used_total_milli_ = 0;
  int64_t slice_total_ = 0;
  int busy_gpus_ = 0;
};

}  // namespace migsched::sim
