// The answer to PUT /v1/nodes/{node}/external-holds (the request:
// external_holds_request.h; ControlPlane::ReportExternalHolds):
//
//   {"node": "n1", "held": [{"mig_uuid": "MIG-1f0c...", "job": {...}}],
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

std::string ExternalHoldsToJson(const std::string& node, const ExternalHolds& holds);

}  // namespace migsched::daemon
