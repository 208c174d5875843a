// Fuzz target: a mig-parted config file or a manifest embedding one
// (io::ParseMigPartedYaml).
#include "fuzz/fuzz_support.h"
#include "io/mig_parted_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto file = io::ParseMigPartedYaml(fuzz::AsText(data, size), "fuzz.yaml");
  if (!file.has_value()) fuzz::CheckRefusal(file.error(), "fuzz.yaml");
  return 0;
}
