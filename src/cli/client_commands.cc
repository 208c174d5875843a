#include "cli/client_commands.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/server_client.h"
#include "cli/text_table.h"
#include "engines/container_devices.h"

namespace migsched::cli {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

struct SubmitArgs {
  std::string name, tenant, kind, profile, model;
  std::int64_t memory_mib = 0;
  int priority = 0, gpus = 0, min_compute_slices = 0;
};

int Fail(const CommandContext& context, const Status& status) {
  context.err << "migsched: " << status.message() << "\n";
  return status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kNotFound ? kExitBadInput
                                                                                                  : kExitNo;
}

std::string Text(const json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

void PrintJobs(const CommandContext& context, const json& jobs) {
  TextTable table({"ID", "NAME", "TENANT", "STATE", "NODE", "GPU", "PROFILE", "MIG UUID", "REASON"});
  for (const json& job : jobs) {
    table.AddRow({Text(job["id"]), Text(job["name"]), Text(job["tenant"]), Text(job["state"]), Text(job["node"]),
                  Text(job["gpu"]), Text(job["profile"]), Text(job["mig_uuid"]), Text(job["reason"])});
  }
  table.Print(context.out);
}

// A job on a MIG device: how a plain container gets that device.
void PrintContainerArgs(const CommandContext& context, const json& job) {
  if (!job.contains("mig_uuid") || !job["mig_uuid"].is_string()) return;
  const engines::ContainerDeviceArgs args = engines::ContainerArgsForMig(job["mig_uuid"].get<std::string>());
  context.out << "docker run " << args.docker << " IMAGE\npodman run " << args.cdi << " IMAGE   (CDI)\n";
}

int Show(const CommandContext& context, const Result<json>& answer,
         const std::function<void(const json&)>& print) {
  if (!answer.has_value()) return Fail(context, answer.error());
  if (context.json) {
    context.out << answer->dump(2) << "\n";
  } else {
    print(*answer);
  }
  return kExitOk;
}

// The live fleet as a planner fleet file: each node with its GPUs and their
// current instances (busy ones named after their jobs), so `migsched plan`
// works on real inventory.
std::string FleetYaml(const json& fleet) {
  std::string out = "# The live fleet of a migsched server (migsched fleet export).\nnodes:\n";
  for (const json& node : fleet["nodes"]) {
    std::map<std::string, int> models;
    std::vector<std::string> order;
    for (const json& gpu : node["gpus"]) {
      const std::string model = gpu["model"].get<std::string>();
      if (models[model]++ == 0) order.push_back(model);
    }
    out += "  - name: " + json(node["name"]).dump() + "\n    gpus: [";
    for (std::size_t i = 0; i < order.size(); ++i) {
      out += (i ? ", " : "") + std::string("{model: ") + order[i] + ", count: " + std::to_string(models[order[i]]) + "}";
    }
    out += "]\n    current:\n";
    for (const json& gpu : node["gpus"]) {
      out += "      - gpu: " + Text(gpu["index"]) + "\n";
      if (!gpu["mig_enabled"].get<bool>()) out += "        mig_enabled: false\n";
      out += "        instances:";
      if (gpu["instances"].empty()) out += " []";
      out += "\n";
      for (const json& i : gpu["instances"]) {
        out += "          - {profile: " + Text(i["profile"]) + ", start: " + Text(i["start"]);
        if (!i["job"].is_null()) out += ", workload: job-" + Text(i["job"]) + ", busy: true";
        out += "}\n";
      }
    }
  }
  return out;
}

}  // namespace

void AddClientCommands(CLI::App& app, ChosenCommand& chosen) {
  CLI::App* jobs = app.add_subcommand("jobs", "submit, list, inspect and cancel jobs on a migsched server");
  jobs->require_subcommand(1);

  auto submit_server = std::make_shared<ServerArgs>();
  auto submit_args = std::make_shared<SubmitArgs>();
  CLI::App* submit = jobs->add_subcommand("submit", "submit a job (idempotent per tenant and name)");
  AddServerOptions(submit, *submit_server);
  submit->add_option("--name", submit_args->name, "job name: the idempotency key within its tenant")->required();
  submit->add_option("--tenant", submit_args->tenant, "tenant");
  submit->add_option("--priority", submit_args->priority, "higher runs first");
  submit->add_option("--kind", submit_args->kind, "inference or training");
  auto* memory = submit->add_option("--memory-mib", submit_args->memory_mib, "memory need: right-sized to a profile");
  auto* profile = submit->add_option("--profile", submit_args->profile, "an exact MIG profile, e.g. 3g.40gb");
  auto* gpus = submit->add_option("--gpus", submit_args->gpus, "a gang of N whole GPUs");
  memory->excludes(profile)->excludes(gpus);
  profile->excludes(gpus);
  submit->add_option("--min-compute-slices", submit_args->min_compute_slices, "compute slices at least");
  submit->add_option("--model", submit_args->model, "only this GPU model");
  submit->callback([&chosen, submit_server, submit_args, memory, profile, gpus] {
    chosen = [=](const CommandContext& c) {
      ordered_json body{{"name", submit_args->name}};
      if (!submit_args->tenant.empty()) body["tenant"] = submit_args->tenant;
      if (submit_args->priority != 0) body["priority"] = submit_args->priority;
      if (!submit_args->kind.empty()) body["kind"] = submit_args->kind;
      if (memory->count() > 0) body["memory_mib"] = submit_args->memory_mib;
      if (profile->count() > 0) body["profile"] = submit_args->profile;
      if (gpus->count() > 0) body["gpus"] = submit_args->gpus;
      if (submit_args->min_compute_slices > 0) body["min_compute_slices"] = submit_args->min_compute_slices;
      if (!submit_args->model.empty()) body["model"] = submit_args->model;
      return Show(c, CallServer(*submit_server, "POST", "/v1/jobs", body.dump()),
                  [&](const json& job) { PrintJobs(c, json::array({job})); });
    };
  });

  auto list_server = std::make_shared<ServerArgs>();
  auto list_state = std::make_shared<std::string>();
  CLI::App* list = jobs->add_subcommand("list", "list jobs");
  AddServerOptions(list, *list_server);
  list->add_option("--state", *list_state, "queued, starting, running, finished or failed");
  list->callback([&chosen, list_server, list_state] {
    chosen = [=](const CommandContext& c) {
      const std::string path = list_state->empty() ? "/v1/jobs" : "/v1/jobs?state=" + *list_state;
      return Show(c, CallServer(*list_server, "GET", path), [&](const json& answer) { PrintJobs(c, answer["jobs"]); });
    };
  });

  for (const std::string verb : {"get", "cancel"}) {
    auto server = std::make_shared<ServerArgs>();
    auto id = std::make_shared<std::uint64_t>(0);
    CLI::App* command =
        jobs->add_subcommand(verb, verb == "get" ? "show one job" : "release a job (or cancel it while queued)");
    AddServerOptions(command, *server);
    command->add_option("id", *id, "job id")->required();
    command->callback([&chosen, server, id, verb] {
      chosen = [=](const CommandContext& c) {
        return Show(c, CallServer(*server, verb == "get" ? "GET" : "DELETE", "/v1/jobs/" + std::to_string(*id)),
                    [&](const json& job) {
                      PrintJobs(c, json::array({job}));
                      if (verb == "get") PrintContainerArgs(c, job);
                    });
      };
    });
  }

  auto fleet_server = std::make_shared<ServerArgs>();
  auto export_file = std::make_shared<std::string>();
  CLI::App* fleet = app.add_subcommand("fleet", "show a migsched server's live fleet");
  AddServerOptions(fleet, *fleet_server);
  CLI::App* fleet_export = fleet->add_subcommand("export", "write the live fleet as a planner fleet file");
  fleet_export->add_option("-o,--out", *export_file, "file to write (default: standard output)");
  fleet->callback([&chosen, fleet_server, export_file, fleet_export] {
    chosen = [=](const CommandContext& c) {
      const Result<json> answer = CallServer(*fleet_server, "GET", "/v1/fleet");
      if (fleet_export->parsed()) {
        if (!answer.has_value()) return Fail(c, answer.error());
        const std::string yaml = FleetYaml(*answer);
        if (export_file->empty()) {
          c.out << yaml;
        } else if (!(std::ofstream(*export_file) << yaml)) {
          return Fail(c, UnavailableError("cannot write " + *export_file));
        }
        return kExitOk;
      }
      return Show(c, answer, [&](const json& view) {
        TextTable table({"NODE", "HEALTHY", "GPU", "MODEL", "MIG", "USED", "IDLE", "FREE", "STRANDED", "INSTANCES"});
        for (const json& node : view["nodes"]) {
          for (const json& gpu : node["gpus"]) {
            std::string instances;
            for (const json& i : gpu["instances"]) {
              if (!instances.empty()) instances += ' ';
              instances += Text(i["profile"]) + "@" + Text(i["start"]);
              if (!i["job"].is_null()) instances += "=job-" + Text(i["job"]);
            }
            table.AddRow({Text(node["name"]), node["healthy"].get<bool>() ? "yes" : "NO", Text(gpu["index"]),
                          Text(gpu["model"]), gpu["mig_enabled"].get<bool>() ? "on" : "off", Text(gpu["held_slices"]),
                          Text(gpu["idle_slices"]), Text(gpu["free_slices"]), Text(gpu["stranded_slices"]),
                          instances.empty() ? "-" : instances});
          }
        }
        table.Print(c.out);
        const json& t = view["totals"];
        c.out << Text(t["gpus"]) << " GPUs: " << Text(t["held_slices"]) << " of " << Text(t["memory_slices"])
              << " memory slices held, " << Text(t["stranded_slices"]) << " stranded; " << Text(t["queued"])
              << " queued, " << Text(t["starting"]) << " starting, " << Text(t["running"]) << " running\n";
      });
    };
  });
}

}  // namespace migsched::cli
