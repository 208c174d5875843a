// Fuzz target: a --catalog file, read and merged into the built-in catalog as
// io::LoadCatalog does (the merge validates every model's geometry).
#include "fuzz/fuzz_support.h"
#include "io/catalog_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  auto models = io::ParseCatalogYaml(fuzz::AsText(data, size), "fuzz.yaml");
  if (!models.has_value()) {
    fuzz::CheckRefusal(models.error(), "fuzz.yaml");
    return 0;
  }
  const auto merged = fuzz::Catalog().Merge(std::move(*models));
  if (!merged.has_value()) fuzz::CheckRefusal(merged.error().message(), "");
  return 0;
}
