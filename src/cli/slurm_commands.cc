#include "cli/slurm_commands.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/server_client.h"
#include "cli/slurm_gres_sources.h"
#include "common/names.h"
#include "engines/mig_device_files.h"
#include "engines/slurm_gres_writer.h"
#include "nvml/nvml_session.h"
#include "slurm/dynamic_conf.h"
#include "slurm/task_prolog.h"

namespace migsched::cli {
namespace {

using nlohmann::ordered_json;

struct GresArgs {
  std::string node;
  engines::SlurmTypeStyle style = engines::SlurmTypeStyle::kAutodetect;
  std::string dev_root{engines::kDevRoot};
  ServerArgs server;
};

// slurmd's node name when slurm.conf gives none: the host name up to its first dot.
std::string ShortHostName() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  const std::string host = name;
  return host.substr(0, host.find('.'));
}

int Fail(const CommandContext& context, const Status& status) {
  context.err << "migsched: " << status.message() << "\n";
  return status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kNotFound ? kExitBadInput
                                                                                                  : kExitNo;
}

Result<std::vector<engines::SlurmNodeGres>> CollectNodes(const CommandContext& context, const GresArgs& args,
                                                         bool from_server) {
  if (from_server) {
    const Result<nlohmann::json> fleet = CallServer(args.server, "GET", "/v1/fleet");
    if (!fleet.has_value()) return fleet.error();
    return SlurmNodesFromFleetJson(*fleet, context.catalog, args.node, args.style);
  }
  // The name goes unquoted into NodeName= lines: a space, '=' or newline would change slurm.conf.
  const std::string node_name = args.node.empty() ? ShortHostName() : args.node;
  MIGSCHED_RETURN_IF_ERROR(CheckHostName(node_name, args.node.empty() ? "host name" : "--node"));
  Result<std::unique_ptr<nvml::NvmlSession>> session = nvml::NvmlSession::Open(context.catalog);
  if (!session.has_value()) return session.error();
  Result<engines::SlurmNodeGres> node = SlurmNodeFromNvml(**session, node_name, args.style);
  if (!node.has_value()) return node.error();
  return std::vector<engines::SlurmNodeGres>{std::move(node).value()};
}

// The nodes with every device file moved from /dev to `dev_root`.
Result<std::vector<engines::SlurmNodeGres>> UnderDevRoot(std::vector<engines::SlurmNodeGres> nodes,
                                                         const std::string& dev_root) {
  for (engines::SlurmNodeGres& node : nodes) {
    for (engines::SlurmGresDevice& device : node.devices) {
      for (std::string& file : device.files) {
        Result<std::string> moved = engines::UnderDevRoot(file, dev_root);
        if (!moved.has_value()) return moved.error();
        file = std::move(moved).value();
      }
    }
  }
  return nodes;
}

void PrintJson(const CommandContext& context, const GresArgs& args,
               const std::vector<engines::SlurmNodeGres>& nodes) {
  ordered_json out{{"type_style", args.style == engines::SlurmTypeStyle::kAutodetect ? "autodetect" : "profile"},
                   {"nodes", ordered_json::array()}};
  for (const engines::SlurmNodeGres& node : nodes) {
    ordered_json devices = ordered_json::array();
    for (const engines::SlurmGresDevice& d : node.devices) {
      devices.push_back({{"gpu", d.gpu}, {"type", d.type}, {"what", d.what}, {"files", d.files}});
    }
    out["nodes"].push_back({{"name", node.node},
                            {"gres", engines::GresString(node.devices)},
                            {"devices", std::move(devices)},
                            {"notes", node.notes}});
  }
  context.out << out.dump(2) << "\n";
}

int RunSlurmGres(const CommandContext& context, const GresArgs& args, bool from_server) {
  const Result<std::vector<engines::SlurmNodeGres>> nodes =
      CollectNodes(context, args, from_server).and_then([&args](std::vector<engines::SlurmNodeGres> collected) {
        return UnderDevRoot(std::move(collected), args.dev_root);
      });
  if (!nodes.has_value()) return Fail(context, nodes.error());
  if (context.json) {
    PrintJson(context, args, *nodes);
    return kExitOk;
  }
  context.out << "# gres.conf\n"
              << engines::WriteGresConfLines(*nodes) << "# slurm.conf\n"
              << engines::WriteNodeGresLines(*nodes);
  return kExitOk;
}

int RunDynamicConf(const CommandContext& context, const ServerArgs& server, const std::string& task_prolog) {
  const Result<nlohmann::json> fleet = CallServer(server, "GET", "/v1/fleet");
  if (!fleet.has_value()) return Fail(context, fleet.error());
  std::vector<std::vector<const geometry::GpuModel*>> nodes;
  for (const nlohmann::json& node : fleet->value("nodes", nlohmann::json::array())) {
    std::vector<const geometry::GpuModel*>& gpus = nodes.emplace_back();
    for (const nlohmann::json& gpu : node.value("gpus", nlohmann::json::array())) {
      const Result<const geometry::GpuModel*> model = context.catalog.Find(gpu.value("model", ""));
      if (!model.has_value()) return Fail(context, model.error());
      gpus.push_back(*model);
    }
  }
  if (nodes.empty()) {
    return Fail(context, FailedPreconditionError("the server's fleet has no nodes yet (start their agents first)"));
  }
  const engines::SlurmTypeTable types(context.catalog, engines::SlurmTypeStyle::kAutodetect);
  context.out << slurm::DynamicSlurmConf(types, nodes, task_prolog);
  return kExitOk;
}

int RunTaskProlog(const CommandContext& context, double timeout_s) {
  const char* job = std::getenv("SLURM_JOB_ID");
  if (job == nullptr || *job == '\0') {
    context.err << "migsched: slurm task-prolog: SLURM_JOB_ID is not set (run it as slurm.conf's TaskProlog)\n";
    return kExitBadInput;
  }
  Result<std::string> exports =
      slurm::TaskPrologExports(job, std::chrono::milliseconds(static_cast<std::int64_t>(timeout_s * 1000)));
  if (!exports.has_value()) {
    // Slurm shows a TaskProlog's "print" lines in the task's output.
    context.out << "print migsched: " << exports.error().message() << "\n";
    return kExitNo;
  }
  context.out << *exports;
  return kExitOk;
}

}  // namespace

CLI::Option* AddSlurmTypeStyleOption(CLI::App* command, const std::string& name, engines::SlurmTypeStyle& style) {
  return command
      ->add_option_function<std::string>(
          name,
          [&style](const std::string& text) {
            const Result<engines::SlurmTypeStyle> parsed = engines::ParseSlurmTypeStyle(text);
            if (!parsed.has_value()) throw CLI::ValidationError(parsed.error().message());
            style = *parsed;
          },
          "GRES types: autodetect (as Slurm's NVML AutoDetect names them, e.g. a100_3g.39gb; default) or "
          "profile (bare profile names, e.g. 3g.40gb)")
      ->type_name("STYLE");
}

void AddSlurmCommands(CLI::App& app, ChosenCommand& chosen) {
  CLI::App* slurm = app.add_subcommand("slurm", "SLURM configuration from the live MIG layout");
  slurm->require_subcommand(1);

  auto args = std::make_shared<GresArgs>();
  CLI::App* gres = slurm->add_subcommand("gres", "print a node's gres.conf lines and slurm.conf Gres= string");
  gres->fallthrough();  // the global --json may follow the subcommand
  gres->add_option("--node", args->node,
                   "node name (default: this host's short name); with --server, only this node (default: all)");
  AddSlurmTypeStyleOption(gres, "--type-style", args->style);
  gres->add_option("--dev-root", args->dev_root,
                   "absolute directory that stands for /dev in the device files (default: /dev), e.g. a "
                   "tree of fake device files for a test cluster")
      ->type_name("DIR");
  AddServerOptions(gres, args->server);
  gres->callback([&chosen, args, gres] {
    const bool from_server = gres->count("--server") > 0;
    chosen = [args, from_server](const CommandContext& c) { return RunSlurmGres(c, *args, from_server); };
  });

  auto conf_server = std::make_shared<ServerArgs>();
  auto task_prolog = std::make_shared<std::string>("/etc/slurm/migsched-task-prolog");
  CLI::App* conf = slurm->add_subcommand(
      "dynamic-conf", "print the slurm.conf lines for dynamic MIG (migsched serve --slurm) for a server's fleet");
  conf->add_option("--task-prolog", *task_prolog, "path of the TaskProlog script that runs `migsched slurm task-prolog`")
      ->capture_default_str();
  AddServerOptions(conf, *conf_server);
  conf->callback([&chosen, conf_server, task_prolog] {
    chosen = [conf_server, task_prolog](const CommandContext& c) { return RunDynamicConf(c, *conf_server, *task_prolog); };
  });

  auto timeout_s = std::make_shared<double>(60);
  CLI::App* prolog = slurm->add_subcommand(
      "task-prolog", "slurm.conf TaskProlog for dynamic MIG: export the job's MIG device as CUDA_VISIBLE_DEVICES");
  prolog->add_option("--timeout", *timeout_s, "seconds to wait for migsched serve --slurm to bind a device")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  prolog->callback([&chosen, timeout_s] {
    chosen = [timeout_s](const CommandContext& c) { return RunTaskProlog(c, *timeout_s); };
  });
}

}  // namespace migsched::cli
