#include "cli/gpu_commands.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/text_table.h"
#include "common/strings.h"

namespace migsched::cli {
namespace {

using geometry::GiProfile;
using geometry::GpuModel;
using nlohmann::ordered_json;

std::string PlacementText(const GiProfile& profile) {
  return "{" + Join(profile.starts, ",") + "}:" + std::to_string(profile.memory_slices);
}

std::string OptionalText(const std::optional<int>& value) {
  return value ? std::to_string(*value) : "?";
}

std::string MediaText(const GiProfile& profile) {
  const auto& m = profile.media;
  return OptionalText(m.dec) + "/" + OptionalText(m.enc) + "/" + OptionalText(m.jpg) + "/" +
         OptionalText(m.ofa);
}

std::string MemoryText(int64_t mib, bool estimated) {
  return std::to_string(mib) + (estimated ? "~" : "");
}

ordered_json OptionalJson(const std::optional<int>& value) {
  return value ? ordered_json(*value) : ordered_json(nullptr);
}

ordered_json GpuJson(const GpuModel& model) {
  std::vector<std::string> pci_ids;
  for (uint32_t id : model.pci_device_ids) pci_ids.push_back(geometry::FormatPciDeviceId(id));
  return ordered_json{{"name", model.name},
                      {"compute_slices", model.compute_slices},
                      {"memory_slices", model.memory_slices},
                      {"memory_mib", model.memory_mib},
                      {"memory_estimated", model.memory_estimated},
                      {"max_instances", model.max_instances},
                      {"architecture", model.architecture},
                      {"confidence", model.confidence},
                      {"aliases", model.aliases},
                      {"product_names", model.product_names},
                      {"pci_device_ids", pci_ids}};
}

ordered_json ProfileJson(const GiProfile& profile) {
  ordered_json placements = ordered_json::array();
  for (int start : profile.starts) {
    placements.push_back({{"start", start}, {"size", profile.memory_slices}});
  }
  ordered_json cis = ordered_json::array();
  for (const geometry::CiProfile& ci : profile.compute_instances) {
    cis.push_back({{"compute_slices", ci.compute_slices},
                   {"id", ci.id},
                   {"max_count", ci.max_count},
                   {"inferred", ci.inferred}});
  }
  return ordered_json{
      {"name", profile.name},
      {"id", profile.id},
      {"compute_slices", profile.compute_slices},
      {"memory_slices", profile.memory_slices},
      {"memory_mib", profile.memory_mib},
      {"max_count", profile.max_count},
      {"placements", placements},
      {"nvml_enum", profile.nvml_enum},
      {"memory_estimated", profile.memory_estimated},
      {"sm_count", OptionalJson(profile.sm_count)},
      {"media", {{"dec", OptionalJson(profile.media.dec)},
                 {"enc", OptionalJson(profile.media.enc)},
                 {"jpg", OptionalJson(profile.media.jpg)},
                 {"ofa", OptionalJson(profile.media.ofa)}}},
      {"evidence", std::string(geometry::EvidenceName(profile.evidence))},
      {"compute_instances", cis}};
}

}  // namespace

int RunGpus(const CommandContext& context) {
  const auto& models = context.catalog.models();
  if (context.json) {
    ordered_json gpus = ordered_json::array();
    for (const GpuModel& model : models) gpus.push_back(GpuJson(model));
    context.out << ordered_json{{"gpus", gpus}}.dump(2) << "\n";
    return kExitOk;
  }
  TextTable table({"GPU", "ARCH", "SLICES", "MEMORY MIB", "PROFILES", "CONFIDENCE", "ALSO KNOWN AS"});
  for (const GpuModel& model : models) {
    std::vector<std::string> names = model.aliases;
    for (uint32_t id : model.pci_device_ids) names.push_back(geometry::FormatPciDeviceId(id));
    table.AddRow({model.name, model.architecture,
                  std::to_string(model.compute_slices) + "c/" + std::to_string(model.memory_slices) + "m",
                  MemoryText(model.memory_mib, model.memory_estimated),
                  std::to_string(model.profiles.size()), model.confidence, Join(names, " ")});
  }
  table.Print(context.out);
  context.out << "\nSLICES: compute slices / memory slices (placement units). ~ = estimated.\n"
              << "Profiles of one GPU: migsched profiles <GPU>\n";
  return kExitOk;
}

int RunProfiles(const CommandContext& context, const std::string& gpu) {
  const Result<const GpuModel*> found = context.catalog.Find(gpu);
  if (!found.has_value()) {
    context.err << "migsched: " << found.error().message() << "\n";
    return kExitBadInput;
  }
  const GpuModel& model = **found;
  if (context.json) {
    ordered_json profiles = ordered_json::array();
    for (const GiProfile& profile : model.profiles) profiles.push_back(ProfileJson(profile));
    context.out << ordered_json{{"gpu", GpuJson(model)}, {"profiles", profiles}}.dump(2) << "\n";
    return kExitOk;
  }
  context.out << model.name << " (" << model.architecture << "): " << model.compute_slices
              << " compute slices, " << model.memory_slices << " memory slices, "
              << MemoryText(model.memory_mib, model.memory_estimated) << " MiB, at most "
              << model.max_instances << " GPU instances; confidence " << model.confidence << "\n";
  if (!model.evidence_note.empty()) context.out << model.evidence_note << "\n";
  context.out << "\n";
  TextTable table({"PROFILE", "ID", "COMPUTE", "MEMORY", "MIB", "MAX", "SM", "DEC/ENC/JPG/OFA",
                   "PLACEMENTS", "EVIDENCE"});
  for (const GiProfile& profile : model.profiles) {
    table.AddRow({profile.name, std::to_string(profile.id), std::to_string(profile.compute_slices),
                  std::to_string(profile.memory_slices),
                  MemoryText(profile.memory_mib, profile.memory_estimated),
                  std::to_string(profile.max_count), OptionalText(profile.sm_count),
                  MediaText(profile), PlacementText(profile),
                  std::string(geometry::EvidenceName(profile.evidence))});
  }
  table.Print(context.out);
  context.out << "\nPLACEMENTS: {allowed starts}:size in memory slices, as nvidia-smi mig -lgipp "
                 "prints them. ~ = estimated, ? = unknown.\n";
  return kExitOk;
}

void AddGpuCommands(CLI::App& app, ChosenCommand& chosen) {
  CLI::App* gpus = app.add_subcommand("gpus", "list the known GPU models");
  gpus->callback([&chosen] { chosen = [](const CommandContext& c) { return RunGpus(c); }; });

  auto gpu = std::make_shared<std::string>();
  CLI::App* profiles =
      app.add_subcommand("profiles", "a GPU's instance profiles and placements (like -lgip + -lgipp)");
  profiles->add_option("GPU", *gpu, "GPU model, product name or PCI id")->required();
  profiles->callback(
      [&chosen, gpu] { chosen = [gpu](const CommandContext& c) { return RunProfiles(c, *gpu); }; });
}

}  // namespace migsched::cli
