#include "k8s/container_allocation.h"

#include <algorithm>
#include <set>

#include "common/strings.h"

namespace migsched::k8s {

Result<ContainerAllocation> AllocateContainer(const std::vector<std::string>& ids,
                                              const std::vector<ListedDevice>& listed, AllocationOptions options) {
  if (ids.empty()) return InvalidArgumentError("a container asked for no devices");
  std::set<std::string> seen;
  ContainerAllocation out;
  for (const std::string& id : ids) {
    if (!seen.insert(id).second) return InvalidArgumentError("device '" + id + "' is asked for twice");
    const auto it = std::find_if(listed.begin(), listed.end(), [&](const ListedDevice& d) { return d.id == id; });
    if (it == listed.end()) return NotFoundError("no device '" + id + "' here");
    if (!it->healthy) return FailedPreconditionError("device '" + id + "' has vanished (repartitioned or taken)");
    if (options.cdi) out.cdi_devices.push_back("nvidia.com/gpu=" + id);
  }
  out.envs["NVIDIA_VISIBLE_DEVICES"] = Join(ids, ",");
  return out;
}

}  // namespace migsched::k8s
