// Options: how a Scheduler places and queues — the policy by name, what it may
// do to MIG layouts, quotas, and the demand mix the fragmentation-aware policy
// plans for.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "geometry/gpu_model.h"
#include "geometry/layout.h"
#include "sched/request.h"

namespace migsched::sched {

// What the scheduler may change in a GPU's MIG layout.
//
// The model of instances: a GPU instance exists while a job holds it (busy),
// while it is reserved for a job during a repartition, or while it is IDLE —
// created but free. Idle instances come from a static preset, or from released
// jobs under ReleaseMode::kKeepIdle. Placing on an idle instance of the wanted
// profile costs nothing; placing on free (unpartitioned) slices creates the
// instance as part of the placement (no other instance is touched, so no
// delay); destroying idle instances to make room is a repartition and costs
// Options::reconfiguration_delay_ms.
enum class Reconfiguration {
  kNone,         // static layouts: jobs only go into existing idle instances
  kCreateOnly,   // also create instances on free slices; never destroy, except
                 // instances kept idle by ReleaseMode::kKeepIdle (MayDestroyIdle)
  kRepartition,  // also destroy idle instances to make room (NeedsRepartition)
};

// What happens to a job's instance when it leaves. Instances of a static preset
// always go back to idle.
enum class ReleaseMode {
  kDestroy,   // the instance is destroyed with the job; its slices become free
  kKeepIdle,  // the instance stays, idle, for the next job of that profile
};

// Caps per tenant, over what its jobs hold (running or reserved). 0 = no cap.
struct TenantQuota {
  std::string tenant;
  int max_memory_slices = 0;  // MIG instances count their memory slices, whole GPUs all of them
  int max_whole_gpus = 0;     // whole GPUs held by whole-GPU jobs
};

// One entry of the expected demand mix, e.g. from a trace's history: requests
// for `option` arrive with relative frequency `weight`.
struct MixEntry {
  ProfileOption option;
  std::int64_t weight = 1;
};

struct Options {
  // "first-fit", "best-fit", "frag-aware" or "whole-gpu"; see PolicyNames().
  std::string policy = "frag-aware";
  Reconfiguration reconfiguration = Reconfiguration::kRepartition;
  ReleaseMode release = ReleaseMode::kDestroy;
  Time reconfiguration_delay_ms = 0;  // a repartition's job is Placed this long after it starts
  std::vector<TenantQuota> quotas;
  // For frag-aware. Models without an entry get a uniform mix over their
  // standard-media profiles.
  std::vector<MixEntry> expected_mix;
  // Starvation guard for backfill: once the head of the queue (highest
  // priority, oldest) has waited this long, no job behind it may start before
  // it does. 0 = plain greedy backfill (never hold back).
  Time backfill_hold_after_ms = 0;
};

// Whether the scheduler may destroy idle instances to make room: always under
// kRepartition, and under kCreateOnly when released instances are kept idle
// (the kept instances are a cache: left in place they would block the jobs
// that need their slices, a whole-GPU job above all, for ever).
inline bool MayDestroyIdle(const Options& options) {
  return options.reconfiguration == Reconfiguration::kRepartition ||
         (options.reconfiguration == Reconfiguration::kCreateOnly &&
          options.release == ReleaseMode::kKeepIdle);
}

// The valid policy names, in a fixed order.
std::vector<std::string> PolicyNames();

}  // namespace migsched::sched
