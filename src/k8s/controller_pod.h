// A Pod object of the Kubernetes API as the controller sees it: who it is,
// where it is bound, whether kube-scheduler found it unschedulable and which
// MIG devices (`nvidia.com/mig-<profile>` resources) it asks for.
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "k8s/controller_reconcile.h"

namespace migsched::k8s {

// A pod's demand is what its containers' limits (or requests, where a
// container gives no limit) ask for, summed, or what its largest init
// container asks for if that is more, as the kube-scheduler counts it.
// InvalidArgument naming "<namespace>/<name>" and the field for a pod
// without metadata.uid or a MIG quantity that is not a whole number.
Result<K8sPod> PodFromJson(const nlohmann::json& pod);

}  // namespace migsched::k8s
