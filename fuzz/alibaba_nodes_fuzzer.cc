// Fuzz target: the Alibaba GPU v2023 node list (trace::ParseAlibabaNodes).
#include "fuzz/fuzz_support.h"
#include "trace/alibaba2023.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto nodes = trace::ParseAlibabaNodes(fuzz::AsText(data, size), "fuzz.csv");
  if (!nodes.has_value()) fuzz::CheckRefusal(nodes.error(), "fuzz.csv");
  return 0;
}
