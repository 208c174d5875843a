// Fuzz target: the Alibaba GPU v2023 pod list (trace::ParseAlibabaPods). Bad
// rows are kept as issues, each naming its line.
#include "fuzz/fuzz_support.h"
#include "trace/alibaba2023.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto trace = trace::ParseAlibabaPods(fuzz::AsText(data, size), "fuzz.csv");
  if (!trace.has_value()) {
    fuzz::CheckRefusal(trace.error(), "fuzz.csv");
    return 0;
  }
  for (const trace::RowIssue& issue : trace->bad_rows) {
    if (issue.line < 1) fuzz::Fail("a bad row without its line", issue.reason);
    fuzz::CheckRefusal(issue.reason, "");
  }
  return 0;
}
