// Fuzz target: a performance table in YAML or JSON (io::ParsePerfTableYaml).
#include "fuzz/fuzz_support.h"
#include "io/plan_inputs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto table = io::ParsePerfTableYaml(fuzz::Catalog(), fuzz::AsText(data, size), "fuzz.yaml");
  if (!table.has_value()) fuzz::CheckRefusal(table.error(), "fuzz.yaml");
  return 0;
}
