#include "sched/scheduler.h"

#include <algorithm>
#include <map>
#include <set>
#include <span>
#include <unordered_map>

#include "sched/fleet_state.h"
#include "sched/job_table.h"

namespace migsched::sched {
namespace {

// What a job holds. Almost every job holds one instance, kept inline (8
// bytes) so that a release does not chase a heap pointer; gangs use the heap.
class HeldPlacements {
 public:
  void Set(std::span<const Placement> where) {
    count_ = static_cast<std::uint32_t>(where.size());
    many_.reset();
    if (where.size() == 1) {
      gpu_ = where[0].gpu;
      profile_ = static_cast<std::int16_t>(where[0].profile);
      start_ = static_cast<std::int16_t>(where[0].start);
    } else if (!where.empty()) {
      many_ = std::make_unique<Placement[]>(where.size());
      std::copy(where.begin(), where.end(), many_.get());
    }
  }
  Placement one() const { return Placement{.gpu = gpu_, .profile = profile_, .start = start_}; }
  std::uint32_t count() const { return count_; }
  // Calls f(Placement) for each.
  template <typename F>
  void ForEach(F&& f) const {
    if (count_ == 1) {
      f(one());
      return;
    }
    for (std::uint32_t i = 0; i < count_; ++i) f(many_[i]);
  }
  std::vector<Placement> ToVector() const {
    std::vector<Placement> out;
    ForEach([&](const Placement& p) { out.push_back(p); });
    return out;
  }

 private:
  std::unique_ptr<Placement[]> many_;  // gangs only
  std::int32_t gpu_ = 0;
  std::int16_t profile_ = 0;
  std::int16_t start_ = 0;
  std::uint32_t count_ = 0;
};

// Kept small (the job table's slot is this plus the id): whatever only some
// jobs need sits behind a pointer or in the queue.
struct JobRecord {
  std::unique_ptr<Request> request;  // kept only while queued: retries need it
  const TenantQuota* quota = nullptr;  // the tenant's quota, when it has one
  HeldPlacements where;
  Time submitted_at = 0;
  std::uint64_t seq = 0;  // arrival order, for FIFO within a priority
  Time ready_at = 0;      // while repartitioning
  int priority = 0;
  JobState state = JobState::kQueued;
  int held_slices = 0;  // what the tenant's quota is charged
  int held_whole = 0;
};

struct TenantUsage {
  int memory_slices = 0;
  int whole_gpus = 0;
};

// Queue order: higher priority first, then arrival.
using QueueKey = std::pair<int, std::uint64_t>;  // (-priority, seq)

std::string OptionName(const ProfileOption& option) {
  return option.model->profiles[static_cast<size_t>(option.profile)].name + " (" +
         option.model->name + ")";
}

}  // namespace

struct Scheduler::Impl {
  Options options;
  std::unique_ptr<PlacementPolicy> policy;
  FleetState fleet;
  JobTable<JobRecord> jobs;
  std::map<QueueKey, JobId> queue;
  std::set<std::pair<Time, JobId>> pending;  // repartitions by ready_at
  std::map<std::string, TenantQuota> quotas;
  std::unordered_map<std::string, TenantUsage> usage;
  Counters counters;
  Time last_now = 0;
  std::uint64_t next_seq = 0;
  // Per retry pass: (model, profile) options already known not to fit now.
  std::vector<std::vector<std::uint8_t>> failed;

  Impl(Options o, std::unique_ptr<PlacementPolicy> p, FleetState f)
      : options(std::move(o)), policy(std::move(p)), fleet(std::move(f)) {}

  bool WholeOnly() const { return policy->choice() == GpuChoice::kWholeGpusOnly; }
  int WholeCount(const Request& r) const { return r.whole_gpus > 0 ? r.whole_gpus : (WholeOnly() ? 1 : 0); }

  const TenantQuota* QuotaOf(const std::string& tenant) const {
    if (quotas.empty()) return nullptr;
    const auto it = quotas.find(tenant);
    return it == quotas.end() ? nullptr : &it->second;
  }

  // Would holding `slices` more memory slices and `whole` more GPUs exceed the quota?
  bool OverQuota(const std::string& tenant, int slices, int whole) const {
    const TenantQuota* quota = QuotaOf(tenant);
    if (quota == nullptr) return false;
    const auto it = usage.find(tenant);
    const TenantUsage used = it == usage.end() ? TenantUsage{} : it->second;
    return (quota->max_memory_slices > 0 && used.memory_slices + slices > quota->max_memory_slices) ||
           (quota->max_whole_gpus > 0 && used.whole_gpus + whole > quota->max_whole_gpus);
  }

  void Charge(JobRecord& job, int slices, int whole) {
    job.held_slices += slices;
    job.held_whole += whole;
    if (job.quota == nullptr) return;
    TenantUsage& used = usage[job.quota->tenant];
    used.memory_slices += slices;
    used.whole_gpus += whole;
  }

  void Uncharge(const JobRecord& job) {
    if (job.quota == nullptr) return;
    TenantUsage& used = usage[job.quota->tenant];
    used.memory_slices -= job.held_slices;
    used.whole_gpus -= job.held_whole;
  }

  // The models a whole-GPU job may use, as fleet model indices.
  std::vector<std::uint32_t> WholeModels(const Request& r) const {
    std::vector<std::uint32_t> models;
    if (r.options.empty()) {
      for (std::uint32_t m = 0; m < fleet.model_count(); ++m) models.push_back(m);
      return models;
    }
    for (const ProfileOption& option : r.options) {
      const std::optional<std::uint32_t> m = fleet.ModelIndexOf(option.model);
      if (m && std::find(models.begin(), models.end(), *m) == models.end()) models.push_back(*m);
    }
    return models;
  }

  Status Validate(const Request& r, Time now) const {
    // The message is built only on the error path: Validate runs on every Submit.
    const auto error = [&](const std::string& what) {
      return InvalidArgumentError("job " + std::to_string(r.id) + ": " + what);
    };
    if (now < last_now) {
      return error("time " + std::to_string(now) + " is before the last event (" +
                   std::to_string(last_now) + ")");
    }
    if (r.id == kNoJob) return InvalidArgumentError("job id 0 is reserved");
    if (jobs.contains(r.id)) return error("already known");
    if (r.whole_gpus < 0) return error("negative whole_gpus");
    if (r.whole_gpus == 0 && r.options.empty()) return error("no profile options and no whole GPUs");
    for (const ProfileOption& option : r.options) {
      if (option.model == nullptr) return error("option without a model");
      if (option.profile < 0 || static_cast<size_t>(option.profile) >= option.model->profiles.size()) {
        return error("profile index " + std::to_string(option.profile) + " out of range for " +
                     option.model->name);
      }
    }
    return Status::Ok();
  }

  // Why the job can never run on this fleet, or "" if it can.
  std::string InfeasibleReason(const Request& r) const {
    const TenantQuota* quota = QuotaOf(r.tenant);
    if (const int whole = WholeCount(r); whole > 0) {
      size_t gpus = 0;
      int smallest = 0;
      for (const std::uint32_t m : WholeModels(r)) {
        gpus += fleet.WholeCapable(m);
        const int slices = fleet.model(m).model->memory_slices;
        smallest = smallest == 0 ? slices : std::min(smallest, slices);
      }
      if (gpus < static_cast<size_t>(whole)) {
        return "needs " + std::to_string(whole) + " whole GPUs; the fleet has " +
               std::to_string(gpus) + " of the allowed models that can be free whole";
      }
      if (quota != nullptr && quota->max_whole_gpus > 0 && whole > quota->max_whole_gpus) {
        return "needs " + std::to_string(whole) + " whole GPUs; tenant '" + r.tenant +
               "' may hold " + std::to_string(quota->max_whole_gpus);
      }
      if (quota != nullptr && quota->max_memory_slices > 0 &&
          whole * smallest > quota->max_memory_slices) {
        return "needs " + std::to_string(whole * smallest) + " memory slices; tenant '" +
               r.tenant + "' may hold " + std::to_string(quota->max_memory_slices);
      }
      return "";
    }
    std::string why;
    for (const ProfileOption& option : r.options) {
      const std::optional<std::uint32_t> m = fleet.ModelIndexOf(option.model);
      const int slices = option.model->profiles[static_cast<size_t>(option.profile)].memory_slices;
      if (!m) {
        why = "no " + option.model->name + " GPU in the fleet";
      } else if (options.reconfiguration == Reconfiguration::kNone &&
                 fleet.model(*m).instances_of_profile[static_cast<size_t>(option.profile)] == 0) {
        why = "no " + OptionName(option) + " instance in the static layouts";
      } else if (quota != nullptr && quota->max_memory_slices > 0 && slices > quota->max_memory_slices) {
        why = OptionName(option) + " needs " + std::to_string(slices) + " memory slices; tenant '" +
              r.tenant + "' may hold " + std::to_string(quota->max_memory_slices);
      } else {
        return "";
      }
    }
    return why;
  }

  bool Failed(std::uint32_t model, int profile) const {
    return !failed.empty() && failed[model][static_cast<size_t>(profile)] != 0;
  }

  // Tries to start `job` now: appends its decisions to `out` (Placed, or one
  // NeedsRepartition per GPU that must be cleared first) and returns true;
  // false leaves it waiting.
  bool TryPlace(JobRecord& job, const Request& r, Time now, std::vector<Decision>& out) {
    if (const int whole = WholeCount(r); whole > 0) return TryPlaceWhole(job, r, whole, now, out);
    std::optional<Decision> decision = TryPlaceInstance(job, r, now);
    if (decision) out.push_back(std::move(*decision));
    return decision.has_value();
  }

  // A gang of `whole` GPUs. GPUs that still hold idle instances are cleared
  // first: the gang then starts, all together, after the reconfiguration delay.
  bool TryPlaceWhole(JobRecord& job, const Request& r, int whole, Time now, std::vector<Decision>& out) {
    const std::optional<std::vector<std::uint32_t>> gpus = fleet.FindWhole(WholeModels(r), whole);
    if (!gpus) return false;
    int slices = 0;
    for (const std::uint32_t g : *gpus) slices += fleet.model(fleet.gpu(g).model).model->memory_slices;
    if (OverQuota(r.tenant, slices, whole)) return false;
    Placed placed{.job = r.id, .where = {}};
    const Time ready_at = now + options.reconfiguration_delay_s;
    bool cleared = false;
    for (const std::uint32_t g : *gpus) {
      FleetState::Repartitioned taken = fleet.TakeWhole(g, r.id);
      placed.where.push_back(taken.placement);
      if (taken.ops.empty()) continue;
      cleared = true;
      out.push_back(NeedsRepartition{.job = r.id, .gpu = static_cast<int>(g), .ops = std::move(taken.ops),
                                     .ready_at = ready_at});
    }
    Charge(job, slices, whole);
    if (cleared) {
      job.where.Set(placed.where);
      Reserve(job, r.id, ready_at);
    } else {
      out.push_back(Start(job, std::move(placed)));
    }
    return true;
  }

  // One instance: an idle one, free slices, or (when allowed) a repartition.
  std::optional<Decision> TryPlaceInstance(JobRecord& job, const Request& r, Time now) {
    for (const ProfileOption& option : r.options) {
      const std::optional<std::uint32_t> m = fleet.ModelIndexOf(option.model);
      if (!m || Failed(*m, option.profile)) continue;
      const int slices = option.model->profiles[static_cast<size_t>(option.profile)].memory_slices;
      if (OverQuota(r.tenant, slices, 0)) continue;
      std::optional<InstanceChoice> choice = fleet.FindIdle(*m, option.profile);
      if (!choice && options.reconfiguration != Reconfiguration::kNone) {
        choice = fleet.FindFree(*m, option.profile);
      }
      if (!choice) continue;
      Placed placed{.job = r.id, .where = {fleet.TakeInstance(*choice, r.id)}};
      Charge(job, slices, 0);
      return Start(job, std::move(placed));
    }
    if (!MayDestroyIdle(options)) {
      MarkFailed(r);
      return std::nullopt;
    }
    std::optional<RepartitionChoice> best;
    for (const ProfileOption& option : r.options) {
      const std::optional<std::uint32_t> m = fleet.ModelIndexOf(option.model);
      if (!m || Failed(*m, option.profile)) continue;
      const int slices = option.model->profiles[static_cast<size_t>(option.profile)].memory_slices;
      if (OverQuota(r.tenant, slices, 0)) continue;
      std::optional<RepartitionChoice> choice = fleet.FindRepartition(*m, option.profile);
      if (choice && (!best || choice->destroy.size() < best->destroy.size())) best = std::move(choice);
    }
    if (!best) {
      MarkFailed(r);
      return std::nullopt;
    }
    const geometry::GpuModel& model = *fleet.model(fleet.gpu(best->gpu).model).model;
    NeedsRepartition decision{.job = r.id, .gpu = static_cast<int>(best->gpu), .ops = {},
                              .ready_at = now + options.reconfiguration_delay_s};
    FleetState::Repartitioned done = fleet.Repartition(*best, r.id);
    // Destroyed idle instances may free more slices than the new one takes:
    // what failed earlier in this pass may fit now.
    for (std::vector<std::uint8_t>& model_failed : failed) {
      std::fill(model_failed.begin(), model_failed.end(), 0);
    }
    decision.ops = std::move(done.ops);
    job.where.Set({&done.placement, 1});
    Charge(job, model.profiles[static_cast<size_t>(best->profile)].memory_slices, 0);
    Reserve(job, r.id, decision.ready_at);
    return decision;
  }

  // The job holds its placements and starts once its repartition is ready.
  void Reserve(JobRecord& job, JobId id, Time ready_at) {
    job.state = JobState::kRepartitioning;
    job.ready_at = ready_at;
    pending.emplace(ready_at, id);
  }

  // Remembers, for the rest of a retry pass, options that did not fit (the
  // fleet only fills up during a pass, except by a repartition, which clears
  // the memo). Quota failures are not remembered.
  void MarkFailed(const Request& r) {
    if (failed.empty()) return;
    for (const ProfileOption& option : r.options) {
      const std::optional<std::uint32_t> m = fleet.ModelIndexOf(option.model);
      const int slices = option.model->profiles[static_cast<size_t>(option.profile)].memory_slices;
      if (m && !OverQuota(r.tenant, slices, 0)) failed[*m][static_cast<size_t>(option.profile)] = 1;
    }
  }

  Decision Start(JobRecord& job, Placed placed) {
    job.state = JobState::kRunning;
    job.where.Set(placed.where);
    ++counters.placed;
    return placed;
  }

  std::string WaitReason(const Request& r) const {
    if (const int whole = WholeCount(r); whole > 0) {
      return "waiting for " + std::to_string(whole) + " free whole GPU" + (whole > 1 ? "s" : "") +
             (OverQuota(r.tenant, 0, whole) ? " (tenant '" + r.tenant + "' quota)" : "");
    }
    std::vector<std::string> names;
    bool all_quota = true;
    for (const ProfileOption& option : r.options) {
      names.push_back(OptionName(option));
      const int slices = option.model->profiles[static_cast<size_t>(option.profile)].memory_slices;
      all_quota = all_quota && OverQuota(r.tenant, slices, 0);
    }
    if (all_quota) return "tenant '" + r.tenant + "' is at its quota";
    std::string text = "no room for ";
    for (size_t i = 0; i < names.size(); ++i) text += (i > 0 ? " or " : "") + names[i];
    return text;
  }

  // The queue's head holds back everyone behind it once it has waited long enough.
  std::optional<JobId> HoldingHead(Time now) const {
    if (options.backfill_hold_after_s <= 0 || queue.empty()) return std::nullopt;
    const JobId head = queue.begin()->second;
    if (now - jobs.Find(head)->submitted_at < options.backfill_hold_after_s) return std::nullopt;
    return head;
  }

  // The decisions for queued jobs that start now.
  std::vector<Decision> RetryQueue(Time now) {
    std::vector<Decision> out;
    if (queue.empty()) return out;
    failed.assign(fleet.model_count(), {});
    for (std::uint32_t m = 0; m < fleet.model_count(); ++m) {
      failed[m].assign(fleet.model(m).model->profiles.size(), 0);
    }
    const std::optional<JobId> hold = HoldingHead(now);
    for (auto it = queue.begin(); it != queue.end();) {
      JobRecord& job = *jobs.Find(it->second);
      if (TryPlace(job, *job.request, now, out)) {
        job.request.reset();
        it = queue.erase(it);
        continue;
      }
      if (hold && *hold == it->second) break;  // nothing behind it may start first
      ++it;
    }
    failed.clear();
    return out;
  }

  // Appends Placed for every repartition due by `now`.
  void CompleteRepartitions(Time now, std::vector<Decision>& out) {
    while (!pending.empty() && pending.begin()->first <= now) {
      const JobId id = pending.begin()->second;
      pending.erase(pending.begin());
      JobRecord& job = *jobs.Find(id);
      out.push_back(Start(job, Placed{.job = id, .where = job.where.ToVector()}));
    }
  }

  void UpdateTotals() {
    FleetUsage& totals = fleet.mutable_totals();
    totals.queued = queue.size();
    totals.repartitioning = pending.size();
    totals.running = jobs.size() - queue.size() - pending.size();
  }

  // Every call ends here: repartitions due by the call's time (including ones
  // it started, with a zero delay) complete, then the counters are updated.
  std::vector<Decision> Finish(std::vector<Decision> out) {
    CompleteRepartitions(last_now, out);
    counters.decisions += static_cast<std::int64_t>(out.size());
    const Counters& instances = fleet.counters();
    counters.instances_created = instances.instances_created;
    counters.instances_destroyed = instances.instances_destroyed;
    counters.reconfigurations = instances.reconfigurations;
    counters.busy_disturbed = instances.busy_disturbed;
    UpdateTotals();
    return out;
  }
};

Result<Scheduler> Scheduler::Create(const geometry::Catalog& catalog, fleet::Fleet fleet,
                                    Options options) {
  Result<std::unique_ptr<PlacementPolicy>> made = MakePolicy(options.policy);
  if (!made.has_value()) return made.error();
  std::unique_ptr<PlacementPolicy> policy = std::move(made).value();
  for (const fleet::FleetGpu& gpu : fleet.gpus) {
    if (gpu.model == nullptr) continue;  // FleetState names the GPU
    const bool known = std::any_of(catalog.models().begin(), catalog.models().end(),
                                   [&](const geometry::GpuModel& m) { return &m == gpu.model; });
    if (!known) return InvalidArgumentError("gpu model '" + gpu.model->name + "' is not from the catalog");
  }
  if (options.reconfiguration_delay_s < 0) {
    return InvalidArgumentError("reconfiguration delay must not be negative");
  }
  if (options.backfill_hold_after_s < 0) {
    return InvalidArgumentError("backfill hold time must not be negative");
  }
  std::map<std::string, TenantQuota> quotas;
  for (const TenantQuota& quota : options.quotas) {
    if (quota.max_memory_slices < 0 || quota.max_whole_gpus < 0) {
      return InvalidArgumentError("tenant '" + quota.tenant + "' has a negative quota");
    }
    if (!quotas.emplace(quota.tenant, quota).second) {
      return InvalidArgumentError("tenant '" + quota.tenant + "' has two quotas");
    }
  }
  Result<FleetState> state = FleetState::Create(std::move(fleet), *policy, options);
  if (!state.has_value()) return state.error();
  auto impl = std::make_unique<Impl>(std::move(options), std::move(policy), std::move(state).value());
  impl->quotas = std::move(quotas);
  return Scheduler(std::move(impl));
}

Scheduler::Scheduler(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Scheduler::Scheduler(Scheduler&&) noexcept = default;
Scheduler& Scheduler::operator=(Scheduler&&) noexcept = default;
Scheduler::~Scheduler() = default;

Result<std::vector<Decision>> Scheduler::Submit(const Request& request, Time now) {
  Impl& s = *impl_;
  MIGSCHED_RETURN_IF_ERROR(s.Validate(request, now));
  s.last_now = now;
  std::vector<Decision> out;
  if (std::string why = s.InfeasibleReason(request); !why.empty()) {
    out.push_back(Infeasible{.job = request.id, .reason = std::move(why)});
    return s.Finish(std::move(out));
  }
  const std::optional<JobId> hold = s.HoldingHead(now);
  const bool held = hold && s.jobs.Find(*hold)->priority >= request.priority;
  JobRecord& job = s.jobs.Emplace(request.id);
  job.quota = s.QuotaOf(request.tenant);
  job.priority = request.priority;
  job.submitted_at = now;
  job.seq = s.next_seq++;
  if (held || !s.TryPlace(job, request, now, out)) {
    job.request = std::make_unique<Request>(request);
    s.queue.emplace(QueueKey{-request.priority, job.seq}, request.id);
    out.push_back(Wait{.job = request.id,
                       .reason = held ? "held behind job " + std::to_string(*hold) + " (backfill hold)"
                                      : s.WaitReason(request)});
  }
  return s.Finish(std::move(out));
}

Result<std::vector<Decision>> Scheduler::Release(JobId id, Time now) {
  Impl& s = *impl_;
  if (now < s.last_now) {
    return InvalidArgumentError("release of job " + std::to_string(id) + ": time " +
                                std::to_string(now) + " is before the last event (" +
                                std::to_string(s.last_now) + ")");
  }
  JobRecord* found = s.jobs.Find(id);
  if (found == nullptr) return NotFoundError("job " + std::to_string(id) + " is not known");
  s.last_now = now;
  JobRecord& job = *found;
  switch (job.state) {
    case JobState::kQueued:
      s.queue.erase(QueueKey{-job.priority, job.seq});
      break;
    case JobState::kRepartitioning:
      s.pending.erase({job.ready_at, id});
      [[fallthrough]];
    case JobState::kRunning:
      job.where.ForEach([&](const Placement& where) { s.fleet.Free(where, id); });
      s.Uncharge(job);
      break;
  }
  s.jobs.Erase(id);
  return s.Finish(s.RetryQueue(now));
}

Result<std::vector<Decision>> Scheduler::Advance(Time now) {
  Impl& s = *impl_;
  if (now < s.last_now) {
    return InvalidArgumentError("advance to " + std::to_string(now) + ": before the last event (" +
                                std::to_string(s.last_now) + ")");
  }
  s.last_now = now;
  return s.Finish({});
}

std::optional<JobView> Scheduler::Job(JobId id) const {
  const JobRecord* job = impl_->jobs.Find(id);
  if (job == nullptr) return std::nullopt;
  return JobView{.id = id, .state = job->state, .submitted_at = job->submitted_at,
                 .where = job->where.ToVector()};
}

std::vector<JobId> Scheduler::Queue() const {
  std::vector<JobId> out;
  for (const auto& [key, id] : impl_->queue) out.push_back(id);
  return out;
}

GpuUsage Scheduler::Usage(int gpu) const { return impl_->fleet.Usage(static_cast<std::uint32_t>(gpu)); }
const FleetUsage& Scheduler::Totals() const { return impl_->fleet.totals(); }
const Counters& Scheduler::counters() const { return impl_->counters; }
std::size_t Scheduler::gpu_count() const { return impl_->fleet.gpu_count(); }
const std::string& Scheduler::policy() const { return impl_->options.policy; }
fleet::Fleet Scheduler::Snapshot() const { return impl_->fleet.Snapshot(); }

}  // namespace migsched::sched
