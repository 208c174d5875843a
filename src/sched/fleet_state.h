// FleetState: the scheduler's view of every GPU — its instances (held by a job
// or idle), its layout state, and the index that answers "where can this
// profile go" without scanning GPUs:
//
//   per model: StateSpace + per-state facts; GPUs bucketed by state id; for
//   each profile the policy's ranking of (state, start); the GPUs holding an
//   idle instance of each profile; MIG-disabled free GPUs; a FitTree for
//   first-fit.
//
// It knows nothing of jobs' queueing or quotas (scheduler.cc does); it only
// finds candidates and commits changes, keeping index and totals consistent.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/huge_page_allocator.h"
#include "common/status.h"
#include "fleet/fleet.h"
#include "geometry/state_space.h"
#include "sched/decision.h"
#include "sched/fit_tree.h"
#include "sched/gpu_set.h"
#include "sched/options.h"
#include "sched/policy.h"
#include "sched/scheduler.h"
#include "sched/state_facts.h"

namespace migsched::sched {

inline constexpr JobId kNoJob = 0;  // not a job: job ids start at 1

// Per-GPU limits that let a GPU's record live in one flat array (no heap
// pointers to chase on the hot path); Create rejects models beyond them.
inline constexpr int kMaxInstancesPerGpu = 8;
inline constexpr int kMaxProfilesPerModel = 16;
static_assert(FitTree::kBits >= kMaxProfilesPerModel, "a fit mask holds every profile");

// Which job holds an instance is the job table's business (a job's record
// has its placement, and a GPU's starts are distinct); the GPU only knows
// whether it is held, so that its record fits one cache line.
struct Instance {
  std::int8_t profile = 0;
  std::int8_t start = 0;
  bool busy = false;    // held by a job (running or reserved); else idle
  bool preset = false;  // part of a static layout: goes back to idle on release
};

// A GPU's instances, in creation order, stored inline.
class InstanceList {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Instance& operator[](std::size_t i) { return items_[i]; }
  const Instance& operator[](std::size_t i) const { return items_[i]; }
  Instance* begin() { return items_.data(); }
  Instance* end() { return items_.data() + size_; }
  const Instance* begin() const { return items_.data(); }
  const Instance* end() const { return items_.data() + size_; }
  void push_back(const Instance& instance) {
    MIGSCHED_CHECK(size_ < items_.size());
    items_[size_] = instance;
    ++size_;
  }
  void erase(std::size_t i) {
    for (std::size_t k = i; k + 1 < size_; ++k) items_[k] = items_[k + 1];
    --size_;
  }

 private:
  std::array<Instance, kMaxInstancesPerGpu> items_{};
  std::uint8_t size_ = 0;
};

// One cache line per GPU: a decision touches one GPU record, and at 10^5
// GPUs that touch is a cache miss, so the record is kept to 64 bytes.
struct alignas(64) GpuRecord {
  std::uint32_t bucket_position = kNotInSet;  // in its model's StateBuckets bucket
  std::uint16_t model = 0;  // index into FleetState's models
  geometry::StateId state = geometry::StateSpace::kEmpty;       // all instances
  geometry::StateId held_state = geometry::StateSpace::kEmpty;  // instances held by jobs
  std::int16_t held_slices = 0;  // memory slices (Create caps a model at 127)
  std::int16_t idle_slices = 0;
  std::uint8_t jobs = 0;
  bool mig = true;
  bool whole_busy = false;  // a whole-GPU job holds it (MIG disabled, or enabled with no instance)
  bool cordoned = false;    // out of the index: no new placement (Cordon), jobs on it stay
  InstanceList instances;
};
static_assert(sizeof(GpuRecord) == 64, "a GPU record is one cache line");

struct ModelIndex {
  ModelIndex(const geometry::GpuModel* m, geometry::StateSpace s, std::size_t universe)
      : model(m),
        space(std::move(s)),
        buckets(space.size()),
        idle_by_profile(m->profiles.size(), GpuSet(universe)),
        with_idle(universe),
        free_whole(universe),
        instances_of_profile(m->profiles.size(), 0) {}

  const geometry::GpuModel* model = nullptr;
  geometry::StateSpace space;
  std::vector<StateFact> facts;
  std::vector<std::vector<RankedPlacement>> ranked;  // per profile, best first
  std::vector<std::int8_t> start_in_state;           // [state][profile]: the ranked start, -1 if none
  // Per profile, bit i set: the bucket of ranked[p][i].state is not empty, so
  // the best non-empty state is a find-first-set over a few words instead of
  // a walk over the ranking. Updated when a bucket turns empty or non-empty,
  // through ranks_of_state: per state, (profile, position in ranked[profile]).
  std::vector<std::vector<std::uint64_t>> nonempty_ranks;
  std::vector<std::vector<std::pair<std::uint8_t, std::uint16_t>>> ranks_of_state;
  std::size_t gpu_count = 0;                         // GPUs of this model in the fleet
  StateBuckets buckets;
  // First-fit only: leaves are fleet GPU indices (this model's GPUs are set,
  // others stay 0), so a search gives the GPU itself, with no leaf-to-GPU
  // table to load.
  FitTree fit_tree;
  std::vector<GpuSet> idle_by_profile;  // GPUs with an idle instance of profile p
  GpuSet with_idle;                     // GPUs with any idle instance
  GpuSet free_whole;                    // MIG-disabled GPUs with no job
  std::vector<std::int64_t> instances_of_profile;  // every instance in the fleet (busy or idle)
  // GPUs with no preset instance. Constant: presets come with the fleet and
  // are destroyed only when MayDestroyIdle (then every GPU can be free whole).
  std::size_t without_presets = 0;
};

inline constexpr int kRankedStart = -1;  // InstanceChoice::start: see there

// Where a new instance can go.
struct InstanceChoice {
  std::uint32_t gpu = 0;
  int profile = 0;
  // kRankedStart: the start the policy ranks for the GPU's state, looked up
  // when the instance is taken (first-fit: finding the GPU does not read its
  // record, so a prefetch of the record can overlap other work).
  int start = 0;
  int idle_index = -1;  // >= 0: reuse this idle instance; -1: create on free slices
};

// A job's placement as Restore finds it: the fleet's busy instance (or whole
// GPU) at `where` is the job's, and `preset` says whether the instance goes
// back to idle on release (under ReleaseMode::kKeepIdle, where every one
// does, the flag changes nothing).
struct HeldPlacement {
  JobId job = 0;
  Placement where;
  bool preset = false;
};

// A repartition: destroy these idle instances (indices into the GPU's
// instances), then create the profile at start.
struct RepartitionChoice {
  std::uint32_t gpu = 0;
  int profile = 0;
  int start = 0;
  std::vector<int> destroy;
};

class FleetState {
 public:
  // Builds the index; fleet instances become idle (preset when `reconfiguration`
  // is kNone or they were in the input). Under the whole-gpu policy every GPU
  // is used with MIG disabled and its instances are dropped.
  static Result<FleetState> Create(fleet::Fleet fleet, const PlacementPolicy& policy,
                                   const Options& options);
  // The same, for a fleet whose busy instances and whole GPUs are exactly
  // `held` (each held by one job); idle instances are presets. InvalidArgument
  // naming the GPU (and job) when they do not match.
  static Result<FleetState> Restore(fleet::Fleet fleet, const PlacementPolicy& policy,
                                    const Options& options, std::span<const HeldPlacement> held);

  // Inline: every decision asks, once per option.
  std::optional<std::uint32_t> ModelIndexOf(const geometry::GpuModel* model) const {
    for (std::size_t i = 0; i < model_ptrs_.size(); ++i) {
      if (model_ptrs_[i] == model) return static_cast<std::uint32_t>(i);
    }
    return std::nullopt;
  }
  const ModelIndex& model(std::uint32_t index) const { return models_[index]; }
  std::size_t model_count() const { return models_.size(); }
  const GpuRecord& gpu(std::uint32_t index) const { return gpus_[index]; }
  std::size_t gpu_count() const { return gpus_.size(); }
  const FleetUsage& totals() const { return totals_; }
  // Only the instance counters (created, destroyed, reconfigurations, busy_disturbed).
  const Counters& counters() const { return counters_; }
  FleetUsage& mutable_totals() { return totals_; }

  // Starts loading the GPU's record (a hint: a change to it soon after does
  // not wait for memory).
  void Prefetch(std::uint32_t gpu) const {
    __builtin_prefetch(&gpus_[gpu]);
  }

  std::optional<InstanceChoice> FindIdle(std::uint32_t model, int profile) const;
  std::optional<InstanceChoice> FindFree(std::uint32_t model, int profile) const;
  // The GPU where the fewest idle instances must go; ties: lowest GPU index.
  std::optional<RepartitionChoice> FindRepartition(std::uint32_t model, int profile) const;
  // `count` free whole GPUs of the given models: MIG-disabled ones first, then
  // MIG-enabled GPUs with no instance, then (when MayDestroyIdle) GPUs whose
  // instances are all idle; nullopt if there are fewer.
  std::optional<std::vector<std::uint32_t>> FindWhole(const std::vector<std::uint32_t>& models,
                                                      int count) const;
  // GPUs of `model` that can ever be free whole: MIG-disabled ones and those
  // without preset instances (when MayDestroyIdle: all).
  std::size_t WholeCapable(std::uint32_t model) const;

  // Commits; each returns the placement made.
  Placement TakeInstance(const InstanceChoice& choice);
  struct Repartitioned {
    Placement placement;            // reserved for the job
    std::vector<InstanceOp> ops;    // destroys, then the create
  };
  Repartitioned Repartition(const RepartitionChoice& choice);
  // Destroys the GPU's idle instances first, if any (a reconfiguration):
  // `ops` lists those destroys, empty when the GPU was already clear.
  Repartitioned TakeWhole(std::uint32_t gpu);
  // Frees what a job holds at `where` (a busy instance or whole GPU): an
  // instance goes idle or is destroyed (ReleaseMode, presets always go idle);
  // a whole GPU becomes free.
  void Free(const Placement& where);

  // Is the busy instance at `where` a preset? (false for a whole GPU)
  bool IsPreset(const Placement& where) const;

  // A cordoned GPU leaves the index (no Find* returns it) but keeps its
  // instances and jobs, which Free releases as usual; Uncordon puts it back.
  // Both are no-ops when the GPU is already so.
  void Cordon(std::uint32_t gpu);
  void Uncordon(std::uint32_t gpu);

  // The order in which the index breaks ties between equally ranked GPUs (a
  // function of history, not state), encoded for Scheduler::TieOrder, and
  // its inverse: reorders the index's sets to match, GPUs not in the saved
  // fleet (appended since) after the saved ones. InvalidArgument, the index
  // unchanged in its membership, when the order does not match the fleet.
  std::vector<std::uint32_t> TieOrder() const;
  Status ApplyTieOrder(std::span<const std::uint32_t> order);

  // Held instances and whole GPUs are busy with workload "" here: the
  // scheduler names their jobs.
  fleet::Fleet Snapshot() const;
  fleet::FleetGpu GpuSnapshot(std::uint32_t gpu) const;
  GpuUsage Usage(std::uint32_t gpu) const;

 private:
  FleetState(const Options& options, fleet::Fleet base) : options_(options), base_(std::move(base)) {}

  // Create (held == nullopt: no busy instance allowed) and Restore.
  static Result<FleetState> Build(fleet::Fleet fleet, const PlacementPolicy& policy,
                                  const Options& options,
                                  std::optional<std::span<const HeldPlacement>> held);

  // Every change of a GPU is bracketed by Detach/Attach, which take the GPU out
  // of (and put it back into) the index and the totals.
  void Detach(std::uint32_t gpu);
  void Attach(std::uint32_t gpu);
  void AddInstance(std::uint32_t gpu, Instance instance);
  void DestroyIdle(std::uint32_t gpu, int index);
  // Removes the instance from the layout; the caller has settled who held it.
  void EraseInstance(std::uint32_t gpu, int index);
  // After a change to the GPU's idle instances of `profile`: keeps
  // idle_by_profile and with_idle in step.
  void UpdateIdleSets(std::uint32_t gpu, int profile);
  // First-fit finds GPUs through the FitTrees, so of the state buckets it
  // keeps only the empty state's (FindWhole's MIG-enabled empty GPUs).
  bool KeepsBucket(geometry::StateId state) const {
    return !first_fit_ || state == geometry::StateSpace::kEmpty;
  }
  // StateBuckets::Insert/Erase (for the states KeepsBucket) that keep
  // nonempty_ranks in step.
  void BucketInsert(ModelIndex& m, geometry::StateId state, std::uint32_t gpu);
  void BucketErase(ModelIndex& m, geometry::StateId state, std::uint32_t gpu);
  static void MarkRanks(ModelIndex& m, geometry::StateId state, bool nonempty);

  Options options_;
  bool first_fit_ = false;  // the first-fit policy: keep the FitTrees
  fleet::Fleet base_;  // node, index, model, labels of each GPU; no instances
  std::vector<ModelIndex> models_;
  std::vector<const geometry::GpuModel*> model_ptrs_;  // models_[i].model, packed for ModelIndexOf
  std::vector<GpuRecord, HugePageAllocator<GpuRecord>> gpus_;
  FleetUsage totals_;
  Counters counters_;
};

}  // namespace migsched::sched
