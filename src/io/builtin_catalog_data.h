// The text of catalog/gpus.yaml, embedded at build time (see CMakeLists.txt).
#pragma once

#include <string_view>

namespace migsched::io {
extern const std::string_view kBuiltinCatalogYaml;
}  // namespace migsched::io
