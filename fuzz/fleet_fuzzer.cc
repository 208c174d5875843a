// Fuzz target: the planner's fleet file (io::ParseFleet).
#include "fuzz/fuzz_support.h"
#include "io/plan_inputs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto fleet = io::ParseFleet(fuzz::Catalog(), fuzz::AsText(data, size), "fuzz.yaml");
  if (!fleet.has_value()) fuzz::CheckRefusal(fleet.error(), "fuzz.yaml");
  return 0;
}
