#include "sched/fleet_state.h"

#include <algorithm>
#include <bit>

#include "geometry/layout.h"

namespace migsched::sched {
namespace {

using geometry::StateId;
using geometry::StateSpace;

// The mix weights for one model: the expected_mix entries for it, or uniform.
std::vector<std::int64_t> MixFor(const geometry::GpuModel& model, const Options& options) {
  std::vector<std::int64_t> weights(model.profiles.size(), 0);
  bool any = false;
  for (const MixEntry& entry : options.expected_mix) {
    if (entry.option.model != &model) continue;
    weights[static_cast<size_t>(entry.option.profile)] += entry.weight;
    any = true;
  }
  return any ? weights : UniformStandardMix(model);
}

Status CheckMix(const Options& options) {
  for (const MixEntry& entry : options.expected_mix) {
    if (entry.option.model == nullptr) return InvalidArgumentError("expected mix entry without a model");
    if (entry.option.profile < 0 ||
        static_cast<size_t>(entry.option.profile) >= entry.option.model->profiles.size()) {
      return InvalidArgumentError("expected mix entry for " + entry.option.model->name +
                                  " has profile index " + std::to_string(entry.option.profile) +
                                  " out of range");
    }
    if (entry.weight < 0) {
      return InvalidArgumentError("expected mix weight for " + entry.option.model->name + " " +
                                  entry.option.model->profiles[static_cast<size_t>(entry.option.profile)].name +
                                  " is negative");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<FleetState> FleetState::Create(fleet::Fleet fleet, const PlacementPolicy& policy,
                                      const Options& options) {
  return Build(std::move(fleet), policy, options, std::nullopt);
}

Result<FleetState> FleetState::Restore(fleet::Fleet fleet, const PlacementPolicy& policy,
                                       const Options& options, std::span<const HeldPlacement> held) {
  return Build(std::move(fleet), policy, options, held);
}

Result<FleetState> FleetState::Build(fleet::Fleet fleet, const PlacementPolicy& policy,
                                     const Options& options,
                                     std::optional<std::span<const HeldPlacement>> held) {
  MIGSCHED_RETURN_IF_ERROR(CheckMix(options));
  const bool whole_only = policy.choice() == GpuChoice::kWholeGpusOnly;
  const auto where_of = [&](size_t g) {
    const fleet::FleetGpu& gpu = fleet.gpus[g];
    return "gpu " + std::to_string(g) + " (" + gpu.node + "/" + std::to_string(gpu.index) + ")";
  };
  std::vector<std::vector<Instance>> initial(fleet.gpus.size());
  std::vector<bool> whole_busy(fleet.gpus.size(), false);
  for (size_t g = 0; g < fleet.gpus.size(); ++g) {
    fleet::FleetGpu& gpu = fleet.gpus[g];
    const std::string where = where_of(g);
    if (gpu.model == nullptr) return InvalidArgumentError(where + " has no model");
    if (gpu.model->max_instances > kMaxInstancesPerGpu ||
        gpu.model->profiles.size() > static_cast<size_t>(kMaxProfilesPerModel) ||
        gpu.model->memory_slices > 127) {
      return InvalidArgumentError(where + ": model " + gpu.model->name + " exceeds the scheduler's limits (" +
                                  std::to_string(kMaxInstancesPerGpu) + " instances, " +
                                  std::to_string(kMaxProfilesPerModel) + " profiles per GPU)");
    }
    whole_busy[g] = !gpu.whole_gpu_workload.empty() || gpu.whole_gpu_busy;
    if (whole_busy[g] && !held) {
      return FailedPreconditionError(where + " is in use; the scheduler starts with an idle fleet");
    }
    if (whole_busy[g] && gpu.mig_enabled && !gpu.instances.empty()) {
      return InvalidArgumentError(where + " is held whole but has instances");
    }
    if (gpu.mig_enabled && !whole_only) {
      const geometry::LayoutVerdict verdict = geometry::CheckLayout(*gpu.model, fleet::LayoutOf(gpu));
      if (!verdict.valid) return InvalidArgumentError(where + ": invalid layout: " + verdict.reason);
      for (const fleet::FleetInstance& instance : gpu.instances) {
        const bool busy = instance.busy || !instance.workload.empty();
        if (busy && !held) {
          return FailedPreconditionError(where + " has a busy instance " +
                                         geometry::InstanceLabel(*gpu.model, instance.instance) +
                                         "; the scheduler starts with an idle fleet");
        }
        // A busy instance's preset flag is its job's (set below).
        initial[g].push_back(Instance{.profile = static_cast<std::int8_t>(instance.instance.profile),
                                      .start = static_cast<std::int8_t>(instance.instance.placement.start),
                                      .busy = busy,
                                      .preset = !busy});
      }
    }
    if (whole_only) gpu.mig_enabled = false;
    gpu.instances.clear();
    gpu.whole_gpu_workload.clear();  // the base is bare: the records say who holds what
    gpu.whole_gpu_busy = false;
  }
  // Each held placement claims its busy instance or whole GPU, once.
  std::vector<std::vector<bool>> claimed(fleet.gpus.size());
  for (size_t g = 0; g < fleet.gpus.size(); ++g) claimed[g].assign(initial[g].size() + 1, false);
  for (const HeldPlacement& h : held.value_or(std::span<const HeldPlacement>{})) {
    const std::string job = "job " + std::to_string(h.job) + ": ";
    if (h.where.gpu < 0 || static_cast<size_t>(h.where.gpu) >= fleet.gpus.size()) {
      return InvalidArgumentError(job + "gpu " + std::to_string(h.where.gpu) + " is not in the fleet (" +
                                  std::to_string(fleet.gpus.size()) + " GPUs)");
    }
    const auto g = static_cast<size_t>(h.where.gpu);
    if (h.where.profile == kWholeGpu) {
      if (!whole_busy[g]) return InvalidArgumentError(job + where_of(g) + " is not held whole");
      if (claimed[g].back()) return InvalidArgumentError(job + where_of(g) + " is held by another job too");
      claimed[g].back() = true;
      continue;
    }
    const auto it = std::find_if(initial[g].begin(), initial[g].end(), [&](const Instance& i) {
      return i.busy && i.profile == h.where.profile && i.start == h.where.start;
    });
    const std::string label = "instance of profile " + std::to_string(h.where.profile) + " at " +
                              std::to_string(h.where.start);
    if (it == initial[g].end()) return InvalidArgumentError(job + where_of(g) + " has no busy " + label);
    const auto index = static_cast<size_t>(it - initial[g].begin());
    if (claimed[g][index]) {
      return InvalidArgumentError(job + where_of(g) + ": " + label + " is held by another job too");
    }
    claimed[g][index] = true;
    it->preset = h.preset;
  }
  for (size_t g = 0; g < fleet.gpus.size(); ++g) {
    if (whole_busy[g] && !claimed[g].back()) {
      return InvalidArgumentError(where_of(g) + " is held whole by no job");
    }
    for (size_t i = 0; i < initial[g].size(); ++i) {
      if (initial[g][i].busy && !claimed[g][i]) {
        return InvalidArgumentError(where_of(g) + ": busy instance of profile " +
                                    std::to_string(initial[g][i].profile) + " at " +
                                    std::to_string(initial[g][i].start) + " is held by no job");
      }
    }
  }

  FleetState state(options, std::move(fleet));
  const fleet::Fleet& base = state.base_;
  state.gpus_.resize(base.gpus.size());
  for (size_t g = 0; g < base.gpus.size(); ++g) {
    const geometry::GpuModel* model = base.gpus[g].model;
    std::optional<std::uint32_t> index = state.ModelIndexOf(model);
    if (!index) {
      Result<StateSpace> space = StateSpace::Build(*model);
      if (!space.has_value()) return space.error();
      ModelIndex built(model, std::move(space).value(), base.gpus.size());
      built.facts = ComputeStateFacts(*model, built.space, MixFor(*model, options));
      const int profiles = static_cast<int>(model->profiles.size());
      built.start_in_state.assign(built.space.size() * static_cast<size_t>(profiles), -1);
      built.ranks_of_state.resize(built.space.size());
      for (int p = 0; p < profiles; ++p) {
        built.ranked.push_back(policy.Rank(*model, built.space, built.facts, p));
        const std::vector<RankedPlacement>& ranked = built.ranked.back();
        MIGSCHED_CHECK(ranked.size() <= 0xFFFF);
        built.nonempty_ranks.emplace_back((ranked.size() + 63) / 64, 0);
        for (size_t i = 0; i < ranked.size(); ++i) {
          const RankedPlacement& r = ranked[i];
          built.start_in_state[r.state * static_cast<size_t>(profiles) + static_cast<size_t>(p)] =
              static_cast<std::int8_t>(r.start);
          built.ranks_of_state[r.state].emplace_back(static_cast<std::uint8_t>(p),
                                                     static_cast<std::uint16_t>(i));
        }
      }
      index = static_cast<std::uint32_t>(state.models_.size());
      state.models_.push_back(std::move(built));
      state.model_ptrs_.push_back(model);
    }
    ModelIndex& m = state.models_[*index];
    GpuRecord& record = state.gpus_[g];
    MIGSCHED_CHECK(*index <= 0xFFFF);  // models come from a catalog: a handful
    record.model = static_cast<std::uint16_t>(*index);
    record.mig = base.gpus[g].mig_enabled;
    ++m.gpu_count;
  }
  state.first_fit_ = policy.choice() == GpuChoice::kLowestIndex;
  for (ModelIndex& m : state.models_) {
    if (state.first_fit_) m.fit_tree = FitTree(base.gpus.size());
  }
  for (size_t g = 0; g < base.gpus.size(); ++g) {
    const auto gpu = static_cast<std::uint32_t>(g);
    const geometry::GpuModel& model = *base.gpus[g].model;
    state.totals_.memory_slices += model.memory_slices;
    for (const Instance& instance : initial[g]) state.AddInstance(gpu, instance);
    const bool has_preset = std::any_of(initial[g].begin(), initial[g].end(),
                                        [](const Instance& i) { return i.preset; });
    if (!has_preset) ++state.models_[state.gpus_[g].model].without_presets;
    if (whole_busy[g]) {
      GpuRecord& record = state.gpus_[g];
      record.whole_busy = true;
      record.held_slices = static_cast<std::int16_t>(model.memory_slices);
      record.jobs = 1;
    }
    state.Attach(gpu);
  }
  return state;
}

void FleetState::Detach(std::uint32_t g) {
  GpuRecord& gpu = gpus_[g];
  ModelIndex& m = models_[gpu.model];
  if (gpu.mig && !gpu.whole_busy) {
    if (!gpu.cordoned) BucketErase(m, gpu.state, g);
    totals_.stranded_slices -= m.facts[gpu.state].stranded;
  }
  if (!gpu.mig && !gpu.whole_busy && !gpu.cordoned) m.free_whole.Erase(g);
  totals_.held_slices -= gpu.held_slices;
  totals_.idle_slices -= gpu.idle_slices;
  if (gpu.jobs > 0) --totals_.busy_gpus;
}

void FleetState::Attach(std::uint32_t g) {
  GpuRecord& gpu = gpus_[g];
  ModelIndex& m = models_[gpu.model];
  const bool mig_free = gpu.mig && !gpu.whole_busy;
  const bool in_buckets = mig_free && !gpu.cordoned;
  if (mig_free) totals_.stranded_slices += m.facts[gpu.state].stranded;
  if (in_buckets) BucketInsert(m, gpu.state, g);
  if (!gpu.mig && !gpu.whole_busy && !gpu.cordoned) m.free_whole.Insert(g);
  totals_.held_slices += gpu.held_slices;
  totals_.idle_slices += gpu.idle_slices;
  if (gpu.jobs > 0) ++totals_.busy_gpus;
  if (first_fit_) m.fit_tree.Set(g, in_buckets ? m.facts[gpu.state].fit_mask : 0);
}

void FleetState::MarkRanks(ModelIndex& m, StateId state, bool nonempty) {
  for (const auto& [profile, position] : m.ranks_of_state[state]) {
    std::uint64_t& word = m.nonempty_ranks[profile][position / 64];
    const std::uint64_t bit = std::uint64_t{1} << (position % 64);
    word = nonempty ? word | bit : word & ~bit;
  }
}

void FleetState::BucketInsert(ModelIndex& m, StateId state, std::uint32_t g) {
  if (!KeepsBucket(state)) return;
  MIGSCHED_DCHECK(gpus_[g].bucket_position == kNotInSet);
  gpus_[g].bucket_position = m.buckets.Insert(state, g);
  if (m.buckets.size(state) == 1) MarkRanks(m, state, true);
}

void FleetState::BucketErase(ModelIndex& m, StateId state, std::uint32_t g) {
  if (!KeepsBucket(state)) return;
  std::uint32_t& position = gpus_[g].bucket_position;
  const std::uint32_t moved = m.buckets.Erase(state, g, position);
  if (moved != kNotInSet) gpus_[moved].bucket_position = position;  // a store: no stall
  position = kNotInSet;
  if (m.buckets.empty(state)) MarkRanks(m, state, false);
}

void FleetState::UpdateIdleSets(std::uint32_t g, int profile) {
  GpuRecord& gpu = gpus_[g];
  ModelIndex& m = models_[gpu.model];
  // A cordoned GPU's idle instances are in no set: nothing may use them.
  const bool any = !gpu.cordoned && std::any_of(gpu.instances.begin(), gpu.instances.end(),
                                                [&](const Instance& i) {
                                                  return !i.busy && i.profile == profile;
                                                });
  GpuSet& by_profile = m.idle_by_profile[static_cast<size_t>(profile)];
  if (any && !by_profile.contains(g)) by_profile.Insert(g);
  if (!any && by_profile.contains(g)) by_profile.Erase(g);
  const bool with_idle = gpu.idle_slices > 0 && !gpu.cordoned;
  if (with_idle && !m.with_idle.contains(g)) m.with_idle.Insert(g);
  if (!with_idle && m.with_idle.contains(g)) m.with_idle.Erase(g);
}

void FleetState::AddInstance(std::uint32_t g, Instance instance) {
  GpuRecord& gpu = gpus_[g];
  ModelIndex& m = models_[gpu.model];
  const int size = m.model->profiles[static_cast<size_t>(instance.profile)].memory_slices;
  gpu.state = m.space.Place(gpu.state, instance.profile, instance.start);
  MIGSCHED_CHECK(gpu.state != StateSpace::kNoState);
  ++m.instances_of_profile[static_cast<size_t>(instance.profile)];
  gpu.instances.push_back(instance);
  if (instance.busy) {
    gpu.held_state = m.space.Place(gpu.held_state, instance.profile, instance.start);
    gpu.held_slices = static_cast<std::int16_t>(gpu.held_slices + size);
    ++gpu.jobs;
  } else {
    gpu.idle_slices = static_cast<std::int16_t>(gpu.idle_slices + size);
    UpdateIdleSets(g, instance.profile);
  }
}

void FleetState::DestroyIdle(std::uint32_t g, int index) {
  GpuRecord& gpu = gpus_[g];
  ModelIndex& m = models_[gpu.model];
  const Instance instance = gpu.instances[static_cast<size_t>(index)];
  MIGSCHED_CHECK(!instance.busy);
  EraseInstance(g, index);
  gpu.idle_slices = static_cast<std::int16_t>(
      gpu.idle_slices - m.model->profiles[static_cast<size_t>(instance.profile)].memory_slices);
  UpdateIdleSets(g, instance.profile);
}

void FleetState::EraseInstance(std::uint32_t g, int index) {
  GpuRecord& gpu = gpus_[g];
  ModelIndex& m = models_[gpu.model];
  const Instance instance = gpu.instances[static_cast<size_t>(index)];
  gpu.state = m.space.Remove(gpu.state, instance.profile, instance.start);
  MIGSCHED_CHECK(gpu.state != StateSpace::kNoState);
  --m.instances_of_profile[static_cast<size_t>(instance.profile)];
  gpu.instances.erase(static_cast<size_t>(index));
}

std::optional<InstanceChoice> FleetState::FindIdle(std::uint32_t model, int profile) const {
  const GpuSet& set = models_[model].idle_by_profile[static_cast<size_t>(profile)];
  if (set.empty()) return std::nullopt;
  const std::uint32_t g = set.Pick();
  const InstanceList& instances = gpus_[g].instances;
  for (size_t i = 0; i < instances.size(); ++i) {
    if (instances[i].profile == profile && !instances[i].busy) {
      return InstanceChoice{.gpu = g, .profile = profile, .start = instances[i].start,
                            .idle_index = static_cast<int>(i)};
    }
  }
  MIGSCHED_CHECK(false && "idle index out of sync");
  return std::nullopt;
}

std::optional<InstanceChoice> FleetState::FindFree(std::uint32_t model, int profile) const {
  const ModelIndex& m = models_[model];
  if (first_fit_) {
    const std::optional<size_t> g = m.fit_tree.FindFirst(profile);
    if (!g) return std::nullopt;
    return InstanceChoice{.gpu = static_cast<std::uint32_t>(*g), .profile = profile, .start = kRankedStart};
  }
  const std::vector<std::uint64_t>& nonempty = m.nonempty_ranks[static_cast<size_t>(profile)];
  for (size_t w = 0; w < nonempty.size(); ++w) {
    if (nonempty[w] == 0) continue;
    const size_t position = w * 64 + static_cast<size_t>(std::countr_zero(nonempty[w]));
    const RankedPlacement& r = m.ranked[static_cast<size_t>(profile)][position];
    return InstanceChoice{.gpu = m.buckets.Pick(r.state), .profile = profile, .start = r.start};
  }
  return std::nullopt;
}

std::optional<RepartitionChoice> FleetState::FindRepartition(std::uint32_t model,
                                                             int profile) const {
  const ModelIndex& m = models_[model];
  const geometry::GiProfile& wanted = m.model->profiles[static_cast<size_t>(profile)];
  std::optional<RepartitionChoice> best;
  for (const std::uint32_t g : m.with_idle.members()) {
    const GpuRecord& gpu = gpus_[g];
    const geometry::StartSet starts = m.space.Fits(gpu.held_state, profile);
    for (const int start : starts.ToVector()) {
      // Idle instances in the way must go; if compute, instance count or media
      // engines still forbid it, drop more idle ones, largest compute first.
      std::vector<int> destroy;
      std::vector<int> others;
      StateId state = gpu.state;
      for (size_t i = 0; i < gpu.instances.size(); ++i) {
        const Instance& instance = gpu.instances[i];
        if (instance.busy) continue;
        const geometry::GiProfile& p = m.model->profiles[static_cast<size_t>(instance.profile)];
        if (p.PlacementAt(instance.start).Overlaps(wanted.PlacementAt(start))) {
          state = m.space.Remove(state, instance.profile, instance.start);
          destroy.push_back(static_cast<int>(i));
        } else {
          others.push_back(static_cast<int>(i));
        }
      }
      std::stable_sort(others.begin(), others.end(), [&](int a, int b) {
        const auto compute = [&](int i) {
          return m.model->profiles[static_cast<size_t>(gpu.instances[static_cast<size_t>(i)].profile)]
              .compute_slices;
        };
        return compute(a) > compute(b);
      });
      for (size_t k = 0; !m.space.Fits(state, profile).contains(start) && k < others.size(); ++k) {
        const Instance& instance = gpu.instances[static_cast<size_t>(others[k])];
        state = m.space.Remove(state, instance.profile, instance.start);
        destroy.push_back(others[k]);
      }
      if (!m.space.Fits(state, profile).contains(start)) continue;
      const bool better = !best || destroy.size() < best->destroy.size() ||
                          (destroy.size() == best->destroy.size() && g < best->gpu);
      if (better) best = RepartitionChoice{.gpu = g, .profile = profile, .start = start,
                                           .destroy = std::move(destroy)};
    }
  }
  return best;
}

std::optional<std::vector<std::uint32_t>> FleetState::FindWhole(
    const std::vector<std::uint32_t>& models, int count) const {
  std::vector<std::uint32_t> chosen;
  const auto take = [&](const std::vector<std::uint32_t>& members) {
    for (auto it = members.rbegin(); it != members.rend() && std::ssize(chosen) < count; ++it) {
      chosen.push_back(*it);
    }
  };
  for (const std::uint32_t model : models) take(models_[model].free_whole.members());
  for (const std::uint32_t model : models) take(models_[model].buckets.members(StateSpace::kEmpty));
  if (MayDestroyIdle(options_)) {
    for (const std::uint32_t model : models) {
      for (const std::uint32_t g : models_[model].with_idle.members()) {
        if (std::ssize(chosen) == count) break;
        if (gpus_[g].held_state == StateSpace::kEmpty) chosen.push_back(g);
      }
    }
  }
  if (std::ssize(chosen) < count) return std::nullopt;
  return chosen;
}

std::size_t FleetState::WholeCapable(std::uint32_t model) const {
  const ModelIndex& m = models_[model];
  return MayDestroyIdle(options_) ? m.gpu_count : m.without_presets;
}

Placement FleetState::TakeInstance(const InstanceChoice& choice) {
  Detach(choice.gpu);
  if (choice.idle_index >= 0) {
    GpuRecord& gpu = gpus_[choice.gpu];
    ModelIndex& m = models_[gpu.model];
    Instance& instance = gpu.instances[static_cast<size_t>(choice.idle_index)];
    const int size = m.model->profiles[static_cast<size_t>(instance.profile)].memory_slices;
    instance.busy = true;
    gpu.held_state = m.space.Place(gpu.held_state, instance.profile, instance.start);
    MIGSCHED_CHECK(gpu.held_state != StateSpace::kNoState);
    gpu.held_slices = static_cast<std::int16_t>(gpu.held_slices + size);
    gpu.idle_slices = static_cast<std::int16_t>(gpu.idle_slices - size);
    ++gpu.jobs;
    UpdateIdleSets(choice.gpu, instance.profile);
    Attach(choice.gpu);
    return Placement{.gpu = static_cast<int>(choice.gpu), .profile = choice.profile,
                     .start = choice.start};
  }
  const ModelIndex& m = models_[gpus_[choice.gpu].model];
  const int start = choice.start != kRankedStart
                        ? choice.start
                        : m.start_in_state[gpus_[choice.gpu].state * m.model->profiles.size() +
                                           static_cast<size_t>(choice.profile)];
  AddInstance(choice.gpu, Instance{.profile = static_cast<std::int8_t>(choice.profile),
                                   .start = static_cast<std::int8_t>(start),
                                   .busy = true});
  ++counters_.instances_created;
  Attach(choice.gpu);
  return Placement{.gpu = static_cast<int>(choice.gpu), .profile = choice.profile, .start = start};
}

FleetState::Repartitioned FleetState::Repartition(const RepartitionChoice& choice) {
  Detach(choice.gpu);
  std::vector<InstanceOp> ops;
  std::vector<int> destroy = choice.destroy;
  std::sort(destroy.begin(), destroy.end(), std::greater<>());  // erase from the back
  for (const int index : destroy) {
    const Instance& instance = gpus_[choice.gpu].instances[static_cast<size_t>(index)];
    if (instance.busy) {
      ++counters_.busy_disturbed;  // never reached: FindRepartition only picks idle ones
      continue;
    }
    ops.push_back(InstanceOp{.kind = InstanceOpKind::kDestroy, .profile = instance.profile,
                             .start = instance.start});
    DestroyIdle(choice.gpu, index);
    ++counters_.instances_destroyed;
  }
  AddInstance(choice.gpu, Instance{.profile = static_cast<std::int8_t>(choice.profile),
                                   .start = static_cast<std::int8_t>(choice.start),
                                   .busy = true});
  ops.push_back(InstanceOp{.kind = InstanceOpKind::kCreate, .profile = choice.profile,
                           .start = choice.start});
  ++counters_.instances_created;
  ++counters_.reconfigurations;
  Attach(choice.gpu);
  return Repartitioned{.placement = Placement{.gpu = static_cast<int>(choice.gpu),
                                              .profile = choice.profile, .start = choice.start},
                       .ops = std::move(ops)};
}

FleetState::Repartitioned FleetState::TakeWhole(std::uint32_t g) {
  Detach(g);
  GpuRecord& gpu = gpus_[g];
  std::vector<InstanceOp> ops;
  if (!gpu.instances.empty()) ++counters_.reconfigurations;
  while (!gpu.instances.empty()) {
    const Instance& last = gpu.instances[gpu.instances.size() - 1];
    ops.push_back(InstanceOp{.kind = InstanceOpKind::kDestroy, .profile = last.profile,
                             .start = last.start});
    DestroyIdle(g, static_cast<int>(gpu.instances.size()) - 1);
    ++counters_.instances_destroyed;
  }
  gpu.whole_busy = true;
  gpu.held_slices = static_cast<std::int16_t>(models_[gpu.model].model->memory_slices);
  gpu.jobs = 1;
  Attach(g);
  return Repartitioned{.placement = Placement{.gpu = static_cast<int>(g), .profile = kWholeGpu, .start = 0},
                       .ops = std::move(ops)};
}

void FleetState::Free(const Placement& where) {
  const auto g = static_cast<std::uint32_t>(where.gpu);
  Detach(g);
  GpuRecord& gpu = gpus_[g];
  ModelIndex& m = models_[gpu.model];
  if (where.profile == kWholeGpu) {
    MIGSCHED_CHECK(gpu.whole_busy);
    gpu.whole_busy = false;
    gpu.held_slices = 0;
    gpu.jobs = 0;
  } else {
    const auto it = std::find_if(gpu.instances.begin(), gpu.instances.end(), [&](const Instance& i) {
      return i.busy && i.start == where.start && i.profile == where.profile;
    });
    MIGSCHED_CHECK(it != gpu.instances.end());
    const int size = m.model->profiles[static_cast<size_t>(it->profile)].memory_slices;
    gpu.held_state = m.space.Remove(gpu.held_state, it->profile, it->start);
    MIGSCHED_CHECK(gpu.held_state != StateSpace::kNoState);
    gpu.held_slices = static_cast<std::int16_t>(gpu.held_slices - size);
    --gpu.jobs;
    if (it->preset || options_.release == ReleaseMode::kKeepIdle) {
      it->busy = false;
      gpu.idle_slices = static_cast<std::int16_t>(gpu.idle_slices + size);
      UpdateIdleSets(g, it->profile);
    } else {
      EraseInstance(g, static_cast<int>(it - gpu.instances.begin()));
    }
  }
  Attach(g);
}

bool FleetState::IsPreset(const Placement& where) const {
  if (where.profile == kWholeGpu) return false;
  for (const Instance& instance : gpus_[static_cast<size_t>(where.gpu)].instances) {
    if (instance.busy && instance.profile == where.profile && instance.start == where.start) {
      return instance.preset;
    }
  }
  return false;
}

void FleetState::Cordon(std::uint32_t g) {
  if (gpus_[g].cordoned) return;
  Detach(g);
  gpus_[g].cordoned = true;
  for (const Instance& instance : gpus_[g].instances) UpdateIdleSets(g, instance.profile);
  Attach(g);
}

void FleetState::Uncordon(std::uint32_t g) {
  if (!gpus_[g].cordoned) return;
  Detach(g);
  gpus_[g].cordoned = false;
  for (const Instance& instance : gpus_[g].instances) UpdateIdleSets(g, instance.profile);
  Attach(g);
}

// The encoding: gpu count, model count, then per model: the number of
// non-empty state buckets and each as (size, GPUs...); free_whole, with_idle
// as (size, GPUs...); the profile count and each idle_by_profile set as
// (size, GPUs...). A bucket is named by its GPUs' state, not its StateId, so
// the order survives a renumbering of states.
std::vector<std::uint32_t> FleetState::TieOrder() const {
  std::vector<std::uint32_t> out = {static_cast<std::uint32_t>(gpus_.size()),
                                    static_cast<std::uint32_t>(models_.size())};
  const auto put = [&](const std::vector<std::uint32_t>& members) {
    out.push_back(static_cast<std::uint32_t>(members.size()));
    out.insert(out.end(), members.begin(), members.end());
  };
  for (const ModelIndex& m : models_) {
    const size_t count_at = out.size();
    out.push_back(0);
    for (StateId s = 0; s < m.space.size(); ++s) {
      if (!KeepsBucket(s) || m.buckets.empty(s)) continue;
      ++out[count_at];
      put(m.buckets.members(s));
    }
    put(m.free_whole.members());
    put(m.with_idle.members());
    out.push_back(static_cast<std::uint32_t>(m.idle_by_profile.size()));
    for (const GpuSet& set : m.idle_by_profile) put(set.members());
  }
  return out;
}

namespace {

// Reads ApplyTieOrder's input, failing (not crashing) past its end.
class OrderReader {
 public:
  explicit OrderReader(std::span<const std::uint32_t> order) : order_(order) {}
  std::optional<std::uint32_t> Next() {
    if (at_ >= order_.size()) return std::nullopt;
    return order_[at_++];
  }
  // The next list: its size, then that many GPU indices.
  std::optional<std::span<const std::uint32_t>> List() {
    const std::optional<std::uint32_t> size = Next();
    if (!size || *size > order_.size() - at_) return std::nullopt;
    const std::span<const std::uint32_t> list = order_.subspan(at_, *size);
    at_ += *size;
    return list;
  }
  bool done() const { return at_ == order_.size(); }

 private:
  std::span<const std::uint32_t> order_;
  size_t at_ = 0;
};

// `saved` lists, in order, exactly the members of `current` below `saved_gpus`.
bool SameMembers(std::span<const std::uint32_t> saved, const std::vector<std::uint32_t>& current,
                 std::uint32_t saved_gpus) {
  const auto old = std::count_if(current.begin(), current.end(),
                                 [&](std::uint32_t g) { return g < saved_gpus; });
  if (static_cast<size_t>(old) != saved.size()) return false;
  std::vector<std::uint32_t> a(saved.begin(), saved.end());
  std::vector<std::uint32_t> b;
  for (const std::uint32_t g : current) {
    if (g < saved_gpus) b.push_back(g);
  }
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b && std::adjacent_find(a.begin(), a.end()) == a.end();
}

// The saved GPUs in their order, then the others in their current order.
std::vector<std::uint32_t> Reordered(std::span<const std::uint32_t> saved,
                                     const std::vector<std::uint32_t>& current, std::uint32_t saved_gpus) {
  std::vector<std::uint32_t> order(saved.begin(), saved.end());
  for (const std::uint32_t g : current) {
    if (g >= saved_gpus) order.push_back(g);
  }
  return order;
}

void Reorder(GpuSet& set, const std::vector<std::uint32_t>& order) {
  for (const std::uint32_t g : order) set.Erase(g);
  for (const std::uint32_t g : order) set.Insert(g);
}

}  // namespace

Status FleetState::ApplyTieOrder(std::span<const std::uint32_t> order) {
  const auto mismatch = [](const std::string& what) {
    return InvalidArgumentError("tie order does not match the fleet: " + what);
  };
  OrderReader in(order);
  const std::optional<std::uint32_t> saved_gpus = in.Next();
  const std::optional<std::uint32_t> saved_models = in.Next();
  if (!saved_gpus || !saved_models) return mismatch("truncated");
  if (*saved_gpus > gpus_.size() || *saved_models > models_.size()) {
    return mismatch("it has " + std::to_string(*saved_gpus) + " GPUs of " + std::to_string(*saved_models) +
                    " models; the fleet " + std::to_string(gpus_.size()) + " of " +
                    std::to_string(models_.size()));
  }
  for (std::uint32_t mi = 0; mi < *saved_models; ++mi) {
    ModelIndex& m = models_[mi];
    const std::string model = "model " + m.model->name + ": ";
    const std::optional<std::uint32_t> buckets = in.Next();
    if (!buckets) return mismatch(model + "truncated");
    std::vector<bool> seen(m.space.size(), false);
    for (std::uint32_t b = 0; b < *buckets; ++b) {
      const std::optional<std::span<const std::uint32_t>> list = in.List();
      if (!list || list->empty()) return mismatch(model + "bad state bucket");
      const std::uint32_t first = list->front();
      if (first >= *saved_gpus || gpus_[first].model != mi) return mismatch(model + "bad state bucket");
      const StateId state = gpus_[first].state;
      if (seen[state] || !KeepsBucket(state) ||
          !SameMembers(*list, m.buckets.members(state), *saved_gpus)) {
        return mismatch(model + "state bucket of gpu " + std::to_string(first));
      }
      seen[state] = true;
      const std::vector<std::uint32_t> reordered = Reordered(*list, m.buckets.members(state), *saved_gpus);
      for (const std::uint32_t g : reordered) BucketErase(m, state, g);
      for (const std::uint32_t g : reordered) BucketInsert(m, state, g);
    }
    for (StateId s = 0; s < m.space.size(); ++s) {
      if (seen[s] || !KeepsBucket(s)) continue;
      const std::vector<std::uint32_t>& members = m.buckets.members(s);
      if (std::any_of(members.begin(), members.end(), [&](std::uint32_t g) { return g < *saved_gpus; })) {
        return mismatch(model + "a state bucket is missing");
      }
    }
    const auto apply = [&](GpuSet& set, const std::string& name) -> Status {
      const std::optional<std::span<const std::uint32_t>> list = in.List();
      if (!list || !SameMembers(*list, set.members(), *saved_gpus)) return mismatch(model + name);
      Reorder(set, Reordered(*list, set.members(), *saved_gpus));
      return Status::Ok();
    };
    MIGSCHED_RETURN_IF_ERROR(apply(m.free_whole, "free whole GPUs"));
    MIGSCHED_RETURN_IF_ERROR(apply(m.with_idle, "GPUs with idle instances"));
    const std::optional<std::uint32_t> profiles = in.Next();
    if (!profiles || *profiles != m.idle_by_profile.size()) return mismatch(model + "profile count");
    for (size_t p = 0; p < m.idle_by_profile.size(); ++p) {
      MIGSCHED_RETURN_IF_ERROR(apply(m.idle_by_profile[p], "idle instances of " + m.model->profiles[p].name));
    }
  }
  if (!in.done()) return mismatch("trailing entries");
  return Status::Ok();
}

fleet::Fleet FleetState::Snapshot() const {
  fleet::Fleet out;
  out.gpus.reserve(gpus_.size());
  for (std::uint32_t g = 0; g < gpus_.size(); ++g) out.gpus.push_back(GpuSnapshot(g));
  return out;
}

fleet::FleetGpu FleetState::GpuSnapshot(std::uint32_t g) const {
  const GpuRecord& gpu = gpus_[g];
  fleet::FleetGpu out = base_.gpus[g];
  out.whole_gpu_busy = gpu.whole_busy;
  for (const Instance& instance : gpu.instances) {
    const geometry::GiProfile& profile = out.model->profiles[static_cast<size_t>(instance.profile)];
    out.instances.push_back(fleet::FleetInstance{
        .instance = geometry::GpuInstance{instance.profile, profile.PlacementAt(instance.start)},
        .workload = "",
        .busy = instance.busy});
  }
  return out;
}

GpuUsage FleetState::Usage(std::uint32_t g) const {
  const GpuRecord& gpu = gpus_[g];
  const ModelIndex& m = models_[gpu.model];
  const bool mig_free = gpu.mig && !gpu.whole_busy;
  return GpuUsage{.memory_slices = m.model->memory_slices,
                  .held_slices = gpu.held_slices,
                  .idle_slices = gpu.idle_slices,
                  .stranded_slices = mig_free ? m.facts[gpu.state].stranded : 0,
                  .jobs = gpu.jobs};
}

}  // namespace migsched::sched
