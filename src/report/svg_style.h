// The look the SVG pictures share (fonts, ink, free and stranded slices, the
// colour-blind-safe palette), so that the single-GPU picture (layout_svg) and
// the fleet picture (fleet_svg) read alike.
#pragma once

#include <string_view>

namespace migsched::report {

constexpr std::string_view kFontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif";
constexpr std::string_view kInk = "#1A1A1A";
constexpr std::string_view kFreeFill = "#F4F5F7";
constexpr std::string_view kFreeStroke = "#9AA3AE";
constexpr std::string_view kStrandedStroke = "#C62828";

// Okabe-Ito, then Tol's muted and light schemes: 20 colours distinguishable
// with the common colour-vision deficiencies before they repeat; red is kept
// for "stranded", which is also hatched and labelled.
constexpr std::string_view kPalette[] = {
    "#56B4E9", "#009E73", "#E69F00", "#CC79A7", "#0072B2", "#F0E442", "#88CCEE",
    "#44AA99", "#DDCC77", "#AA4499", "#117733", "#999933", "#332288", "#EE8866",
    "#BBCC33", "#AAAA00", "#77AADD", "#FFAABB", "#99DDFF", "#44BB99"};

}  // namespace migsched::report
