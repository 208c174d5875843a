// Decision: the scheduler's answer for one job, as a value (never an error).
//
//   Placed            the job runs now on these GPU instances / whole GPUs.
//   NeedsRepartition  idle instances of a GPU are destroyed and the job's
//                     instance created; the job becomes Placed once the
//                     reconfiguration delay has passed (Advance(ready_at)).
//   Wait              not now (fleet full, quota, queue order); retried on
//                     every Release/Advance.
//   Infeasible        never, on this fleet (unknown model, gang larger than
//                     the fleet, request above the tenant's quota).
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "sched/placement_list.h"
#include "sched/request.h"

namespace migsched::sched {

// One step of a repartition on one GPU. kDestroy always names an IDLE instance
// (created, no job): a busy instance is never destroyed. Each maps onto the
// planner's ops: kDestroy = destroy_ci + destroy_gi, kCreate = create_gi + create_ci.
enum class InstanceOpKind { kDestroy, kCreate };
struct InstanceOp {
  InstanceOpKind kind = InstanceOpKind::kCreate;
  int profile = 0;
  int start = 0;
  friend bool operator==(const InstanceOp&, const InstanceOp&) = default;
};

struct Placed {
  JobId job = 0;
  PlacementList where;  // one per instance / whole GPU (gangs: N entries)
  // Instances this placement created on free slices (each a create_gi +
  // create_ci); 0 when it reused an idle instance, took whole GPUs, or
  // follows a NeedsRepartition (whose ops hold the create).
  int created = 0;
  friend bool operator==(const Placed&, const Placed&) = default;
};

struct NeedsRepartition {
  JobId job = 0;
  int gpu = 0;
  std::vector<InstanceOp> ops;  // in execution order: destroys, then the one create
  Time ready_at = 0;            // the job is Placed by Advance(t) for t >= ready_at
  friend bool operator==(const NeedsRepartition&, const NeedsRepartition&) = default;
};

struct Wait {
  JobId job = 0;
  std::string reason;
  friend bool operator==(const Wait&, const Wait&) = default;
};

struct Infeasible {
  JobId job = 0;
  std::string reason;
  friend bool operator==(const Infeasible&, const Infeasible&) = default;
};

using Decision = std::variant<Placed, NeedsRepartition, Wait, Infeasible>;

// The job a decision is about.
JobId DecisionJob(const Decision& decision);

}  // namespace migsched::sched
