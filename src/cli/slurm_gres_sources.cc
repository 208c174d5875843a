#include "cli/slurm_gres_sources.h"

#include <algorithm>

#include "common/strings.h"
#include "engines/mig_device_files.h"

namespace migsched::cli {
namespace {

using nlohmann::json;

std::string MigWhat(const geometry::GiProfile& profile, int start, int gi, int ci) {
  return profile.name + "@" + std::to_string(start) + ", GI " + std::to_string(gi) + " CI " + std::to_string(ci);
}

Result<engines::SlurmGresDevice> MigDevice(const geometry::GpuModel& model, const geometry::GiProfile& profile,
                                          const std::string& nvml_name, int gpu, int start, int gi, int ci,
                                          engines::SlurmTypeStyle style) {
  Result<std::vector<std::string>> files = engines::MigDeviceFiles(gpu, gi, ci);
  if (!files.has_value()) return files.error();
  return engines::SlurmGresDevice{.gpu = gpu,
                                  .type = engines::SlurmMigType(model, profile, nvml_name, style),
                                  .what = MigWhat(profile, start, gi, ci),
                                  .files = std::move(files).value()};
}

engines::SlurmGresDevice WholeGpu(const geometry::GpuModel& model, const std::string& nvml_name, int gpu,
                                  engines::SlurmTypeStyle style) {
  return engines::SlurmGresDevice{.gpu = gpu,
                                  .type = engines::SlurmWholeGpuType(model, nvml_name, style),
                                  .what = "whole GPU",
                                  .files = {engines::GpuDeviceFile(gpu)}};
}

Result<engines::SlurmNodeGres> NodeFromJson(const json& node, const geometry::Catalog& catalog,
                                            engines::SlurmTypeStyle style) {
  engines::SlurmNodeGres out{.node = node.at("name").get<std::string>(), .devices = {}, .notes = {}};
  for (const json& gpu : node.at("gpus")) {
    const int index = gpu.at("index").get<int>();
    const Result<const geometry::GpuModel*> found = catalog.Find(gpu.at("model").get<std::string>());
    if (!found.has_value()) return found.error();
    const geometry::GpuModel* model = *found;
    if (!gpu.at("mig_enabled").get<bool>()) {
      out.devices.push_back(WholeGpu(*model, "", index, style));
      continue;
    }
    for (const json& instance : gpu.at("instances")) {
      const std::string name = instance.at("profile").get<std::string>();
      const int start = instance.at("start").get<int>();
      const std::optional<int> p = model->FindProfile(name);
      if (!p.has_value()) {
        return NotFoundError("node " + out.node + " GPU " + std::to_string(index) + ": " + model->name +
                             " has no profile '" + name + "'");
      }
      const json gi = instance.value("gi_id", json(nullptr));
      const json ci = instance.value("ci_id", json(nullptr));
      if (!instance.at("exists").get<bool>() || gi.is_null() || ci.is_null()) {
        out.notes.push_back("GPU " + std::to_string(index) + ": " + name + "@" + std::to_string(start) +
                            " is planned but not created yet");
        continue;
      }
      Result<engines::SlurmGresDevice> device =
          MigDevice(*model, model->profiles[static_cast<size_t>(*p)], "", index, start, gi.get<int>(), ci.get<int>(),
                    style);
      if (!device.has_value()) return device.error();
      out.devices.push_back(std::move(device).value());
    }
  }
  return out;
}

}  // namespace

Result<engines::SlurmNodeGres> SlurmNodeFromNvml(const nvml::NvmlSession& session, const std::string& node,
                                                 engines::SlurmTypeStyle style) {
  engines::SlurmNodeGres out{.node = node, .devices = {}, .notes = {}};
  const Result<unsigned> count = session.DeviceCount();
  if (!count.has_value()) return count.error();
  for (unsigned index = 0; index < *count; ++index) {
    const Result<nvml::DeviceInfo> info = session.Device(index);
    if (!info.has_value()) return info.error();
    const Result<const geometry::GpuModel*> model = session.Model(index);
    if (!model.has_value()) return model.error();
    const int gpu = static_cast<int>(index);
    if (!info->mig.has_value() || !info->mig->current) {
      out.devices.push_back(WholeGpu(**model, info->name, gpu, style));
      continue;
    }
    const Result<std::vector<nvml::GpuInstanceInfo>> instances = session.GpuInstances(index);
    if (!instances.has_value()) return instances.error();
    if (instances->empty()) out.notes.push_back("GPU " + std::to_string(gpu) + ": MIG enabled but no MIG devices");
    for (const nvml::GpuInstanceInfo& gi : *instances) {
      if (gi.profile < 0) {
        return NotFoundError("GPU " + std::to_string(gpu) + ": GPU instance " + std::to_string(gi.id) +
                             " has NVML profile id " + std::to_string(gi.profile_id) + ", unknown to the " +
                             (*model)->name + " catalog entry");
      }
      const geometry::GiProfile& profile = (*model)->profiles[static_cast<size_t>(gi.profile)];
      if (gi.compute_instances.empty()) {
        out.notes.push_back("GPU " + std::to_string(gpu) + ": " + profile.name + "@" +
                            std::to_string(gi.placement.start) + " (GI " + std::to_string(gi.id) +
                            ") has no compute instance, so no MIG device");
      }
      for (const nvml::ComputeInstanceInfo& ci : gi.compute_instances) {
        Result<engines::SlurmGresDevice> device = MigDevice(**model, profile, info->name, gpu, gi.placement.start,
                                                            static_cast<int>(gi.id), static_cast<int>(ci.id), style);
        if (!device.has_value()) return device.error();
        out.devices.push_back(std::move(device).value());
      }
    }
  }
  return out;
}

Result<std::vector<engines::SlurmNodeGres>> SlurmNodesFromFleetJson(const json& fleet,
                                                                    const geometry::Catalog& catalog,
                                                                    const std::string& only_node,
                                                                    engines::SlurmTypeStyle style) {
  std::vector<engines::SlurmNodeGres> nodes;
  std::vector<std::string> names;
  try {
    for (const json& node : fleet.at("nodes")) {
      names.push_back(node.at("name").get<std::string>());
      if (!only_node.empty() && names.back() != only_node) continue;
      Result<engines::SlurmNodeGres> gres = NodeFromJson(node, catalog, style);
      if (!gres.has_value()) return gres.error();
      nodes.push_back(std::move(gres).value());
    }
  } catch (const json::exception& e) {
    return InvalidArgumentError(std::string("server fleet document: ") + e.what());
  }
  if (!only_node.empty() && nodes.empty()) {
    return NotFoundError("the server has no node '" + only_node + "' (nodes: " +
                         (names.empty() ? std::string("none") : Join(names, ", ")) + ")");
  }
  return nodes;
}

}  // namespace migsched::cli
