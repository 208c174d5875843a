// Fuzz target: the generic trace format (trace::ParseGenericCsv and
// ParseGenericJsonLines on the same bytes). Bad rows are kept as issues, each
// naming its line.
#include "fuzz/fuzz_support.h"
#include "trace/generic.h"

namespace {

void CheckParse(const migsched::Result<migsched::trace::Trace>& trace, const char* source) {
  using namespace migsched;
  if (!trace.has_value()) {
    fuzz::CheckRefusal(trace.error(), source);
    return;
  }
  for (const trace::RowIssue& issue : trace->bad_rows) {
    if (issue.line < 1) fuzz::Fail("a bad row without its line", issue.reason);
    fuzz::CheckRefusal(issue.reason, "");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const std::string_view text = fuzz::AsText(data, size);
  CheckParse(trace::ParseGenericCsv(text, "fuzz.csv"), "fuzz.csv");
  CheckParse(trace::ParseGenericJsonLines(text, "fuzz.jsonl"), "fuzz.jsonl");
  return 0;
}
