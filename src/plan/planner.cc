#include "plan/planner.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <limits>
#include <set>
#include <tuple>

#include "common/strings.h"
#include "fleet/gpu_in_use.h"
#include "geometry/layout.h"
#include "plan/config_packing.h"
#include "plan/gpu_assignment.h"
#include "plan/model_configs.h"

namespace migsched::plan {
namespace {

using fleet::FleetGpu;
using fleet::FleetInstance;
using geometry::GpuInstance;
using geometry::GpuModel;

bool HasBusy(const FleetGpu& gpu) {
  if (!gpu.mig_enabled) return gpu.whole_gpu_busy;
  return std::any_of(gpu.instances.begin(), gpu.instances.end(),
                     [](const FleetInstance& i) { return i.busy; });
}

// At most this many replicas of `w` on one GPU: its max_per_gpu, and no
// more than max_per_node (a GPU sits on one node); 0 = no limit.
int MaxPerGpu(const Workload& w) {
  if (w.max_per_gpu == 0 || w.max_per_node == 0) return std::max(w.max_per_gpu, w.max_per_node);
  return std::min(w.max_per_gpu, w.max_per_node);
}

// Replicas of `workload` on a GPU (instances or the whole GPU).
int ReplicasOn(const FleetGpu& gpu, std::string_view workload) {
  if (!gpu.mig_enabled) return gpu.whole_gpu_workload == workload ? 1 : 0;
  return static_cast<int>(std::count_if(gpu.instances.begin(), gpu.instances.end(),
                                        [&](const FleetInstance& i) { return i.workload == workload; }));
}

// The per-run state: models in the fleet, sizing per workload, replicas left.
class Planner {
 public:
  Planner(const geometry::Catalog& catalog, const PlanRequest& request,
          const PlanOptions& options)
      : catalog_(catalog), request_(request), options_(options) {}

  Result<PlanResult> Run() {
    MIGSCHED_RETURN_IF_ERROR(Validate());
    MIGSCHED_RETURN_IF_ERROR(CollectModels());
    MIGSCHED_RETURN_IF_ERROR(SizeWorkloads());
    result_.target = request_.current;
    KeepBusyGpus();
    MIGSCHED_RETURN_IF_ERROR(KeepWholeGpus());
    const fleet::Fleet around_busy = result_.target;
    PackingSolution solution;
    // The packing sees spread through necessary rows only; when materialising
    // still leaves replicas out, they are taken out of the demand and the
    // packing runs again, so that GPUs and bound match the work placed. Each
    // round places fewer replicas, so the rounds end; after kSpreadRounds the
    // last plan stands (its limits hold, its bound is clamped).
    constexpr int kSpreadRounds = 8;
    for (int round = 1;; ++round) {
      MIGSCHED_ASSIGN_OR_RETURN(solution, Solve(BuildProblem()));
      MIGSCHED_RETURN_IF_ERROR(Materialise(solution));
      const bool clean = std::all_of(spread_unplaced_.begin(), spread_unplaced_.end(),
                                     [](int64_t n) { return n == 0; });
      if (clean || round == kSpreadRounds) break;
      spread_repaired_ = true;
      for (size_t w = 0; w < remaining_.size(); ++w) {
        remaining_[w] -= spread_unplaced_[w];
        spread_left_out_[w] += spread_unplaced_[w];
      }
      result_.target = around_busy;
      std::fill(unplaced_.begin(), unplaced_.end(), 0);
      std::fill(spread_unplaced_.begin(), spread_unplaced_.end(), 0);
      room_ = NodeRoom();
    }
    Summarise(solution);
    return std::move(result_);
  }

 private:
  Status Validate() const {
    std::set<std::string> names;
    for (const Workload& w : request_.workloads) {
      const std::string where = w.source.empty() ? w.name : w.source + ": " + w.name;
      if (w.name.empty()) return InvalidArgumentError(where + ": workload without a name");
      if (!names.insert(w.name).second) {
        return InvalidArgumentError(where + ": duplicate workload name '" + w.name + "'");
      }
      if (w.replicas < 0 || w.memory_mib < 0 || w.min_compute_slices < 0 || w.max_per_gpu < 0 ||
          w.max_per_node < 0 ||
          (w.demand_rps && !(*w.demand_rps > 0))) {
        return InvalidArgumentError(where + ": negative replicas, memory, compute, demand or spread limit");
      }
    }
    for (const FleetGpu& gpu : request_.current.gpus) {
      const std::string where = gpu.node + " gpu " + std::to_string(gpu.index);
      if (gpu.model == nullptr) return InvalidArgumentError(where + ": no GPU model");
      if (!gpu.mig_enabled && !gpu.instances.empty()) {
        return InvalidArgumentError(where + ": MIG disabled but has instances");
      }
      const auto layout = fleet::LayoutOf(gpu);
      for (const GpuInstance& i : layout) {
        if (i.profile < 0 || static_cast<size_t>(i.profile) >= gpu.model->profiles.size()) {
          return InvalidArgumentError(where + ": profile index out of range");
        }
      }
      const geometry::LayoutVerdict verdict = geometry::CheckLayout(*gpu.model, layout);
      if (!verdict.valid) {
        return InvalidArgumentError(where + ": current layout is invalid: " + verdict.reason);
      }
    }
    return Status::Ok();
  }

  // Models, and groups of GPUs with the same model and labels, in order of
  // first appearance in the fleet.
  Status CollectModels() {
    std::map<std::pair<size_t, std::vector<std::string>>, size_t> group_index;
    for (const FleetGpu& gpu : request_.current.gpus) {
      if (model_index_.count(gpu.model) == 0) {
        Result<ModelConfigs> configs = ModelConfigs::Create(*gpu.model);
        if (!configs.has_value()) return configs.error();
        model_index_[gpu.model] = models_.size();
        models_.push_back(std::move(configs).value());
      }
      std::vector<std::string> labels = gpu.labels;
      std::sort(labels.begin(), labels.end());
      labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
      const auto key = std::make_pair(model_index_.at(gpu.model), labels);
      auto it = group_index.find(key);
      if (it == group_index.end()) {
        it = group_index.emplace(key, groups_.size()).first;
        groups_.push_back(GpuGroup{.model = key.first, .labels = std::move(labels)});
      }
      group_of_gpu_.push_back(it->second);
      gpus_of_node_[gpu.node].push_back(group_of_gpu_.size() - 1);
    }
    for (size_t w = 0; w < request_.workloads.size(); ++w) {
      workload_index_[request_.workloads[w].name] = w;
    }
    return Status::Ok();
  }

  Status SizeWorkloads() {
    const PerfTable* perf = request_.perf ? &*request_.perf : nullptr;
    for (const Workload& w : request_.workloads) {
      std::vector<const GpuModel*> usable;
      for (size_t m = 0; m < models_.size(); ++m) {
        const bool in_pool = std::any_of(groups_.begin(), groups_.end(), [&](const GpuGroup& g) {
          return g.model == m && fleet::CarriesLabels(g.labels, w.require_labels);
        });
        if (Allowed(w, models_[m].model()) && in_pool) usable.push_back(&models_[m].model());
      }
      if (w.demand_rps && !usable.empty()) MIGSCHED_RETURN_IF_ERROR(CheckPerfRows(w, usable));
      WorkloadSizing sizing =
          RightSizeOnModels(usable, w, perf, RightSizingOptions{.headroom_pct = options_.headroom_pct});
      if (usable.empty()) sizing.rejections.push_back({"", NoGpuReason(w)});
      // A demand sized differently per model goes to its cheapest model, in
      // GPU fractions: replicas cannot be split across models then.
      if (w.demand_rps && sizing.choices.size() > 1) {
        auto cost = [](const SizingChoice& c) {
          return static_cast<double>(c.replicas * c.compute_slices) / c.model->compute_slices;
        };
        const auto best = std::min_element(
            sizing.choices.begin(), sizing.choices.end(),
            [&](const SizingChoice& a, const SizingChoice& b) { return cost(a) < cost(b); });
        placeable_.push_back({*best});
      } else {
        placeable_.push_back(sizing.choices);
      }
      if (placeable_.back().empty()) {
        requested_.push_back(w.demand_rps ? UnsizedDemandReplicas(w, usable) : w.replicas);
      } else {
        requested_.push_back(placeable_.back().front().replicas);
      }
      remaining_.push_back(placeable_.back().empty() ? 0 : requested_.back());
      result_.sizing.push_back(std::move(sizing));
      if (placeable_.back().empty() && requested_.back() > 0) {
        std::vector<std::string> why;
        for (const SizingRejection& r : result_.sizing.back().rejections) why.push_back(r.ToString());
        result_.unplaced.push_back({w.name, static_cast<int>(requested_.back()),
                                    "fits no allowed GPU model: " + Join(why, "; ")});
      }
    }
    return Status::Ok();
  }

  // A demand needs perf rows for its key on a model it may use: without
  // them it cannot be turned into replicas at all (an input error, not an
  // unplaced workload).
  Status CheckPerfRows(const Workload& w, const std::vector<const GpuModel*>& usable) const {
    std::vector<std::string> names;
    for (const GpuModel* model : usable) names.push_back(model->name);
    const std::string where = (w.source.empty() ? "" : w.source + ": ") + w.name +
                              ": demand_rps needs a perf table row for '" + w.PerfKey() + "' on " +
                              Join(names, " or ");
    if (!request_.perf) return InvalidArgumentError(where + "; no perf table was given (--perf)");
    for (const GpuModel* model : usable) {
      if (!request_.perf->RowsFor(w.PerfKey(), model->name).empty()) return Status::Ok();
    }
    return InvalidArgumentError(where + "; the perf table has none");
  }

  // Replicas a demand that no profile meets would need at the fastest row
  // of its key on a model it may use (latency and memory aside): how much
  // work is left out, never 0.
  int64_t UnsizedDemandReplicas(const Workload& w, const std::vector<const GpuModel*>& usable) const {
    double fastest = 0;
    for (const GpuModel* model : usable) {
      for (const PerfEntry* row : request_.perf->RowsFor(w.PerfKey(), model->name)) {
        fastest = std::max(fastest, row->throughput_rps);
      }
    }
    if (!(fastest > 0)) return 1;
    return std::max<int64_t>(1, static_cast<int64_t>(std::min(std::ceil(*w.demand_rps / fastest), 1e7)));
  }

  std::string NoGpuReason(const Workload& w) const {
    if (request_.current.gpus.empty()) return "the fleet has no GPUs";
    std::string reason = "no GPU";
    if (!w.allowed_models.empty()) reason += " of the allowed models (" + Join(w.allowed_models, ", ") + ")";
    if (!w.require_labels.empty()) reason += " with the labels " + Join(w.require_labels, ", ");
    return reason + " in the fleet";
  }

  bool MayUse(const Workload& w, size_t group) const {
    return Allowed(w, models_[groups_[group].model].model()) &&
           fleet::CarriesLabels(groups_[group].labels, w.require_labels);
  }

  bool Allowed(const Workload& w, const GpuModel& model) const {
    if (w.allowed_models.empty()) return true;
    return std::any_of(w.allowed_models.begin(), w.allowed_models.end(),
                       [&](const std::string& name) {
                         Result<const GpuModel*> found = catalog_.Find(name);
                         return found.has_value() && (*found)->name == model.name;
                       });
  }

  std::optional<size_t> WorkloadIndex(const std::string& name) const {
    const auto it = workload_index_.find(name);
    if (it == workload_index_.end()) return std::nullopt;
    return it->second;
  }

  // GPUs with busy instances keep them; busy replicas count as placed; the
  // rest of such a GPU is filled greedily (largest profiles first) since it
  // is in use anyway.
  void KeepBusyGpus() {
    for (size_t g = 0; g < result_.target.gpus.size(); ++g) {
      FleetGpu& gpu = result_.target.gpus[g];
      if (!HasBusy(gpu)) continue;
      busy_gpus_.insert(g);
      if (!gpu.mig_enabled) {
        CountBusy(gpu.whole_gpu_workload);
        continue;
      }
      std::vector<FleetInstance> kept;
      for (FleetInstance& i : gpu.instances) {
        if (!i.busy) continue;
        CountBusy(i.workload);
        kept.push_back(i);
      }
      gpu.instances = std::move(kept);
    }
    for (size_t g : busy_gpus_) FillAroundBusy(g);
  }

  // Reserves the keep_whole GPUs among those without busy instances: idle
  // whole GPUs first (no change), then blank MIG-on ones, then partitioned
  // ones, each from the end of the fleet (the packing fills from the front).
  Status KeepWholeGpus() {
    for (const KeepWhole& keep : request_.keep_whole) {
      const std::string what = keep.model.empty() ? "label '" + keep.label + "'" : keep.model;
      std::vector<size_t> tiers[3];
      for (size_t g = request_.current.gpus.size(); g-- > 0;) {
        const FleetGpu& gpu = request_.current.gpus[g];
        const bool matches = keep.model.empty() ? fleet::CarriesLabels(gpu.labels, {keep.label})
                                                : gpu.model->name == keep.model;
        if (!matches || busy_gpus_.count(g) != 0 || kept_whole_.count(g) != 0) continue;
        tiers[!gpu.mig_enabled ? 0 : gpu.instances.empty() ? 1 : 2].push_back(g);
      }
      int64_t left = keep.gpus;
      for (const std::vector<size_t>& tier : tiers) {
        for (size_t n = 0; n < tier.size() && left > 0; ++n, --left) {
          FleetGpu& gpu = result_.target.gpus[tier[n]];
          gpu.mig_enabled = false;
          gpu.instances.clear();
          gpu.whole_gpu_workload.clear();
          kept_whole_.insert(tier[n]);
        }
      }
      if (left > 0) {
        return InvalidArgumentError("keep_whole " + what + ": " + std::to_string(keep.gpus) +
                                    (keep.gpus == 1 ? " GPU" : " GPUs") + " asked, the fleet has only " +
                                    std::to_string(keep.gpus - left) +
                                    " of them without busy instances and not kept whole already");
      }
    }
    return Status::Ok();
  }

  void CountBusy(const std::string& workload) {
    const std::optional<size_t> w = WorkloadIndex(workload);
    if (w && remaining_[*w] > 0) --remaining_[*w];
  }

  void FillAroundBusy(size_t g) {
    FleetGpu& gpu = result_.target.gpus[g];
    if (!gpu.mig_enabled) return;
    ModelConfigs& configs = models_[model_index_.at(gpu.model)];
    const geometry::StateSpace& space = configs.space();
    const geometry::LayoutVerdict verdict = geometry::CheckLayout(*gpu.model, fleet::LayoutOf(gpu));
    geometry::StateId state = space.Find(verdict.state).value_or(geometry::StateSpace::kNoState);
    if (state == geometry::StateSpace::kNoState) return;
    std::vector<std::pair<int, size_t>> wanted;  // (profile, workload)
    for (size_t w = 0; w < placeable_.size(); ++w) {
      for (const SizingChoice& c : placeable_[w]) {
        if (c.model == gpu.model && c.profile && MayUse(request_.workloads[w], group_of_gpu_[g])) {
          wanted.emplace_back(*c.profile, w);
        }
      }
    }
    std::stable_sort(wanted.begin(), wanted.end(), [&](const auto& a, const auto& b) {
      const auto& pa = gpu.model->profiles[static_cast<size_t>(a.first)];
      const auto& pb = gpu.model->profiles[static_cast<size_t>(b.first)];
      return std::tie(pa.memory_slices, pa.compute_slices) >
             std::tie(pb.memory_slices, pb.compute_slices);
    });
    for (const auto& [profile, w] : wanted) {
      while (remaining_[w] > 0 && SpreadRoom(w, g) > 0) {
        const int start = space.Fits(state, profile).highest();
        if (start < 0) break;
        state = space.Place(state, profile, start);
        gpu.instances.push_back(FleetInstance{
            GpuInstance{profile, gpu.model->profiles[static_cast<size_t>(profile)].PlacementAt(start)},
            request_.workloads[w].name, false});
        --remaining_[w];
      }
    }
  }

  // How many more replicas of workload w GPU g may take under the
  // workload's max_per_gpu and max_per_node.
  int SpreadRoom(size_t w, size_t g) const {
    const Workload& workload = request_.workloads[w];
    const FleetGpu& gpu = result_.target.gpus[g];
    int room = std::numeric_limits<int>::max();
    if (workload.max_per_gpu > 0) room = workload.max_per_gpu - ReplicasOn(gpu, workload.name);
    if (workload.max_per_node > 0) room = std::min(room, workload.max_per_node - ReplicasOnNode(gpu.node, workload.name));
    return room;
  }

  int ReplicasOnNode(const std::string& node, std::string_view workload) const {
    int replicas = 0;
    for (size_t g : gpus_of_node_.at(node)) replicas += ReplicasOn(result_.target.gpus[g], workload);
    return replicas;
  }

  // A workload with max_per_node places at most that many on each node it
  // may use (minus what busy GPUs hold there already).
  int64_t MostPlaced(size_t w) const {
    const Workload& workload = request_.workloads[w];
    if (workload.max_per_node == 0) return -1;
    int64_t most = 0;
    for (const auto& [node, gpus] : gpus_of_node_) {
      const bool usable = std::any_of(gpus.begin(), gpus.end(), [&](size_t g) {
        return busy_gpus_.count(g) == 0 && kept_whole_.count(g) == 0 && MayUse(workload, group_of_gpu_[g]);
      });
      if (usable) most += std::max(0, workload.max_per_node - ReplicasOnNode(node, workload.name));
    }
    return most;
  }

  // The packing program's "models" are GPU groups (model + labels). Workloads
  // with the same priority and the same (group, item) options are
  // interchangeable: one class each.
  PackingProblem BuildProblem() {
    // Key: (-priority, the workload itself when it has a spread limit, options).
    std::map<std::tuple<int, int64_t, std::vector<std::pair<int, int>>>, size_t> class_of;
    class_members_.clear();
    class_options_.clear();
    class_priority_.clear();
    for (size_t w = 0; w < placeable_.size(); ++w) {
      if (remaining_[w] == 0) continue;
      std::vector<std::pair<int, int>> options;
      for (const SizingChoice& c : placeable_[w]) {
        const size_t m = model_index_.at(c.model);
        for (size_t group = 0; group < groups_.size(); ++group) {
          if (groups_[group].model != m || !MayUse(request_.workloads[w], group)) continue;
          options.emplace_back(static_cast<int>(group),
                               models_[m].ItemFor(c.profile.value_or(kWholeGpuItem)));
        }
      }
      const Workload& workload = request_.workloads[w];
      const bool spread = MaxPerGpu(workload) > 0;
      const auto key = std::make_tuple(-workload.priority, spread ? static_cast<int64_t>(w) : -1, options);
      auto it = class_of.find(key);
      if (it == class_of.end()) {
        it = class_of.emplace(key, class_members_.size()).first;
        class_members_.emplace_back();
        class_options_.push_back(options);
        class_priority_.push_back(request_.workloads[w].priority);
      }
      class_members_[it->second].push_back(w);
    }
    // Who is left out when GPUs run out is the packing's business: the
    // lowest priorities, and as few replicas as possible.
    PackingProblem problem;
    for (size_t k = 0; k < class_members_.size(); ++k) {
      PackingClass cls;
      for (size_t w : class_members_[k]) cls.replicas += remaining_[w];
      for (const auto& [m, item] : class_options_[k]) cls.options.push_back({m, item});
      cls.priority = class_priority_[k];
      const size_t first = class_members_[k].front();  // a spread class has one member
      cls.max_per_gpu = MaxPerGpu(request_.workloads[first]);
      if (cls.max_per_gpu > 0) cls.most_placed = MostPlaced(first);
      problem.classes.push_back(std::move(cls));
    }
    for (size_t group = 0; group < groups_.size(); ++group) {
      const ModelConfigs& model = models_[groups_[group].model];
      const int64_t free_gpus = static_cast<int64_t>(FreeGpusOf(group).size());
      problem.models.push_back(PackingModel{.gpus = free_gpus,
                                            .items = static_cast<int>(model.items().size()),
                                            .configs = model.Configurations(),
                                            .item_sizes = model.ItemSizes()});
    }
    problem_ = problem;
    return problem;
  }

  Result<PackingSolution> Solve(const PackingProblem& problem) const {
    return SolvePacking(problem, PackingOptions{.method = options_.method == SolveMethod::kHeuristic
                                                              ? PackingMethod::kHeuristic
                                                              : PackingMethod::kAuto,
                                                .time_limit_ms = options_.time_limit_ms,
                                                .now_ms = options_.now_ms});
  }

  // The group's GPUs without busy instances and not kept whole, in fleet order.
  std::vector<size_t> FreeGpusOf(size_t group) const {
    std::vector<size_t> gpus;
    for (size_t g = 0; g < group_of_gpu_.size(); ++g) {
      if (group_of_gpu_[g] == group && busy_gpus_.count(g) == 0 && kept_whole_.count(g) == 0) gpus.push_back(g);
    }
    return gpus;
  }

  // Turns configuration counts into GPU contents, then onto concrete GPUs.
  Status Materialise(const PackingSolution& solution) {
    // Queues of (workload, replicas) per (group, item), in class order.
    std::vector<std::vector<std::deque<std::pair<size_t, int64_t>>>> queues(groups_.size());
    for (size_t group = 0; group < groups_.size(); ++group) {
      queues[group].resize(models_[groups_[group].model].items().size());
    }
    for (size_t k = 0; k < class_members_.size(); ++k) {
      const std::vector<size_t>& members = class_members_[k];
      std::vector<int64_t> left;
      for (size_t w : members) left.push_back(remaining_[w]);
      size_t member = 0;
      for (size_t o = 0; o < class_options_[k].size(); ++o) {
        int64_t count = solution.assigned[k][o];
        const auto [m, item] = class_options_[k][o];
        auto& queue = queues[static_cast<size_t>(m)][static_cast<size_t>(item)];
        while (count > 0 && member < members.size()) {
          const int64_t take = std::min(count, left[member]);
          if (take > 0) queue.emplace_back(members[member], take);
          count -= take;
          left[member] -= take;
          if (left[member] == 0) ++member;
        }
      }
      for (size_t n = 0; n < members.size(); ++n) unplaced_[members[n]] += left[n];
    }

    StartNodeRoom();
    for (size_t group = 0; group < groups_.size(); ++group) {
      const ModelConfigs& model = models_[groups_[group].model];
      const auto& configs = problem_.models[group].configs;
      std::vector<size_t> config_of;  // per packed GPU
      for (size_t c = 0; c < configs.size(); ++c) {
        config_of.insert(config_of.end(), static_cast<size_t>(solution.config_counts[group][c]), c);
      }
      std::vector<GpuContent> packed(config_of.size());
      for (size_t item = 0; item < model.items().size(); ++item) {
        std::vector<int> slots;
        for (size_t c : config_of) slots.push_back(configs[c][item]);
        const std::vector<std::vector<size_t>> owners = DistributeOwners(slots, queues[group][item]);
        for (size_t n = 0; n < packed.size(); ++n) {
          for (size_t w : owners[n]) packed[n].instances.emplace_back(model.items()[item], request_.workloads[w].name);
        }
      }
      std::vector<GpuContent> contents;
      for (GpuContent& content : packed) {
        if (!content.instances.empty()) contents.push_back(std::move(content));
      }
      MIGSCHED_RETURN_IF_ERROR(PlaceContents(group, contents));
    }
    EnforceNodeSpread();
    return Status::Ok();
  }

  // Owners of one item's slots on a group's packed GPUs (slots[n] on GPU n),
  // from `queue` (workload, replicas). Workloads with a per-GPU limit come
  // first: each replica goes to the GPU with the most free slots still under
  // the limit (the packing's spread rows make room for them in all but rare
  // mixes; what finds none is unplaced). The rest fill GPUs in order.
  std::vector<std::vector<size_t>> DistributeOwners(std::vector<int> slots,
                                                    const std::deque<std::pair<size_t, int64_t>>& queue) {
    std::vector<std::vector<size_t>> owners(slots.size());
    for (const auto& [w, replicas] : queue) {
      const int limit = MaxPerGpu(request_.workloads[w]);
      if (limit == 0) continue;
      std::vector<int> placed(slots.size(), 0);
      for (int64_t r = 0; r < replicas; ++r) {
        std::optional<size_t> best;
        for (size_t n = 0; n < slots.size(); ++n) {
          if (slots[n] > 0 && placed[n] < limit && (!best || slots[n] > slots[*best])) best = n;
        }
        if (!best) {
          spread_unplaced_[w] += replicas - r;
          break;
        }
        --slots[*best];
        ++placed[*best];
        owners[*best].push_back(w);
      }
    }
    size_t n = 0;
    for (const auto& [w, replicas] : queue) {
      if (MaxPerGpu(request_.workloads[w]) > 0) continue;
      for (int64_t left = replicas; left > 0; --left) {
        while (n < slots.size() && slots[n] == 0) ++n;
        if (n == slots.size()) {  // the packing covers its demand: never reached
          unplaced_[w] += left;
          break;
        }
        --slots[n];
        owners[n].push_back(w);
      }
    }
    return owners;
  }

  // Node limits, with what busy GPUs hold already.
  void StartNodeRoom() {
    for (const Workload& w : request_.workloads) {
      if (w.max_per_node > 0) room_.Limit(w.name, w.max_per_node);
    }
    for (size_t g : busy_gpus_) {
      const FleetGpu& gpu = result_.target.gpus[g];
      if (!gpu.mig_enabled) room_.Add(gpu.node, gpu.whole_gpu_workload, 1);
      for (const FleetInstance& i : gpu.instances) room_.Add(gpu.node, i.workload, 1);
    }
  }

  // The guarantee: no node holds more of a workload than its max_per_node.
  // The packing and AssignGpus aim for that; a replica that still lands
  // over the limit (too few nodes with room for the mix) is taken off its
  // instance, which stays free, and reported unplaced. Busy replicas stay.
  void EnforceNodeSpread() {
    for (size_t w = 0; w < request_.workloads.size(); ++w) {
      const Workload& workload = request_.workloads[w];
      if (workload.max_per_node == 0) continue;
      for (const auto& [node, gpus] : gpus_of_node_) {
        int over = ReplicasOnNode(node, workload.name) - workload.max_per_node;
        for (auto g = gpus.rbegin(); g != gpus.rend() && over > 0; ++g) {
          FleetGpu& gpu = result_.target.gpus[*g];
          if (!gpu.mig_enabled && !gpu.whole_gpu_busy && gpu.whole_gpu_workload == workload.name) {
            gpu.whole_gpu_workload.clear();
            --over;
            ++spread_unplaced_[w];
          }
          for (FleetInstance& i : gpu.instances) {
            if (over == 0 || i.busy || i.workload != workload.name) continue;
            i.workload.clear();
            --over;
            ++spread_unplaced_[w];
          }
        }
      }
    }
  }

  // Puts one group's contents on its concrete GPUs; the group's other free
  // GPUs keep their layout (no operations) with owners cleared, or, MIG-on
  // and empty, are left whole.
  Status PlaceContents(size_t group, const std::vector<GpuContent>& contents) {
    const std::vector<size_t> candidates = FreeGpusOf(group);
    std::vector<AssignedGpu> assigned;
    MIGSCHED_ASSIGN_OR_RETURN(assigned, AssignGpus(models_[groups_[group].model], request_.current,
                                                   candidates, contents, room_));
    std::vector<bool> taken(request_.current.gpus.size(), false);
    for (AssignedGpu& a : assigned) {
      taken[a.index] = true;
      result_.target.gpus[a.index] = std::move(a.gpu);
    }
    for (size_t g : candidates) {
      if (taken[g]) continue;
      FleetGpu& gpu = result_.target.gpus[g];
      gpu.whole_gpu_workload.clear();
      for (FleetInstance& i : gpu.instances) i.workload.clear();
      // MIG on without instances serves nothing (neither Kubernetes nor
      // Slurm can schedule it): an idle GPU like that goes back to whole.
      if (gpu.mig_enabled && gpu.instances.empty()) gpu.mig_enabled = false;
    }
    return Status::Ok();
  }

  void Summarise(const PackingSolution& solution) {
    for (size_t w = 0; w < unplaced_.size(); ++w) {
      const int64_t left_out = unplaced_[w] + spread_unplaced_[w] + spread_left_out_[w];
      if (left_out == 0) continue;
      std::vector<std::string> names;
      for (const SizingChoice& c : placeable_[w]) names.push_back(c.model->name);
      const Workload& workload = request_.workloads[w];
      std::string reason = "not enough free GPUs of " + Join(names, ", ");
      if (!workload.require_labels.empty()) reason += " with the labels " + Join(workload.require_labels, ", ");
      if (MaxPerGpu(workload) > 0) reason += SpreadLimits(workload);
      result_.unplaced.push_back({workload.name, static_cast<int>(left_out), reason});
    }

    for (const FleetGpu& gpu : result_.target.gpus) result_.gpus_used += fleet::InUse(gpu) ? 1 : 0;
    int busy_used = 0;
    for (size_t g : busy_gpus_) busy_used += fleet::InUse(result_.target.gpus[g]) ? 1 : 0;
    result_.lower_bound = busy_used + solution.lp_bound;
    result_.proven_bound = solution.optimal
                               ? result_.gpus_used
                               : busy_used + static_cast<int>(std::ceil(solution.lp_bound - 1e-6));
    result_.gap = result_.lower_bound > 0
                      ? (result_.gpus_used - result_.lower_bound) / result_.lower_bound
                      : 0;
    result_.method = solution.method;
    // A plan the spread repair changed is not proven lexicographically best:
    // another packing might have placed more.
    if (spread_repaired_) result_.method = "heuristic";
    const bool spread_left_some = std::any_of(spread_unplaced_.begin(), spread_unplaced_.end(),
                                              [](int64_t n) { return n > 0; });
    if (spread_left_some && result_.lower_bound > result_.gpus_used) {  // the bound was for more work
      result_.lower_bound = result_.gpus_used;
      result_.proven_bound = std::min(result_.proven_bound, result_.gpus_used);
      result_.gap = 0;
    }
  }

  // " within max_per_gpu 1, max_per_node 2 (spread over GPUs and nodes)".
  static std::string SpreadLimits(const Workload& w) {
    std::vector<std::string> limits;
    if (w.max_per_gpu > 0) limits.push_back("max_per_gpu " + std::to_string(w.max_per_gpu));
    if (w.max_per_node > 0) limits.push_back("max_per_node " + std::to_string(w.max_per_node));
    return " within " + Join(limits, ", ") + " (spread over GPUs and nodes)";
  }

  const geometry::Catalog& catalog_;
  const PlanRequest& request_;
  const PlanOptions& options_;
  struct GpuGroup {
    size_t model = 0;                 // index into models_
    std::vector<std::string> labels;  // sorted, unique
  };

  std::vector<ModelConfigs> models_;
  std::map<const GpuModel*, size_t> model_index_;
  std::vector<GpuGroup> groups_;
  std::vector<size_t> group_of_gpu_;  // per fleet GPU
  std::map<std::string, size_t> workload_index_;
  std::vector<std::vector<SizingChoice>> placeable_;  // per workload: choices used for packing
  std::vector<int64_t> requested_;                     // per workload
  std::vector<int64_t> remaining_;                     // per workload, after busy GPUs
  std::vector<int64_t> unplaced_ = std::vector<int64_t>(request_.workloads.size(), 0);
  // Replicas the packing placed that a spread limit then left out.
  std::vector<int64_t> spread_unplaced_ = std::vector<int64_t>(request_.workloads.size(), 0);
  // Replicas earlier spread rounds took out of the demand.
  std::vector<int64_t> spread_left_out_ = std::vector<int64_t>(request_.workloads.size(), 0);
  bool spread_repaired_ = false;
  std::map<std::string, std::vector<size_t>> gpus_of_node_;  // fleet GPUs per node
  NodeRoom room_;
  std::set<size_t> busy_gpus_;
  std::set<size_t> kept_whole_;  // GPUs reserved by keep_whole
  std::vector<std::vector<size_t>> class_members_;
  std::vector<std::vector<std::pair<int, int>>> class_options_;
  std::vector<int> class_priority_;
  PackingProblem problem_;
  PlanResult result_;
};

}  // namespace

Result<PlanResult> PlanFleet(const geometry::Catalog& catalog, const PlanRequest& request,
                             const PlanOptions& options) {
  return Planner(catalog, request, options).Run();
}

}  // namespace migsched::plan
