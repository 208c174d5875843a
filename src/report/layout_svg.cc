#include "report/layout_svg.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/check.h"
#include "geometry/gpu_state.h"
#include "report/svg_style.h"
#include "report/svg_writer.h"

namespace migsched::report {
namespace {

using geometry::GiProfile;
using geometry::GpuInstance;
using geometry::GpuModel;
using geometry::GpuState;

// Geometry of the picture, in pixels. All coordinates are integers, so the
// output has no floating-point formatting to vary between platforms.
constexpr int kMargin = 16;
constexpr int kGutter = 72;  // row captions left of the grid
constexpr int kColumnWidth = 88;
constexpr int kInset = 2;  // space between a block and its column edges
constexpr int kTitleBaseline = 34;
constexpr int kSliceLabelBaseline = 60;
constexpr int kMemoryTop = 68;
constexpr int kMemoryHeight = 76;
constexpr int kComputeTop = kMemoryTop + kMemoryHeight + 16;
constexpr int kComputeHeight = 30;
constexpr int kLegendTop = kComputeTop + kComputeHeight + 18;
constexpr int kSwatch = 12;
constexpr int kSummaryBaseline = kLegendTop + kSwatch + 26;
constexpr int kHeight = kSummaryBaseline + kMargin;

constexpr int kTitleFont = 18;
constexpr int kSummaryFont = 13;
constexpr int kLabelFont = 12;
constexpr int kNameFont = 13;
constexpr int kMinFont = 8;

constexpr std::string_view kHatchId = "migsched-stranded-hatch";
constexpr std::string_view kMutedInk = "#5F6B7A";
constexpr std::string_view kFrame = "#5F6B7A";
constexpr std::string_view kStrandedInk = "#B71C1C";

struct Swatch {
  std::string_view fill;
  std::string_view ink;
};

// The palette's Okabe-Ito colours by instance size.
Swatch ColourFor(int compute_slices) {
  switch (compute_slices) {
    case 1: return {kPalette[0], kInk};       // sky blue
    case 2: return {kPalette[1], kInk};       // bluish green
    case 3: return {kPalette[2], kInk};       // orange
    case 4: return {kPalette[3], kInk};       // reddish purple
    case 7: return {kPalette[4], "#FFFFFF"};  // blue
    default: return {kPalette[5], kInk};      // yellow: sizes no current GPU has
  }
}

// A generous estimate of rendered width (0.6 em per character, counting UTF-8
// code points), used to size the picture and shrink labels that would spill.
int EstimatedWidth(std::string_view text, int font_size) {
  const auto chars = std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
  return (static_cast<int>(chars) * font_size * 3 + 4) / 5;
}

// The largest font size up to `preferred` at which `text` fits `width`.
int FittingFont(std::string_view text, int width, int preferred) {
  int size = preferred;
  while (size > kMinFont && EstimatedWidth(text, size) > width) --size;
  return size;
}

std::string Str(int value) { return std::to_string(value); }
std::string Str(std::string_view value) { return std::string(value); }

// The most compute slices that further instances could still take from
// `state`, over every sequence of placements the hardware allows. The states
// reachable from any layout number at most a few hundred, so a memoised
// search is instant.
class ComputeReach {
 public:
  explicit ComputeReach(const GpuModel& model) : model_(model) {}

  int Max(const GpuState& state) {
    if (auto it = memo_.find(state.Key()); it != memo_.end()) return it->second;
    const int left = model_.compute_slices - state.compute_used;
    int best = 0;
    for (const GiProfile& profile : model_.profiles) {
      for (int start : profile.starts) {
        if (best == left) break;
        if (geometry::CheckPlace(model_, profile, state, start) != geometry::PlaceCheck::kFits) {
          continue;
        }
        best = std::max(best, profile.compute_slices +
                                  Max(geometry::AfterPlace(profile, state, start)));
      }
    }
    memo_.emplace(state.Key(), best);
    return best;
  }

 private:
  const GpuModel& model_;
  std::unordered_map<uint64_t, int> memo_;
};

std::string Plural(int count, std::string_view singular, std::string_view plural) {
  return Str(count) + " " + Str(count == 1 ? singular : plural);
}

struct Totals {
  int instances = 0;
  int compute_used = 0;
  int compute_stranded = 0;
  int memory_used = 0;
  int memory_stranded = 0;
  int64_t mib_used = 0;
};

std::string Summary(const GpuModel& model, const Totals& totals) {
  std::string text = model.name + ": " + Plural(totals.instances, "instance", "instances") +
                     ", " + Str(totals.compute_used) + "/" + Str(model.compute_slices) +
                     " compute slices";
  if (totals.compute_stranded > 0) text += " (" + Str(totals.compute_stranded) + " stranded)";
  text += ", " + Str(totals.memory_used) + "/" + Str(model.memory_slices) +
          " memory slices used, " + Str(totals.memory_stranded) + " stranded; " +
          std::to_string(totals.mib_used) + " of " + std::to_string(model.memory_mib) + " MiB";
  return text;
}

enum class Cell { kFree, kStranded };

// Draws the picture top to bottom; each Draw* call adds one part.
class Painter {
 public:
  Painter(const GpuModel& model, int width)
      : model_(model),
        width_(width),
        grid_width_(model.memory_slices * kColumnWidth) {}

  void DrawHeader(std::string_view title);
  void DrawMemoryRow(std::span<const GpuInstance> by_start, const GpuState& state,
                     uint16_t stranded_mask);
  void DrawComputeBar(std::span<const GpuInstance> by_start, int compute_stranded);
  void DrawLegend();
  void DrawSummary(std::string_view summary);

  std::string Finish() && {
    svg_.Close("svg");
    return std::move(svg_).Finish();
  }

 private:
  static constexpr int kGridX = kMargin + kGutter;

  // A label centred on `centre_x`, shrunk to fit `width`.
  void CentredText(int centre_x, int baseline, int width, std::string_view text,
                   int preferred_font, std::string_view ink, std::string_view weight);
  // A rounded, outlined rectangle in an instance's colour.
  void FilledBlock(int x, int y, int width, int height, int radius, std::string_view fill);
  void EmptyCell(Cell cell, std::string_view cls, int index, int x, int y, int width,
                 int height);
  void RowCaption(int baseline, std::string_view text);
  void Frame(int y, int height);
  void LegendEntry(std::string_view fill, std::string_view stroke, std::string_view label);
  // Left edge of compute slice `segment` in the bar, which spans the grid.
  int SegmentX(int segment) const {
    return kGridX + segment * grid_width_ / std::max(model_.compute_slices, 1);
  }

  const GpuModel& model_;
  const int width_;
  const int grid_width_;
  int legend_x_ = kGridX;
  SvgWriter svg_;
};

void Painter::DrawHeader(std::string_view title) {
  svg_.Raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  svg_.Open("svg", {{"xmlns", "http://www.w3.org/2000/svg"},
                    {"width", Str(width_)},
                    {"height", Str(kHeight)},
                    {"viewBox", "0 0 " + Str(width_) + " " + Str(kHeight)},
                    {"font-family", Str(kFontFamily)}});
  svg_.WithText("title", {}, title);
  svg_.Open("defs", {});
  svg_.Open("pattern", {{"id", Str(kHatchId)},
                        {"patternUnits", "userSpaceOnUse"},
                        {"width", "8"},
                        {"height", "8"},
                        {"patternTransform", "rotate(45)"}});
  svg_.Empty("rect", {{"width", "8"}, {"height", "8"}, {"fill", "#FDE7E4"}});
  svg_.Empty("line", {{"x1", "0"},
                      {"y1", "0"},
                      {"x2", "0"},
                      {"y2", "8"},
                      {"stroke", Str(kStrandedStroke)},
                      {"stroke-width", "3"}});
  svg_.Close("pattern");
  svg_.Close("defs");
  svg_.Empty("rect", {{"width", Str(width_)}, {"height", Str(kHeight)}, {"fill", "#FFFFFF"}});
  svg_.WithText("text",
                {{"x", Str(kMargin)},
                 {"y", Str(kTitleBaseline)},
                 {"font-size", Str(kTitleFont)},
                 {"font-weight", "bold"},
                 {"fill", Str(kInk)}},
                title);
}

void Painter::DrawMemoryRow(std::span<const GpuInstance> by_start, const GpuState& state,
                            uint16_t stranded_mask) {
  RowCaption(kSliceLabelBaseline, "slice");
  for (int slice = 0; slice < model_.memory_slices; ++slice) {
    svg_.WithText("text",
                  {{"class", "slice-label"},
                   {"x", Str(kGridX + slice * kColumnWidth + kColumnWidth / 2)},
                   {"y", Str(kSliceLabelBaseline)},
                   {"text-anchor", "middle"},
                   {"font-size", Str(kLabelFont)},
                   {"fill", Str(kMutedInk)}},
                  Str(slice));
  }
  RowCaption(kMemoryTop + kMemoryHeight / 2 + 4, "memory");
  Frame(kMemoryTop, kMemoryHeight);
  const int y = kMemoryTop + kInset;
  const int height = kMemoryHeight - 2 * kInset;
  for (const GpuInstance& instance : by_start) {
    const GiProfile& profile = model_.profiles[static_cast<size_t>(instance.profile)];
    const Swatch colour = ColourFor(profile.compute_slices);
    const int x = kGridX + instance.placement.start * kColumnWidth + kInset;
    const int width = instance.placement.size * kColumnWidth - 2 * kInset;
    svg_.Open("g", {{"class", "instance"},
                    {"data-profile", profile.name},
                    {"data-start", Str(instance.placement.start)},
                    {"data-size", Str(instance.placement.size)},
                    {"data-compute", Str(profile.compute_slices)}});
    FilledBlock(x, y, width, height, 4, colour.fill);
    const int centre = x + width / 2;
    CentredText(centre, y + 28, width, profile.name, kNameFont, colour.ink, "bold");
    CentredText(centre, y + 46, width, "@" + Str(instance.placement.start), kLabelFont,
                colour.ink, "normal");
    CentredText(centre, y + 63, width, std::to_string(profile.memory_mib) + " MiB",
                kLabelFont - 1, colour.ink, "normal");
    svg_.Close("g");
  }
  for (int slice = 0; slice < model_.memory_slices; ++slice) {
    if ((static_cast<unsigned>(state.occupied) >> slice & 1u) != 0) continue;
    const bool stranded = (static_cast<unsigned>(stranded_mask) >> slice & 1u) != 0;
    EmptyCell(stranded ? Cell::kStranded : Cell::kFree, stranded ? "stranded" : "free", slice,
              kGridX + slice * kColumnWidth + kInset, y, kColumnWidth - 2 * kInset, height);
  }
}

void Painter::DrawComputeBar(std::span<const GpuInstance> by_start, int compute_stranded) {
  RowCaption(kComputeTop + kComputeHeight / 2 + 4, "compute");
  Frame(kComputeTop, kComputeHeight);
  const int y = kComputeTop + kInset;
  const int height = kComputeHeight - 2 * kInset;
  int segment = 0;
  for (const GpuInstance& instance : by_start) {
    const GiProfile& profile = model_.profiles[static_cast<size_t>(instance.profile)];
    const Swatch colour = ColourFor(profile.compute_slices);
    const std::string label = geometry::InstanceLabel(model_, instance);
    const int x = SegmentX(segment) + kInset;
    const int width = SegmentX(segment + profile.compute_slices) - SegmentX(segment) - 2 * kInset;
    svg_.Open("g", {{"class", "compute-used"},
                    {"data-instance", label},
                    {"data-slices", Str(profile.compute_slices)}});
    FilledBlock(x, y, width, height, 3, colour.fill);
    CentredText(x + width / 2, kComputeTop + kComputeHeight / 2 + 4, width, label,
                kLabelFont - 1, colour.ink, "normal");
    svg_.Close("g");
    segment += profile.compute_slices;
  }
  const int first_stranded = model_.compute_slices - compute_stranded;
  for (; segment < model_.compute_slices; ++segment) {
    const bool stranded = segment >= first_stranded;
    EmptyCell(stranded ? Cell::kStranded : Cell::kFree,
              stranded ? "compute-stranded" : "compute-free", segment, SegmentX(segment) + kInset,
              y, SegmentX(segment + 1) - SegmentX(segment) - 2 * kInset, height);
  }
}

void Painter::DrawLegend() {
  std::set<int> compute_sizes;
  for (const GiProfile& profile : model_.profiles) compute_sizes.insert(profile.compute_slices);
  svg_.Open("g", {{"class", "legend"}});
  for (int size : compute_sizes) LegendEntry(ColourFor(size).fill, kFrame, Str(size) + "g");
  LegendEntry(kFreeFill, kFreeStroke, "free");
  LegendEntry("url(#" + Str(kHatchId) + ")", kStrandedStroke, "stranded");
  svg_.Close("g");
}

void Painter::DrawSummary(std::string_view summary) {
  svg_.WithText("text",
                {{"class", "summary"},
                 {"x", Str(kMargin)},
                 {"y", Str(kSummaryBaseline)},
                 {"font-size", Str(kSummaryFont)},
                 {"fill", Str(kInk)}},
                summary);
}

void Painter::CentredText(int centre_x, int baseline, int width, std::string_view text,
                          int preferred_font, std::string_view ink, std::string_view weight) {
  svg_.WithText("text",
                {{"x", Str(centre_x)},
                 {"y", Str(baseline)},
                 {"text-anchor", "middle"},
                 {"font-size", Str(FittingFont(text, width - 6, preferred_font))},
                 {"font-weight", Str(weight)},
                 {"fill", Str(ink)}},
                text);
}

void Painter::FilledBlock(int x, int y, int width, int height, int radius,
                          std::string_view fill) {
  svg_.Empty("rect", {{"x", Str(x)},
                      {"y", Str(y)},
                      {"width", Str(width)},
                      {"height", Str(height)},
                      {"rx", Str(radius)},
                      {"fill", Str(fill)},
                      {"stroke", Str(kInk)},
                      {"stroke-opacity", "0.45"}});
}

void Painter::EmptyCell(Cell cell, std::string_view cls, int index, int x, int y, int width,
                        int height) {
  const bool stranded = cell == Cell::kStranded;
  const std::string_view label = stranded ? "stranded" : "free";
  svg_.Open("g", {{"class", Str(cls)}, {"data-slice", Str(index)}});
  svg_.Empty("rect", {{"x", Str(x)},
                      {"y", Str(y)},
                      {"width", Str(width)},
                      {"height", Str(height)},
                      {"rx", "4"},
                      {"fill", stranded ? "url(#" + Str(kHatchId) + ")" : Str(kFreeFill)},
                      {"stroke", Str(stranded ? kStrandedStroke : kFreeStroke)},
                      {"stroke-width", stranded ? "1.5" : "1"},
                      {"stroke-dasharray", stranded ? "none" : "4 3"}});
  svg_.WithText("text",
                {{"x", Str(x + width / 2)},
                 {"y", Str(y + height / 2 + 4)},
                 {"text-anchor", "middle"},
                 {"font-size", Str(FittingFont(label, width - 4, kLabelFont))},
                 {"font-weight", stranded ? "bold" : "normal"},
                 {"fill", Str(stranded ? kStrandedInk : kMutedInk)},
                 {"stroke", stranded ? "#FFFFFF" : "none"},
                 {"stroke-width", "3"},
                 {"paint-order", "stroke"}},
                label);
  svg_.Close("g");
}

void Painter::RowCaption(int baseline, std::string_view text) {
  svg_.WithText("text",
                {{"x", Str(kGridX - 10)},
                 {"y", Str(baseline)},
                 {"text-anchor", "end"},
                 {"font-size", Str(kLabelFont)},
                 {"fill", Str(kMutedInk)}},
                text);
}

void Painter::Frame(int y, int height) {
  svg_.Empty("rect", {{"x", Str(kGridX - 3)},
                      {"y", Str(y - 3)},
                      {"width", Str(grid_width_ + 6)},
                      {"height", Str(height + 6)},
                      {"rx", "6"},
                      {"fill", "#FFFFFF"},
                      {"stroke", Str(kFrame)},
                      {"stroke-width", "1.5"}});
}

void Painter::LegendEntry(std::string_view fill, std::string_view stroke,
                          std::string_view label) {
  svg_.Empty("rect", {{"x", Str(legend_x_)},
                      {"y", Str(kLegendTop)},
                      {"width", Str(kSwatch)},
                      {"height", Str(kSwatch)},
                      {"rx", "2"},
                      {"fill", Str(fill)},
                      {"stroke", Str(stroke)}});
  svg_.WithText("text",
                {{"x", Str(legend_x_ + kSwatch + 5)},
                 {"y", Str(kLegendTop + kSwatch - 2)},
                 {"font-size", Str(kLabelFont - 1)},
                 {"fill", Str(kMutedInk)}},
                label);
  legend_x_ += kSwatch + 5 + EstimatedWidth(label, kLabelFont - 1) + 14;
}

}  // namespace

std::string RenderLayoutSvg(const GpuModel& model, std::span<const GpuInstance> layout,
                            const LayoutSvgOptions& options) {
  const geometry::LayoutVerdict verdict = geometry::CheckLayout(model, layout);
  MIGSCHED_DCHECK(verdict.valid);
  const GpuState& state = verdict.state;
  const uint16_t stranded_mask = geometry::StrandedSlices(model, state);

  std::vector<GpuInstance> by_start(layout.begin(), layout.end());
  std::sort(by_start.begin(), by_start.end(), [](const GpuInstance& a, const GpuInstance& b) {
    return a.placement.start < b.placement.start;
  });

  Totals totals;
  totals.instances = static_cast<int>(by_start.size());
  totals.compute_used = state.compute_used;
  totals.compute_stranded =
      model.compute_slices - state.compute_used - ComputeReach(model).Max(state);
  totals.memory_used = std::popcount(state.occupied);
  totals.memory_stranded = std::popcount(stranded_mask);
  for (const GpuInstance& instance : by_start) {
    totals.mib_used += model.profiles[static_cast<size_t>(instance.profile)].memory_mib;
  }

  const std::string title = options.title.empty() ? model.name + " MIG layout" : options.title;
  const std::string summary = Summary(model, totals);
  const int width = kMargin +
                    std::max({kGutter + model.memory_slices * kColumnWidth,
                              EstimatedWidth(summary, kSummaryFont),
                              EstimatedWidth(title, kTitleFont) + kTitleFont}) +
                    kMargin;

  Painter painter(model, width);
  painter.DrawHeader(title);
  painter.DrawMemoryRow(by_start, state, stranded_mask);
  painter.DrawComputeBar(by_start, totals.compute_stranded);
  painter.DrawLegend();
  painter.DrawSummary(summary);
  return std::move(painter).Finish();
}

}  // namespace migsched::report
