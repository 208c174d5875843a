// The built-in catalog for tests, loaded once per test binary, and shorthands
// for building layouts by profile name.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "geometry/catalog.h"
#include "geometry/layout.h"
#include "geometry/state_space.h"
#include "io/catalog_loader.h"

namespace migsched::testing {

inline const geometry::Catalog& BuiltinCatalogForTest() {
  static const geometry::Catalog catalog = [] {
    Result<geometry::Catalog> loaded = io::BuiltinCatalog();
    if (!loaded.has_value()) {
      ADD_FAILURE() << loaded.error().ToString();
      std::abort();
    }
    return std::move(loaded).value();
  }();
  return catalog;
}

inline const geometry::GpuModel& Gpu(std::string_view name) {
  Result<const geometry::GpuModel*> model = BuiltinCatalogForTest().Find(name);
  if (!model.has_value()) {
    ADD_FAILURE() << model.error().ToString();
    std::abort();
  }
  return **model;
}

inline int Profile(const geometry::GpuModel& model, std::string_view name) {
  const std::optional<int> index = model.FindProfile(name);
  if (!index) {
    ADD_FAILURE() << "no profile " << name << " on " << model.name;
    std::abort();
  }
  return *index;
}

// Instances from "PROFILE@START" strings.
inline std::vector<geometry::GpuInstance> Instances(const geometry::GpuModel& model,
                                                    const std::vector<std::string>& specs) {
  std::vector<geometry::GpuInstance> out;
  for (const std::string& text : specs) {
    Result<geometry::InstanceSpec> spec = geometry::ParseInstanceSpec(model, text);
    if (!spec.has_value() || !spec->start) {
      ADD_FAILURE() << "bad spec " << text;
      std::abort();
    }
    out.push_back(geometry::GpuInstance{
        spec->profile, model.profiles[static_cast<size_t>(spec->profile)].PlacementAt(*spec->start)});
  }
  return out;
}

inline geometry::StateSpace Space(const geometry::GpuModel& model) {
  return geometry::StateSpace::Build(model).value();
}

}  // namespace migsched::testing
