// Request: what the scheduler is asked to place — one workload replica with its
// right-sized profile options, or a whole-GPU job (a gang of N GPUs that must
// start together). Pure values; the simulator and the daemon build them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "geometry/gpu_model.h"

namespace migsched::sched {

using JobId = std::uint64_t;
// Milliseconds on the caller's clock (any epoch). The core never reads a
// clock; every call carries `now`, so a simulator can replay days in
// milliseconds of wall time. Milliseconds, not seconds, so that a
// repartition started at 1,500 ms with a 1,000 ms delay is ready at 2,500 ms:
// callers convert their units (trace seconds, CLI flags) at the edge.
using Time = std::int64_t;

enum class JobKind { kInference, kTraining };

// One way to run a request: a GPU instance of `profile` (an index into
// model->profiles) on a GPU of that model.
struct ProfileOption {
  const geometry::GpuModel* model = nullptr;  // points into the Catalog
  int profile = 0;
  friend bool operator==(const ProfileOption&, const ProfileOption&) = default;
};

struct Request {
  JobId id = 0;          // unique among the jobs the scheduler knows
  int priority = 0;      // higher runs first
  std::string tenant;    // quota holder; "" = no tenant (no quota)
  JobKind kind = JobKind::kInference;
  // > 0: the job needs this many whole GPUs at once (MIG-disabled GPUs or
  // MIG-enabled GPUs with no instance), all starting together. `options` then
  // only restrict the models (empty = any model).
  int whole_gpus = 0;
  // Right-sized options, best first. For whole_gpus == 0 at least one is needed;
  // the first option that can be placed now wins.
  std::vector<ProfileOption> options;
  // Set: the job takes exactly the idle instance of options[0]'s profile that
  // starts at memory slice `start` on fleet GPU `gpu`: an instance something
  // outside the scheduler already uses (a Kubernetes pod), which the job then
  // keeps out of repartitions (on a cordoned GPU too). A pinned job needs
  // exactly one option and is never queued: Submit places it at once (no
  // quota or backfill hold applies: the instance is in use already) or
  // answers Infeasible.
  struct Pin {
    int gpu = 0;
    int start = 0;
  };
  std::optional<Pin> pinned;
};

}  // namespace migsched::sched
