#include "k8s/controller_reconcile.h"

#include <algorithm>
#include <map>

namespace migsched::k8s {

std::string ReservationName(std::string_view pod_uid, std::string_view profile, int n, int attempt) {
  std::string spelled(profile);
  std::replace(spelled.begin(), spelled.end(), '+', '.');
  return std::string(kK8sTenant) + "/" + std::string(pod_uid) + "/" + spelled + "/" + std::to_string(n) +
         (attempt > 1 ? "/" + std::to_string(attempt) : "");
}

std::string ReservationSlot(std::string_view name) {
  // Up to the fourth "/", the one before an attempt number.
  std::size_t end = std::string_view::npos;
  std::size_t from = 0;
  for (int slashes = 0; slashes < 4; ++slashes) {
    end = name.find('/', from);
    if (end == std::string_view::npos) break;
    from = end + 1;
  }
  return std::string(name.substr(0, end));
}

std::optional<std::string> ReservationPod(std::string_view name) {
  const std::string prefix = std::string(kK8sTenant) + "/";
  if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
  name.remove_prefix(prefix.size());
  const std::size_t slash = name.find('/');
  if (slash == 0 || slash == std::string_view::npos) return std::nullopt;
  return std::string(name.substr(0, slash));
}

ControllerActions Reconcile(const std::vector<K8sPod>& pods, const std::vector<K8sReservation>& reservations) {
  std::map<std::string, const K8sPod*, std::less<>> pod_by_uid;
  for (const K8sPod& pod : pods) {
    if (!pod.demand.empty()) pod_by_uid[pod.uid] = &pod;
  }
  ControllerActions actions;
  std::set<std::string, std::less<>> held;
  for (const K8sReservation& reservation : reservations) {
    const std::optional<std::string> uid = ReservationPod(reservation.name);
    if (!uid) continue;  // not ours to judge
    const auto pod = pod_by_uid.find(*uid);
    const bool keep = pod != pod_by_uid.end() &&
                      (pod->second->phase == PodPhase::kPending || pod->second->phase == PodPhase::kRunning ||
                       pod->second->phase == PodPhase::kUnknown) &&
                      (pod->second->node.empty() || pod->second->node == reservation.node);
    if (keep) {
      held.insert(ReservationSlot(reservation.name));
    } else {
      actions.cancel.push_back(reservation.id);
    }
  }
  for (const K8sPod& pod : pods) {
    if (pod.demand.empty() || !pod.node.empty() || pod.phase != PodPhase::kPending || !pod.unschedulable) continue;
    for (const MigDemand& demand : pod.demand) {
      for (int n = 1; n <= demand.count; ++n) {
        std::string name = ReservationName(pod.uid, demand.profile, n);
        if (held.contains(name)) continue;
        actions.submit.push_back(
            {.name = std::move(name), .profile = demand.profile, .pod = pod.key, .pod_uid = pod.uid, .n = n});
      }
    }
  }
  return actions;
}

}  // namespace migsched::k8s
