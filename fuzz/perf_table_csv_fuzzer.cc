// Fuzz target: a performance table in CSV (io::ParsePerfTableCsv).
#include "fuzz/fuzz_support.h"
#include "io/plan_inputs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto table = io::ParsePerfTableCsv(fuzz::Catalog(), fuzz::AsText(data, size), "fuzz.csv");
  if (!table.has_value()) fuzz::CheckRefusal(table.error(), "fuzz.csv");
  return 0;
}
