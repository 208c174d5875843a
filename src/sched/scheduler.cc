#include "sched/scheduler.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "sched/fleet_state.h"
#include "sched/job_table.h"

namespace migsched::sched {
namespace {

// What the job table keeps per job: only what every event touches, in 8
// bytes (a 16-byte slot with the id, four per cache line; at 10^5 jobs the
// table's cache misses are most of an event's cost, and a smaller table
// misses less). What only some jobs need — the request, priority and submit
// time while queued, a gang's placements, a repartition's ready_at, quota
// charges — is in a JobExtra, kept in a second table.
enum class Holds : std::uint8_t {
  kNothing,  // queued
  kOne,      // the placement in JobRecord
  kMany,     // a gang: JobExtra::gang
};

struct JobRecord {
  std::int32_t gpu = 0;  // the placement, when holds == kOne
  std::int8_t profile = 0;
  std::int8_t start = 0;
  JobState state = JobState::kQueued;
  Holds holds : 2 = Holds::kNothing;
  bool has_extra : 1 = false;  // a JobExtra exists under the same id
};
static_assert(sizeof(JobRecord) <= 8, "keep job table slots at 16 bytes");

struct JobExtra {
  std::unique_ptr<Request> request;  // kept only while queued: retries need it
  std::uint64_t seq = 0;             // queue order, while queued
  Time queued_at = 0;                // while queued: when it was submitted
  Time ready_at = 0;                 // while repartitioning
  std::vector<Placement> gang;       // when JobRecord::holds == kMany
  const TenantQuota* quota = nullptr;  // the tenant's quota, when it has one
  int held_slices = 0;               // what the tenant's quota is charged
  int held_whole = 0;
};

struct TenantUsage {
  int memory_slices = 0;
  int whole_gpus = 0;
};

// Queue order: higher priority first, then arrival.
using QueueKey = std::pair<int, std::uint64_t>;  // (-priority, seq)

// Queued jobs in queue order; a part of the queue (a waiting list) or all of it.
using QueueMap = std::map<QueueKey, JobId>;

// What a whole-GPU job asks FleetState::FindWhole for: (models, count).
using WholeKey = std::pair<std::vector<std::uint32_t>, int>;

// The queued jobs with one WholeKey.
struct WholeWaiting {
  QueueMap jobs;
  bool failed = false;  // during a retry pass: FindWhole found too few GPUs
};

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
  JobTable<JobExtra> extras;  // for the jobs whose JobRecord::has_extra
  QueueMap queue;
  // The queue again, split by what jobs ask for, for retry passes that skip
  // jobs whose options cannot fit (RetryQueue): per (model, profile) option
  // the jobs that list it, and per WholeKey the jobs that ask for whole GPUs.
  std::vector<std::vector<QueueMap>> waiting_for;  // [model][profile]
  std::map<WholeKey, WholeWaiting> waiting_whole;
  std::set<std::pair<Time, JobId>> pending;  // repartitions by ready_at
  std::map<std::string, TenantQuota> quotas;
  std::unordered_map<std::string, TenantUsage> usage;
  Counters counters;
  Time last_now = 0;
  std::uint64_t next_seq = 0;
  bool whole_only;  // the policy's choice() is kWholeGpusOnly (asked once, not per call)
  // During a retry pass (in_pass): [model][profile] options already known
  // not to fit now.
  std::vector<std::vector<std::uint8_t>> failed;
  bool in_pass = false;

  Impl(Options o, std::unique_ptr<PlacementPolicy> p, FleetState f)
      : options(std::move(o)), policy(std::move(p)), fleet(std::move(f)),
        whole_only(policy->choice() == GpuChoice::kWholeGpusOnly) {
    for (std::uint32_t m = 0; m < fleet.model_count(); ++m) {
      waiting_for.emplace_back(fleet.model(m).model->profiles.size());
      failed.emplace_back(fleet.model(m).model->profiles.size());
    }
  }

  bool WholeOnly() const { return whole_only; }
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

  // The job's extra record, made on first use.
  JobExtra& Extra(JobId id, JobRecord& job) {
    if (job.has_extra) return *extras.Find(id);
    job.has_extra = true;
    return extras.Emplace(id);
  }

  // Only jobs of a tenant with a quota are charged (their JobExtra has it).
  void Charge(JobId id, JobRecord& job, int slices, int whole) {
    if (!job.has_extra) return;
    JobExtra& extra = *extras.Find(id);
    if (extra.quota == nullptr) return;
    extra.held_slices += slices;
    extra.held_whole += whole;
    TenantUsage& used = usage[extra.quota->tenant];
    used.memory_slices += slices;
    used.whole_gpus += whole;
  }

  void Uncharge(JobId id, const JobRecord& job) {
    if (!job.has_extra) return;
    const JobExtra& extra = *extras.Find(id);
    if (extra.quota == nullptr) return;
    TenantUsage& used = usage[extra.quota->tenant];
    used.memory_slices -= extra.held_slices;
    used.whole_gpus -= extra.held_whole;
  }

  void SetWhere(JobId id, JobRecord& job, const PlacementList& where) {
    if (where.size() == 1) {
      job.holds = Holds::kOne;
      job.gpu = where[0].gpu;
      job.profile = static_cast<std::int8_t>(where[0].profile);
      job.start = static_cast<std::int8_t>(where[0].start);
    } else {
      job.holds = Holds::kMany;
      Extra(id, job).gang.assign(where.begin(), where.end());
    }
  }

  PlacementList WhereOf(JobId id, const JobRecord& job) const {
    switch (job.holds) {
      case Holds::kNothing:
        return {};
      case Holds::kOne:
        return {Placement{.gpu = job.gpu, .profile = job.profile, .start = job.start}};
      case Holds::kMany:
        break;
    }
    PlacementList where;
    for (const Placement& p : extras.Find(id)->gang) where.push_back(p);
    return where;
  }

  // Where the option's instance would go now: an idle instance of its
  // profile, else (unless layouts are static) free slices.
  std::optional<InstanceChoice> FindInstance(std::uint32_t model, int profile) const {
    std::optional<InstanceChoice> choice = fleet.FindIdle(model, profile);
    if (!choice && options.reconfiguration != Reconfiguration::kNone) {
      choice = fleet.FindFree(model, profile);
    }
    return choice;
  }

  // Submit finds where the request's first option would go before it
  // validates, and starts loading that GPU's record, so that the record's
  // cache miss overlaps the job table's. TryPlace then uses the choice as is
  // (nothing in the fleet changes in between).
  std::optional<InstanceChoice> FindFirstChoice(const Request& r) const {
    if (r.whole_gpus != 0 || WholeOnly() || r.options.empty() || r.pinned) return std::nullopt;
    const ProfileOption& option = r.options.front();
    if (option.model == nullptr || option.profile < 0 ||
        static_cast<size_t>(option.profile) >= option.model->profiles.size()) {
      return std::nullopt;  // Validate will say why
    }
    const std::optional<std::uint32_t> m = fleet.ModelIndexOf(option.model);
    if (!m) return std::nullopt;
    const std::optional<InstanceChoice> choice = FindInstance(*m, option.profile);
    if (choice) fleet.Prefetch(choice->gpu);
    return choice;
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

  // Everything but the duplicate check (Submit does that last, see there).
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
    if (r.whole_gpus < 0) return error("negative whole_gpus");
    if (r.whole_gpus == 0 && r.options.empty()) return error("no profile options and no whole GPUs");
    for (const ProfileOption& option : r.options) {
      if (option.model == nullptr) return error("option without a model");
      if (option.profile < 0 || static_cast<size_t>(option.profile) >= option.model->profiles.size()) {
        return error("profile index " + std::to_string(option.profile) + " out of range for " +
                     option.model->name);
      }
    }
    if (r.pinned) {
      if (r.whole_gpus != 0 || r.options.size() != 1) return error("a pinned job needs exactly one profile option");
      if (r.pinned->gpu < 0 || static_cast<size_t>(r.pinned->gpu) >= fleet.gpu_count()) {
        return error("pinned GPU " + std::to_string(r.pinned->gpu) + " out of range");
      }
    }
    return Status::Ok();
  }

  // The index of the idle instance a pinned request names on its GPU, if
  // there is one.
  std::optional<int> PinnedIdleIndex(const Request& r) const {
    const ProfileOption& option = r.options.front();
    const GpuRecord& gpu = fleet.gpu(static_cast<std::uint32_t>(r.pinned->gpu));
    if (fleet.model(gpu.model).model != option.model) return std::nullopt;
    for (size_t i = 0; i < gpu.instances.size(); ++i) {
      const Instance& instance = gpu.instances[i];
      if (!instance.busy && instance.profile == option.profile && instance.start == r.pinned->start) {
        return static_cast<int>(i);
      }
    }
    return std::nullopt;
  }

  // Why the job can never run on this fleet, or "" if it can.
  std::string InfeasibleReason(const Request& r) const {
    if (r.pinned) {
      return PinnedIdleIndex(r) ? ""
                                : "GPU " + std::to_string(r.pinned->gpu) + " has no idle " +
                                      OptionName(r.options.front()) + " instance at start " +
                                      std::to_string(r.pinned->start);
    }
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
    return in_pass && failed[model][static_cast<size_t>(profile)] != 0;
  }

  // Tries to start `job` now: appends its decisions to `out` (Placed, or one
  // NeedsRepartition per GPU that must be cleared first) and returns true;
  // false leaves it waiting. `first`: where the first option goes, when the
  // caller has just found it.
  bool TryPlace(JobRecord& job, const Request& r, Time now, std::vector<Decision>& out,
                const std::optional<InstanceChoice>& first = std::nullopt) {
    if (const int whole = WholeCount(r); whole > 0) return TryPlaceWhole(job, r, whole, now, out);
    if (r.pinned) {
      out.push_back(PlacePinned(job, r));
      return true;
    }
    std::optional<Decision> decision = TryPlaceInstance(job, r, now, first);
    if (decision) out.push_back(std::move(*decision));
    return decision.has_value();
  }

  // A gang of `whole` GPUs. GPUs that still hold idle instances are cleared
  // first: the gang then starts, all together, after the reconfiguration delay.
  bool TryPlaceWhole(JobRecord& job, const Request& r, int whole, Time now, std::vector<Decision>& out) {
    std::vector<std::uint32_t> models = WholeModels(r);
    const std::optional<std::vector<std::uint32_t>> gpus = fleet.FindWhole(models, whole);
    if (!gpus) {
      MarkWholeFailed(WholeKey{std::move(models), whole});
      return false;
    }
    int slices = 0;
    for (const std::uint32_t g : *gpus) slices += fleet.model(fleet.gpu(g).model).model->memory_slices;
    if (OverQuota(r.tenant, slices, whole)) return false;
    Placed placed{.job = r.id, .where = {}};
    const Time ready_at = now + options.reconfiguration_delay_ms;
    bool cleared = false;
    for (const std::uint32_t g : *gpus) {
      FleetState::Repartitioned taken = fleet.TakeWhole(g);
      placed.where.push_back(taken.placement);
      if (taken.ops.empty()) continue;
      cleared = true;
      out.push_back(NeedsRepartition{.job = r.id, .gpu = static_cast<int>(g), .ops = std::move(taken.ops),
                                     .ready_at = ready_at});
    }
    Charge(r.id, job, slices, whole);
    if (cleared) {
      SetWhere(r.id, job, placed.where);
      Reserve(job, r.id, ready_at);
    } else {
      out.push_back(Start(job, std::move(placed)));
    }
    return true;
  }

  // A pinned request takes its idle instance (InfeasibleReason checked that
  // there is one).
  Decision PlacePinned(JobRecord& job, const Request& r) {
    const ProfileOption& option = r.options.front();
    const std::optional<int> index = PinnedIdleIndex(r);
    MIGSCHED_CHECK(index.has_value());
    Placed placed{.job = r.id,
                  .where = {fleet.TakeInstance({.gpu = static_cast<std::uint32_t>(r.pinned->gpu),
                                                .profile = option.profile, .start = r.pinned->start,
                                                .idle_index = *index})}};
    Charge(r.id, job, option.model->profiles[static_cast<size_t>(option.profile)].memory_slices, 0);
    return Start(job, std::move(placed));
  }

  // One instance: an idle one, free slices, or (when allowed) a repartition.
  std::optional<Decision> TryPlaceInstance(JobRecord& job, const Request& r, Time now,
                                           const std::optional<InstanceChoice>& first) {
    for (const ProfileOption& option : r.options) {
      const std::optional<std::uint32_t> m = fleet.ModelIndexOf(option.model);
      if (!m || Failed(*m, option.profile)) continue;
      const int slices = option.model->profiles[static_cast<size_t>(option.profile)].memory_slices;
      if (OverQuota(r.tenant, slices, 0)) continue;
      const std::optional<InstanceChoice> choice =
          first && &option == &r.options.front() ? first : FindInstance(*m, option.profile);
      if (!choice) continue;
      Placed placed{.job = r.id, .where = {fleet.TakeInstance(*choice)}, .created = choice->idle_index < 0 ? 1 : 0};
      Charge(r.id, job, slices, 0);
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
                              .ready_at = now + options.reconfiguration_delay_ms};
    FleetState::Repartitioned done = fleet.Repartition(*best);
    // Destroyed idle instances may free more slices than the new one takes:
    // what failed earlier in this pass may fit now.
    for (std::vector<std::uint8_t>& model_failed : failed) {
      std::fill(model_failed.begin(), model_failed.end(), 0);
    }
    decision.ops = std::move(done.ops);
    SetWhere(r.id, job, {done.placement});
    Charge(r.id, job, model.profiles[static_cast<size_t>(best->profile)].memory_slices, 0);
    Reserve(job, r.id, decision.ready_at);
    return decision;
  }

  // The job holds its placements and starts once its repartition is ready.
  void Reserve(JobRecord& job, JobId id, Time ready_at) {
    job.state = JobState::kRepartitioning;
    Extra(id, job).ready_at = ready_at;
    pending.emplace(ready_at, id);
  }

  // Remembers, for the rest of a retry pass, options that did not fit (the
  // fleet only fills up during a pass, except by a repartition, which clears
  // the memo). Quota failures are not remembered.
  void MarkFailed(const Request& r) {
    if (!in_pass) return;
    for (const ProfileOption& option : r.options) {
      const std::optional<std::uint32_t> m = fleet.ModelIndexOf(option.model);
      const int slices = option.model->profiles[static_cast<size_t>(option.profile)].memory_slices;
      if (m && !OverQuota(r.tenant, slices, 0)) failed[*m][static_cast<size_t>(option.profile)] = 1;
    }
  }

  // The same for whole GPUs. Nothing clears it during a pass: FindWhole wants
  // GPUs with no held instance, and a pass only adds held instances (a
  // repartition too: it destroys idle instances to hold a new one).
  void MarkWholeFailed(const WholeKey& key) {
    if (!in_pass) return;
    if (const auto it = waiting_whole.find(key); it != waiting_whole.end()) it->second.failed = true;
  }

  Decision Start(JobRecord& job, Placed placed) {
    job.state = JobState::kRunning;
    SetWhere(placed.job, job, placed.where);
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

  // Adds to / removes from the queue and the per-option waiting lists.
  template <typename F>
  void ForEachWaitingList(const Request& r, F&& f) {
    if (const int whole = WholeCount(r); whole > 0) {
      f(waiting_whole[WholeKey{WholeModels(r), whole}].jobs);
      return;
    }
    for (const ProfileOption& option : r.options) {
      if (const std::optional<std::uint32_t> m = fleet.ModelIndexOf(option.model)) {
        f(waiting_for[*m][static_cast<size_t>(option.profile)]);
      }
    }
  }
  void Enqueue(const QueueKey& key, const Request& r) {
    queue.emplace(key, r.id);
    ForEachWaitingList(r, [&](QueueMap& list) { list.emplace(key, r.id); });
  }
  void Dequeue(const QueueKey& key, const Request& r) {
    queue.erase(key);
    ForEachWaitingList(r, [&](QueueMap& list) { list.erase(key); });
  }

  // The queue's head holds back everyone behind it once it has waited long enough.
  std::optional<JobId> HoldingHead(Time now) const {
    if (options.backfill_hold_after_ms <= 0 || queue.empty()) return std::nullopt;
    const JobId head = queue.begin()->second;
    if (now - extras.Find(head)->queued_at < options.backfill_hold_after_ms) return std::nullopt;
    return head;
  }

  // Appends the decisions for queued jobs that start now: walks the queue in
  // order (priority, then FIFO) and starts every job that fits, except that
  // a holding head that does not fit stops the walk.
  //
  // Only jobs that may fit are visited, so that a pass costs
  // O(lists x (jobs started + repartitions + 1) x log queue), not O(queue):
  // the waiting lists (per option, per WholeKey) are merged in queue order,
  // and a list is parked while the memo says its option cannot be placed in
  // this pass — found so when the pass starts, or when a job failed on it
  // (MarkFailed, MarkWholeFailed). A job in parked lists only would fail: the
  // fleet only fills up during a pass, except that a repartition may free
  // more slices than it takes and clears the option memo; parked option lists
  // then resume after the job just tried, where a walk of the whole queue
  // would be. The order, the backfill and the hold are those of trying every
  // queued job in turn.
  void RetryQueue(Time now, std::vector<Decision>& out) {
    if (queue.empty()) return;
    struct Cursor {
      const QueueMap* list = nullptr;
      QueueMap::const_iterator at;  // list->end() while parked
      std::uint32_t model = 0;
      int profile = 0;
      const WholeWaiting* whole = nullptr;  // set for a whole-GPU list
      bool parked = false;
    };
    std::vector<Cursor> cursors;
    for (std::uint32_t m = 0; m < waiting_for.size(); ++m) {
      for (size_t p = 0; p < waiting_for[m].size(); ++p) {
        const QueueMap& list = waiting_for[m][p];
        const int profile = static_cast<int>(p);
        failed[m][p] = !list.empty() && !FindInstance(m, profile) &&
                       !(MayDestroyIdle(options) && fleet.FindRepartition(m, profile));
        if (!list.empty()) cursors.push_back({&list, list.begin(), m, profile, nullptr, false});
      }
    }
    std::erase_if(waiting_whole, [](const auto& entry) { return entry.second.jobs.empty(); });
    for (auto& [key, waiting] : waiting_whole) {
      waiting.failed = !fleet.FindWhole(key.first, key.second);
      cursors.push_back({&waiting.jobs, waiting.jobs.begin(), 0, kWholeGpu, &waiting, false});
    }
    in_pass = true;
    std::optional<JobId> hold = HoldingHead(now);
    std::optional<QueueKey> last;  // the job tried last
    while (true) {
      const QueueMap::value_type* next = nullptr;
      for (Cursor& c : cursors) {
        if (c.whole != nullptr ? c.whole->failed : Failed(c.model, c.profile)) {
          c.parked = true;
          c.at = c.list->end();  // its job may leave the list before it resumes
          continue;
        }
        if (c.parked) {
          c.parked = false;
          c.at = last ? c.list->upper_bound(*last) : c.list->begin();
        }
        if (c.at != c.list->end() && (next == nullptr || c.at->first < next->first)) next = &*c.at;
      }
      if (next == nullptr) break;
      const auto [key, id] = *next;
      for (Cursor& c : cursors) {
        if (c.at != c.list->end() && c.at->first == key) ++c.at;  // before RetryJob erases the job
      }
      last = key;
      if (hold && *hold != id) break;  // the holding head is in no live list: it cannot start
      const bool started = RetryJob(key, id, now, out);
      if (hold && !started) break;
      hold.reset();  // the head started: the rest of the pass is free
    }
    in_pass = false;
  }

  // Tries one queued job; true if it started.
  bool RetryJob(const QueueKey& key, JobId id, Time now, std::vector<Decision>& out) {
    JobRecord& job = *jobs.Find(id);
    // On the heap: stays put while TryPlace adds extra records.
    const Request& request = *extras.Find(id)->request;
    if (!TryPlace(job, request, now, out)) return false;
    Dequeue(key, request);
    extras.Find(id)->request.reset();
    return true;
  }

  // Appends Placed for every repartition due by `now`.
  void CompleteRepartitions(Time now, std::vector<Decision>& out) {
    while (!pending.empty() && pending.begin()->first <= now) {
      const JobId id = pending.begin()->second;
      pending.erase(pending.begin());
      JobRecord& job = *jobs.Find(id);
      out.push_back(Start(job, Placed{.job = id, .where = WhereOf(id, job)}));
    }
  }

  // Restore: takes one job back as it was (its placements are already in
  // the fleet, checked by FleetState::Restore). Queued jobs come in queue order.
  Status RestoreJob(const RestoredJob& j, Time now) {
    const Request& r = j.request;
    MIGSCHED_RETURN_IF_ERROR(Validate(r, now));
    const auto error = [&](const std::string& what) {
      return InvalidArgumentError("job " + std::to_string(r.id) + ": " + what);
    };
    if (j.state == JobState::kQueued) {
      if (!j.where.empty()) return error("queued but holds placements");
      if (j.waiting_since > now) return error("waiting since after now");
    } else {
      MIGSCHED_RETURN_IF_ERROR(CheckShape(r, j.where));
    }
    JobRecord& job = jobs.Emplace(r.id);
    if (const TenantQuota* quota = QuotaOf(r.tenant)) Extra(r.id, job).quota = quota;
    if (j.state == JobState::kQueued) {
      JobExtra& extra = Extra(r.id, job);
      extra.request = std::make_unique<Request>(r);
      extra.seq = next_seq++;
      extra.queued_at = j.waiting_since;
      // Enqueue's work, not a call to it: a second caller changes how the
      // compiler inlines it into Submit, the hot path.
      const QueueKey key{-r.priority, extra.seq};
      queue.emplace(key, r.id);
      ForEachWaitingList(r, [&](QueueMap& list) { list.emplace(key, r.id); });
      return Status::Ok();
    }
    PlacementList where;
    int slices = 0;
    for (const Placement& p : j.where) {
      where.push_back(p);
      const geometry::GpuModel& model = *fleet.model(fleet.gpu(static_cast<std::uint32_t>(p.gpu)).model).model;
      slices += p.profile == kWholeGpu ? model.memory_slices
                                       : model.profiles[static_cast<size_t>(p.profile)].memory_slices;
    }
    job.state = JobState::kRunning;
    SetWhere(r.id, job, where);
    Charge(r.id, job, slices, WholeCount(r));
    if (j.state == JobState::kRepartitioning) Reserve(job, r.id, j.ready_at);
    return Status::Ok();
  }

  // Restore: are `where` placements the scheduler could have made for `r`?
  Status CheckShape(const Request& r, const std::vector<Placement>& where) const {
    const auto error = [&](const std::string& what) {
      return InvalidArgumentError("job " + std::to_string(r.id) + ": " + what);
    };
    if (const int whole = WholeCount(r); whole > 0) {
      if (std::ssize(where) != whole) {
        return error("holds " + std::to_string(where.size()) + " placements for " + std::to_string(whole) +
                     " whole GPUs");
      }
      const std::vector<std::uint32_t> models = WholeModels(r);
      for (const Placement& p : where) {
        const std::uint32_t model = fleet.gpu(static_cast<std::uint32_t>(p.gpu)).model;
        if (p.profile != kWholeGpu || std::find(models.begin(), models.end(), model) == models.end()) {
          return error("placement on gpu " + std::to_string(p.gpu) + " is not a whole GPU it may use");
        }
      }
      return Status::Ok();
    }
    if (where.size() != 1) return error("holds " + std::to_string(where.size()) + " placements, not 1");
    const geometry::GpuModel* model = fleet.model(fleet.gpu(static_cast<std::uint32_t>(where[0].gpu)).model).model;
    const bool listed = std::any_of(r.options.begin(), r.options.end(), [&](const ProfileOption& o) {
      return o.model == model && o.profile == where[0].profile;
    });
    if (!listed) return error("placement on gpu " + std::to_string(where[0].gpu) + " is none of its options");
    return Status::Ok();
  }

  void UpdateTotals() {
    FleetUsage& totals = fleet.mutable_totals();
    totals.queued = queue.size();
    totals.repartitioning = pending.size();
    totals.running = jobs.size() - queue.size() - pending.size();
  }

  // Every call ends here: repartitions due by the call's time (including ones
  // it started, with a zero delay) complete, then the totals are updated.
  // The call's decisions are out[first...].
  void Finish(std::vector<Decision>& out, size_t first) {
    CompleteRepartitions(last_now, out);
    counters.decisions += static_cast<std::int64_t>(out.size() - first);
    UpdateTotals();
  }
};

namespace {

// What Create and Restore check before they build: the policy and the quotas.
struct Prepared {
  std::unique_ptr<PlacementPolicy> policy;
  std::map<std::string, TenantQuota> quotas;
};

Result<Prepared> Prepare(const geometry::Catalog& catalog, const fleet::Fleet& fleet,
                         const Options& options) {
  Result<std::unique_ptr<PlacementPolicy>> made = MakePolicy(options.policy);
  if (!made.has_value()) return made.error();
  for (const fleet::FleetGpu& gpu : fleet.gpus) {
    if (gpu.model == nullptr) continue;  // FleetState names the GPU
    const bool known = std::any_of(catalog.models().begin(), catalog.models().end(),
                                   [&](const geometry::GpuModel& m) { return &m == gpu.model; });
    if (!known) return InvalidArgumentError("gpu model '" + gpu.model->name + "' is not from the catalog");
  }
  if (options.reconfiguration_delay_ms < 0) {
    return InvalidArgumentError("reconfiguration delay must not be negative");
  }
  if (options.backfill_hold_after_ms < 0) {
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
  return Prepared{.policy = std::move(made).value(), .quotas = std::move(quotas)};
}

}  // namespace

Result<Scheduler> Scheduler::Create(const geometry::Catalog& catalog, fleet::Fleet fleet,
                                    Options options) {
  Result<Prepared> prepared = Prepare(catalog, fleet, options);
  if (!prepared.has_value()) return prepared.error();
  Prepared p = std::move(prepared).value();
  Result<FleetState> state = FleetState::Create(std::move(fleet), *p.policy, options);
  if (!state.has_value()) return state.error();
  auto impl = std::make_unique<Impl>(std::move(options), std::move(p.policy), std::move(state).value());
  impl->quotas = std::move(p.quotas);
  return Scheduler(std::move(impl));
}

Result<Scheduler> Scheduler::Restore(const geometry::Catalog& catalog, Options options,
                                     RestoreInput input, Time now) {
  Result<Prepared> prepared = Prepare(catalog, input.fleet, options);
  if (!prepared.has_value()) return prepared.error();
  Prepared p = std::move(prepared).value();
  std::vector<HeldPlacement> held;
  std::set<JobId> ids;
  for (const RestoredJob& job : input.jobs) {
    const std::string name = "job " + std::to_string(job.request.id);
    if (!ids.insert(job.request.id).second) return InvalidArgumentError(name + ": listed twice");
    if (!job.stays_idle.empty() && job.stays_idle.size() != job.where.size()) {
      return InvalidArgumentError(name + ": " + std::to_string(job.stays_idle.size()) + " stays_idle flags for " +
                                  std::to_string(job.where.size()) + " placements");
    }
    if (job.state == JobState::kQueued) continue;  // RestoreJob rejects placements
    for (size_t i = 0; i < job.where.size(); ++i) {
      held.push_back(HeldPlacement{.job = job.request.id, .where = job.where[i],
                                   .preset = !job.stays_idle.empty() && job.stays_idle[i]});
    }
  }
  Result<FleetState> state = FleetState::Restore(std::move(input.fleet), *p.policy, options, held);
  if (!state.has_value()) return state.error();
  auto impl = std::make_unique<Impl>(std::move(options), std::move(p.policy), std::move(state).value());
  impl->quotas = std::move(p.quotas);
  std::optional<int> last_priority;  // of the previous queued job
  for (const RestoredJob& job : input.jobs) {
    if (job.state == JobState::kQueued) {
      if (last_priority && job.request.priority > *last_priority) {
        return InvalidArgumentError("job " + std::to_string(job.request.id) +
                                    ": queued behind a lower priority: give queued jobs in Queue() order");
      }
      last_priority = job.request.priority;
    }
    MIGSCHED_RETURN_IF_ERROR(impl->RestoreJob(job, now));
  }
  for (const int gpu : input.cordoned) {
    if (gpu < 0 || static_cast<size_t>(gpu) >= impl->fleet.gpu_count()) {
      return InvalidArgumentError("cordoned gpu " + std::to_string(gpu) + " is not in the fleet (" +
                                  std::to_string(impl->fleet.gpu_count()) + " GPUs)");
    }
    impl->fleet.Cordon(static_cast<std::uint32_t>(gpu));
  }
  if (!input.tie_order.empty()) MIGSCHED_RETURN_IF_ERROR(impl->fleet.ApplyTieOrder(input.tie_order));
  impl->last_now = now;
  impl->UpdateTotals();
  return Scheduler(std::move(impl));
}

Scheduler::Scheduler(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Scheduler::Scheduler(Scheduler&&) noexcept = default;
Scheduler& Scheduler::operator=(Scheduler&&) noexcept = default;
Scheduler::~Scheduler() = default;

Status Scheduler::Submit(const Request& request, Time now, std::vector<Decision>& out) {
  Impl& s = *impl_;
  s.jobs.Prefetch(request.id);
  // Callers mostly hand out ids in increasing order (the simulator in trace
  // order, a daemon from its own counter): the next id's slot starts loading
  // a whole call before that Submit needs it. A wasted prefetch otherwise.
  s.jobs.Prefetch(request.id + 1);
  const std::optional<InstanceChoice> first_choice = s.FindFirstChoice(request);
  MIGSCHED_RETURN_IF_ERROR(s.Validate(request, now));
  std::string why = s.InfeasibleReason(request);
  // The queue's holding head, or kNoJob (a plain id: GCC 12 misreads an
  // optional here as maybe uninitialised once Restore shares Submit's helpers).
  const JobId hold = why.empty() ? s.HoldingHead(now).value_or(kNoJob) : kNoJob;
  // The duplicate check comes last, so that the id's slot, loading since
  // entry, has had the most work to hide behind (ids in no order miss it).
  if (s.jobs.contains(request.id)) {
    return InvalidArgumentError("job " + std::to_string(request.id) + ": already known");
  }
  s.last_now = now;
  const size_t first = out.size();
  if (!why.empty()) {
    out.push_back(Infeasible{.job = request.id, .reason = std::move(why)});
    s.Finish(out, first);
    return Status::Ok();
  }
  const bool held = hold != kNoJob && !request.pinned &&
                    s.extras.Find(hold)->request->priority >= request.priority;
  JobRecord& job = s.jobs.Emplace(request.id);
  if (const TenantQuota* quota = s.QuotaOf(request.tenant)) s.Extra(request.id, job).quota = quota;
  if (held || !s.TryPlace(job, request, now, out, first_choice)) {
    JobExtra& extra = s.Extra(request.id, job);
    extra.request = std::make_unique<Request>(request);
    extra.seq = s.next_seq++;
    extra.queued_at = now;
    s.Enqueue(QueueKey{-request.priority, extra.seq}, request);
    out.push_back(Wait{.job = request.id,
                       .reason = held ? "held behind job " + std::to_string(hold) + " (backfill hold)"
                                      : s.WaitReason(request)});
  }
  s.Finish(out, first);
  return Status::Ok();
}

Status Scheduler::Release(JobId id, Time now, std::vector<Decision>& out) {
  Impl& s = *impl_;
  if (now < s.last_now) {
    return InvalidArgumentError("release of job " + std::to_string(id) + ": time " +
                                std::to_string(now) + " is before the last event (" +
                                std::to_string(s.last_now) + ")");
  }
  JobRecord* found = s.jobs.Find(id);
  if (found == nullptr) return NotFoundError("job " + std::to_string(id) + " is not known");
  s.last_now = now;
  const size_t first = out.size();
  JobRecord& job = *found;
  switch (job.state) {
    case JobState::kQueued: {
      const JobExtra& extra = *s.extras.Find(id);
      s.Dequeue(QueueKey{-extra.request->priority, extra.seq}, *extra.request);
      break;
    }
    case JobState::kRepartitioning:
      s.pending.erase({s.extras.Find(id)->ready_at, id});
      [[fallthrough]];
    case JobState::kRunning:
      if (job.holds == Holds::kOne) {
        s.fleet.Free(Placement{.gpu = job.gpu, .profile = job.profile, .start = job.start});
      } else {
        for (const Placement& where : s.extras.Find(id)->gang) s.fleet.Free(where);
      }
      s.Uncharge(id, job);
      break;
  }
  if (job.has_extra) s.extras.Erase(id);
  s.jobs.Erase(id);
  s.RetryQueue(now, out);
  s.Finish(out, first);
  return Status::Ok();
}

Status Scheduler::Advance(Time now, std::vector<Decision>& out) {
  Impl& s = *impl_;
  if (now < s.last_now) {
    return InvalidArgumentError("advance to " + std::to_string(now) + ": before the last event (" +
                                std::to_string(s.last_now) + ")");
  }
  s.last_now = now;
  s.Finish(out, out.size());
  return Status::Ok();
}

// How many calls ahead a batch loads memory: enough to cover a DRAM miss with
// the work of the calls in between, few enough to stay in the CPU's
// outstanding-miss buffers.
constexpr size_t kBatchLookahead = 8;

Status Scheduler::SubmitBatch(std::span<const Request> requests, Time now,
                              std::vector<Decision>& out) {
  for (size_t i = 0; i < std::min(kBatchLookahead, requests.size()); ++i) {
    impl_->jobs.Prefetch(requests[i].id);
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    if (i + kBatchLookahead < requests.size()) impl_->jobs.Prefetch(requests[i + kBatchLookahead].id);
    MIGSCHED_RETURN_IF_ERROR(Submit(requests[i], now, out));
  }
  return Status::Ok();
}

// Two stages ahead: the job's slot 2 x lookahead calls early, then (its
// record now loaded) the GPU record it frees, lookahead calls early.
Status Scheduler::ReleaseBatch(std::span<const JobId> jobs, Time now, std::vector<Decision>& out) {
  Impl& s = *impl_;
  for (size_t i = 0; i < std::min(2 * kBatchLookahead, jobs.size()); ++i) s.jobs.Prefetch(jobs[i]);
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (i + 2 * kBatchLookahead < jobs.size()) s.jobs.Prefetch(jobs[i + 2 * kBatchLookahead]);
    if (i + kBatchLookahead < jobs.size()) {
      const JobRecord* ahead = s.jobs.Find(jobs[i + kBatchLookahead]);
      if (ahead != nullptr && ahead->holds == Holds::kOne) {
        s.fleet.Prefetch(static_cast<std::uint32_t>(ahead->gpu));
      }
    }
    MIGSCHED_RETURN_IF_ERROR(Release(jobs[i], now, out));
  }
  return Status::Ok();
}

Result<std::vector<Decision>> Scheduler::Submit(const Request& request, Time now) {
  std::vector<Decision> out;
  MIGSCHED_RETURN_IF_ERROR(Submit(request, now, out));
  return out;
}

Result<std::vector<Decision>> Scheduler::Release(JobId id, Time now) {
  std::vector<Decision> out;
  MIGSCHED_RETURN_IF_ERROR(Release(id, now, out));
  return out;
}

Result<std::vector<Decision>> Scheduler::Advance(Time now) {
  std::vector<Decision> out;
  MIGSCHED_RETURN_IF_ERROR(Advance(now, out));
  return out;
}

std::optional<JobView> Scheduler::Job(JobId id) const {
  const JobRecord* job = impl_->jobs.Find(id);
  if (job == nullptr) return std::nullopt;
  JobView view{.id = id, .state = job->state, .waiting_since = std::nullopt, .ready_at = std::nullopt,
               .where = impl_->WhereOf(id, *job), .stays_idle = {}};
  if (job->state == JobState::kQueued) view.waiting_since = impl_->extras.Find(id)->queued_at;
  if (job->state == JobState::kRepartitioning) view.ready_at = impl_->extras.Find(id)->ready_at;
  const bool keep_all = impl_->options.release == ReleaseMode::kKeepIdle;
  for (const Placement& where : view.where) {
    view.stays_idle.push_back(where.profile != kWholeGpu && (keep_all || impl_->fleet.IsPreset(where)));
  }
  return view;
}

Status Scheduler::Cordon(int gpu) {
  if (gpu < 0 || static_cast<size_t>(gpu) >= impl_->fleet.gpu_count()) {
    return InvalidArgumentError("cordon: gpu " + std::to_string(gpu) + " is not in the fleet (" +
                                std::to_string(impl_->fleet.gpu_count()) + " GPUs)");
  }
  impl_->fleet.Cordon(static_cast<std::uint32_t>(gpu));
  return Status::Ok();
}

Result<std::vector<Decision>> Scheduler::Uncordon(int gpu, Time now) {
  Impl& s = *impl_;
  if (gpu < 0 || static_cast<size_t>(gpu) >= s.fleet.gpu_count()) {
    return InvalidArgumentError("uncordon: gpu " + std::to_string(gpu) + " is not in the fleet (" +
                                std::to_string(s.fleet.gpu_count()) + " GPUs)");
  }
  if (now < s.last_now) {
    return InvalidArgumentError("uncordon of gpu " + std::to_string(gpu) + ": time " + std::to_string(now) +
                                " is before the last event (" + std::to_string(s.last_now) + ")");
  }
  s.last_now = now;
  std::vector<Decision> out;
  const auto g = static_cast<std::uint32_t>(gpu);
  if (s.fleet.gpu(g).cordoned) {
    s.fleet.Uncordon(g);
    s.RetryQueue(now, out);
  }
  s.Finish(out, 0);
  return out;
}

std::vector<int> Scheduler::Cordoned() const {
  std::vector<int> out;
  for (std::uint32_t g = 0; g < impl_->fleet.gpu_count(); ++g) {
    if (impl_->fleet.gpu(g).cordoned) out.push_back(static_cast<int>(g));
  }
  return out;
}

std::vector<std::uint32_t> Scheduler::TieOrder() const { return impl_->fleet.TieOrder(); }

std::optional<Time> Scheduler::NextReadyAt() const {
  if (impl_->pending.empty()) return std::nullopt;
  return impl_->pending.begin()->first;
}

std::vector<JobId> Scheduler::Queue() const {
  std::vector<JobId> out;
  for (const auto& [key, id] : impl_->queue) out.push_back(id);
  return out;
}

GpuUsage Scheduler::Usage(int gpu) const { return impl_->fleet.Usage(static_cast<std::uint32_t>(gpu)); }
const FleetUsage& Scheduler::Totals() const { return impl_->fleet.totals(); }
// The instance counters are the fleet's, copied here when read rather than
// after every call (the copy was a measurable part of a decision).
const Counters& Scheduler::counters() const {
  Counters& counters = impl_->counters;
  const Counters& instances = impl_->fleet.counters();
  counters.instances_created = instances.instances_created;
  counters.instances_destroyed = instances.instances_destroyed;
  counters.reconfigurations = instances.reconfigurations;
  counters.busy_disturbed = instances.busy_disturbed;
  return counters;
}
std::size_t Scheduler::gpu_count() const { return impl_->fleet.gpu_count(); }
const std::string& Scheduler::policy() const { return impl_->options.policy; }
fleet::FleetGpu Scheduler::GpuSnapshot(int gpu) const {
  return impl_->fleet.GpuSnapshot(static_cast<std::uint32_t>(gpu));
}

fleet::Fleet Scheduler::Snapshot() const {
  fleet::Fleet out = impl_->fleet.Snapshot();
  impl_->jobs.ForEach([&](JobId id, const JobRecord& job) {
    const std::string name = "job-" + std::to_string(id);
    for (const Placement& where : impl_->WhereOf(id, job)) {
      fleet::FleetGpu& gpu = out.gpus[static_cast<size_t>(where.gpu)];
      if (where.profile == kWholeGpu) {
        gpu.whole_gpu_workload = name;
        continue;
      }
      for (fleet::FleetInstance& instance : gpu.instances) {
        if (instance.busy && instance.instance.profile == where.profile &&
            instance.instance.placement.start == where.start) {
          instance.workload = name;
        }
      }
    }
  });
  return out;
}

}  // namespace migsched::sched
