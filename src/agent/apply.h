// Apply: bring a node's GPUs to a target through NVML, crash-safely.
//
//   0. Take the node's apply lock (apply_lock.h) for the whole run, so that
//      two applies never interleave.
//   1. If a journal from an interrupted apply exists, finish it first: re-read
//      the GPUs, reconcile them to the journal's target and execute (with a
//      fresh journal), then remove it. With `abandon_journal` it is removed
//      unfinished instead (for a target that can no longer be reached).
//   2. Read the GPUs, compute the new target from them (mig-parted counts are
//      placed around existing instances), reconcile. Any error here (target
//      cannot fit, busy instance, unknown profile) stops before any change.
//   3. Write the journal, execute the ops one by one marking each done,
//      remove the journal. An NVML error stops the run and leaves the journal
//      for the next run to finish.
// A dry run does step 2 only (without the lock) and reports what would change.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "agent/apply_lock.h"
#include "agent/node_state.h"
#include "agent/reconcile.h"
#include "common/status.h"
#include "geometry/catalog.h"
#include "nvml/nvml_session.h"

namespace migsched::agent {

// Computes the targets from the GPUs as they are (e.g. TargetsFromMigParted).
using TargetFunction =
    std::function<Result<std::vector<GpuTarget>>(const std::vector<ObservedGpu>&)>;

struct ApplyOptions {
  bool force = false;    // allow destroying instances with running processes
  bool dry_run = false;  // plan and report only
  bool abandon_journal = false;  // remove an interrupted apply's journal unfinished
  std::string journal_path;
  LockWait lock_wait = LockWait::kFail;  // when another apply holds the node's lock
  std::function<void(std::string_view)> waiting = {};  // told once before waiting for it
};

struct ExecutedOp {
  Op op;
  std::string description;  // DescribeOp
};

struct ApplyReport {
  bool journal_found = false;        // an interrupted apply's journal existed
  bool journal_abandoned = false;    // ... and was removed unfinished
  size_t journal_ops_done = 0;       // how far it had got ...
  size_t journal_ops_total = 0;      // ... of how many ops
  std::vector<ExecutedOp> recovery;  // what finishing it took
  NodePlan plan;                     // the new target's plan (executed unless dry run)
  std::vector<ExecutedOp> executed;
  std::vector<std::string> planned;  // descriptions of plan.ops
  std::vector<ObservedGpu> gpus;     // the GPUs the plan was made from
};

// Errors: those of the target function and Reconcile (nothing changed);
// the lock's (another apply runs: FailedPrecondition naming its pid);
// a journal that cannot be finished (e.g. its target would now end running
// processes) says so and how to abandon it (--abandon-journal);
// NVML errors mid-way carry "after N of M operations; the journal <path> lets
// the next apply finish" and leave the journal. What NVML reports while the
// GPUs are read or changed is about the node, never bad input: NOT_FOUND and
// INVALID_ARGUMENT there (an instance gone or a placement taken meanwhile)
// become FailedPrecondition.
Result<ApplyReport> Apply(nvml::NvmlSession& session, const geometry::Catalog& catalog,
                          const TargetFunction& targets, const ApplyOptions& options);

}  // namespace migsched::agent
