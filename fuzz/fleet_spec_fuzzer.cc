// Fuzz target: simulate's --fleet spec "MODEL:COUNT,..." (sim::ParseFleetSpec).
#include "fuzz/fuzz_support.h"
#include "sim/fleet_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto fleet = sim::ParseFleetSpec(fuzz::AsText(data, size), fuzz::Catalog());
  if (!fleet.has_value()) fuzz::CheckRefusal(fleet.error(), "");
  return 0;
}
