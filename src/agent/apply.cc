#include "agent/apply.h"

#include <algorithm>
#include <optional>

#include "agent/journal.h"
#include "agent/nvml_node.h"

namespace migsched::agent {
namespace {

const geometry::GpuModel* ModelOf(const std::vector<ObservedGpu>& gpus, int index) {
  const auto gpu = std::find_if(gpus.begin(), gpus.end(),
                                [&](const ObservedGpu& g) { return g.index == index; });
  return gpu == gpus.end() ? nullptr : gpu->model;
}

// What NVML answers mid-apply describes the node, which another program may
// have changed since it was read; it is never a fault in the user's input.
Status NodeRefused(const Status& status) {
  if (status.code() != StatusCode::kInvalidArgument && status.code() != StatusCode::kNotFound) return status;
  return Status(StatusCode::kFailedPrecondition, status.message());
}

Result<std::vector<ObservedGpu>> Observe(const nvml::NvmlSession& session) {
  Result<std::vector<ObservedGpu>> gpus = ObserveNode(session);
  if (!gpus.has_value()) return NodeRefused(gpus.error());
  return gpus;
}

std::vector<std::string> Describe(const std::vector<ObservedGpu>& gpus, const NodePlan& plan) {
  std::vector<std::string> out;
  for (const Op& op : plan.ops) out.push_back(DescribeOp(*ModelOf(gpus, op.gpu), op));
  return out;
}

// Journals and executes `plan` (made from `gpus` for `targets`).
Status Execute(nvml::NvmlSession& session, const Journal& journal,
               const std::vector<ObservedGpu>& gpus, const std::vector<GpuTarget>& targets,
               const NodePlan& plan, bool force, std::vector<ExecutedOp>& executed) {
  if (plan.ops.empty()) return journal.Remove();
  JournalRecord record{.force = force, .targets = {}, .ops = Describe(gpus, plan), .done = 0};
  for (const GpuTarget& target : targets) {
    record.targets.push_back(JournaledTarget{.model = ModelOf(gpus, target.index), .target = target});
  }
  MIGSCHED_RETURN_IF_ERROR(journal.Begin(record));
  NvmlExecutor executor(session);
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    const Op& op = plan.ops[i];
    const Status status = NodeRefused(executor.Execute(*ModelOf(gpus, op.gpu), op));
    if (!status.ok()) {
      return status.WithPrefix(record.ops[i] + " failed after " + std::to_string(i) + " of " +
                               std::to_string(plan.ops.size()) + " operations; the journal " +
                               journal.path() + " lets the next apply finish");
    }
    executed.push_back(ExecutedOp{.op = op, .description = record.ops[i]});
    MIGSCHED_RETURN_IF_ERROR(journal.MarkDone(i));
  }
  return journal.Remove();
}

// Step 1: converge to an interrupted apply's target.
Status Recover(nvml::NvmlSession& session, const Journal& journal, const JournalRecord& record,
               ApplyReport& report) {
  Result<std::vector<ObservedGpu>> gpus = Observe(session);
  if (!gpus.has_value()) return gpus.error();
  std::vector<GpuTarget> targets;
  for (const JournaledTarget& t : record.targets) {
    if (ModelOf(*gpus, t.target.index) != t.model) {
      return FailedPreconditionError("gpu " + std::to_string(t.target.index) + " is not the " +
                                     t.model->name + " the journal was written for");
    }
    targets.push_back(t.target);
  }
  Result<NodePlan> plan = Reconcile(*gpus, targets, ReconcileOptions{.force = record.force});
  if (!plan.has_value()) return plan.error();
  return Execute(session, journal, *gpus, targets, *plan, record.force, report.recovery);
}

}  // namespace

Result<ApplyReport> Apply(nvml::NvmlSession& session, const geometry::Catalog& catalog,
                          const TargetFunction& target_function, const ApplyOptions& options) {
  std::optional<ApplyLock> lock;  // held until Apply returns
  if (!options.dry_run) {
    Result<ApplyLock> taken = ApplyLock::Acquire(options.journal_path, options.lock_wait, options.waiting);
    if (!taken.has_value()) return taken.error();
    lock.emplace(std::move(taken).value());
  }
  const Journal journal(options.journal_path);
  ApplyReport report;
  const bool abandon = options.abandon_journal && !options.dry_run;
  Result<std::optional<JournalRecord>> pending = journal.Load(catalog);
  if (!pending.has_value() && abandon) {
    MIGSCHED_RETURN_IF_ERROR(journal.Remove());
    report.journal_found = report.journal_abandoned = true;
  } else if (!pending.has_value()) {
    return pending.error().WithPrefix("the journal of an interrupted apply is unreadable (apply "
                                      "--abandon-journal removes it)");
  } else if (pending->has_value()) {
    report.journal_found = true;
    report.journal_ops_done = (*pending)->done;
    report.journal_ops_total = (*pending)->ops.size();
    if (abandon) {
      MIGSCHED_RETURN_IF_ERROR(journal.Remove());
      report.journal_abandoned = true;
    } else if (!options.dry_run) {
      const Status recovered = Recover(session, journal, **pending, report);
      if (!recovered.ok()) {
        // Without this way out, a journal whose target became unreachable (a
        // process started on an instance it destroys, NVML refuses) would
        // block every later apply, even of other GPUs.
        return recovered.WithPrefix("finishing the interrupted apply in " + journal.path() +
                                    " (apply --abandon-journal gives it up and applies the new target)");
      }
    }
  }
  Result<std::vector<ObservedGpu>> gpus = Observe(session);
  if (!gpus.has_value()) return gpus.error();
  report.gpus = *gpus;
  Result<std::vector<GpuTarget>> targets = target_function(*gpus);
  if (!targets.has_value()) return targets.error();
  Result<NodePlan> plan = Reconcile(*gpus, *targets, ReconcileOptions{.force = options.force});
  if (!plan.has_value()) return plan.error();
  report.plan = *plan;
  report.planned = Describe(*gpus, *plan);
  if (options.dry_run) return report;
  MIGSCHED_RETURN_IF_ERROR(
      Execute(session, journal, *gpus, *targets, *plan, options.force, report.executed));
  return report;
}

}  // namespace migsched::agent
