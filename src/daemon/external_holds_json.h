// The body of PUT /v1/nodes/{node}/external-holds, the instances something
// outside migsched uses on a node (ControlPlane::ReportExternalHolds), and
// its answer:
//
//   request: {"mig_uuids": ["MIG-1f0c...", "MIG-77ab..."]}
//   answer:  {"node": "n1", "held": [{"mig_uuid": "MIG-1f0c...", "job": {...}}],
//             "unknown": ["MIG-77ab..."], "released": [{...}]}
//
// "job" is the job that holds the instance (tenant "external" for a hold
// the report made), "released" the external holds the report no longer lists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "daemon/control_plane.h"

namespace migsched::daemon {

// Strict: an object with exactly "mig_uuids", an array of non-empty strings.
// InvalidArgument "<JSON path>: <what is wrong>".
Result<std::vector<std::string>> ExternalHoldsRequestFromJson(std::string_view body);
std::string ExternalHoldsToJson(const std::string& node, const ExternalHolds& holds);

}  // namespace migsched::daemon
