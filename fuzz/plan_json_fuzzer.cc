// Fuzz target: plan.json (plan::ParsePlanJson). A plan that reads must also
// read back after WritePlanJson: the agent reads what the planner wrote.
#include "fuzz/fuzz_support.h"
#include "plan/plan_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto plan = plan::ParsePlanJson(fuzz::Catalog(), fuzz::AsText(data, size), "fuzz.json");
  if (!plan.has_value()) {
    fuzz::CheckRefusal(plan.error(), "fuzz.json");
    return 0;
  }
  const auto again = plan::ParsePlanJson(fuzz::Catalog(), plan::WritePlanJson(*plan), "written.json");
  if (!again.has_value()) fuzz::Fail("a plan that read does not read back", again.error().message());
  return 0;
}
