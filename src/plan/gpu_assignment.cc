#include "plan/gpu_assignment.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <string>

#include "geometry/layout.h"
#include "geometry/layout_solver.h"

namespace migsched::plan {
namespace {

using fleet::FleetGpu;
using fleet::FleetInstance;
using geometry::GpuInstance;

std::vector<int> SortedProfiles(const std::vector<FleetInstance>& instances) {
  std::vector<int> profiles;
  for (const FleetInstance& i : instances) profiles.push_back(i.instance.profile);
  std::sort(profiles.begin(), profiles.end());
  return profiles;
}

std::vector<int> SortedProfiles(const GpuContent& content) {
  std::vector<int> profiles;
  for (const auto& [profile, owner] : content.instances) profiles.push_back(profile);
  std::sort(profiles.begin(), profiles.end());
  return profiles;
}

// The GPU laid out for `content`: current instances whose profiles the
// content needs are kept (fewest changes), the rest get starts.
Result<FleetGpu> LayOut(ModelConfigs& configs, FleetGpu gpu, const GpuContent& content) {
  if (content.instances.front().first == kWholeGpuItem) {
    gpu.mig_enabled = false;
    gpu.instances.clear();
    gpu.whole_gpu_workload = std::string(content.instances.front().second);
    return gpu;
  }
  gpu.mig_enabled = true;
  gpu.whole_gpu_workload.clear();
  std::vector<std::pair<int, std::string_view>> wanted = content.instances;
  std::vector<FleetInstance> kept;
  for (const FleetInstance& current : gpu.instances) {
    const auto it = std::find_if(wanted.begin(), wanted.end(), [&](const auto& p) {
      return p.first == current.instance.profile;
    });
    if (it == wanted.end()) continue;
    kept.push_back(FleetInstance{current.instance, std::string(it->second), false});
    wanted.erase(it);
  }
  std::vector<int> profiles;
  for (const auto& [profile, owner] : wanted) profiles.push_back(profile);
  std::optional<std::vector<GpuInstance>> placed;
  if (profiles.empty()) {
    placed = std::vector<GpuInstance>{};
  } else if (!kept.empty()) {
    std::vector<GpuInstance> kept_layout;
    for (const FleetInstance& i : kept) kept_layout.push_back(i.instance);
    const auto from = configs.space().Find(geometry::CheckLayout(*gpu.model, kept_layout).state);
    if (from) placed = geometry::SolvePlacement(*gpu.model, configs.space(), *from, profiles);
  }
  if (!placed) {  // start afresh
    kept.clear();
    wanted = content.instances;
    placed = configs.LayoutFor(SortedProfiles(content));
    if (!placed) return InternalError("configuration without a layout on " + gpu.model->name);
  }
  // Owners by profile, in content order.
  for (const GpuInstance& instance : *placed) {
    const auto it = std::find_if(wanted.begin(), wanted.end(),
                                 [&](const auto& p) { return p.first == instance.profile; });
    kept.push_back(FleetInstance{instance, std::string(it->second), false});
    wanted.erase(it);
  }
  gpu.instances = std::move(kept);
  return gpu;
}

}  // namespace

void NodeRoom::Add(const std::string& node, std::string_view workload, int replicas) {
  if (!Limited(workload)) return;
  used_[{node, std::string(workload)}] += replicas;
}

int NodeRoom::RoomOn(const std::string& node, std::string_view workload) const {
  const auto limit = limit_.find(workload);
  if (limit == limit_.end()) return std::numeric_limits<int>::max();
  const auto used = used_.find(std::make_pair(node, std::string(workload)));
  return limit->second - (used == used_.end() ? 0 : used->second);
}

bool NodeRoom::Takes(const std::string& node, const GpuContent& content) const {
  if (limit_.empty()) return true;
  std::map<std::string_view, int> wanted;
  for (const auto& [item, owner] : content.instances) ++wanted[owner];
  return std::all_of(wanted.begin(), wanted.end(),
                     [&](const auto& w) { return w.second <= RoomOn(node, w.first); });
}

void NodeRoom::Add(const std::string& node, const GpuContent& content) {
  for (const auto& [item, owner] : content.instances) Add(node, owner, 1);
}

Result<std::vector<AssignedGpu>> AssignGpus(ModelConfigs& configs, const fleet::Fleet& current,
                                            const std::vector<size_t>& candidates,
                                            const std::vector<GpuContent>& contents, NodeRoom& room) {
  std::map<std::vector<int>, std::deque<size_t>> by_layout;
  std::vector<size_t> partitioned, whole, blank;
  for (size_t g : candidates) {
    const FleetGpu& gpu = current.gpus[g];
    if (!gpu.mig_enabled) {
      whole.push_back(g);
    } else if (!gpu.instances.empty()) {
      by_layout[SortedProfiles(gpu.instances)].push_back(g);
      partitioned.push_back(g);
    } else {
      blank.push_back(g);
    }
  }
  std::vector<bool> taken(current.gpus.size(), false);
  std::vector<std::optional<size_t>> gpu_of(contents.size());
  // Exact matches first, so that no other content takes a matching GPU.
  if (!by_layout.empty()) {
    for (size_t n = 0; n < contents.size(); ++n) {
      const auto it = by_layout.find(SortedProfiles(contents[n]));
      if (it == by_layout.end() || it->second.empty()) continue;
      if (!room.Takes(current.gpus[it->second.front()].node, contents[n])) continue;
      gpu_of[n] = it->second.front();
      taken[it->second.front()] = true;
      room.Add(current.gpus[it->second.front()].node, contents[n]);
      it->second.pop_front();
    }
  }
  // The whole-GPU replicas of one workload (a multi-GPU training gang) go
  // to one node when one has enough free GPUs: the first such node in fleet
  // order, its MIG-disabled GPUs first. Otherwise they fill in fleet order.
  std::map<std::string_view, std::vector<size_t>> gangs;  // owner -> contents
  for (size_t n = 0; n < contents.size(); ++n) {
    const auto& [item, owner] = contents[n].instances.front();
    if (item == kWholeGpuItem && !gpu_of[n]) gangs[owner].push_back(n);
  }
  for (const auto& [owner, members] : gangs) {
    if (members.size() < 2 || room.Limited(owner)) continue;  // spread wins over the gang
    std::map<std::string_view, std::vector<size_t>> free_on_node;
    for (const std::vector<size_t>* tier : {&whole, &blank, &partitioned}) {
      for (size_t g : *tier) {
        if (!taken[g]) free_on_node[current.gpus[g].node].push_back(g);
      }
    }
    for (size_t g : candidates) {  // nodes in fleet order
      const std::vector<size_t>& free = free_on_node[current.gpus[g].node];
      if (free.size() < members.size()) continue;
      for (size_t m = 0; m < members.size(); ++m) {
        gpu_of[members[m]] = free[m];
        taken[free[m]] = true;
      }
      break;
    }
  }
  // Tiers in preference order, each with a cursor that only moves forward.
  struct Tier {
    const std::vector<size_t>* gpus;
    size_t cursor = 0;
  };
  auto next_free = [&](std::vector<Tier>& tiers) -> std::optional<size_t> {
    for (Tier& tier : tiers) {
      while (tier.cursor < tier.gpus->size() && taken[(*tier.gpus)[tier.cursor]]) ++tier.cursor;
      if (tier.cursor < tier.gpus->size()) return (*tier.gpus)[tier.cursor];
    }
    return std::nullopt;
  };
  // A content with a node-spread workload: the first free GPU in the tiers'
  // order on a node with room (else the usual one; the planner then leaves
  // the excess unplaced).
  auto free_with_room = [&](const std::vector<Tier>& tiers, const GpuContent& content) -> std::optional<size_t> {
    for (const Tier& tier : tiers) {
      for (size_t i = tier.cursor; i < tier.gpus->size(); ++i) {
        const size_t g = (*tier.gpus)[i];
        if (!taken[g] && room.Takes(current.gpus[g].node, content)) return g;
      }
    }
    return std::nullopt;
  };
  std::vector<Tier> mig_tiers = {{&partitioned}, {&blank}, {&whole}};
  std::vector<Tier> whole_tiers = {{&whole}, {&blank}, {&partitioned}};
  std::vector<AssignedGpu> assigned;
  assigned.reserve(contents.size());
  for (size_t n = 0; n < contents.size(); ++n) {
    if (!gpu_of[n]) {
      const bool is_whole = contents[n].instances.front().first == kWholeGpuItem;
      std::vector<Tier>& tiers = is_whole ? whole_tiers : mig_tiers;
      const bool spread = std::any_of(contents[n].instances.begin(), contents[n].instances.end(),
                                      [&](const auto& i) { return room.Limited(i.second); });
      if (spread) gpu_of[n] = free_with_room(tiers, contents[n]);
      if (!gpu_of[n]) gpu_of[n] = next_free(tiers);
      if (!gpu_of[n]) {
        return InternalError("packing used more GPUs of " + configs.model().name + " than exist");
      }
      taken[*gpu_of[n]] = true;
      room.Add(current.gpus[*gpu_of[n]].node, contents[n]);
    }
    FleetGpu gpu;
    MIGSCHED_ASSIGN_OR_RETURN(gpu, LayOut(configs, current.gpus[*gpu_of[n]], contents[n]));
    assigned.push_back(AssignedGpu{*gpu_of[n], std::move(gpu)});
  }
  return assigned;
}

}  // namespace migsched::plan
