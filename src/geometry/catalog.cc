#include "geometry/catalog.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "common/strings.h"

namespace migsched::geometry {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Every lower-cased name a model answers to.
std::vector<std::string> NamesOf(const GpuModel& model) {
  std::vector<std::string> names = {Lower(model.name)};
  for (const std::string& alias : model.aliases) names.push_back(Lower(alias));
  for (const std::string& product : model.product_names) names.push_back(Lower(product));
  for (uint32_t id : model.pci_device_ids) names.push_back(Lower(FormatPciDeviceId(id)));
  return names;
}

}  // namespace

Result<Catalog> Catalog::Create(std::vector<GpuModel> models) {
  std::map<std::string, std::string> owner;  // name -> model that answers to it
  for (size_t i = 0; i < models.size(); ++i) {
    const GpuModel& model = models[i];
    MIGSCHED_RETURN_IF_ERROR(ValidateGpuModel(model).WithPrefix("gpu '" + model.name + "'"));
    for (size_t j = 0; j < i; ++j) {
      if (Lower(models[j].name) == Lower(model.name)) {
        return InvalidArgumentError("gpu '" + model.name + "' is defined twice");
      }
    }
    for (const std::string& name : NamesOf(model)) {
      auto [it, inserted] = owner.emplace(name, model.name);
      if (!inserted && it->second != model.name) {
        return InvalidArgumentError("gpu '" + model.name + "': name '" + name +
                                    "' already belongs to gpu '" + it->second + "'");
      }
    }
  }
  return Catalog(std::move(models));
}

Result<Catalog> Catalog::Merge(std::vector<GpuModel> extra) const {
  for (size_t i = 0; i < extra.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (Lower(extra[j].name) == Lower(extra[i].name)) {
        return InvalidArgumentError("gpu '" + extra[i].name + "' is defined twice");
      }
    }
  }
  std::vector<GpuModel> merged = models_;
  for (GpuModel& model : extra) {
    auto same = std::find_if(merged.begin(), merged.end(),
                             [&](const GpuModel& m) { return Lower(m.name) == Lower(model.name); });
    if (same != merged.end()) {
      *same = std::move(model);
    } else {
      merged.push_back(std::move(model));
    }
  }
  return Create(std::move(merged));
}

Result<const GpuModel*> Catalog::Find(std::string_view query) const {
  std::string key = Lower(query);
  if (const Result<uint32_t> pci = ParsePciDeviceId(query); pci.has_value()) {
    key = Lower(FormatPciDeviceId(*pci));
  }
  for (const GpuModel& model : models_) {
    const std::vector<std::string> names = NamesOf(model);
    if (std::find(names.begin(), names.end(), key) != names.end()) return &model;
  }
  return NotFoundError("unknown GPU " + Quote(query) + "; known GPUs: " + ModelNames());
}

std::string Catalog::ModelNames() const {
  std::vector<std::string> names;
  for (const GpuModel& model : models_) names.push_back(model.name);
  return Join(names, ", ");
}

}  // namespace migsched::geometry
