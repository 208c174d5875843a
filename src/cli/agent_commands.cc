#include "cli/agent_commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "agent/apply.h"
#include "agent/journal.h"
#include "mig_parted/node_export.h"
#include "mig_parted/node_targets.h"
#include "agent/nvml_node.h"
#include "agent/plan_target.h"
#include "cli/cli.h"
#include "common/check.h"
#include "common/names.h"
#include "fleet/fleet.h"
#include "mig_parted/config_reader.h"
#include "plan/plan_json.h"

namespace migsched::cli {
namespace {

using nlohmann::ordered_json;

int ExitFor(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kNotFound
             ? kExitBadInput
             : kExitNo;
}

int Fail(const CommandContext& context, const Status& status) {
  context.err << "migsched: " << status.message() << "\n";
  return ExitFor(status);
}

const geometry::GpuModel& ModelOf(const std::vector<agent::ObservedGpu>& gpus, int index) {
  const auto gpu = std::find_if(gpus.begin(), gpus.end(),
                                [&](const agent::ObservedGpu& g) { return g.index == index; });
  MIGSCHED_CHECK(gpu != gpus.end());  // ops and kept instances come from these GPUs
  return *gpu->model;
}

ordered_json OpJson(const std::vector<agent::ObservedGpu>& gpus, const agent::Op& op) {
  ordered_json out{{"gpu", op.gpu}, {"op", std::string(geometry::MigOpKindName(op.kind))}};
  if (geometry::IsMigModeOp(op.kind)) return out;
  const geometry::GpuModel& model = ModelOf(gpus, op.gpu);
  out["profile"] = model.profiles[static_cast<size_t>(op.instance.profile)].name;
  out["start"] = op.instance.placement.start;
  if (op.kind == geometry::MigOpKind::kCreateCi || op.kind == geometry::MigOpKind::kDestroyCi) {
    out["ci_profile"] = op.ci_profile_id;
  }
  return out;
}

ordered_json OpsJson(const std::vector<agent::ObservedGpu>& gpus,
                     const std::vector<agent::ExecutedOp>& ops) {
  ordered_json out = ordered_json::array();
  for (const agent::ExecutedOp& e : ops) out.push_back(OpJson(gpus, e.op));
  return out;
}

void PrintReport(const CommandContext& context, const agent::ApplyReport& report,
                 const ApplyArgs& args, const std::string& what) {
  std::vector<agent::ExecutedOp> planned;
  for (size_t i = 0; i < report.plan.ops.size(); ++i) {
    planned.push_back(agent::ExecutedOp{.op = report.plan.ops[i], .description = report.planned[i]});
  }
  const std::vector<agent::ExecutedOp>& changes = args.dry_run ? planned : report.executed;
  if (context.json) {
    ordered_json kept = ordered_json::array();
    for (const agent::KeptInstance& k : report.plan.kept) {
      kept.push_back({{"gpu", k.gpu},
                      {"profile", ModelOf(report.gpus, k.gpu).profiles[static_cast<size_t>(k.instance.profile)].name},
                      {"start", k.instance.placement.start}});
    }
    ordered_json out{{"target", what},
                     {"dry_run", args.dry_run},
                     {"changed", !changes.empty() || !report.recovery.empty()},
                     {"operations", OpsJson(report.gpus, changes)},
                     {"kept", kept}};
    if (report.journal_abandoned) {
      out["abandoned"] = {{"journal", args.journal},
                          {"ops_done_before", report.journal_ops_done},
                          {"ops_total", report.journal_ops_total}};
    } else if (report.journal_found) {
      out["recovered"] = {{"journal", args.journal},
                          {"ops_done_before", report.journal_ops_done},
                          {"ops_total", report.journal_ops_total},
                          {"operations", OpsJson(report.gpus, report.recovery)}};
    }
    context.out << out.dump(2) << "\n";
    return;
  }
  if (report.journal_abandoned) {
    context.out << "abandoned the interrupted apply in " << args.journal << " (" << report.journal_ops_done
                << " of " << report.journal_ops_total << " operations had been done)\n";
  } else if (report.journal_found) {
    if (args.dry_run) {
      context.out << "an interrupted apply left " << args.journal << " (" << report.journal_ops_done
                  << " of " << report.journal_ops_total << " operations done); a real run finishes it first\n";
    } else {
      context.out << "finished the interrupted apply in " << args.journal << " ("
                  << report.journal_ops_done << " of " << report.journal_ops_total
                  << " operations had been done): " << report.recovery.size() << " operations\n";
      for (const agent::ExecutedOp& e : report.recovery) context.out << "  " << e.description << "\n";
    }
  }
  if (changes.empty()) {
    context.out << "GPUs already match " << what << " (" << report.plan.kept.size()
                << " instances kept); nothing to do\n";
    return;
  }
  context.out << (args.dry_run ? "would apply " : "applied ") << what << ": " << changes.size()
              << " operations, " << report.plan.kept.size() << " instances kept\n";
  for (const agent::ExecutedOp& e : changes) context.out << "  " << e.description << "\n";
}

}  // namespace

int RunApply(const CommandContext& context, const ApplyArgs& args) {
  const bool by_config = !args.config_file.empty() || !args.config_name.empty();
  const bool by_plan = !args.plan_file.empty() || !args.node.empty();
  if (by_config == by_plan || (by_config && (args.config_file.empty() || args.config_name.empty())) ||
      (by_plan && (args.plan_file.empty() || args.node.empty()))) {
    return Fail(context, InvalidArgumentError(
                             "apply needs either -f CONFIG.yaml -c NAME or --plan plan.json --node NAME"));
  }
  agent::TargetFunction targets;
  std::string what;
  if (by_config) {
    Result<mig_parted::File> file = mig_parted::ReadMigPartedFile(args.config_file);
    if (!file.has_value()) return Fail(context, file.error());
    Result<const mig_parted::Config*> config = file->Find(args.config_name);
    if (!config.has_value()) return Fail(context, config.error());
    targets = [config = **config](const std::vector<agent::ObservedGpu>& gpus) {
      return mig_parted::TargetsFromMigParted(config, gpus);
    };
    what = "config '" + args.config_name + "'";
  } else {
    const Result<plan::PlanDocument> plan = plan::ReadPlanJsonFile(context.catalog, args.plan_file);
    if (!plan.has_value()) return Fail(context, plan.error());
    Result<std::vector<fleet::FleetGpu>> planned = agent::PlannedGpusOfNode(plan->gpus, args.node);
    if (!planned.has_value()) return Fail(context, planned.error().WithPrefix(args.plan_file));
    targets = [planned = *planned](const std::vector<agent::ObservedGpu>& gpus) {
      return agent::TargetsFromPlan(planned, gpus);
    };
    what = "the plan for node '" + args.node + "'";
  }
  Result<std::unique_ptr<nvml::NvmlSession>> session = nvml::NvmlSession::Open(context.catalog);
  if (!session.has_value()) return Fail(context, session.error());
  const Result<agent::ApplyReport> report = agent::Apply(
      **session, context.catalog, targets,
      agent::ApplyOptions{.force = args.force,
                          .dry_run = args.dry_run,
                          .abandon_journal = args.abandon_journal,
                          .journal_path = args.journal,
                          .lock_wait = args.wait ? agent::LockWait::kWait : agent::LockWait::kFail,
                          .waiting = [&context](std::string_view line) { context.err << "migsched: " << line << "\n"; }});
  if (!report.has_value()) return Fail(context, report.error());
  PrintReport(context, *report, args, what);
  return kExitOk;
}

// A difference for programs: what differs as fields, the line for people as `text`.
ordered_json DifferenceJson(const mig_parted::Difference& d) {
  using Kind = mig_parted::Difference::Kind;
  if (d.kind == Kind::kMigMode) {
    return {{"gpu", d.gpu},
            {"kind", "mig_mode"},
            {"mig_enabled", d.has == 1},
            {"wants_mig_enabled", d.wants == 1},
            {"text", d.text}};
  }
  ordered_json item{{"gpu", d.gpu}};
  if (d.kind == Kind::kComputeInstances) {
    item["kind"] = "compute_instances";
    item["instance"] = d.instance;
  } else {
    item["kind"] = "profile_count";
    item["profile"] = d.profile;
  }
  item["has"] = d.has;
  item["wants"] = d.wants;
  item["text"] = d.text;
  return item;
}

int RunAssert(const CommandContext& context, const std::string& config_file,
              const std::string& config_name) {
  Result<mig_parted::File> file = mig_parted::ReadMigPartedFile(config_file);
  if (!file.has_value()) return Fail(context, file.error());
  Result<const mig_parted::Config*> config = file->Find(config_name);
  if (!config.has_value()) return Fail(context, config.error());
  Result<std::unique_ptr<nvml::NvmlSession>> session = nvml::NvmlSession::Open(context.catalog);
  if (!session.has_value()) return Fail(context, session.error());
  Result<std::vector<agent::ObservedGpu>> gpus = agent::ObserveNode(**session);
  if (!gpus.has_value()) return Fail(context, gpus.error());
  Result<std::vector<mig_parted::Difference>> differences = mig_parted::CompareWithMigParted(**config, *gpus);
  if (!differences.has_value()) return Fail(context, differences.error());
  if (context.json) {
    ordered_json items = ordered_json::array();
    for (const mig_parted::Difference& d : *differences) items.push_back(DifferenceJson(d));
    context.out << ordered_json{{"config", config_name}, {"match", differences->empty()}, {"differences", items}}
                       .dump(2)
                << "\n";
  } else if (differences->empty()) {
    context.out << "GPUs match config '" << config_name << "'\n";
  } else {
    context.out << "GPUs do not match config '" << config_name << "':\n";
    for (const mig_parted::Difference& d : *differences) context.out << "  " << d.text << "\n";
  }
  return differences->empty() ? kExitOk : kExitNo;
}

int RunExport(const CommandContext& context, const std::string& config_name) {
  // The name becomes a YAML key that apply and assert read back.
  if (const Status name = CheckHostName(config_name, "--config-name"); !name.ok()) return Fail(context, name);
  Result<std::unique_ptr<nvml::NvmlSession>> session = nvml::NvmlSession::Open(context.catalog);
  if (!session.has_value()) return Fail(context, session.error());
  Result<std::vector<agent::ObservedGpu>> gpus = agent::ObserveNode(**session);
  if (!gpus.has_value()) return Fail(context, gpus.error());
  context.out << mig_parted::ExportMigParted(*gpus, config_name);
  return kExitOk;
}

void AddAgentCommands(CLI::App& app, ChosenCommand& chosen) {
  auto apply_args = std::make_shared<ApplyArgs>();
  apply_args->journal = agent::kDefaultJournalPath;
  CLI::App* apply = app.add_subcommand(
      "apply", "make this machine's GPUs match a mig-parted config or a plan (through NVML)");
  apply->add_option("-f,--config-file", apply_args->config_file, "mig-parted config (version: v1)");
  apply->add_option("-c,--selected-config", apply_args->config_name, "the named config to apply");
  apply->add_option("--plan", apply_args->plan_file, "plan.json written by the planner");
  apply->add_option("--node", apply_args->node, "this machine's node name in the plan");
  apply->add_flag("--force", apply_args->force, "destroy instances even with running processes");
  apply->add_flag("--dry-run", apply_args->dry_run, "print the operations without doing them");
  apply->add_option("--journal", apply_args->journal, "write-ahead journal file")
      ->capture_default_str();
  apply->add_flag("--wait", apply_args->wait, "wait for another apply on this node instead of failing");
  apply->add_flag("--abandon-journal", apply_args->abandon_journal,
                  "remove an interrupted apply's journal without finishing it, then apply");
  apply->callback([&chosen, apply_args] {
    chosen = [apply_args](const CommandContext& c) { return RunApply(c, *apply_args); };
  });

  auto assert_args = std::make_shared<ApplyArgs>();
  CLI::App* assert_cmd = app.add_subcommand(
      "assert", "do this machine's GPUs match a mig-parted config? (exit 0 yes, 1 no)");
  assert_cmd->add_option("-f,--config-file", assert_args->config_file, "mig-parted config")->required();
  assert_cmd->add_option("-c,--selected-config", assert_args->config_name, "the named config")->required();
  assert_cmd->callback([&chosen, assert_args] {
    chosen = [assert_args](const CommandContext& c) {
      return RunAssert(c, assert_args->config_file, assert_args->config_name);
    };
  });

  auto export_name = std::make_shared<std::string>("current");
  CLI::App* export_cmd = app.add_subcommand(
      "export", "this machine's MIG state as a mig-parted config (re-read by apply/assert)");
  export_cmd->add_option("--config-name", *export_name, "name of the config written")
      ->capture_default_str();
  export_cmd->callback([&chosen, export_name] {
    chosen = [export_name](const CommandContext& c) { return RunExport(c, *export_name); };
  });
}

}  // namespace migsched::cli
