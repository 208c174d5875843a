// RenderLayoutSvg: one GPU's MIG layout as a standalone SVG picture, drawn the
// way NVIDIA draws placement diagrams — memory slices as columns, each GPU
// instance a block over its placement, free slices dashed, stranded slices
// hatched red — with a compute-slice bar and a one-line summary beneath.
// Pure: returns the document as a string; the same input gives the same bytes.
#pragma once

#include <span>
#include <string>

#include "geometry/gpu_model.h"
#include "geometry/layout.h"

namespace migsched::report {

struct LayoutSvgOptions {
  // The heading and the SVG <title>; empty means "<GPU name> MIG layout".
  std::string title;
};

// Renders `layout` on `model` as a UTF-8 SVG document (XML declaration, root
// <svg> with width, height and viewBox, a <title>). Every text from the model
// or the options is XML-escaped.
//
// `layout` must be valid: CheckLayout(model, layout).valid, which also means
// every profile index is in range. Debug builds CHECK this; otherwise the
// picture of an invalid layout is unspecified.
//
// What is drawn, e.g. for 7 x 1g.5gb on an A100-40GB:
//   - columns 0..7 (memory slices), one block per instance labelled
//     "1g.5gb" / "@3", filled by its compute-slice count;
//   - slice 7 hatched red, "stranded": free, but no profile can use it
//     (geometry::StrandedSlices);
//   - a bar of the 7 compute slices: used ones in their instance's colour,
//     free ones dashed, and stranded ones hatched — compute that no further
//     instance could use, e.g. the seventh slice after 3g.20gb@0 + 3g.20gb@4;
//   - "A100-40GB: 7 instances, 7/7 compute slices, 7/8 memory slices used,
//     1 stranded; 34048 of 40960 MiB".
// Elements carry class and data-* attributes (class="instance" data-start,
// class="free"/"stranded" data-slice, ...) so tools and tests can read the
// picture back.
std::string RenderLayoutSvg(const geometry::GpuModel& model,
                            std::span<const geometry::GpuInstance> layout,
                            const LayoutSvgOptions& options = {});

}  // namespace migsched::report
