// ControlPlane::ReportExternalHolds: instances that something outside
// migsched uses (Kubernetes pods, reported by the node's device plugin) are
// held by jobs pinned to them, so the core never repartitions them away.
#include <algorithm>
#include <set>

#include "common/check.h"
#include "daemon/control_plane.h"
#include "daemon/control_plane_live.h"
#include "daemon/json_text.h"

namespace migsched::daemon {

Result<ExternalHolds> ControlPlane::ReportExternalHolds(const std::string& node_name,
                                                        const std::vector<std::string>& mig_uuids) {
  std::optional<Result<ExternalHolds>> result;
  MIGSCHED_RETURN_IF_ERROR(Execute([&] {
    const auto it = nodes_.find(node_name);
    if (it == nodes_.end()) {
      result = NotFoundError("no node '" + node_name + "' (its agent has not reported)");
      return;
    }
    const LiveNode& node = *it->second;
    const std::set<std::string> reported(mig_uuids.begin(), mig_uuids.end());
    ExternalHolds out;
    std::set<std::string> found;
    // Holds first: the releases below retry the queue, which must not
    // repartition an instance this report lists. The scheduler's view, not
    // the desired layouts: those are settled at the end of the batch.
    for (const int g : node.fleet_gpus) {
      const int index = gpu_owner_[static_cast<std::size_t>(g)].second;
      for (const fleet::FleetInstance& instance : scheduler_->GpuSnapshot(g).instances) {
        const sched::Placement where{.gpu = g, .profile = instance.instance.profile,
                                     .start = instance.instance.placement.start};
        const agent::ObservedGpuInstance* observed =
            FindObservedInstance(node.inventory, index, where.profile, where.start);
        const std::string uuid = observed != nullptr ? MigUuidOf(*observed) : "";
        if (uuid.empty() || !reported.contains(uuid)) continue;
        found.insert(uuid);
        Result<JobInfo> holder = instance.busy ? Result<JobInfo>(InfoOf(*jobs_.at(HolderOf(where))))
                                               : HoldExternally(node, where, uuid);
        if (!holder.has_value()) {
          result = holder.error();
          return;
        }
        out.held.push_back({.mig_uuid = uuid, .job = std::move(*holder)});
      }
    }
    for (const std::string& uuid : reported) {
      if (!found.contains(uuid)) out.unknown.push_back(uuid);
    }
    std::vector<LiveJob*> stale;
    for (const int g : node.fleet_gpus) {
      for (const sched::JobId id : gpu_jobs_[static_cast<std::size_t>(g)]) {
        LiveJob& job = *jobs_.at(id);
        if (job.tenant != kExternalHoldTenant) continue;
        const sched::Placement& p = job.where.front();
        const agent::ObservedGpuInstance* observed =
            FindObservedInstance(node.inventory, gpu_owner_[static_cast<std::size_t>(g)].second, p.profile, p.start);
        if (observed == nullptr || !reported.contains(MigUuidOf(*observed))) stale.push_back(&job);
      }
    }
    for (LiveJob* job : stale) {
      Result<JobInfo> released = CancelLocked(*job);
      if (!released.has_value()) {
        result = released.error();
        return;
      }
      out.released.push_back(std::move(*released));
    }
    result = std::move(out);
  }));
  return *result;
}

sched::JobId ControlPlane::HolderOf(const sched::Placement& where) const {
  for (const sched::JobId id : gpu_jobs_[static_cast<std::size_t>(where.gpu)]) {
    const std::vector<sched::Placement>& held = jobs_.at(id)->where;
    if (std::find(held.begin(), held.end(), where) != held.end()) return id;
  }
  MIGSCHED_CHECK(false);  // the scheduler says a job holds it
  return 0;
}

Result<JobInfo> ControlPlane::HoldExternally(const LiveNode& node, const sched::Placement& where,
                                             const std::string& mig_uuid) {
  const geometry::GpuModel& model = *gpu_model_[static_cast<std::size_t>(where.gpu)];
  // The job's id makes the name unique: an instance held, released and held
  // again gets a new job rather than the finished one (names are idempotency keys).
  const std::string body = JsonObjectText()
                               .String("name", "hold/" + node.name + "/" + mig_uuid + "/" + std::to_string(next_job_id_))
                               .String("tenant", kExternalHoldTenant)
                               .String("profile", model.profiles[static_cast<std::size_t>(where.profile)].name)
                               .String("model", model.name)
                               .Done();
  ParsedSpec parsed = ParseJobSpec(body, catalog_);
  if (!parsed.ok()) return InternalError("external hold of " + mig_uuid + ": " + parsed.error.message);
  Result<SubmitOutcome> outcome = SubmitLocked(
      std::move(parsed.spec), sched::Request::Pin{.gpu = where.gpu, .start = where.start});
  if (!outcome.has_value()) return outcome.error();
  return outcome->job;
}

}  // namespace migsched::daemon
