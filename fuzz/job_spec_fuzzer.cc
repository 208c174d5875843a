// Fuzz target: a POST /v1/jobs body (daemon::ParseJobSpec); a refusal names
// the JSON path of the field at fault.
#include "daemon/job_spec.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const migsched::daemon::ParsedSpec parsed = migsched::daemon::ParseJobSpec(fuzz::AsText(data, size), fuzz::Catalog());
  if (!parsed.ok()) {
    if (parsed.error.field.empty() || parsed.error.field[0] != '$') {
      fuzz::Fail("the error names no JSON path", parsed.error.message);
    }
    fuzz::CheckRefusal(parsed.error.message, "");
  }
  return 0;
}
