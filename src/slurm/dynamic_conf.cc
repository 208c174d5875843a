#include "slurm/dynamic_conf.h"

#include <algorithm>
#include <map>

#include "slurm/dynamic_mig.h"
#include "slurm/slurm_jobs.h"

namespace migsched::slurm {

std::string CapacityGres(const engines::SlurmTypeTable& types,
                         const std::vector<std::vector<const geometry::GpuModel*>>& nodes) {
  std::vector<std::string> order;
  std::map<std::string, int> most;
  for (const std::vector<const geometry::GpuModel*>& gpus : nodes) {
    std::map<std::string, int> node;
    for (const geometry::GpuModel* model : gpus) {
      for (const std::string& name : types.OfModel(*model)) {
        const engines::SlurmType* type = types.Find(name);
        const auto offer = std::find_if(type->offers.begin(), type->offers.end(),
                                        [&](const engines::SlurmType::Offer& o) { return o.model == model; });
        node[name] += offer->profile == nullptr ? 1 : offer->profile->max_count;
        if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
      }
    }
    for (const auto& [name, count] : node) most[name] = std::max(most[name], count);
  }
  std::vector<int> counts;
  for (const std::string& name : order) counts.push_back(most[name]);
  return GresOf(order, counts);
}

std::string DynamicSlurmConf(const engines::SlurmTypeTable& types,
                             const std::vector<std::vector<const geometry::GpuModel*>>& nodes,
                             const std::string& task_prolog) {
  return "# slurm.conf for dynamic MIG: `migsched serve --slurm` sets each GPU node's `" + std::string(kGresName) +
         "` counts while it runs\n"
         "# (the GPU nodes need no " + std::string(kGresName) + " in Gres= or gres.conf). Add " +
         std::string(kGresName) + " to an existing GresTypes list.\n"
         "GresTypes=" + std::string(kGresName) + "\n"
         "# Exports each job's MIG device as CUDA_VISIBLE_DEVICES: a script that runs `migsched slurm task-prolog`.\n"
         "TaskProlog=" + task_prolog + "\n"
         "# Declares every type the GPU nodes can offer, so that sbatch accepts a job for a type not cut now.\n"
         "# FUTURE: never started, never runs a job. Give it the CPUs and RealMemory of your largest GPU node\n"
         "# and add it to every partition of the GPU nodes (PartitionName=... Nodes=...," + std::string(kCapacityNode) +
         ").\n"
         "NodeName=" + std::string(kCapacityNode) + " State=FUTURE CPUs=1 Gres=" + CapacityGres(types, nodes) + "\n";
}

}  // namespace migsched::slurm
