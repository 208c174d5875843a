#include "daemon/external_holds_request.h"

#include <nlohmann/json.hpp>

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

}  // namespace migsched::daemon
