// Fuzz target: an agent's inventory as serve reads it (daemon::InventoryFromJson).
// An inventory that reads must read back after InventoryToJson.
#include "daemon/inventory.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto inventory = migsched::daemon::InventoryFromJson(fuzz::AsText(data, size), fuzz::Catalog());
  if (!inventory.has_value()) {
    fuzz::CheckRefusal(inventory.error(), "$");
    return 0;
  }
  const auto again = migsched::daemon::InventoryFromJson(migsched::daemon::InventoryToJson(*inventory), fuzz::Catalog());
  if (!again.has_value()) fuzz::Fail("an inventory that read does not read back", again.error().message());
  return 0;
}
