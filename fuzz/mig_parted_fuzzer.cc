// Fuzz target: a mig-parted config file or a manifest embedding one
// (mig_parted::ParseMigPartedYaml).
#include "fuzz/fuzz_support.h"
#include "mig_parted/config_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto file = mig_parted::ParseMigPartedYaml(fuzz::AsText(data, size), "fuzz.yaml");
  if (!file.has_value()) fuzz::CheckRefusal(file.error(), "fuzz.yaml");
  return 0;
}
