// What MIG saves on the live fleet, against whole-GPU allocation: every
// active job (queued ones are not counted) holding a whole GPU of its model
// instead of its MIG instance. The GPUs this frees are free for other work
// (queued jobs, or powering down: serve does neither itself), so the figures
// say what the same jobs would otherwise occupy. kW is their board power x
// PUE (report/costs.h); money per month needs prices (`serve --costs FILE`
// or the catalog's price_per_gpu_hour).
//
// Example: 3 jobs on one H100-80GB's MIG instances and a 2-GPU whole job:
// whole-GPU allocation needs 3 + 2 = 5 GPUs, the fleet uses 1 + 2 = 3, so 2
// are saved: 2 x 700 W = 1.4 kW at PUE 1.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/control_plane.h"
#include "daemon/metrics_text.h"
#include "geometry/catalog.h"
#include "report/costs.h"

namespace migsched::daemon {

struct ModelSavings {
  const geometry::GpuModel* model = nullptr;
  int gpus_in_use = 0;           // GPUs holding at least one active job
  int whole_gpu_allocation = 0;  // GPUs the same jobs would hold one GPU each (gangs: their size)
  int gpus_saved() const { return whole_gpu_allocation - gpus_in_use; }
};

struct LiveSavings {
  std::vector<ModelSavings> models;  // models with active jobs, by name
  int gpus_saved = 0;
  double kw = 0;               // of the saved GPUs at full board power x PUE
  report::CostFigures month;   // the saved GPUs for a month (730 h)
};

// Models are looked up in `catalog` by the names the fleet shows; a GPU of an
// unknown model is left out.
LiveSavings SavingsOf(const FleetView& fleet, const geometry::Catalog& catalog, const report::CostSheet& costs);

// The dashboard's "savings" object: gpus_saved, whole_gpu_allocation,
// gpus_in_use, kw, currency, money_per_month (null without prices), and a
// sentence `basis` that says what the figures count and what is missing.
nlohmann::ordered_json SavingsJson(const LiveSavings& savings, const report::CostSheet& costs);

// migsched_gpus_in_use, migsched_whole_gpu_allocation_gpus,
// migsched_gpus_saved and migsched_gpus_saved_power_watts per model, and
// migsched_gpus_saved_money_per_month{currency} when prices are known.
void WriteSavingsMetrics(const LiveSavings& savings, const report::CostSheet& costs, MetricsText& out);

}  // namespace migsched::daemon
