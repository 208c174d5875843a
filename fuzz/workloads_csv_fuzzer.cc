// Fuzz target: a workloads CSV file (io::ParseWorkloadsCsv).
#include "fuzz/fuzz_support.h"
#include "io/plan_inputs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto workloads = io::ParseWorkloadsCsv(fuzz::Catalog(), fuzz::AsText(data, size), "fuzz.csv");
  if (!workloads.has_value()) fuzz::CheckRefusal(workloads.error(), "fuzz.csv");
  return 0;
}
