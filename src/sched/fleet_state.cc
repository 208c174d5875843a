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
  MIGSCHED_RETURN_IF_ERROR(CheckMix(options));
  const bool whole_only = policy.choice() == GpuChoice::kWholeGpusOnly;
  std::vector<std::vector<Instance>> initial(fleet.gpus.size());
  for (size_t g = 0; g < fleet.gpus.size(); ++g) {
    fleet::FleetGpu& gpu = fleet.gpus[g];
    const std::string where = "gpu " + std::to_string(g) + " (" + gpu.node + "/" +
                              std::to_string(gpu.index) + ")";
    if (gpu.model == nullptr) return InvalidArgumentError(where + " has no model");
    if (gpu.model->max_instances > kMaxInstancesPerGpu ||
        gpu.model->profiles.size() > static_cast<size_t>(kMaxProfilesPerModel) ||
        gpu.model->memory_slices > 127) {
      return InvalidArgumentError(where + ": model " + gpu.model->name + " exceeds the scheduler's limits (" +
                                  std::to_string(kMaxInstancesPerGpu) + " instances, " +
                                  std::to_string(kMaxProfilesPerModel) + " profiles per GPU)");
    }
    if (!gpu.whole_gpu_workload.empty() || gpu.whole_gpu_busy) {
      return FailedPreconditionError(where + " is in use; the scheduler starts with an idle fleet");
    }
    if (gpu.mig_enabled && !whole_only) {
      const geometry::LayoutVerdict verdict = geometry::CheckLayout(*gpu.model, fleet::LayoutOf(gpu));
      if (!verdict.valid) return InvalidArgumentError(where + ": invalid layout: " + verdict.reason);
      for (const fleet::FleetInstance& instance : gpu.instances) {
        if (instance.busy || !instance.workload.empty()) {
          return FailedPreconditionError(where + " has a busy instance " +
                                         geometry::InstanceLabel(*gpu.model, instance.instance) +
                                         "; the scheduler starts with an idle fleet");
        }
        initial[g].push_back(Instance{.profile = static_cast<std::int8_t>(instance.instance.profile),
                                      .start = static_cast<std::int8_t>(instance.instance.placement.start),
                                      .preset = true});
      }
    }
    if (whole_only) gpu.mig_enabled = false;
    gpu.instances.clear();
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
    if (initial[g].empty()) ++state.models_[state.gpus_[g].model].without_presets;
    state.Attach(gpu);
  }
  return state;
}

void FleetState::Detach(std::uint32_t g) {
  GpuRecord& gpu = gpus_[g];
  ModelIndex& m = models_[gpu.model];
  if (gpu.mig && !gpu.whole_busy) {
    BucketErase(m, gpu.state, g);
    totals_.stranded_slices -= m.facts[gpu.state].stranded;
  }
  if (!gpu.mig && !gpu.whole_busy) m.free_whole.Erase(g);
  totals_.held_slices -= gpu.held_slices;
  totals_.idle_slices -= gpu.idle_slices;
  if (gpu.jobs > 0) --totals_.busy_gpus;
}

void FleetState::Attach(std::uint32_t g) {
  GpuRecord& gpu = gpus_[g];
  ModelIndex& m = models_[gpu.model];
  const bool in_buckets = gpu.mig && !gpu.whole_busy;
  if (in_buckets) {
    BucketInsert(m, gpu.state, g);
    totals_.stranded_slices += m.facts[gpu.state].stranded;
  }
  if (!gpu.mig && !gpu.whole_busy) m.free_whole.Insert(g);
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
  const bool any = std::any_of(gpu.instances.begin(), gpu.instances.end(), [&](const Instance& i) {
    return !i.busy && i.profile == profile;
  });
  GpuSet& by_profile = m.idle_by_profile[static_cast<size_t>(profile)];
  if (any && !by_profile.contains(g)) by_profile.Insert(g);
  if (!any && by_profile.contains(g)) by_profile.Erase(g);
  if (gpu.idle_slices > 0 && !m.with_idle.contains(g)) m.with_idle.Insert(g);
  if (gpu.idle_slices == 0 && m.with_idle.contains(g)) m.with_idle.Erase(g);
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
