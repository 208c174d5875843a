// Scheduler: the online MIG-aware scheduler core. Pure and deterministic: it
// keeps the fleet's instances and the queue, and answers each event (a job
// arrives, a job leaves, time passes) with Decisions. The caller owns the
// clock (every call carries `now`) and carries decisions out; the simulator
// and the daemon drive this same class.
//
// Example (one H100-80GB, frag-aware, kCreateOnly):
//   Submit({id 1, options {3g.40gb}}, 0)  -> Placed{1, gpu 0 3g.40gb@4}
//   Submit({id 2, options {4g.40gb}}, 0)  -> Placed{2, gpu 0 4g.40gb@0}
//   Submit({id 3, options {1g.10gb}}, 0)  -> Wait{3, "no room ..."}
//   Release(2, 60)                        -> Placed{3, gpu 0 1g.10gb@0}
//
// Decisions are fast at any fleet size: GPUs are bucketed per model by their
// geometry::StateSpace state, and each policy ranks the (state, start) pairs
// of every profile once at creation, so a decision walks a short ranked list
// of states instead of the GPUs (see docs/scheduler.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "fleet/fleet.h"
#include "geometry/catalog.h"
#include "sched/decision.h"
#include "sched/options.h"
#include "sched/request.h"

namespace migsched::sched {

enum class JobState : std::uint8_t { kQueued, kRepartitioning, kRunning };

struct JobView {
  JobId id = 0;
  JobState state = JobState::kQueued;
  std::optional<Time> waiting_since;  // while queued: when it was submitted
  std::optional<Time> ready_at;       // while repartitioning: when it becomes Placed
  std::vector<Placement> where;  // empty while queued
  // Per `where` entry: the instance stays, idle, when the job leaves — it
  // came with the fleet (a preset), or ReleaseMode::kKeepIdle keeps every
  // one; otherwise it was created for the job and is destroyed with it.
  // False for whole GPUs.
  std::vector<bool> stays_idle;
};

// A job as a caller remembers it, to rebuild a scheduler (Restore): the
// request as submitted and the fields of its JobView.
struct RestoredJob {
  Request request;
  JobState state = JobState::kQueued;
  std::vector<Placement> where;  // kRunning / kRepartitioning: JobView::where
  std::vector<bool> stays_idle;  // JobView::stays_idle (empty: all false)
  Time waiting_since = 0;        // kQueued: JobView::waiting_since
  Time ready_at = 0;             // kRepartitioning: JobView::ready_at
};

// Everything Restore rebuilds a scheduler from, as the caller saved it from
// the scheduler's read-only views at one moment (between two calls).
struct RestoreInput {
  // Snapshot(): busy instances and whole GPUs are exactly the jobs'
  // placements (a workload name marks busy too; names are not matched to
  // jobs, placements are), idle instances are idle.
  // GPUs may be appended after the saved ones (a node joined).
  fleet::Fleet fleet;
  // Every job the scheduler knew; queued ones in Queue() order.
  std::vector<RestoredJob> jobs;
  std::vector<int> cordoned;  // Cordoned()
  // TieOrder(), for exactly the same decisions; empty: ties between equally
  // ranked GPUs are broken as for a fresh fleet (same state, maybe other GPUs).
  std::vector<std::uint32_t> tie_order;
};

// One GPU's occupancy, in memory slices.
struct GpuUsage {
  int memory_slices = 0;    // the GPU's total
  int held_slices = 0;      // held by jobs (running or reserved); all of them for a whole GPU
  int idle_slices = 0;      // in idle instances
  int stranded_slices = 0;  // free, but no profile can use them (geometry::StrandedSlices)
  int jobs = 0;             // jobs on this GPU
};

// Fleet totals, maintained incrementally (O(1) to read).
struct FleetUsage {
  std::int64_t memory_slices = 0;
  std::int64_t held_slices = 0;
  std::int64_t idle_slices = 0;
  std::int64_t stranded_slices = 0;
  int busy_gpus = 0;  // GPUs with at least one job
  std::size_t queued = 0;
  std::size_t repartitioning = 0;
  std::size_t running = 0;
};

struct Counters {
  std::int64_t decisions = 0;          // Decisions returned
  std::int64_t placed = 0;             // jobs that started (Placed)
  std::int64_t reconfigurations = 0;   // repartitions started (NeedsRepartition)
  std::int64_t instances_created = 0;
  std::int64_t instances_destroyed = 0;  // idle instances destroyed by repartitions
  std::int64_t busy_disturbed = 0;     // busy instances destroyed or moved: stays 0
};

class Scheduler {
 public:
  // Checks the options (unknown policy -> InvalidArgument listing the valid
  // names; bad mix or quota entries) and the fleet (every GPU has a model from
  // `catalog`, every layout valid, no busy instance — the scheduler starts with
  // no jobs). Instances already in the fleet become idle instances.
  static Result<Scheduler> Create(const geometry::Catalog& catalog, fleet::Fleet fleet,
                                  Options options);

  // A scheduler equivalent to the one `input` was saved from: the same jobs,
  // placements and states, queue order and waiting_since, ready_at, idle and
  // preset (stays_idle) instances, quota charges and cordons; with the tie
  // order, it makes exactly the same decisions. `now` (>= every waiting_since) is the clock:
  // later calls must not go back before it; a repartition whose ready_at <= now
  // is Placed by the next call. Counters start at zero. Quotas are those of
  // `options` and are not checked against what jobs already hold. Errors
  // (InvalidArgument naming the job or GPU; never a crash): those of Create, a
  // placement that is not a busy instance or whole GPU of the fleet, a busy one
  // held by no job, repeated ids, a placement that is none of the job's
  // options, queued jobs out of priority order, a tie order that does not match.
  // Restore returns no decisions: for GPUs appended (a node joined) while jobs
  // wait, list them in `cordoned` and Uncordon them, which retries the queue.
  static Result<Scheduler> Restore(const geometry::Catalog& catalog, Options options,
                                   RestoreInput input, Time now);

  Scheduler(Scheduler&&) noexcept;
  Scheduler& operator=(Scheduler&&) noexcept;
  ~Scheduler();

  // A new job. Returns its decision first (Placed, NeedsRepartition, Wait or
  // Infeasible); a job that waits is queued. InvalidArgument for a duplicate id,
  // an option whose profile index is out of range, or `now` before the last call.
  Result<std::vector<Decision>> Submit(const Request& request, Time now);

  // The job leaves (finished or cancelled, queued or not): frees what it held,
  // then retries the queue (priority order, FIFO within a priority, backfill).
  // Returns the decisions for queued jobs that start. NotFound for an unknown job.
  Result<std::vector<Decision>> Release(JobId job, Time now);

  // Time passes: repartitions whose ready_at <= now complete (Placed). Submit
  // and Release do the same at their end, so a repartition with a zero delay
  // is Placed in the call that started it. (Completing frees nothing, so the
  // queue is not retried.)
  Result<std::vector<Decision>> Advance(Time now);

  // The same three calls for a caller that reuses one vector (the hot path:
  // no allocation once it has grown): they append the call's decisions to
  // `out` — Submit's own decision first among them — and leave `out`
  // unchanged on error. (An output parameter, against STYLE, because a
  // returned vector costs an allocation per call at millions of calls/s.)
  Status Submit(const Request& request, Time now, std::vector<Decision>& out);
  Status Release(JobId job, Time now, std::vector<Decision>& out);
  Status Advance(Time now, std::vector<Decision>& out);

  // A queue of events at one time, as a daemon drains it: exactly the same as
  // calling Submit (Release) for each in order, appending to `out`, but a few
  // entries ahead the job table slots (and, for releases, the GPU records) are
  // loaded early, so the cache misses of several calls overlap. Stops at the
  // first error and returns it; `out` then holds the decisions of the calls
  // before it, which took effect.
  Status SubmitBatch(std::span<const Request> requests, Time now, std::vector<Decision>& out);
  Status ReleaseBatch(std::span<const JobId> jobs, Time now, std::vector<Decision>& out);

  // Cordon: the GPU gets no new placement (idle reuse, free slices,
  // repartitions, whole GPUs) while jobs on it keep running and are released
  // as usual (a released instance stays on it, idle or destroyed per
  // ReleaseMode, unused until Uncordon). Uncordon makes it eligible again and
  // retries the queue at `now`, returning the decisions for queued jobs that
  // start, as Release does (and, like every call, the repartitions due by
  // `now`). Cordon is a no-op on a cordoned GPU; Uncordon on an uncordoned
  // one is Advance(now). A cordon is temporary: jobs that only a cordoned GPU could
  // run wait rather than being Infeasible. InvalidArgument for a GPU out of
  // range (or, for Uncordon, `now` before the last call).
  Status Cordon(int gpu);
  Result<std::vector<Decision>> Uncordon(int gpu, Time now);
  std::vector<int> Cordoned() const;  // ascending

  // Ties between GPUs a policy ranks equal are broken by the order of the
  // fleet index's sets, which follows the scheduler's history, not only its
  // state. This encodes that order (opaque; valid with the Snapshot() taken
  // at the same moment) for RestoreInput::tie_order.
  std::vector<std::uint32_t> TieOrder() const;

  // Read-only views for metrics and tests.
  std::optional<JobView> Job(JobId job) const;
  std::vector<JobId> Queue() const;  // in service order
  // The earliest ready_at of a repartition in progress (nullopt: none): a
  // caller with a live clock calls Advance then, rather than polling.
  std::optional<Time> NextReadyAt() const;
  GpuUsage Usage(int gpu) const;
  const FleetUsage& Totals() const;
  const Counters& counters() const;  // as of this read: read again after a call
  std::size_t gpu_count() const;
  const std::string& policy() const;
  // The fleet as it is now: instances held by a job (running or reserved) have
  // workload "job-<id>" and busy = true; idle ones "" and busy = false.
  fleet::Fleet Snapshot() const;
  // One GPU of Snapshot() (busy instances without their job names: Job()
  // says who holds what), cheap enough to read for each GPU an event changed.
  fleet::FleetGpu GpuSnapshot(int gpu) const;

 private:
  struct Impl;
  explicit Scheduler(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace migsched::sched
