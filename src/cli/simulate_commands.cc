#include "cli/simulate_commands.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/number_checks.h"
#include "cli/row_issues.h"
#include "cli/seconds_option.h"
#include "cli/simulate_costs.h"
#include "cli/text_table.h"
#include "io/costs_reader.h"
#include "io/plan_inputs.h"
#include "io/services_reader.h"
#include "report/sim_report.h"
#include "sim/fleet_spec.h"
#include "sim/simulation.h"
#include "sim/workload_jobs.h"
#include "trace/alibaba2023.h"
#include "trace/generic.h"
#include "trace/synthetic.h"

namespace migsched::cli {
namespace {

constexpr char kDefaultModel[] = "H100-80GB";
constexpr char kDefaultSyntheticFleet[] = "H100-80GB:100";

struct LoadedInput {
  trace::Trace trace;
  std::optional<trace::SyntheticOptions> synthetic;  // a synthetic trace's options
  fleet::Fleet fleet;
  std::string fleet_text;
  std::vector<std::string> notes;
};

std::string Describe(const fleet::Fleet& fleet) {
  std::string text;
  const std::vector<const geometry::GpuModel*> models = sim::FleetModels(fleet);
  for (const geometry::GpuModel* model : models) {
    int64_t count = 0;
    for (const fleet::FleetGpu& gpu : fleet.gpus) count += gpu.model == model;
    if (!text.empty()) text += " + ";
    text += std::to_string(count) + " x " + model->name;
  }
  return text;
}

// What --fleet names: nothing (the default), a fleet file, MODEL:COUNT[,...]
// or a bare MODEL (the trace's node list as that model).
enum class FleetArg { kDefault, kFile, kSpec, kModel };

FleetArg ClassifyFleetArg(const std::string& fleet) {
  if (fleet.empty()) return FleetArg::kDefault;
  std::error_code error;
  if (std::filesystem::exists(fleet, error) || sim::IsFleetFileName(fleet)) return FleetArg::kFile;
  return fleet.find(':') == std::string::npos ? FleetArg::kModel : FleetArg::kSpec;
}

// The fleet of a fleet file (the planner's format), emptied for the simulation.
Result<fleet::Fleet> LoadFleetFile(const geometry::Catalog& catalog, const std::string& path,
                                   std::vector<std::string>& notes) {
  Result<fleet::Fleet> fleet = io::ReadFleetFile(catalog, path);
  if (!fleet.has_value()) return fleet.error();
  const int64_t cleared = sim::ClearForSimulation(*fleet);
  notes.push_back("fleet: " + path);
  if (cleared > 0) {
    notes.push_back("the current layouts of " + std::to_string(cleared) + " GPUs in " + path +
                    " are not simulated: every GPU starts empty with MIG enabled");
  }
  return fleet;
}

// The trace and the fleet it runs on.
Result<LoadedInput> Load(const geometry::Catalog& catalog, const SimulateArgs& args) {
  const size_t colon = args.trace.find(':');
  const std::string kind = args.trace.substr(0, colon);
  const std::string source = colon == std::string::npos ? "" : args.trace.substr(colon + 1);
  const FleetArg fleet_arg = ClassifyFleetArg(args.fleet);
  if (!args.workloads.empty() && kind != "synthetic") {
    return InvalidArgumentError("--workloads needs --trace synthetic:jobs=N,rate=R[,duration=S] (the arrival times)");
  }
  LoadedInput input;
  std::optional<trace::NodeList> nodes;
  if (kind == "alibaba2023") {
    MIGSCHED_ASSIGN_OR_RETURN(input.trace, trace::LoadAlibabaPods(source));
    if (fleet_arg == FleetArg::kDefault || fleet_arg == FleetArg::kModel) {
      Result<trace::NodeList> list = trace::LoadAlibabaNodes(trace::NodeListBeside(source));
      if (!list.has_value()) {
        return list.error().WithPrefix(
            "the fleet comes from the node list beside the trace (or give --fleet MODEL:COUNT or a fleet file)");
      }
      nodes = std::move(list).value();
    }
  } else if (kind == "synthetic") {
    trace::SyntheticOptions options;
    options.seed = args.seed;
    MIGSCHED_ASSIGN_OR_RETURN(options, trace::ParseSyntheticSpec(source, options));
    MIGSCHED_ASSIGN_OR_RETURN(input.trace, trace::GenerateSynthetic(options));
    input.synthetic = options;
  } else if (kind == "csv") {
    MIGSCHED_ASSIGN_OR_RETURN(input.trace, trace::LoadGenericCsv(source));
  } else if (kind == "jsonl") {
    MIGSCHED_ASSIGN_OR_RETURN(input.trace, trace::LoadGenericJsonLines(source));
  } else {
    return InvalidArgumentError("unknown trace kind '" + kind + "' in --trace " + args.trace +
                                "; valid: alibaba2023:PATH, csv:PATH, jsonl:PATH, synthetic:jobs=N,rate=R,duration=S");
  }
  if (nodes) {
    Result<const geometry::GpuModel*> model = catalog.Find(args.fleet.empty() ? kDefaultModel : args.fleet);
    if (!model.has_value()) return model.error();
    input.fleet = sim::FleetFromNodes(*nodes, **model);
    input.notes.push_back("fleet: the trace's " + std::to_string(nodes->nodes.size()) +
                          " GPU nodes, each GPU as a " + (*model)->name);
    if (!nodes->bad_rows.empty()) {
      input.notes.push_back(std::to_string(nodes->bad_rows.size()) + " bad node rows skipped");
    }
  } else if (fleet_arg == FleetArg::kFile) {
    MIGSCHED_ASSIGN_OR_RETURN(input.fleet, LoadFleetFile(catalog, args.fleet, input.notes));
  } else {
    MIGSCHED_ASSIGN_OR_RETURN(input.fleet, sim::ParseFleetSpec(args.fleet.empty() ? kDefaultSyntheticFleet : args.fleet, catalog));
  }
  input.fleet_text = Describe(input.fleet);
  const std::string& source_name = input.trace.source;
  if (input.trace.cpu_only_rows > 0) {
    input.notes.push_back(std::to_string(input.trace.cpu_only_rows) + " CPU-only rows (num_gpu 0) are not GPU jobs");
  }
  for (std::string& line : RowIssueLines(source_name, input.trace.bad_rows)) input.notes.push_back(std::move(line));
  if (!args.workloads.empty()) {
    input.notes.push_back("requests: replicas of the workloads in " + args.workloads +
                          ", drawn by replicas and right-sized as the planner does");
  } else {
    input.notes.push_back(
        "mapping: smallest standard MIG profile whose compute and memory shares cover gpu_milli; "
        "whole-GPU and multi-GPU jobs take whole GPUs");
  }
  return input;
}

// The jobs to simulate: the trace's, mapped to MIG requests, or arrivals of
// a planner workloads file at the synthetic trace's times.
Result<std::vector<sim::SimJob>> PrepareInput(const geometry::Catalog& catalog, const SimulateArgs& args,
                                              const LoadedInput& input) {
  if (args.workloads.empty()) return sim::PrepareJobs(input.trace, input.fleet);
  std::vector<plan::Workload> workloads;
  MIGSCHED_ASSIGN_OR_RETURN(workloads, io::ReadWorkloadsFile(catalog, args.workloads));
  return sim::WorkloadJobs(workloads, input.fleet, input.synthetic.value());
}

// Progress on stderr: a bar when it is a terminal; otherwise (a log, a CI
// job) a line per policy at most every kLineEvery once the run is that long,
// so that short runs print nothing and long ones show they are alive.
class ProgressBar {
 public:
  explicit ProgressBar(std::ostream& err)
      : terminal_(&err == &std::cerr && isatty(STDERR_FILENO) != 0), err_(err) {}
  void Start(const std::string& policy) {
    policy_ = policy;
    last_line_ = Clock::now();
  }
  void Update(int64_t done, int64_t total) {
    if (total <= 0) return;
    if (!terminal_) {
      const Clock::time_point now = Clock::now();
      if (now - last_line_ < kLineEvery) return;
      last_line_ = now;
      err_ << "simulate: " << policy_ << " " << done * 100 / total << "% of " << total
           << " events (arrivals and departures)\n"
           << std::flush;
      return;
    }
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(done * kWidth / total);
    err_ << "\r" << policy_ << " [" << std::string(static_cast<size_t>(filled), '#')
         << std::string(static_cast<size_t>(kWidth - filled), ' ') << "] " << done * 100 / total << "%   "
         << std::flush;
  }
  void Finish() {
    if (terminal_) err_ << "\r" << std::string(60, ' ') << "\r" << std::flush;
  }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kLineEvery{5};
  bool terminal_;
  std::ostream& err_;
  std::string policy_;
  Clock::time_point last_line_ = Clock::now();
};

double Secs(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

nlohmann::ordered_json ServicesJson(const std::vector<sim::ServiceResult>& services) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const sim::ServiceResult& s : services) {
    list.push_back({{"name", s.name},
                    {"replicas_wanted", s.replicas_wanted},
                    {"replicas_started", s.replicas_started},
                    {"replica_s_wanted", Secs(s.replica_ms_wanted)},
                    {"replica_s_served", Secs(s.replica_ms_served)},
                    {"served_fraction", s.ServedFraction()},
                    {"under_provisioned_s", Secs(s.under_provisioned_ms)},
                    {"start_delay_p50_s", Secs(s.start_delay_p50_ms)},
                    {"start_delay_p99_s", Secs(s.start_delay_p99_ms)},
                    {"start_delay_max_s", Secs(s.start_delay_max_ms)}});
  }
  return list;
}

nlohmann::ordered_json PolicyJson(const sim::PolicyRun& run, bool with_latency, bool fill) {
  const sim::PolicyResult& r = run.result;
  nlohmann::ordered_json json = {
      {"policy", r.policy},
      {"isolation", r.isolation},
      {"utilization_mean", r.utilization_mean},
      {"slice_utilization_mean", r.slice_utilization_mean},
      {"fleet_utilization_mean", r.fleet_utilization_mean},
      {"allocation_rate", r.allocation_rate},
      {"gpus_used_peak", r.gpus_used_peak},
      {"queue_delay_p50_s", r.queue_delay_p50_s},
      {"queue_delay_p99_s", r.queue_delay_p99_s},
      {"jobs", r.jobs},
      {"placed", r.placed},
      {"unplaced", r.unplaced},
      {"infeasible", r.infeasible},
      {"reconfigurations", r.reconfigurations},
      {"reconfiguration_s", static_cast<double>(r.reconfiguration_ms) / 1000.0},
      {"reconfiguration_waited_jobs", r.reconfiguration_waited_jobs},
      {"reconfiguration_wait_s", static_cast<double>(r.reconfiguration_wait_ms) / 1000.0},
      {"busy_disrupted", r.busy_disrupted},
      {"stranded_slices_mean", r.stranded_slices_mean},
      {"stranded_slices_peak", r.stranded_slices_peak},
      {"arrived_demand_milli", r.arrived_demand_milli},
      {"placed_demand_milli", r.placed_demand_milli},
  };
  if (fill) {
    json["first_rejection"] = r.first_rejection;
    json["arrivals_at_capacity"] = r.arrivals_at_capacity;
    json["placed_at_capacity"] = r.placed_at_capacity;
  }
  if (!r.setup_note.empty()) json["layout"] = r.setup_note;
  if (!r.services.empty()) json["services"] = ServicesJson(r.services);
  json["decision_latency_p50_us"] = with_latency ? nlohmann::ordered_json(run.latency.p50_us) : nullptr;
  json["decision_latency_p99_us"] = with_latency ? nlohmann::ordered_json(run.latency.p99_us) : nullptr;
  return json;
}

nlohmann::ordered_json BoundsJson(const sim::SimulationBounds& bounds) {
  if (bounds.fill) {
    const sim::FillBounds& b = *bounds.fill;
    return {{"basis", "arrivals until demand first reaches capacity; any MIG policy places at most this much"},
            {"arrivals", b.arrivals},
            {"arrived_demand_milli", b.arrived_demand_milli},
            {"mig_allocation_rate_max", b.mig_allocation_rate_max},
            {"fractional_allocation_rate_max", b.fractional_allocation_rate_max},
            {"mig_placed_milli_max", b.mig_placed_milli_max},
            {"fractional_placed_milli_max", b.fractional_placed_milli_max},
            {"mig_forced_rejection_by", b.mig_forced_rejection_by}};
  }
  const sim::ReplayBounds& b = *bounds.replay;
  return {{"basis", "jobs starting on arrival; any MIG policy that never queues needs at least this many GPUs"},
          {"mig_gpus_needed_min", b.mig_gpus_needed_min},
          {"mig_peak_at_s", static_cast<double>(b.mig_peak_at_ms) / 1000.0},
          {"fractional_gpus_needed_min", b.fractional_gpus_needed_min}};
}

std::string Percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f%%", 100 * fraction);
  return text;
}

std::string Seconds(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f", value);
  return text;
}

void PrintBounds(std::ostream& out, const sim::SimulationBounds& bounds, size_t fleet_gpus) {
  if (bounds.fill) {
    out << "bound: no MIG policy can place more than " << Percent(bounds.fill->mig_allocation_rate_max)
        << " of the demand arrived at 100% of capacity (fractional sharing: "
        << Percent(bounds.fill->fractional_allocation_rate_max) << ")";
    if (bounds.fill->mig_forced_rejection_by > 0) {
      out << "; every MIG policy rejects a job by arrival " << bounds.fill->mig_forced_rejection_by;
    }
    out << "\n";
  } else {
    out << "bound: a MIG policy that starts every job on arrival needs at least "
        << bounds.replay->mig_gpus_needed_min << " GPUs at peak (fractional sharing: "
        << bounds.replay->fractional_gpus_needed_min << ")";
    if (static_cast<size_t>(bounds.replay->mig_gpus_needed_min) > fleet_gpus) {
      out << ", more than the fleet's " << fleet_gpus << ": jobs must wait";
    }
    out << "\n";
  }
}

// What each dynamic MIG policy buys over the static-plan baseline, when both ran.
void PrintAgainstStaticPlan(std::ostream& out, const std::vector<sim::PolicyRun>& runs) {
  const auto is = [](std::string_view name) {
    return [name](const sim::PolicyRun& run) { return run.result.policy == name; };
  };
  const auto baseline = std::find_if(runs.begin(), runs.end(), is("static-plan"));
  if (baseline == runs.end()) return;
  const sim::PolicyResult& b = baseline->result;
  for (const std::string_view name : {"first-fit", "best-fit", "frag-aware"}) {
    const auto run = std::find_if(runs.begin(), runs.end(), is(name));
    if (run == runs.end()) continue;
    const sim::PolicyResult& r = run->result;
    char line[256];
    std::snprintf(line, sizeof(line),
                  "over static-plan: %s %+d GPUs at peak, %+.2f points of allocation, queue p99 %+.1f s, "
                  "%.1f s of reconfiguration paid\n",
                  r.policy.c_str(), r.gpus_used_peak - b.gpus_used_peak,
                  100 * (r.allocation_rate - b.allocation_rate), r.queue_delay_p99_s - b.queue_delay_p99_s,
                  static_cast<double>(r.reconfiguration_ms) / 1000.0);
    out << line;
  }
}

// Per policy and service: what the load wanted and what it got.
void PrintServices(std::ostream& out, const std::vector<sim::PolicyRun>& runs) {
  if (runs.empty() || runs.front().result.services.empty()) return;
  out << "services (the table above counts the trace's jobs only):\n";
  TextTable table({"policy", "service", "replicas", "started", "replica-h-wanted", "served", "under-prov-s",
                   "start-p50-s", "start-p99-s"});
  for (const sim::PolicyRun& run : runs) {
    for (const sim::ServiceResult& s : run.result.services) {
      table.AddRow({run.result.policy, s.name, std::to_string(s.replicas_wanted), std::to_string(s.replicas_started),
                    Seconds(Secs(s.replica_ms_wanted) / 3600), Percent(s.ServedFraction()),
                    Seconds(Secs(s.under_provisioned_ms)), Seconds(Secs(s.start_delay_p50_ms)),
                    Seconds(Secs(s.start_delay_p99_ms))});
    }
  }
  table.Print(out);
}

void PrintTable(std::ostream& out, const LoadedInput& input, const std::vector<sim::PolicyRun>& runs,
                const SimulateArgs& args) {
  out << "trace " << args.trace << ": " << input.trace.jobs.size() << " GPU jobs; fleet " << input.fleet_text
      << "; mode " << args.mode << "\n";
  TextTable table({"policy", "isolation", "gpus-peak", "alloc-rate", "util", "placed", "unplaced",
                   "queue-p50-s", "queue-p99-s", "reconfig", "reconfig-s", "waited-jobs", "waited-s",
                   "busy-disrupted", "latency-p99-us"});
  // Fill: placed/unplaced over the arrivals up to 100% of capacity, the same for every policy.
  const bool fill = args.mode == "fill";
  for (const sim::PolicyRun& run : runs) {
    const sim::PolicyResult& r = run.result;
    const int64_t placed = fill ? r.placed_at_capacity : r.placed;
    const int64_t unplaced = fill ? r.arrivals_at_capacity - r.placed_at_capacity : r.unplaced;
    table.AddRow({r.policy, r.isolation, std::to_string(r.gpus_used_peak), Percent(r.allocation_rate),
                  Percent(r.utilization_mean), std::to_string(placed), std::to_string(unplaced),
                  Seconds(r.queue_delay_p50_s), Seconds(r.queue_delay_p99_s), std::to_string(r.reconfigurations),
                  Seconds(static_cast<double>(r.reconfiguration_ms) / 1000.0),
                  std::to_string(r.reconfiguration_waited_jobs),
                  Seconds(static_cast<double>(r.reconfiguration_wait_ms) / 1000.0), std::to_string(r.busy_disrupted),
                  args.no_latency ? "-" : Seconds(run.latency.p99_us)});
  }
  table.Print(out);
  PrintServices(out, runs);
  for (const sim::PolicyRun& run : runs) {
    if (!run.result.setup_note.empty()) out << "note: " << run.result.policy << ": " << run.result.setup_note << "\n";
  }
  if (fill && !runs.empty()) {
    out << "note: fill: placed and unplaced count the " << runs.front().result.arrivals_at_capacity
        << " arrivals up to 100% of the fleet's capacity, the same for every policy\n";
  }
  PrintAgainstStaticPlan(out, runs);
  for (const std::string& note : input.notes) out << "note: " << note << "\n";
}

}  // namespace

int RunSimulate(const CommandContext& context, const SimulateArgs& args) {
  const auto fail = [&](const Status& status) {
    context.err << "migsched simulate: " << status.message() << "\n";
    return kExitBadInput;
  };
  sim::SimulationSpec spec;
  Result<sim::Mode> mode = sim::ParseMode(args.mode);
  if (!mode.has_value()) return fail(mode.error());
  spec.mode = *mode;
  Result<std::vector<std::string>> policies = sim::ParsePolicyList(args.policy);
  if (!policies.has_value()) return fail(policies.error());
  spec.policies = *policies;
  spec.replay.compress = args.compress;
  spec.fill.seed = args.seed;
  spec.fill.patience = args.patience;
  spec.reconfiguration_delay_ms = ToMilliseconds(args.reconfig_delay_s);
  spec.cost = args.no_reconfig_cost ? sim::ReconfigurationCost{}
                                    : sim::ReconfigurationCost{.create_ms = ToMilliseconds(args.gi_create_s),
                                                               .destroy_ms = ToMilliseconds(args.gi_destroy_s)};
  spec.keep_idle = args.keep_idle;
  Result<sim::MixScope> mix = sim::ParseMixScope(args.mix);
  if (!mix.has_value()) return fail(mix.error());
  spec.mix = *mix;

  report::CostSheet costs;
  if (!args.costs.empty()) {
    Result<report::CostSheet> read = io::ReadCostSheetFile(context.catalog, args.costs);
    if (!read.has_value()) return fail(read.error());
    costs = std::move(read).value();
  }
  Result<LoadedInput> input = Load(context.catalog, args);
  if (!input.has_value()) return fail(input.error());
  if (!args.services.empty()) {
    Result<std::vector<sim::ServiceSpec>> services = io::ReadServicesFile(args.services);
    if (!services.has_value()) return fail(services.error());
    spec.services = std::move(services).value();
    input->notes.push_back("services: " + std::to_string(spec.services.size()) + " from " + args.services +
                           ", their replicas submitted beside the jobs and measured apart");
  }
  Result<std::vector<sim::SimJob>> prepared = PrepareInput(context.catalog, args, *input);
  if (!prepared.has_value()) return fail(prepared.error());
  const std::vector<sim::SimJob>& jobs = *prepared;

  ProgressBar progress(context.err);
  sim::EngineHooks hooks;
  if (!args.no_latency) {
    hooks.clock_ns = [] {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
  }
  hooks.progress = [&progress](int64_t done, int64_t total) { progress.Update(done, total); };
  Result<std::vector<sim::PolicyRun>> runs =
      sim::RunSimulation(jobs, context.catalog, input->fleet, spec, hooks,
                         [&progress](const std::string& name) { progress.Start(name); });
  progress.Finish();
  if (!runs.has_value()) return fail(runs.error());
  Result<sim::SimulationBounds> bounds = sim::ComputeBounds(jobs, input->fleet, spec);
  if (!bounds.has_value()) return fail(bounds.error());

  if (!args.report_path.empty()) {
    report::SimReportInput report{args.trace, args.mode, input->fleet_text, input->notes, *runs, !args.no_latency,
                                  *bounds};
    std::ofstream file(args.report_path, std::ios::binary);
    file << report::RenderSimReport(report);
    if (!file.good()) return fail(UnavailableError("cannot write the report to '" + args.report_path + "'"));
  }

  if (context.json) {
    nlohmann::ordered_json json;
    json["trace"] = args.trace;
    json["mode"] = args.mode;
    json["fleet"] = {{"gpus", input->fleet.gpus.size()}, {"description", input->fleet_text}};
    json["seed"] = args.seed;
    json["compress"] = args.compress;
    json["jobs"] = input->trace.jobs.size();
    json["cpu_only_rows"] = input->trace.cpu_only_rows;
    json["bad_rows"] = input->trace.bad_rows.size();
    nlohmann::ordered_json listed = nlohmann::ordered_json::array();
    for (size_t i = 0; i < std::min(kRowIssuesListed, input->trace.bad_rows.size()); ++i) {
      listed.push_back({{"line", input->trace.bad_rows[i].line}, {"reason", input->trace.bad_rows[i].reason}});
    }
    json["bad_rows_first"] = listed;
    json["bounds"] = BoundsJson(*bounds);
    json["policies"] = nlohmann::ordered_json::array();
    const bool fill = spec.mode == sim::Mode::kFill;
    for (const sim::PolicyRun& run : *runs) json["policies"].push_back(PolicyJson(run, !args.no_latency, fill));
    context.out << json.dump(2) << "\n";
  } else {
    PrintTable(context.out, *input, *runs, args);
    if (spec.mode == sim::Mode::kReplay) PrintPolicyCosts(context.out, *runs, input->fleet, costs);
    PrintBounds(context.out, *bounds, input->fleet.gpus.size());
  }
  for (const sim::PolicyRun& run : *runs) {
    if (run.result.busy_disrupted > 0) {
      context.err << "migsched simulate: policy " << run.result.policy << " disturbed "
                  << run.result.busy_disrupted << " busy instances\n";
      return kExitNo;
    }
  }
  return kExitOk;
}

void AddSimulateCommands(CLI::App& app, ChosenCommand& chosen) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* simulate = app.add_subcommand("simulate", "replay a cluster trace through the scheduling policies");
  simulate->add_option("--trace", args->trace,
                       "alibaba2023:PATH, csv:PATH, jsonl:PATH or synthetic:jobs=N,rate=R,duration=S")
      ->required();
  simulate->add_option("--mode", args->mode, "replay (real times) or fill (FGD fragmentation experiment)");
  simulate->add_option("--fleet", args->fleet,
                       "a fleet file (YAML/JSON, as for plan), MODEL:COUNT[,MODEL:COUNT...], or MODEL for the trace's node list as that model")
      ->check(CLI::Validator(  // '' would otherwise mean the default fleet, silently
          [](const std::string& value) { return value.empty() ? std::string("must not be empty") : std::string(); },
          "NONEMPTY"));
  simulate->add_option("--policy", args->policy, "policy names, comma-separated, or all");
  simulate->add_option("--seed", args->seed, "seed of the synthetic trace and of fill-mode sampling");
  simulate->add_option("--compress", args->compress, "divide arrival times by this factor (replay)")
      ->check(NumberCheck(NumberBound::kAboveZero));
  AddSecondsOption(*simulate, "--reconfig-delay", args->reconfig_delay_s,
                   "extra seconds a repartition takes on top of its per-instance costs (fractional: 0.25)",
                   /*max_seconds=*/86400);
  AddSecondsOption(*simulate, "--gi-create-s", args->gi_create_s,
                   "seconds to create one GPU instance with its compute instance", /*max_seconds=*/3600);
  AddSecondsOption(*simulate, "--gi-destroy-s", args->gi_destroy_s,
                   "seconds to destroy one GPU instance with its compute instance", /*max_seconds=*/3600);
  simulate->add_flag("--no-reconfig-cost", args->no_reconfig_cost,
                     "MIG changes are free and instant (the reconfiguration cost model off)");
  simulate->add_flag("--keep-idle", args->keep_idle, "keep released instances idle for reuse (dynamic policies)");
  simulate->add_option("--patience", args->patience, "fill: stop after this many rejections in a row")
      ->check(NumberCheck(NumberBound::kAboveZero));
  simulate->add_option("--mix", args->mix,
                       "frag-aware's expected mix: mig (the trace's MIG requests) or all (also whole GPUs)");
  simulate->add_option("--report", args->report_path, "write an HTML report with SVG plots");
  simulate->add_flag("--no-latency", args->no_latency, "do not measure decision latency (byte-identical output)");
  simulate->add_option("--costs", args->costs,
                       "prices per GPU-hour or purchase, electricity price and PUE (YAML, docs/catalog.md)");
  simulate->add_option("--workloads", args->workloads,
                       "with a synthetic trace: its arrivals are replicas of these planner workloads (YAML/JSON/CSV)");
  simulate->add_option("--services", args->services,
                       "inference services whose replicas scale with a request-rate series, beside the jobs (YAML, replay)");
  simulate->callback([&chosen, args] {
    chosen = [args](const CommandContext& c) { return RunSimulate(c, *args); };
  });
}

}  // namespace migsched::cli
