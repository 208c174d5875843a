// Catalog: the set of known GPU models and how users and machines name them.
//
// A model is found by its short name ("A100-40GB") or an alias, by the product
// name NVML reports ("NVIDIA A100-SXM4-40GB"), or by the PCI device id that
// mig-parted config files use ("0x20B010DE", or "0x20B0"). Matching of names is
// case-insensitive. Pure: the catalog is built from values; reading files is
// io/catalog_loader's job.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "geometry/gpu_model.h"

namespace migsched::geometry {

class Catalog {
 public:
  // Validates every model and that no two models answer to the same name or
  // PCI id. Errors name the model.
  static Result<Catalog> Create(std::vector<GpuModel> models);

  // Returns a catalog with `extra` added; a model whose name is already known
  // replaces the old one (so a user file can correct the built-in catalog).
  Result<Catalog> Merge(std::vector<GpuModel> extra) const;

  // NotFound lists the known models.
  Result<const GpuModel*> Find(std::string_view query) const;

  const std::vector<GpuModel>& models() const { return models_; }
  // "A30-24GB, A100-40GB, ..." — for error messages.
  std::string ModelNames() const;

 private:
  explicit Catalog(std::vector<GpuModel> models) : models_(std::move(models)) {}

  std::vector<GpuModel> models_;
};

}  // namespace migsched::geometry
