// Reading GPU catalogs (catalog/gpus.yaml format, documented in
// docs/catalog.md) into geometry::Catalog values.
//
// The built-in catalog is compiled into the binary, so migsched works with no
// files; users add or correct models with extra files (--catalog FILE). Every
// error names "<file>:<line>" and, where it applies, the GPU and profile.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "geometry/catalog.h"
#include "geometry/gpu_model.h"

namespace migsched::io {

// Parses catalog YAML; `source` names the text in error messages.
Result<std::vector<geometry::GpuModel>> ParseCatalogYaml(std::string_view text,
                                                         const std::string& source);

// The catalog compiled into the binary.
Result<geometry::Catalog> BuiltinCatalog();

// The built-in catalog plus each file in `extra_files`, in order (a model with
// a known name replaces the earlier one). NotFound if a file cannot be read.
Result<geometry::Catalog> LoadCatalog(std::span<const std::string> extra_files);

}  // namespace migsched::io
