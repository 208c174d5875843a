// Fuzz target: the fake NVML's state file (nvml::fake::ParseFakeState). A state
// that reads must read back after SerializeFakeState: the fake library
// rewrites the file after every change.
#include "fuzz/fuzz_support.h"
#include "nvml/fake/fake_state.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto state = nvml::fake::ParseFakeState(fuzz::AsText(data, size), "fuzz.json", fuzz::Catalog());
  if (!state.has_value()) {
    fuzz::CheckRefusal(state.error(), "fuzz.json");
    return 0;
  }
  const auto again =
      nvml::fake::ParseFakeState(nvml::fake::SerializeFakeState(*state), "written.json", fuzz::Catalog());
  if (!again.has_value()) fuzz::Fail("a state that read does not read back", again.error().message());
  return 0;
}
