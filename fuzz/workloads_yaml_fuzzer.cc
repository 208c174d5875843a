// Fuzz target: a workloads file in YAML or JSON (io::ParseWorkloadsYaml reads
// both: JSON is YAML).
#include "fuzz/fuzz_support.h"
#include "io/plan_inputs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto workloads = io::ParseWorkloadsYaml(fuzz::Catalog(), fuzz::AsText(data, size), "fuzz.yaml");
  if (!workloads.has_value()) fuzz::CheckRefusal(workloads.error(), "fuzz.yaml");
  return 0;
}
