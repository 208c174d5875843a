#include "cli/nvml_commands.h"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "cli/cli.h"
#include "cli/text_table.h"
#include "common/model_counts.h"
#include "common/strings.h"
#include "engines/container_devices.h"
#include "nvml/fake/fake_state.h"
#include "nvml/nvml_session.h"

namespace migsched::cli {
namespace {

using nlohmann::ordered_json;
using nvml::DeviceInfo;
using nvml::GiProfileInfo;
using nvml::GpuInstanceInfo;

std::string PlacementsText(const std::vector<geometry::Placement>& placements) {
  std::vector<int> starts;
  for (const geometry::Placement& p : placements) starts.push_back(p.start);
  return "{" + Join(starts, ",") + "}:" + (placements.empty() ? "0" : std::to_string(placements[0].size));
}

std::string ProfileName(const DeviceInfo& device, int profile, unsigned profile_id) {
  if (device.model != nullptr && profile >= 0) return device.model->profiles[static_cast<size_t>(profile)].name;
  return "id " + std::to_string(profile_id);
}

std::string MigText(const std::optional<nvml::MigMode>& mig) {
  if (!mig) return "not supported";
  std::string text = mig->current ? "enabled" : "disabled";
  if (mig->pending != mig->current) text += mig->pending ? " (enable pending reset)" : " (disable pending reset)";
  return text;
}

ordered_json PlacementJson(const geometry::Placement& p) { return {{"start", p.start}, {"size", p.size}}; }

// Everything nvml-info shows about one GPU.
struct GpuReport {
  DeviceInfo device;
  std::vector<GiProfileInfo> profiles;
  std::vector<GpuInstanceInfo> instances;
};

Result<GpuReport> ReadGpu(const nvml::NvmlSession& session, unsigned index) {
  GpuReport report;
  MIGSCHED_ASSIGN_OR_RETURN(report.device, session.Device(index));
  // A MIG-capable GPU describes its profiles whatever its mode; instances
  // exist only while the mode is on.
  if (report.device.mig) MIGSCHED_ASSIGN_OR_RETURN(report.profiles, session.GiProfiles(index));
  if (report.device.mig && report.device.mig->current) {
    MIGSCHED_ASSIGN_OR_RETURN(report.instances, session.GpuInstances(index));
  }
  return report;
}

ordered_json GpuJson(const GpuReport& report) {
  const DeviceInfo& d = report.device;
  ordered_json profiles = ordered_json::array();
  for (const GiProfileInfo& p : report.profiles) {
    ordered_json placements = ordered_json::array();
    for (const geometry::Placement& placement : p.placements) placements.push_back(PlacementJson(placement));
    profiles.push_back({{"name", d.model != nullptr && p.profile >= 0 ? ordered_json(ProfileName(d, p.profile, p.id))
                                                                       : ordered_json(nullptr)},
                        {"id", p.id},
                        {"nvml_enum", p.nvml_enum},
                        {"compute_slices", p.slice_count},
                        {"memory_mib", p.memory_mib},
                        {"instance_count", p.instance_count},
                        {"remaining", p.remaining_count},
                        {"placements", placements}});
  }
  ordered_json instances = ordered_json::array();
  for (const GpuInstanceInfo& gi : report.instances) {
    ordered_json cis = ordered_json::array();
    for (const nvml::ComputeInstanceInfo& ci : gi.compute_instances) {
      ordered_json item{{"id", ci.id}, {"profile_id", ci.profile_id}, {"start", ci.placement.start},
                        {"size", ci.placement.size}, {"uuid", ci.uuid}};
      if (!ci.uuid.empty()) {
        const engines::ContainerDeviceArgs args = engines::ContainerArgsForMig(ci.uuid);
        item["docker"] = args.docker;
        item["cdi"] = args.cdi;
      }
      cis.push_back(std::move(item));
    }
    instances.push_back({{"id", gi.id},
                         {"profile", gi.profile >= 0 ? ordered_json(ProfileName(d, gi.profile, gi.profile_id))
                                                     : ordered_json(nullptr)},
                         {"profile_id", gi.profile_id},
                         {"start", gi.placement.start},
                         {"size", gi.placement.size},
                         {"compute_instances", cis}});
  }
  ordered_json mig = nullptr;
  if (d.mig) mig = {{"current", d.mig->current}, {"pending", d.mig->pending}};
  return ordered_json{{"index", d.index},
                      {"name", d.name},
                      {"model", d.model != nullptr ? ordered_json(d.model->name) : ordered_json(nullptr)},
                      {"uuid", d.uuid},
                      {"pci_bus_id", d.pci_bus_id},
                      {"pci_device_id", geometry::FormatPciDeviceId(d.pci_device_id)},
                      {"memory_total_mib", d.memory_total_mib},
                      {"memory_used_mib", d.memory_used_mib},
                      {"mig", mig},
                      {"profiles", profiles},
                      {"gpu_instances", instances}};
}

void PrintGpu(std::ostream& out, const GpuReport& report) {
  const DeviceInfo& d = report.device;
  out << "GPU " << d.index << ": " << d.name << " (" << (d.model != nullptr ? d.model->name : "not in the catalog")
      << ")\n"
      << "  UUID " << d.uuid << ", PCI " << d.pci_bus_id << ", device id "
      << geometry::FormatPciDeviceId(d.pci_device_id) << "\n"
      << "  memory " << d.memory_total_mib << " MiB (" << d.memory_used_mib << " MiB used), MIG mode "
      << MigText(d.mig) << "\n";
  if (!d.mig) return;
  out << "\n";
  TextTable profiles({"  PROFILE", "ID", "COMPUTE", "MEMORY MIB", "MAX", "FREE", "PLACEMENTS"});
  for (const GiProfileInfo& p : report.profiles) {
    profiles.AddRow({"  " + ProfileName(d, p.profile, p.id), std::to_string(p.id), std::to_string(p.slice_count),
                     std::to_string(p.memory_mib), std::to_string(p.instance_count),
                     std::to_string(p.remaining_count), PlacementsText(p.placements)});
  }
  profiles.Print(out);
  out << "\n";
  if (!d.mig->current) {
    out << "  no GPU instances while MIG mode is disabled\n";
    return;
  }
  if (report.instances.empty()) {
    out << "  no GPU instances\n";
    return;
  }
  TextTable instances({"  GI", "PROFILE", "PLACEMENT", "COMPUTE INSTANCES"});
  for (const GpuInstanceInfo& gi : report.instances) {
    std::vector<std::string> cis;
    for (const nvml::ComputeInstanceInfo& ci : gi.compute_instances) {
      cis.push_back("CI " + std::to_string(ci.id) + " (profile " + std::to_string(ci.profile_id) + ", " +
                    std::to_string(ci.placement.start) + ":" + std::to_string(ci.placement.size) + ") " + ci.uuid);
    }
    instances.AddRow({"  " + std::to_string(gi.id), ProfileName(d, gi.profile, gi.profile_id),
                      std::to_string(gi.placement.start) + ":" + std::to_string(gi.placement.size),
                      cis.empty() ? "none" : Join(cis, "; ")});
  }
  instances.Print(out);
  // What a plain container is given to see each instance (docs/cli.md).
  bool heading = false;
  for (const GpuInstanceInfo& gi : report.instances) {
    for (const nvml::ComputeInstanceInfo& ci : gi.compute_instances) {
      if (ci.uuid.empty()) continue;
      if (!heading) out << "\n  containers:\n";
      heading = true;
      const engines::ContainerDeviceArgs args = engines::ContainerArgsForMig(ci.uuid);
      out << "    GI " << gi.id << " " << ProfileName(d, gi.profile, gi.profile_id) << ": docker run " << args.docker
          << " IMAGE | podman run " << args.cdi << " IMAGE\n";
    }
  }
}

}  // namespace

// The fake NVML library is built beside the migsched executable; its real
// path makes the printed command work as it is. A placeholder elsewhere.
std::string FakeNvmlLibraryPath() {
  std::error_code error;
  const std::filesystem::path library =
      std::filesystem::read_symlink("/proc/self/exe", error).parent_path() / "libmigsched-fake-nvml.so";
  if (!error && std::filesystem::exists(library, error)) return library.string();
  return "<build>/libmigsched-fake-nvml.so";
}

int RunFakeNvmlInit(const CommandContext& context, const std::string& state_path, const std::string& gpus) {
  // A fake machine has at most 64 GPUs of a model (NewFakeState).
  Result<std::vector<ModelCount>> list = ParseModelCounts(gpus, "--gpus list", 64);
  if (!list.has_value()) {
    context.err << "migsched: " << list.error().message() << "\n";
    return kExitBadInput;
  }
  std::vector<std::pair<std::string, int>> counts;
  for (const ModelCount& item : *list) counts.emplace_back(item.model, static_cast<int>(item.count));
  Result<nvml::fake::FakeState> state = nvml::fake::NewFakeState(context.catalog, counts);
  if (!state.has_value()) {
    context.err << "migsched: " << state.error().message() << "\n";
    return kExitBadInput;
  }
  const Status written = nvml::fake::WriteFakeStateAtomically(*state, state_path);
  if (!written.ok()) {
    context.err << "migsched: " << written.message() << "\n";
    return kExitBadInput;
  }
  if (context.json) {
    ordered_json out = ordered_json::array();
    for (size_t i = 0; i < state->gpus.size(); ++i) {
      out.push_back({{"index", i}, {"model", state->gpus[i].model}, {"uuid", state->gpus[i].uuid}});
    }
    context.out << ordered_json{{"state", state_path}, {"library", FakeNvmlLibraryPath()}, {"gpus", out}}.dump(2)
                << "\n";
    return kExitOk;
  }
  std::vector<std::string> summary;
  for (const auto& [name, count] : *list) summary.push_back(std::to_string(count) + " x " + name);
  context.out << "wrote " << state_path << ": " << Join(summary, ", ")
              << " (MIG mode on, no instances)\n"
              << "use it: MIGSCHED_NVML_LIBRARY=" << FakeNvmlLibraryPath() << " "
              << nvml::fake::kStateEnv << "=" << state_path << " migsched nvml-info\n";
  return kExitOk;
}

int RunNvmlInfo(const CommandContext& context) {
  Result<std::unique_ptr<nvml::NvmlSession>> opened = nvml::NvmlSession::Open(context.catalog);
  if (!opened.has_value()) {
    context.err << "migsched: " << opened.error().message() << "\n";
    return kExitBadInput;
  }
  const nvml::NvmlSession& session = **opened;
  Result<std::string> driver = session.DriverVersion();
  Result<unsigned> count = session.DeviceCount();
  std::vector<GpuReport> reports;
  Status status = !driver.has_value() ? driver.error() : !count.has_value() ? count.error() : Status::Ok();
  for (unsigned i = 0; status.ok() && i < *count; ++i) {
    Result<GpuReport> report = ReadGpu(session, i);
    if (report.has_value()) {
      reports.push_back(std::move(report).value());
    } else {
      status = report.error();
    }
  }
  if (!status.ok()) {
    context.err << "migsched: " << status.message() << "\n";
    return kExitBadInput;
  }
  if (context.json) {
    ordered_json gpus = ordered_json::array();
    for (const GpuReport& report : reports) gpus.push_back(GpuJson(report));
    context.out << ordered_json{{"library", session.library_path()}, {"driver_version", *driver}, {"gpus", gpus}}.dump(2)
                << "\n";
    return kExitOk;
  }
  context.out << "NVML " << session.library_path() << ", driver " << *driver << ", " << *count << " GPU"
              << (*count == 1 ? "" : "s") << "\n";
  for (const GpuReport& report : reports) {
    context.out << "\n";
    PrintGpu(context.out, report);
  }
  return kExitOk;
}

void AddNvmlCommands(CLI::App& app, ChosenCommand& chosen) {
  CLI::App* fake = app.add_subcommand("fake-nvml", "the fake NVML library's state (for tests and demos)");
  fake->require_subcommand(1);
  auto state = std::make_shared<std::string>();
  auto gpus = std::make_shared<std::string>();
  CLI::App* init = fake->add_subcommand("init", "create a fake machine: GPUs in MIG mode, no instances");
  init->add_option("--state", *state, "state file to write (MIGSCHED_FAKE_NVML_STATE)")->required();
  init->add_option("--gpus", *gpus, "MODEL:COUNT[,MODEL:COUNT...], e.g. A100-40GB:2,H100-80GB:1")->required();
  init->callback([&chosen, state, gpus] {
    chosen = [state, gpus](const CommandContext& c) { return RunFakeNvmlInit(c, *state, *gpus); };
  });

  CLI::App* info = app.add_subcommand("nvml-info", "what NVML reports about this machine's GPUs (read-only)");
  info->callback([&chosen] { chosen = [](const CommandContext& c) { return RunNvmlInfo(c); }; });
}

}  // namespace migsched::cli
