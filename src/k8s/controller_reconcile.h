// Demand-driven MIG for Kubernetes, decided: one reconciliation step between
// the pods that ask for MIG devices and the reservations migsched holds for
// them.
//
// A pod that asks for `nvidia.com/mig-<profile>` and that kube-scheduler
// marked unschedulable (PodScheduled=False, reason Unschedulable) gets one
// migsched job per device in tenant "k8s" (a reservation) named
// "k8s/<pod uid>/<profile>/<n>"; the scheduler core places it on an idle
// instance or repartitions idle slices, the node's agent creates the
// instance and the device plugin advertises it, so kube-scheduler can bind
// the pod. A reservation stays while its pod is pending or runs on the
// reservation's node: the core never repartitions an instance a job holds,
// so the instance of a running pod is never touched. It is released when
// its pod is gone or finished, or once the pod is bound to another node
// (it got a device there). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace migsched::k8s {

// The tenant of migsched's reservations for pods.
inline constexpr std::string_view kK8sTenant = "k8s";

enum class PodPhase { kPending, kRunning, kSucceeded, kFailed, kUnknown };

struct MigDemand {
  std::string profile;  // migsched's name: "1g.10gb+me"
  int count = 0;
};

struct K8sPod {
  std::string uid;
  std::string key;   // "<namespace>/<name>", for messages
  std::string node;  // spec.nodeName; "" while not bound
  PodPhase phase = PodPhase::kPending;
  bool unschedulable = false;     // PodScheduled=False, reason Unschedulable
  std::vector<MigDemand> demand;  // summed over containers, by profile
};

struct K8sReservation {
  std::int64_t id = 0;
  std::string name;
  std::string node;  // "" while queued
};

struct ControllerActions {
  struct Submit {
    // `name` is the slot's first attempt; the caller submits the next
    // attempts while serve answers an ended (cancelled) job for the name.
    std::string name, profile, pod;  // pod: "<namespace>/<name>"
    std::string pod_uid;
    int n = 0;
  };
  std::vector<Submit> submit;
  std::vector<std::int64_t> cancel;
};

// `pods` must be the whole cluster's pods as last listed (a reservation whose
// pod is missing is released).
ControllerActions Reconcile(const std::vector<K8sPod>& pods, const std::vector<K8sReservation>& reservations);

// "k8s/<uid>/<profile>/<n>" with the profile as the resource spells it
// ("1g.10gb.me"), since job names allow no "+". A name is serve's
// idempotency key, and serve answers an ended job for a name it has seen: a
// reservation cancelled by hand while its pod still waits is made again
// under "k8s/<uid>/<profile>/<n>/<attempt>" (attempt >= 2), for the same slot.
std::string ReservationName(std::string_view pod_uid, std::string_view profile, int n, int attempt = 1);
// The slot a reservation's name fills, "k8s/<uid>/<profile>/<n>", whatever
// its attempt.
std::string ReservationSlot(std::string_view name);
// The pod UID a reservation's name belongs to; nullopt for a name that is
// not one of ours.
std::optional<std::string> ReservationPod(std::string_view name);

}  // namespace migsched::k8s
