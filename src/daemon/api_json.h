// The JSON bodies of serve's API: jobs, the fleet, events and the
// dashboard's state. One writer each, used by the server; the clients
// (`migsched jobs`, `migsched fleet`) read the same shapes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "daemon/control_plane.h"
#include "geometry/catalog.h"
#include "report/costs.h"

namespace migsched::daemon {

// A job's object; the text form is what the per-request handlers send (no DOM).
std::string JobJsonText(const JobInfo& job);
nlohmann::ordered_json JobJson(const JobInfo& job);
nlohmann::ordered_json FleetJson(const FleetView& fleet);
nlohmann::ordered_json EventJson(const ServiceEvent& event);
// GET /ui/state: totals, what MIG saves (live_savings.h), nodes, queue,
// recent jobs, history and events.
nlohmann::ordered_json UiStateJson(const ControlPlane& plane, const geometry::Catalog& catalog,
                                   const report::CostSheet& costs);

}  // namespace migsched::daemon
