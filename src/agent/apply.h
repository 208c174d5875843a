// Apply: bring a node's GPUs to a target through NVML, crash-safely.
//
//   1. If a journal from an interrupted apply exists, finish it first: re-read
//      the GPUs, reconcile them to the journal's target and execute (with a
//      fresh journal), then remove it.
//   2. Read the GPUs, compute the new target from them (mig-parted counts are
//      placed around existing instances), reconcile. Any error here (target
//      cannot fit, busy instance, unknown profile) stops before any change.
//   3. Write the journal, execute the ops one by one marking each done,
//      remove the journal. An NVML error stops the run and leaves the journal
//      for the next run to finish.
// A dry run does steps 2 only and reports what would change.
#pragma once

#include <functional>
#include <string>
#include <vector>

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
  std::string journal_path;
};

struct ExecutedOp {
  Op op;
  std::string description;  // DescribeOp
};

struct ApplyReport {
  bool journal_found = false;        // an interrupted apply's journal existed
  size_t journal_ops_done = 0;       // how far it had got ...
  size_t journal_ops_total = 0;      // ... of how many ops
  std::vector<ExecutedOp> recovery;  // what finishing it took
  NodePlan plan;                     // the new target's plan (executed unless dry run)
  std::vector<ExecutedOp> executed;
  std::vector<std::string> planned;  // descriptions of plan.ops
  std::vector<ObservedGpu> gpus;     // the GPUs the plan was made from
};

// Errors: those of the target function and Reconcile (nothing changed);
// a journal that cannot be finished (e.g. its target would now end running
// processes) says so and how to abandon it;
// NVML errors mid-way carry "after N of M operations; the journal <path> lets
// the next apply finish" and leave the journal.
Result<ApplyReport> Apply(nvml::NvmlSession& session, const geometry::Catalog& catalog,
                          const TargetFunction& targets, const ApplyOptions& options);

}  // namespace migsched::agent
