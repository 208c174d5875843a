// Fuzz target: the body of PUT /v1/nodes/{node}/external-holds
// (daemon::ExternalHoldsRequestFromJson). Every UUID it accepts is non-empty.
#include "daemon/external_holds_request.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto uuids = migsched::daemon::ExternalHoldsRequestFromJson(fuzz::AsText(data, size));
  if (!uuids.has_value()) {
    fuzz::CheckRefusal(uuids.error(), "$");
    return 0;
  }
  for (const std::string& uuid : *uuids) {
    if (uuid.empty()) fuzz::Fail("an accepted hold names an empty UUID", "");
  }
  return 0;
}
