#include "cli/layout_commands.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/text_table.h"
#include "common/strings.h"
#include "geometry/layout.h"
#include "geometry/layout_enumerator.h"
#include "geometry/layout_solver.h"
#include "geometry/state_space.h"
#include "io/text_file.h"
#include "report/layout_svg.h"

namespace migsched::cli {
namespace {

using geometry::GpuInstance;
using geometry::GpuModel;
using geometry::GpuState;
using geometry::StateSpace;
using nlohmann::ordered_json;

// A user's layout after finding starts for the bare specs.
struct ResolvedLayout {
  std::vector<GpuInstance> instances;  // creation order: given ones, then solved largest first
  bool valid = false;
  std::string reason;
  GpuState state;
};

Result<ResolvedLayout> Resolve(const GpuModel& model, const std::vector<std::string>& specs) {
  std::vector<GpuInstance> fixed;
  std::vector<int> bare;
  for (const std::string& text : specs) {
    Result<geometry::InstanceSpec> spec = geometry::ParseInstanceSpec(model, text);
    if (!spec.has_value()) return spec.error();
    if (spec->start) {
      fixed.push_back(GpuInstance{
          spec->profile, model.profiles[static_cast<size_t>(spec->profile)].PlacementAt(*spec->start)});
    } else {
      bare.push_back(spec->profile);
    }
  }
  const geometry::LayoutVerdict verdict = geometry::CheckLayout(model, fixed);
  ResolvedLayout resolved{.instances = fixed, .valid = verdict.valid, .reason = verdict.reason,
                          .state = verdict.state};
  if (!verdict.valid || bare.empty()) return resolved;

  Result<StateSpace> space = StateSpace::Build(model);
  if (!space.has_value()) return space.error();
  const std::optional<geometry::StateId> from = space->Find(verdict.state);
  if (!from) return InternalError("valid layout state missing from the state space");
  const auto solved = geometry::SolvePlacement(model, *space, *from, bare);
  if (!solved) {
    std::vector<std::string> names;
    for (int profile : bare) names.push_back(model.profiles[static_cast<size_t>(profile)].name);
    resolved.valid = false;
    resolved.reason = "no starts exist for " + Join(names, ", ") +
                      (fixed.empty() ? std::string("") : " next to the given instances") + ": " +
                      geometry::ExplainNoPlacement(model, *space, *from, bare);
    return resolved;
  }
  resolved.instances.insert(resolved.instances.end(), solved->begin(), solved->end());
  resolved.state = geometry::CheckLayout(model, resolved.instances).state;
  return resolved;
}

ordered_json InstancesJson(const GpuModel& model, const std::vector<GpuInstance>& instances) {
  ordered_json out = ordered_json::array();
  for (const GpuInstance& instance : instances) {
    out.push_back({{"profile", model.profiles[static_cast<size_t>(instance.profile)].name},
                   {"start", instance.placement.start},
                   {"size", instance.placement.size}});
  }
  return out;
}

int FreeMemorySlices(const GpuModel& model, const GpuState& state) {
  return model.memory_slices - std::popcount(state.occupied);
}

// One letter per instance over the memory slices: ". " free, "x " stranded.
void PrintSliceMap(const GpuModel& model, const std::vector<GpuInstance>& instances,
                   const GpuState& state, std::ostream& out) {
  const uint16_t stranded = geometry::StrandedSlices(model, state);
  std::string header = "slice ";
  std::string owners = "      ";
  for (int slice = 0; slice < model.memory_slices; ++slice) {
    std::string index = std::to_string(slice);
    header += index + std::string(3 - index.size(), ' ');
    char owner = (static_cast<unsigned>(stranded) >> slice & 1u) != 0 ? 'x' : '.';
    for (size_t i = 0; i < instances.size(); ++i) {
      const auto& p = instances[i].placement;
      if (slice >= p.start && slice < p.end()) owner = static_cast<char>('A' + i);
    }
    owners += std::string(1, owner) + "  ";
  }
  while (header.back() == ' ') header.pop_back();
  while (owners.back() == ' ') owners.pop_back();
  out << header << "\n" << owners << "\n";
  for (size_t i = 0; i < instances.size(); ++i) {
    out << "  " << static_cast<char>('A' + i) << " = " << geometry::InstanceLabel(model, instances[i])
        << "\n";
  }
  out << "  . = free";
  if (stranded != 0) out << ", x = stranded (no profile can use it any more)";
  out << "\n";
}

void PrintSummary(const GpuModel& model, const ResolvedLayout& layout, std::ostream& out) {
  const int free_compute = model.compute_slices - layout.state.compute_used;
  out << "free: " << free_compute << " of " << model.compute_slices << " compute slices, "
      << FreeMemorySlices(model, layout.state) << " of " << model.memory_slices
      << " memory slices";
  const int stranded = std::popcount(geometry::StrandedSlices(model, layout.state));
  if (stranded > 0) out << " (" << stranded << " stranded)";
  out << "\n";
}

int ReportBadInput(const CommandContext& context, const Status& status) {
  context.err << "migsched: " << status.message() << "\n";
  return kExitBadInput;
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> items;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t end = std::min(text.find(',', begin), text.size());
    if (end > begin) items.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return items;
}

}  // namespace

int RunLayoutCheck(const CommandContext& context, const std::string& gpu,
                   const std::vector<std::string>& specs) {
  const Result<const GpuModel*> model = context.catalog.Find(gpu);
  if (!model.has_value()) return ReportBadInput(context, model.error());
  const Result<ResolvedLayout> layout = Resolve(**model, specs);
  if (!layout.has_value()) return ReportBadInput(context, layout.error());
  const GpuModel& m = **model;
  if (context.json) {
    context.out << ordered_json{
                       {"gpu", m.name},
                       {"valid", layout->valid},
                       {"reason", layout->reason},
                       {"instances", InstancesJson(m, layout->instances)},
                       {"free",
                        {{"compute_slices", m.compute_slices - layout->state.compute_used},
                         {"memory_slices", FreeMemorySlices(m, layout->state)},
                         {"stranded_memory_slices",
                          std::popcount(geometry::StrandedSlices(m, layout->state))}}}}
                       .dump(2)
                << "\n";
    return layout->valid ? kExitOk : kExitNo;
  }
  if (!layout->valid) {
    context.out << m.name << ": invalid layout: " << layout->reason << "\n";
    return kExitNo;
  }
  context.out << m.name << ": valid layout; create in this order with these placements:\n";
  TextTable table({"#", "PROFILE", "ID", "START", "SIZE", "MEMORY SLICES"});
  for (size_t i = 0; i < layout->instances.size(); ++i) {
    const GpuInstance& instance = layout->instances[i];
    const auto& profile = m.profiles[static_cast<size_t>(instance.profile)];
    table.AddRow({std::to_string(i + 1), profile.name, std::to_string(profile.id),
                  std::to_string(instance.placement.start), std::to_string(instance.placement.size),
                  std::to_string(instance.placement.start) + "-" +
                      std::to_string(instance.placement.end() - 1)});
  }
  table.Print(context.out);
  PrintSummary(m, *layout, context.out);
  return kExitOk;
}

int RunLayoutEnumerate(const CommandContext& context, const std::string& gpu,
                       const std::string& profiles) {
  const Result<const GpuModel*> model = context.catalog.Find(gpu);
  if (!model.has_value()) return ReportBadInput(context, model.error());
  const GpuModel& m = **model;
  std::vector<int> allowed;
  for (const std::string& name : SplitCommas(profiles)) {
    const std::optional<int> index = m.FindProfile(name);
    if (!index) {
      return ReportBadInput(context, NotFoundError("unknown profile '" + name + "' for " + m.name +
                                                   "; valid profiles: " + m.ProfileNames()));
    }
    allowed.push_back(*index);
  }
  const Result<StateSpace> space = StateSpace::Build(m);
  if (!space.has_value()) return ReportBadInput(context, space.error());
  const geometry::LayoutCensus census = geometry::EnumerateLayouts(m, *space, allowed);
  if (context.json) {
    ordered_json layouts = ordered_json::array();
    for (const auto& layout : census.maximal_layouts) layouts.push_back(InstancesJson(m, layout));
    context.out << ordered_json{{"gpu", m.name},
                                {"count", census.maximal_layouts.size()},
                                {"distinct_multisets", census.distinct_multisets},
                                {"full_layouts", census.full_layouts},
                                {"valid_layouts", census.valid_layouts},
                                {"layouts", layouts}}
                       .dump()
                << "\n";
    return kExitOk;
  }
  context.out << m.name << ": " << census.maximal_layouts.size()
              << " maximal layouts (no further instance fits), " << census.distinct_multisets
              << " distinct profile mixes, " << census.full_layouts
              << " use every compute and memory slice; " << census.valid_layouts
              << " valid layouts in all.\n";
  for (size_t i = 0; i < census.maximal_layouts.size(); ++i) {
    std::vector<std::string> labels;
    for (const GpuInstance& instance : census.maximal_layouts[i]) {
      labels.push_back(geometry::InstanceLabel(m, instance));
    }
    context.out << std::to_string(i + 1) << ". " << Join(labels, "  ") << "\n";
  }
  return kExitOk;
}

int RunLayoutShow(const CommandContext& context, const std::string& gpu,
                  const std::vector<std::string>& specs, const std::string& svg_path) {
  const Result<const GpuModel*> model = context.catalog.Find(gpu);
  if (!model.has_value()) return ReportBadInput(context, model.error());
  const Result<ResolvedLayout> layout = Resolve(**model, specs);
  if (!layout.has_value()) return ReportBadInput(context, layout.error());
  const GpuModel& m = **model;
  if (!layout->valid) {
    context.out << m.name << ": invalid layout: " << layout->reason << "\n";
    return kExitNo;
  }
  context.out << m.name << ":\n";
  PrintSliceMap(m, layout->instances, layout->state, context.out);
  PrintSummary(m, *layout, context.out);
  if (!svg_path.empty()) {
    const Status written = io::WriteTextFile(svg_path, report::RenderLayoutSvg(m, layout->instances), "SVG");
    if (!written.ok()) return ReportBadInput(context, written);
    context.out << "picture: " << svg_path << "\n";
  }
  return kExitOk;
}

void AddLayoutCommands(CLI::App& app, ChosenCommand& chosen) {
  struct Args {
    std::string gpu;
    std::vector<std::string> specs;
    std::string profiles;
    std::string svg_path;
  };
  auto args = std::make_shared<Args>();

  CLI::App* layout = app.add_subcommand("layout", "check, enumerate and draw MIG layouts");
  layout->require_subcommand(1);
  CLI::App* check = layout->add_subcommand(
      "check", "is this layout valid? SPEC is PROFILE or PROFILE@START; finds starts for bare ones");
  check->add_option("GPU", args->gpu, "GPU model")->required();
  check->add_option("SPEC", args->specs, "instances, e.g. 3g.40gb@4 2g.20gb 1g.10gb")->required();
  check->callback([&chosen, args] {
    chosen = [args](const CommandContext& c) { return RunLayoutCheck(c, args->gpu, args->specs); };
  });

  CLI::App* enumerate = layout->add_subcommand("enumerate", "all maximal layouts of a GPU");
  enumerate->add_option("GPU", args->gpu, "GPU model")->required();
  enumerate->add_option("--profiles", args->profiles, "only these profiles, comma-separated");
  enumerate->callback([&chosen, args] {
    chosen = [args](const CommandContext& c) { return RunLayoutEnumerate(c, args->gpu, args->profiles); };
  });

  CLI::App* show = layout->add_subcommand("show", "draw a layout: slice map, and SVG with --svg");
  show->add_option("GPU", args->gpu, "GPU model")->required();
  show->add_option("SPEC", args->specs, "instances, e.g. 3g.40gb@4 2g.20gb 1g.10gb")->required();
  show->add_option("--svg", args->svg_path, "write an SVG picture to this file");
  show->callback([&chosen, args] {
    chosen = [args](const CommandContext& c) {
      return RunLayoutShow(c, args->gpu, args->specs, args->svg_path);
    };
  });
}

}  // namespace migsched::cli
