#include "cli/plan_commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <map>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/alibaba_workloads.h"
#include "cli/row_issues.h"
#include "cli/cli.h"
#include "cli/slurm_commands.h"
#include "cli/text_table.h"
#include "common/model_counts.h"
#include "common/strings.h"
#include "engines/k8s_resources.h"
#include "fleet/gpu_in_use.h"
#include "mig_parted/config_writer.h"
#include "engines/slurm_gres_type.h"
#include "engines/slurm_gres_writer.h"
#include "io/costs_reader.h"
#include "io/plan_inputs.h"
#include "io/text_file.h"
#include "plan/baselines.h"
#include "plan/plan_json.h"
#include "plan/planner.h"
#include "plan/transition.h"
#include "report/costs.h"
#include "report/fleet_svg.h"

namespace migsched::cli {
namespace {

using nlohmann::ordered_json;

int BadInput(const CommandContext& context, const Status& status) {
  context.err << "migsched: " << status.message() << "\n";
  return kExitBadInput;
}

std::string Fixed(double value, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << value;
  return out.str();
}

std::string Ratio(int numerator, int denominator) {
  if (denominator == 0) return "-";
  return Fixed(static_cast<double>(numerator) / denominator, 2) + "x";
}

int UnplacedReplicas(const std::vector<plan::Unplaced>& unplaced) {
  int total = 0;
  for (const plan::Unplaced& u : unplaced) total += u.replicas;
  return total;
}

// "48 GPUs (32 H100-80GB, 16 A100-80GB) on 6 nodes".
std::string FleetLine(const fleet::Fleet& fleet) {
  std::vector<std::string> models;
  std::map<std::string, int> per_model;
  std::vector<std::string> nodes;
  for (const fleet::FleetGpu& gpu : fleet.gpus) {
    if (per_model[gpu.model->name]++ == 0) models.push_back(gpu.model->name);
    if (nodes.empty() || nodes.back() != gpu.node) nodes.push_back(gpu.node);
  }
  std::vector<std::string> parts;
  for (const std::string& m : models) parts.push_back(std::to_string(per_model[m]) + " " + m);
  return std::to_string(fleet.gpus.size()) + " GPUs (" + Join(parts, ", ") + ") on " +
         std::to_string(nodes.size()) + " nodes";
}

// One GPU's target layout in words: "3g.40gb@4 bert-large, 1g.10gb@0 (free)".
std::string LayoutText(const fleet::FleetGpu& gpu) {
  if (!gpu.mig_enabled) {
    const std::string owner = !gpu.whole_gpu_workload.empty() ? gpu.whole_gpu_workload
                              : gpu.whole_gpu_busy            ? "(no workload)"
                                                              : "(free)";
    return "MIG disabled, whole GPU: " + owner + (gpu.whole_gpu_busy ? " [busy]" : "");
  }
  if (gpu.instances.empty()) return "(no instances)";
  std::vector<const fleet::FleetInstance*> by_start;
  for (const fleet::FleetInstance& i : gpu.instances) by_start.push_back(&i);
  std::sort(by_start.begin(), by_start.end(), [](const auto* a, const auto* b) {
    return a->instance.placement.start < b->instance.placement.start;
  });
  std::vector<std::string> parts;
  for (const fleet::FleetInstance* i : by_start) {
    parts.push_back(geometry::InstanceLabel(*gpu.model, i->instance) + " " +
                    (i->workload.empty() ? std::string("(free)") : i->workload) +
                    (i->busy ? " [busy]" : ""));
  }
  return Join(parts, ", ");
}

std::string CountOf(int count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// What idle GPUs offer: whole ones (MIG disabled) are scheduled as
// nvidia.com/gpu and Slurm gpu:<model>; the others keep free MIG instances.
std::string IdleLine(const fleet::Fleet& target) {
  int whole = 0, mig = 0;
  for (const fleet::FleetGpu& gpu : target.gpus) {
    if (fleet::InUse(gpu)) continue;
    ++(gpu.mig_enabled ? mig : whole);
  }
  std::string line = CountOf(whole + mig, "GPU") + " left idle";
  if (whole + mig == 0) return line;
  std::vector<std::string> parts;
  if (whole > 0) parts.push_back(std::to_string(whole) + " whole (MIG disabled: nvidia.com/gpu, Slurm gpu:<model>)");
  if (mig > 0) parts.push_back(std::to_string(mig) + " keeping a MIG layout with free instances");
  return line + ": " + Join(parts, ", ");
}

// Per node, runs of consecutive GPUs with the same layout share a line
// ("0-3"); idle GPUs are summed up. Long fleets stop after kMaxLines.
void PrintLayouts(const fleet::Fleet& target, std::ostream& out) {
  constexpr size_t kMaxLines = 60;
  TextTable table({"NODE", "GPUS", "MODEL", "LAYOUT"});
  size_t lines = 0;
  size_t hidden = 0;
  for (size_t i = 0; i < target.gpus.size();) {
    const fleet::FleetGpu& gpu = target.gpus[i];
    const std::string text = LayoutText(gpu);
    size_t j = i + 1;
    while (j < target.gpus.size() && target.gpus[j].node == gpu.node &&
           target.gpus[j].model == gpu.model && LayoutText(target.gpus[j]) == text) {
      ++j;
    }
    if (fleet::InUse(gpu) && lines < kMaxLines) {
      const std::string range = j - i == 1 ? std::to_string(gpu.index)
                                           : std::to_string(gpu.index) + "-" +
                                                 std::to_string(target.gpus[j - 1].index);
      table.AddRow({gpu.node, range, gpu.model->name, text});
      ++lines;
    } else if (fleet::InUse(gpu)) {
      ++hidden;
    }
    i = j;
  }
  out << "\nTarget layouts (GPUs in use):\n";
  table.Print(out);
  if (hidden > 0) out << "... " << CountOf(static_cast<int>(hidden), "more line") << " (--json or --out lists every GPU)\n";
  out << IdleLine(target) << "\n";
}

void PrintBaselines(const plan::PlanResult& result,
                    const std::vector<plan::BaselineResult>& baselines, std::ostream& out) {
  out << "\nSame workloads, same fleet:\n";
  TextTable table({"STRATEGY", "GPUS", "VS MIGSCHED", "UNPLACED REPLICAS"});
  // Workloads that fit no allowed model are unplaced by every strategy;
  // baselines leave them to the plan, so add them to each row.
  int nowhere = 0;
  for (const plan::Unplaced& u : result.unplaced) {
    const auto sizing = std::find_if(result.sizing.begin(), result.sizing.end(),
                                     [&](const plan::WorkloadSizing& s) { return s.workload == u.workload; });
    if (sizing != result.sizing.end() && sizing->choices.empty()) nowhere += u.replicas;
  }
  const int ours = UnplacedReplicas(result.unplaced);
  bool incomplete = false;
  for (const plan::BaselineResult& b : baselines) {
    const int left_out = UnplacedReplicas(b.unplaced) + nowhere;
    incomplete = incomplete || left_out > ours;
    table.AddRow({b.name, std::to_string(b.gpus_used),
                  Ratio(b.gpus_used, result.gpus_used) + (left_out > ours ? "*" : ""),
                  std::to_string(left_out)});
  }
  table.AddRow({"migsched", std::to_string(result.gpus_used), "1.00x", std::to_string(ours)});
  table.AddRow({"lower bound", Fixed(result.lower_bound, 2),
                result.gpus_used == 0 ? "-"
                                      : Fixed(result.lower_bound / result.gpus_used, 2) + "x",
                "-"});
  table.Print(out);
  out << "(whole-gpu: one replica per GPU, no MIG; all-1g / all-balanced: NVIDIA's static\n"
         " presets on every GPU; ffd: first-fit-decreasing with the same right-sizing)\n";
  if (incomplete) {
    out << "* leaves more replicas unplaced than migsched: fewer GPUs, but not a usable plan\n";
  }
}

std::map<const geometry::GpuModel*, int> UsedGpusByModel(const fleet::Fleet& target) {
  std::map<const geometry::GpuModel*, int> used;
  for (const fleet::FleetGpu& gpu : target.gpus) {
    if (fleet::InUse(gpu)) ++used[gpu.model];
  }
  return used;
}

// What the plan saves against one baseline, per month: the baseline's GPUs
// per model minus the plan's.
struct Saving {
  const plan::BaselineResult* baseline = nullptr;
  int gpus = 0;
  report::CostFigures month;
};

Saving SavingAgainst(const plan::BaselineResult& baseline, const std::map<const geometry::GpuModel*, int>& ours,
                     const report::CostSheet& costs) {
  std::map<const geometry::GpuModel*, int> saved = baseline.gpus_used_by_model;
  for (const auto& [model, count] : ours) saved[model] -= count;
  Saving saving{.baseline = &baseline, .gpus = 0, .month = {}};
  for (const auto& [model, count] : saved) saving.gpus += count;
  saving.month = report::CostOfGpus(costs, saved, report::kHoursPerMonth);
  return saving;
}

// Against whole-GPU allocation and against the better static preset: the one
// that leaves fewest replicas unplaced, then uses fewest GPUs.
std::vector<Saving> Savings(const plan::PlanResult& result, const std::vector<plan::BaselineResult>& baselines,
                            const report::CostSheet& costs) {
  const std::map<const geometry::GpuModel*, int> ours = UsedGpusByModel(result.target);
  std::vector<Saving> savings;
  const plan::BaselineResult* preset = nullptr;
  for (const plan::BaselineResult& b : baselines) {
    if (b.name == "whole-gpu") savings.push_back(SavingAgainst(b, ours, costs));
    if (b.name != "all-1g" && b.name != "all-balanced") continue;
    if (preset == nullptr || std::pair(-b.replicas_placed, b.gpus_used) <
                                 std::pair(-preset->replicas_placed, preset->gpus_used)) {
      preset = &b;
    }
  }
  if (preset != nullptr) savings.push_back(SavingAgainst(*preset, ours, costs));
  return savings;
}

void PrintSavings(const plan::PlanResult& result, const std::vector<Saving>& savings,
                  const report::CostSheet& costs, std::ostream& out) {
  int placed = 0;
  for (const plan::WorkloadSizing& s : result.sizing) {
    if (!s.choices.empty()) placed += s.choices.front().replicas;
  }
  placed -= UnplacedReplicas(result.unplaced);
  out << "\nWhat MIG saves per month (730 h at full board power x PUE " << report::FormatAmount(costs.pue, 2)
      << "). GPUs the plan frees count as\n"
         "powered down or given to other work: it leaves them whole (MIG disabled, nvidia.com/gpu).\n";
  for (const Saving& s : savings) {
    const bool preset = s.baseline->name != "whole-gpu";
    out << "  vs " << s.baseline->name << (preset ? " (best static preset)" : "") << ": "
        << CountOf(s.gpus, "GPU") << ", " << report::FormatAmount(s.month.kwh / report::kHoursPerMonth, 1)
        << " kW, " << report::DescribeCosts(costs, s.month) << "\n";
    const int fewer = placed - s.baseline->replicas_placed;
    if (fewer > 0) out << "    (" << s.baseline->name << " leaves " << fewer << " more replicas unplaced: not like for like)\n";
  }
}

// What a Deployment (Kubernetes device plugin, mixed strategy) and an
// sbatch script (--gres) ask for to run a workload's replica on a model.
struct ResourceNames {
  std::string kubernetes;
  std::string slurm;
};

ResourceNames NamesOf(const plan::SizingChoice& choice, engines::SlurmTypeStyle style) {
  if (choice.whole_gpu()) {
    return {std::string(engines::kWholeGpuResource),
            "gpu:" + engines::SlurmWholeGpuType(*choice.model, "", style)};
  }
  const geometry::GiProfile& profile = choice.model->profiles[static_cast<size_t>(*choice.profile)];
  return {engines::MigResourceName(profile.name),
          "gpu:" + engines::SlurmMigType(*choice.model, profile, "", style)};
}

// plan.json's `workloads`: per workload and model it may run on, the one
// resource name its Deployment or sbatch script asks for there.
std::vector<plan::WorkloadResources> ResourceNamesOf(const plan::PlanResult& result,
                                                     engines::SlurmTypeStyle style) {
  std::vector<plan::WorkloadResources> out;
  for (const plan::WorkloadSizing& sizing : result.sizing) {
    plan::WorkloadResources workload{.name = sizing.workload, .resources = {}};
    for (const plan::SizingChoice& choice : sizing.choices) {
      ResourceNames names = NamesOf(choice, style);
      workload.resources.push_back(
          {.model = choice.model->name,
           .profile = choice.whole_gpu() ? std::string(plan::kWholeGpuProfile)
                                         : choice.model->profiles[static_cast<size_t>(*choice.profile)].name,
           .replicas = choice.replicas,
           .kubernetes = std::move(names.kubernetes),
           .slurm = std::move(names.slurm)});
    }
    out.push_back(std::move(workload));
  }
  return out;
}

// One row per workload and model it may run on: the one resource name its
// Deployment or sbatch script asks for there. Long lists stop after kMaxRows.
void PrintResourceNames(const std::vector<plan::WorkloadResources>& workloads, std::ostream& out) {
  constexpr size_t kMaxRows = 60;
  TextTable table({"WORKLOAD", "MODEL", "KUBERNETES", "SLURM"});
  size_t rows = 0;
  for (const plan::WorkloadResources& workload : workloads) {
    for (const plan::WorkloadResource& resource : workload.resources) {
      if (rows++ >= kMaxRows) continue;
      table.AddRow({workload.name, resource.model, resource.kubernetes, resource.slurm});
    }
  }
  if (rows == 0) return;
  out << "\nResource names (what a Deployment or sbatch script asks for):\n";
  table.Print(out);
  if (rows > kMaxRows) {
    out << "... " << CountOf(static_cast<int>(rows - kMaxRows), "more row") << " (--json lists every workload)\n";
  }
}

void PrintExplain(const plan::PlanResult& result, engines::SlurmTypeStyle style, std::ostream& out) {
  out << "\nRight-sizing:\n";
  for (const plan::WorkloadSizing& sizing : result.sizing) {
    out << "  " << sizing.workload << "\n";
    for (const plan::SizingChoice& choice : sizing.choices) {
      const ResourceNames names = NamesOf(choice, style);
      out << "    " << choice.explanation << "\n      asks for " << names.kubernetes << " (Kubernetes), "
          << names.slurm << " (Slurm)\n";
    }
    for (const plan::SizingRejection& r : sizing.rejections) {
      out << "    " << sizing.workload << (r.model.empty() ? "" : " not on " + r.model) << ": " << r.reason
          << "\n";
    }
  }
}

void PrintSummary(const CommandContext& context, const PlanArgs& args,
                  const plan::PlanRequest& request, const plan::PlanResult& result,
                  const plan::PlanDocument& document,
                  const plan::TransitionPlan& transition,
                  const std::vector<plan::BaselineResult>& baselines, const report::CostSheet& costs) {
  std::ostream& out = context.out;
  int replicas = 0;
  for (const plan::WorkloadSizing& s : result.sizing) {
    if (!s.choices.empty()) replicas += s.choices.front().replicas;
  }
  out << "Fleet: " << FleetLine(request.current) << "\n";
  out << "Workloads: " << request.workloads.size() << " (" << replicas
      << " replicas after right-sizing)\n";
  out << "GPUs used: " << result.gpus_used;
  if (result.lower_bound == 0 && result.gpus_used > 0) {  // time ran out before the bound
    out << " (no lower bound: the time limit ended the solve, " << result.method << ")\n";
  } else {
    out << " (lower bound " << Fixed(result.lower_bound, 2) << ", gap "
        << Fixed(100 * result.gap, 1) << "%, " << result.method << ")\n";
  }
  PrintBaselines(result, baselines, out);
  PrintSavings(result, Savings(result, baselines, costs), costs, out);
  if (args.explain) PrintExplain(result, args.slurm_type_style, out);
  PrintLayouts(result.target, out);
  PrintResourceNames(document.workloads, out);
  const engines::K8sResources k8s = engines::ComputeK8sResources(result.target);
  std::vector<std::string> resources;
  for (const auto& [name, count] : k8s.fleet) resources.push_back(name + ": " + std::to_string(count));
  out << "\nKubernetes (mixed strategy): " << (resources.empty() ? "-" : Join(resources, ", "))
      << "\n";
  out << "Transition: " << CountOf(transition.gpus_changed, "GPU")
      << (transition.gpus_changed == 1 ? " changes, " : " change, ")
      << CountOf(static_cast<int>(transition.operations.size()), "operation")
      << (args.dry_run ? "" : " (--dry-run lists them)") << "\n";
  if (args.dry_run) {
    for (const plan::TransitionOp& op : transition.operations) {
      out << "  " << plan::DescribeOp(request.current, op) << "\n";
    }
  }
  if (!result.unplaced.empty()) {
    out << "\nUnplaced:\n";
    TextTable table({"WORKLOAD", "REPLICAS", "REASON"});
    for (const plan::Unplaced& u : result.unplaced) {
      table.AddRow({u.workload, std::to_string(u.replicas), u.reason});
    }
    table.Print(out);
  }
}

void PrintJson(const CommandContext& context, const plan::PlanResult& result,
               const plan::PlanDocument& document, const plan::TransitionPlan& transition,
               const std::vector<plan::BaselineResult>& baselines, const report::CostSheet& costs) {
  const fleet::Fleet& target = result.target;
  ordered_json out = ordered_json::parse(plan::WritePlanJson(document));
  ordered_json rows = ordered_json::array();
  for (const plan::BaselineResult& b : baselines) {
    rows.push_back({{"name", b.name},
                    {"gpus_used", b.gpus_used},
                    {"replicas_placed", b.replicas_placed},
                    {"unplaced_replicas", UnplacedReplicas(b.unplaced)}});
  }
  out["baselines"] = std::move(rows);
  ordered_json savings = ordered_json::array();
  for (const Saving& s : Savings(result, baselines, costs)) {
    const std::optional<double> money = s.month.TotalCost();
    savings.push_back({{"against", s.baseline->name},
                       {"gpus", s.gpus},
                       {"kw", s.month.kwh / report::kHoursPerMonth},
                       {"kwh_per_month", s.month.kwh},
                       {"money_per_month", money ? ordered_json(*money) : ordered_json(nullptr)},
                       {"currency", costs.currency}});
  }
  out["savings"] = std::move(savings);
  out["gpus_changed"] = transition.gpus_changed;
  const engines::K8sResources k8s = engines::ComputeK8sResources(target);
  auto counts = [](const engines::ProfileCounts& resources) {
    ordered_json map = ordered_json::object();
    for (const auto& [name, count] : resources) map[name] = count;
    return map;
  };
  ordered_json nodes = ordered_json::array();
  for (const engines::NodeResources& node : k8s.nodes) {
    nodes.push_back({{"node", node.node}, {"resources", counts(node.resources)}});
  }
  out["kubernetes_resources"] = {{"fleet", counts(k8s.fleet)}, {"nodes", std::move(nodes)}};
  context.out << out.dump(2) << "\n";
}

Status WriteOutputs(const PlanArgs& args, const plan::PlanDocument& document,
                    const fleet::Fleet& target) {
  if (!args.out_path.empty()) {
    MIGSCHED_RETURN_IF_ERROR(io::WriteTextFileWith(args.out_path, [&](std::ostream& out) {
      plan::WritePlanJson(document, args.out_form, out);
    }));
  }
  if (!args.mig_parted_path.empty()) {
    MIGSCHED_RETURN_IF_ERROR(
        io::WriteTextFile(args.mig_parted_path, mig_parted::WriteMigPartedConfig(target).yaml));
  }
  if (!args.slurm_dir.empty()) {
    const engines::SlurmConfig slurm = engines::WriteSlurmConfig(target, args.slurm_type_style);
    MIGSCHED_RETURN_IF_ERROR(io::WriteTextFile(args.slurm_dir + "/gres.conf", slurm.gres_conf));
    MIGSCHED_RETURN_IF_ERROR(io::WriteTextFile(args.slurm_dir + "/slurm.conf", slurm.slurm_conf));
  }
  if (!args.svg_path.empty()) {
    MIGSCHED_RETURN_IF_ERROR(io::WriteTextFile(args.svg_path, report::RenderFleetSvg(target)));
  }
  return Status::Ok();
}

// --keep-whole H100-80GB:2,adhoc:1: a catalog model's GPUs, else a fleet label's.
Result<std::vector<plan::KeepWhole>> ParseKeepWhole(const geometry::Catalog& catalog, const std::string& list) {
  std::vector<plan::KeepWhole> keep;
  if (list.empty()) return keep;
  std::vector<ModelCount> counts;
  MIGSCHED_ASSIGN_OR_RETURN(counts, ParseModelCounts(list, "--keep-whole", 10'000'000));
  for (const ModelCount& c : counts) {
    const Result<const geometry::GpuModel*> model = catalog.Find(c.model);
    if (model.has_value()) {
      keep.push_back({.model = (*model)->name, .label = "", .gpus = c.count});
    } else {
      keep.push_back({.model = "", .label = c.model, .gpus = c.count});
    }
  }
  return keep;
}

int RunFromAlibaba(const CommandContext& context, const std::string& pods_path,
                   const std::string& gpu, const std::string& out_path) {
  const Result<const geometry::GpuModel*> model = context.catalog.Find(gpu);
  if (!model.has_value()) return BadInput(context, model.error());
  const Result<std::string> text = io::ReadTextFile(pods_path);
  if (!text.has_value()) return BadInput(context, text.error());
  const Result<AlibabaWorkloads> converted =
      ConvertAlibabaPods(*text, std::filesystem::path(pods_path).filename().string(), **model);
  if (!converted.has_value()) return BadInput(context, converted.error());
  for (const std::string& line : RowIssueLines(std::filesystem::path(pods_path).filename().string(), converted->bad_rows)) {
    context.err << "note: " << line << "\n";
  }
  if (out_path.empty()) {
    context.out << converted->yaml;
    return kExitOk;
  }
  const Status written = io::WriteTextFile(out_path, converted->yaml);
  if (!written.ok()) return BadInput(context, written);
  context.out << "wrote " << out_path << ": " << converted->workloads.size() << " workloads from "
              << converted->pods << " pods (" << converted->cpu_only_pods << " CPU-only left out)\n";
  return kExitOk;
}

}  // namespace

int RunPlan(const CommandContext& context, const PlanArgs& args) {
  plan::PlanRequest request;
  Result<fleet::Fleet> fleet = io::ReadFleetFile(context.catalog, args.fleet_path);
  if (!fleet.has_value()) return BadInput(context, fleet.error());
  request.current = std::move(fleet).value();
  Result<std::vector<plan::Workload>> workloads =
      io::ReadWorkloadsFile(context.catalog, args.workloads_path);
  if (!workloads.has_value()) return BadInput(context, workloads.error());
  request.workloads = std::move(workloads).value();
  if (!args.perf_path.empty()) {
    Result<plan::PerfTable> perf = io::ReadPerfTableFile(context.catalog, args.perf_path);
    if (!perf.has_value()) return BadInput(context, perf.error());
    request.perf = std::move(perf).value();
  }
  Result<std::vector<plan::KeepWhole>> keep_whole = ParseKeepWhole(context.catalog, args.keep_whole);
  if (!keep_whole.has_value()) return BadInput(context, keep_whole.error());
  request.keep_whole = std::move(keep_whole).value();
  report::CostSheet costs;
  if (!args.costs_path.empty()) {
    Result<report::CostSheet> read = io::ReadCostSheetFile(context.catalog, args.costs_path);
    if (!read.has_value()) return BadInput(context, read.error());
    costs = std::move(read).value();
  }
  const plan::PlanOptions options{
      .headroom_pct = args.headroom_pct,
      .time_limit_ms = args.time_limit_ms,
      .method = plan::SolveMethod::kAuto,
      .now_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
      }};
  const Result<plan::PlanResult> result = plan::PlanFleet(context.catalog, request, options);
  if (!result.has_value()) return BadInput(context, result.error());
  const Result<plan::TransitionPlan> transition = plan::PlanTransition(request.current, result->target);
  if (!transition.has_value()) return BadInput(context, transition.error());
  const std::vector<plan::BaselineResult> baselines =
      plan::RunBaselines(request.current, result->sizing);
  plan::PlanDocument document = plan::MakePlanDocument(*result, *transition);
  document.workloads = ResourceNamesOf(*result, args.slurm_type_style);

  if (!args.dry_run) {
    const Status written = WriteOutputs(args, document, result->target);
    if (!written.ok()) return BadInput(context, written);
  }
  if (context.json) {
    PrintJson(context, *result, document, *transition, baselines, costs);
  } else {
    PrintSummary(context, args, request, *result, document, *transition, baselines, costs);
  }
  return result->unplaced.empty() ? kExitOk : kExitNo;
}

void AddPlanCommands(CLI::App& app, ChosenCommand& chosen) {
  auto args = std::make_shared<PlanArgs>();
  CLI::App* plan = app.add_subcommand(
      "plan", "right-size workloads and pack them onto a fleet with the fewest GPUs");
  plan->fallthrough();  // the global --json may follow the subcommand
  plan->add_option("--fleet", args->fleet_path, "fleet file (YAML/JSON, docs/plan-inputs.md)")
      ->required();
  plan->add_option("--workloads", args->workloads_path, "workloads file (YAML/JSON/CSV)")
      ->required();
  plan->add_option("--perf", args->perf_path, "performance table (YAML/CSV), for demand_rps");
  plan->add_option("--costs", args->costs_path,
                   "prices per GPU-hour or purchase, electricity price and PUE (YAML, docs/catalog.md)");
  plan->add_option("--out", args->out_path, "write plan.json here (for `migsched apply --plan`)");
  plan->add_option("--out-form", args->out_form,
                   "plan.json form: expanded (a line per GPU and operation) or compact (each "
                   "distinct layout and operation list once)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, plan::PlanJsonForm>{
          {"expanded", plan::PlanJsonForm::kExpanded}, {"compact", plan::PlanJsonForm::kCompact}}));
  plan->add_option("--mig-parted", args->mig_parted_path, "write an NVIDIA mig-parted config here");
  plan->add_option("--slurm", args->slurm_dir, "write gres.conf and slurm.conf lines into this directory");
  AddSlurmTypeStyleOption(plan, "--slurm-type-style", args->slurm_type_style);
  plan->add_option("--svg", args->svg_path, "write an SVG picture of the planned fleet");
  plan->add_flag("--explain", args->explain, "say why each workload got its profile");
  plan->add_flag("--dry-run", args->dry_run, "print the transition operations; write no files");
  plan->add_option("--time-limit", args->time_limit_ms, "time for the whole packing solve, ms")
      ->check(CLI::Range(1, 3600000));
  plan->add_option("--headroom", args->headroom_pct, "extra memory per replica, percent")
      ->check(CLI::Range(0, 1000));
  plan->add_option("--keep-whole", args->keep_whole,
                   "GPUs left whole (MIG disabled, free) for ad-hoc work: MODEL_OR_LABEL:COUNT[,...], "
                   "a catalog model or else a fleet label");
  plan->callback([&chosen, args] {
    chosen = [args](const CommandContext& c) { return RunPlan(c, *args); };
  });

  struct AlibabaArgs {
    std::string pods;
    std::string gpu = "H100-80GB";
    std::string out;
  };
  auto alibaba = std::make_shared<AlibabaArgs>();
  CLI::App* workloads = app.add_subcommand("workloads", "make workload files");
  workloads->require_subcommand(1);
  CLI::App* from = workloads->add_subcommand(
      "from-alibaba", "workloads from an Alibaba GPU v2023 pod list (openb_pod_list_*.csv)");
  from->add_option("--pods", alibaba->pods, "the pod list CSV")->required();
  from->add_option("--gpu", alibaba->gpu, "GPU model whose compute slices the shares map to");
  from->add_option("--out", alibaba->out, "write the workloads YAML here (default: stdout)");
  from->callback([&chosen, alibaba] {
    chosen = [alibaba](const CommandContext& c) {
      return RunFromAlibaba(c, alibaba->pods, alibaba->gpu, alibaba->out);
    };
  });
}

}  // namespace migsched::cli
