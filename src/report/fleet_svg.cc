#include "report/fleet_svg.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <tuple>
#include <vector>

#include "geometry/gpu_state.h"
#include "geometry/layout.h"
#include "report/svg_style.h"
#include "report/svg_writer.h"

namespace migsched::report {
namespace {

using fleet::FleetGpu;
using fleet::FleetInstance;

constexpr int kMargin = 16;
constexpr int kTitleBaseline = 30;
constexpr int kLegendTop = 46;
constexpr int kLegendRow = 20;
constexpr int kLegendColumns = 4;
constexpr int kLegendColumnWidth = 220;
constexpr int kCaptionWidth = 300;  // "x 12  H100-80GB  node-1/0, node-1/1, ..."
constexpr int kBarWidth = 640;      // every model's bar has the same width
constexpr int kRowHeight = 40;
constexpr int kRowGap = 8;
constexpr int kFont = 12;
constexpr int kSmallFont = 10;
constexpr std::string_view kIdleInstance = "#FFFFFF";
constexpr std::string_view kHatchId = "migsched-fleet-stranded";

// White text on dark fills, dark text on light ones (relative luminance of "#RRGGBB").
std::string_view InkOn(std::string_view fill) {
  if (fill.size() != 7 || fill[0] != '#') return kInk;
  auto channel = [&](size_t at) { return std::stoi(std::string(fill.substr(at, 2)), nullptr, 16); };
  const int luminance = 2126 * channel(1) + 7152 * channel(3) + 722 * channel(5);
  return luminance < 100 * 10000 ? std::string_view("#FFFFFF") : kInk;
}

// The largest font up to `preferred` at which `text` fits `width` pixels
// (0.6 em per character, a generous estimate for the sans fonts named above).
int FittingFont(std::string_view text, int width, int preferred) {
  int size = preferred;
  while (size > 6 && static_cast<int>(text.size()) * size * 3 > width * 5) --size;
  return size;
}

std::string Str(int value) { return std::to_string(value); }

// What makes two GPUs draw the same.
using RowKey = std::tuple<const geometry::GpuModel*, bool, std::string,
                          std::vector<std::tuple<int, int, std::string, bool>>>;

RowKey KeyOf(const FleetGpu& gpu) {
  std::vector<std::tuple<int, int, std::string, bool>> instances;
  for (const FleetInstance& i : gpu.instances) {
    instances.emplace_back(i.instance.placement.start, i.instance.profile, i.workload, i.busy);
  }
  std::sort(instances.begin(), instances.end());
  return {gpu.model, gpu.mig_enabled, gpu.whole_gpu_workload, std::move(instances)};
}

struct Row {
  const FleetGpu* first = nullptr;
  int count = 0;
  std::vector<std::string> names;  // the first few "node/index"
};

class FleetPainter {
 public:
  FleetPainter(const std::vector<std::string>& workloads, int rows_drawn, bool note)
      : workloads_(workloads) {
    const int legend_rows = (static_cast<int>(workloads.size()) + 4 + kLegendColumns - 1) / kLegendColumns;
    rows_top_ = kLegendTop + legend_rows * kLegendRow + 12;
    width_ = 2 * kMargin + kCaptionWidth + kBarWidth;
    height_ = rows_top_ + rows_drawn * (kRowHeight + kRowGap) + (note ? 24 : 0) + kMargin;
  }

  void Begin(const std::string& title) {
    svg_.Raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    svg_.Open("svg", {{"xmlns", "http://www.w3.org/2000/svg"},
                      {"width", Str(width_)},
                      {"height", Str(height_)},
                      {"viewBox", "0 0 " + Str(width_) + " " + Str(height_)},
                      {"font-family", std::string(kFontFamily)}});
    svg_.WithText("title", {}, title);
    svg_.Open("defs", {});
    svg_.Open("pattern", {{"id", std::string(kHatchId)},
                          {"width", "6"},
                          {"height", "6"},
                          {"patternUnits", "userSpaceOnUse"},
                          {"patternTransform", "rotate(45)"}});
    svg_.Empty("rect", {{"width", "6"}, {"height", "6"}, {"fill", "#FFEBEE"}});
    svg_.Empty("line", {{"x1", "0"}, {"y1", "0"}, {"x2", "0"}, {"y2", "6"},
                        {"stroke", std::string(kStrandedStroke)}, {"stroke-width", "2"}});
    svg_.Close("pattern");
    svg_.Close("defs");
    svg_.Empty("rect", {{"width", Str(width_)}, {"height", Str(height_)}, {"fill", "#FFFFFF"}});
    svg_.WithText("text", {{"x", Str(kMargin)}, {"y", Str(kTitleBaseline)}, {"font-size", "18"},
                           {"font-weight", "bold"}, {"fill", std::string(kInk)}},
                  title);
    DrawLegend();
  }

  void DrawRow(const Row& row, int index) {
    const FleetGpu& gpu = *row.first;
    const int y = rows_top_ + index * (kRowHeight + kRowGap);
    std::string names = "";
    for (size_t i = 0; i < row.names.size(); ++i) names += (i ? ", " : "") + row.names[i];
    if (row.count > static_cast<int>(row.names.size())) names += ", ...";
    svg_.Open("g", {{"class", "gpu-row"}, {"data-count", Str(row.count)}, {"data-model", gpu.model->name}});
    Text(kMargin, y + 16, "x " + Str(row.count) + "  " + gpu.model->name, kFont, "bold");
    Text(kMargin, y + 32, names, kSmallFont, "normal");
    const int x0 = kMargin + kCaptionWidth;
    const int slices = gpu.model->memory_slices;
    auto slice_x = [&](int slice) { return x0 + slice * kBarWidth / slices; };
    // A whole-GPU workload also runs on a MIG-enabled GPU with no instance
    // (the scheduler's gangs do): drawn the same, captioned by the mode.
    if (!gpu.mig_enabled || !gpu.whole_gpu_workload.empty()) {
      const bool used = !gpu.whole_gpu_workload.empty();
      svg_.Open("g", {{"class", "whole-gpu"}, {"data-workload", gpu.whole_gpu_workload}});
      Block(x0, y, kBarWidth, used ? Colour(gpu.whole_gpu_workload) : kFreeFill, gpu.whole_gpu_busy);
      Centred(x0 + kBarWidth / 2, y + 24,
              std::string(gpu.mig_enabled ? "whole GPU (MIG on, no instance)" : "whole GPU (MIG disabled)") +
                  (used ? ": " + gpu.whole_gpu_workload : std::string(", free")),
              kFont, InkOn(used ? Colour(gpu.whole_gpu_workload) : std::string(kFreeFill)));
      svg_.Close("g");
      svg_.Close("g");
      return;
    }
    geometry::GpuState state = geometry::CheckLayout(*gpu.model, fleet::LayoutOf(gpu)).state;
    for (const FleetInstance& i : gpu.instances) {
      const auto& profile = gpu.model->profiles[static_cast<size_t>(i.instance.profile)];
      const int x = slice_x(i.instance.placement.start);
      const int w = slice_x(i.instance.placement.end()) - x;
      svg_.Open("g", {{"class", "instance"},
                      {"data-workload", i.workload},
                      {"data-profile", profile.name},
                      {"data-start", Str(i.instance.placement.start)}});
      Block(x, y, w, i.workload.empty() ? kIdleInstance : Colour(i.workload), i.busy);
      const std::string owner = i.workload.empty() ? "(free)" : i.workload;
      const std::string_view ink = InkOn(i.workload.empty() ? kIdleInstance : Colour(i.workload));
      Centred(x + w / 2, y + 17, profile.name, FittingFont(profile.name, w - 4, kSmallFont), ink);
      Centred(x + w / 2, y + 31, owner, FittingFont(owner, w - 4, kSmallFont), ink);
      svg_.Close("g");
    }
    const uint16_t stranded = geometry::StrandedSlices(*gpu.model, state);
    for (int slice = 0; slice < slices; ++slice) {
      if ((static_cast<unsigned>(state.occupied) >> slice & 1u) != 0) continue;
      const bool is_stranded = (static_cast<unsigned>(stranded) >> slice & 1u) != 0;
      const int x = slice_x(slice);
      svg_.Empty("rect", {{"class", is_stranded ? "stranded" : "free"},
                          {"data-slice", Str(slice)},
                          {"x", Str(x + 1)},
                          {"y", Str(y + 1)},
                          {"width", Str(slice_x(slice + 1) - x - 2)},
                          {"height", Str(kRowHeight - 2)},
                          {"fill", is_stranded ? "url(#" + std::string(kHatchId) + ")" : std::string(kFreeFill)},
                          {"stroke", std::string(is_stranded ? kStrandedStroke : kFreeStroke)},
                          {"stroke-dasharray", "4 3"}});
    }
    svg_.Close("g");
  }

  void DrawNote(int rows_drawn, const std::string& note) {
    Text(kMargin, rows_top_ + rows_drawn * (kRowHeight + kRowGap) + 14, note, kFont, "normal");
  }

  std::string Finish() && {
    svg_.Close("svg");
    return std::move(svg_).Finish();
  }

 private:
  std::string Colour(const std::string& workload) const {
    const auto it = std::lower_bound(workloads_.begin(), workloads_.end(), workload);
    const size_t index = static_cast<size_t>(it - workloads_.begin());
    return std::string(kPalette[index % std::size(kPalette)]);
  }

  void Block(int x, int y, int width, std::string_view fill, bool busy) {
    svg_.Empty("rect", {{"x", Str(x + 1)},
                        {"y", Str(y + 1)},
                        {"width", Str(width - 2)},
                        {"height", Str(kRowHeight - 2)},
                        {"rx", "3"},
                        {"fill", std::string(fill)},
                        {"stroke", std::string(kInk)},
                        {"stroke-width", busy ? "3" : "1"}});
  }

  void Text(int x, int y, const std::string& text, int size, std::string_view weight) {
    svg_.WithText("text", {{"x", Str(x)}, {"y", Str(y)}, {"font-size", Str(size)},
                           {"font-weight", std::string(weight)}, {"fill", std::string(kInk)}},
                  text);
  }

  void Centred(int x, int y, const std::string& text, int size, std::string_view ink) {
    svg_.WithText("text", {{"x", Str(x)}, {"y", Str(y)}, {"font-size", Str(size)},
                           {"text-anchor", "middle"}, {"fill", std::string(ink)}},
                  text);
  }

  void DrawLegend() {
    svg_.Open("g", {{"class", "legend"}});
    int slot = 0;
    auto entry = [&](std::string_view fill, std::string_view stroke, const std::string& label) {
      const int x = kMargin + (slot % kLegendColumns) * kLegendColumnWidth;
      const int y = kLegendTop + (slot / kLegendColumns) * kLegendRow;
      svg_.Empty("rect", {{"x", Str(x)}, {"y", Str(y)}, {"width", "12"}, {"height", "12"},
                          {"fill", std::string(fill)}, {"stroke", std::string(stroke)}});
      Text(x + 18, y + 11, label, kFont, "normal");
      ++slot;
    };
    for (const std::string& w : workloads_) entry(Colour(w), kInk, w);
    entry(kIdleInstance, kInk, "instance, no workload");
    entry(kFreeFill, kFreeStroke, "free slice");
    entry("url(#" + std::string(kHatchId) + ")", kStrandedStroke, "stranded slice");
    entry(kIdleInstance, kInk, "thick border: busy");
    svg_.Close("g");
  }

  const std::vector<std::string>& workloads_;
  SvgWriter svg_;
  int rows_top_ = 0;
  int width_ = 0;
  int height_ = 0;
};

}  // namespace

std::string RenderFleetSvg(const fleet::Fleet& fleet, const FleetSvgOptions& options) {
  constexpr size_t kNamesShown = 4;
  std::map<RowKey, size_t> row_of;
  std::vector<Row> rows;
  std::vector<std::string> workloads;
  for (const FleetGpu& gpu : fleet.gpus) {
    auto [it, inserted] = row_of.try_emplace(KeyOf(gpu), rows.size());
    if (inserted) rows.push_back(Row{.first = &gpu, .count = 0, .names = {}});
    Row& row = rows[it->second];
    ++row.count;
    if (row.names.size() < kNamesShown) row.names.push_back(gpu.node + "/" + Str(gpu.index));
    if (!gpu.whole_gpu_workload.empty()) workloads.push_back(gpu.whole_gpu_workload);
    for (const FleetInstance& i : gpu.instances) {
      if (!i.workload.empty()) workloads.push_back(i.workload);
    }
  }
  std::sort(workloads.begin(), workloads.end());
  workloads.erase(std::unique(workloads.begin(), workloads.end()), workloads.end());

  const size_t drawn = std::min(rows.size(), options.max_rows);
  const bool note = drawn < rows.size();
  FleetPainter painter(workloads, static_cast<int>(drawn), note);
  painter.Begin(options.title.empty() ? "migsched plan: " + Str(static_cast<int>(fleet.gpus.size())) + " GPUs, " +
                                            Str(static_cast<int>(rows.size())) + " distinct layouts"
                                      : options.title);
  for (size_t i = 0; i < drawn; ++i) painter.DrawRow(rows[i], static_cast<int>(i));
  if (note) {
    int hidden = 0;
    for (size_t i = drawn; i < rows.size(); ++i) hidden += rows[i].count;
    painter.DrawNote(static_cast<int>(drawn),
                     "... and " + Str(static_cast<int>(rows.size() - drawn)) + " more layouts on " +
                         Str(hidden) + " GPUs");
  }
  return std::move(painter).Finish();
}

}  // namespace migsched::report
