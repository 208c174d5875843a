#include "daemon/external_holds_json.h"

#include <nlohmann/json.hpp>

#include "daemon/api_json.h"
#include "io/json_object_reader.h"

namespace migsched::daemon {

Result<std::vector<std::string>> ExternalHoldsRequestFromJson(std::string_view body) {
  Result<nlohmann::json> document = io::ParseJson(body, "$");
  if (!document.has_value()) return document.error();
  const io::JsonObjectReader r(*document, "$");
  MIGSCHED_RETURN_IF_ERROR(r.CheckKeys({"mig_uuids"}));
  Result<const nlohmann::json*> items = r.Array("mig_uuids");
  if (!items.has_value()) return items.error();
  std::vector<std::string> uuids;
  for (std::size_t i = 0; i < (*items)->size(); ++i) {
    const nlohmann::json& item = (**items)[i];
    if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
      return InvalidArgumentError(r.ItemPath("mig_uuids", i) + ": must be a MIG device UUID (a non-empty string)");
    }
    uuids.push_back(item.get<std::string>());
  }
  return uuids;
}

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
