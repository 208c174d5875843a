// Fuzz target: a desired layout as the node agent reads it from serve
// (daemon::DesiredFromJson). A layout that reads must read back after
// DesiredToJson.
#include "daemon/inventory.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto desired = migsched::daemon::DesiredFromJson(fuzz::AsText(data, size), fuzz::Catalog());
  if (!desired.has_value()) {
    fuzz::CheckRefusal(desired.error(), "$");
    return 0;
  }
  const auto again = migsched::daemon::DesiredFromJson(migsched::daemon::DesiredToJson(*desired), fuzz::Catalog());
  if (!again.has_value()) fuzz::Fail("a desired layout that read does not read back", again.error().message());
  return 0;
}
