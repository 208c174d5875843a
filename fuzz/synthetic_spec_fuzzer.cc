// Fuzz target: simulate's --synthetic spec (trace::ParseSyntheticSpec); the
// error names the key or value at fault, not a file.
#include "fuzz/fuzz_support.h"
#include "trace/synthetic.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto options = trace::ParseSyntheticSpec(fuzz::AsText(data, size), trace::SyntheticOptions{});
  if (!options.has_value()) fuzz::CheckRefusal(options.error(), "");
  return 0;
}
