// Backend: one policy under test, as the simulator sees it. Most are the
// scheduler core (sched::Scheduler) configured by name; time-slicing is a
// non-MIG baseline that lives here because the scheduler has no such mode.
// All backends answer with sched::Decision values and report fleet totals in
// sched::FleetUsage, so the engine and the metrics treat them alike.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sched/decision.h"
#include "sched/request.h"
#include "sched/scheduler.h"

namespace migsched::sim {

// A job as the backends need it: the MIG request, plus the raw fraction that
// time-slicing packs.
struct SimRequest {
  sched::Request request;
  int gpu_milli = 1000;  // per GPU
  int num_gpu = 1;
};

// How the jobs that share a GPU are kept apart.
enum class Isolation {
  kMig,       // hardware partitions (MIG instances)
  kWholeGpu,  // nothing is shared
  kNone,      // time-slicing: shared with no memory or fault isolation
};
std::string_view IsolationName(Isolation isolation);

class Backend {
 public:
  virtual ~Backend() = default;

  virtual const std::string& name() const = 0;
  virtual Isolation isolation() const = 0;
  // As sched::Scheduler: `now` in milliseconds, never decreasing.
  virtual Result<std::vector<sched::Decision>> Submit(const SimRequest& request, sched::Time now) = 0;
  virtual Result<std::vector<sched::Decision>> Release(sched::JobId job, sched::Time now) = 0;
  virtual Result<std::vector<sched::Decision>> Advance(sched::Time now) = 0;
  virtual sched::FleetUsage Totals() const = 0;
  virtual int64_t Reconfigurations() const = 0;
  // Whether a departing job's MIG instance is destroyed (ReleaseMode::kDestroy
  // of a dynamic policy), which the reconfiguration cost model charges.
  virtual bool DestroysOnRelease() const = 0;
  // Busy instances a repartition destroyed or moved, as the backend counts them.
  virtual int64_t BusyDisturbed() const = 0;
};

}  // namespace migsched::sim
