// RenderFleetSvg: a planned fleet as one SVG picture. Each row is a GPU
// layout: a bar over the model's memory slices with one block per instance,
// coloured by the workload it runs (free instances white, free slices grey,
// stranded slices hatched red), whole GPUs as one full-width block. GPUs with
// identical layouts share a row labelled "x COUNT" and the first GPU names,
// so a fleet of 100,000 GPUs with a few dozen layouts stays readable.
// Pure: returns the document; the same fleet gives the same bytes.
#pragma once

#include <cstddef>
#include <string>

#include "fleet/fleet.h"

namespace migsched::report {

struct FleetSvgOptions {
  std::string title;       // empty: "migsched plan: N GPUs"
  size_t max_rows = 200;   // distinct layouts drawn; the rest are counted in a note
};

// Rows appear in fleet order of their first GPU. Elements carry class and
// data-* attributes (class="gpu-row" data-count data-model; class="instance"
// data-workload data-profile data-start; class="free"/"stranded"
// data-slice; class="whole-gpu") so tools and tests can read it back. Every
// GPU's layout must be valid for its model.
std::string RenderFleetSvg(const fleet::Fleet& fleet, const FleetSvgOptions& options = {});

}  // namespace migsched::report
