// The body of PUT /v1/nodes/{node}/external-holds: the MIG instances
// something outside migsched uses on a node (kubelet's pods, through the
// device plugin), e.g. {"mig_uuids": ["MIG-1f0c...", "MIG-77ab..."]}.
// The answer is written by external_holds_json.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace migsched::daemon {

// Strict: an object with exactly "mig_uuids", an array of non-empty strings.
// InvalidArgument "<JSON path>: <what is wrong>".
Result<std::vector<std::string>> ExternalHoldsRequestFromJson(std::string_view body);

}  // namespace migsched::daemon
