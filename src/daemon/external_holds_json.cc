#include "daemon/external_holds_json.h"

#include <nlohmann/json.hpp>

#include "daemon/api_json.h"

namespace migsched::daemon {

std::string ExternalHoldsToJson(const std::string& node, const ExternalHolds& holds) {
  nlohmann::ordered_json out{{"node", node}, {"held", nlohmann::ordered_json::array()},
                             {"unknown", holds.unknown}, {"released", nlohmann::ordered_json::array()}};
  for (const ExternalHolds::Held& held : holds.held) {
    out["held"].push_back({{"mig_uuid", held.mig_uuid}, {"job", JobJson(held.job)}});
  }
  for (const JobInfo& job : holds.released) out["released"].push_back(JobJson(job));
  return out.dump();
}

}  // namespace migsched::daemon
