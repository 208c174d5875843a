// `--costs FILE`: the operator's prices and power figures (YAML), e.g.
//   currency: EUR                 # optional, default USD
//   electricity_per_kwh: 0.15     # optional
//   pue: 1.3                      # optional, default 1.0
//   gpus:
//     - {model: H100-80GB, price_per_gpu_hour: 2.50}
//     - {model: A100-80GB, purchase_price: 15000, depreciation_years: 4, board_power_w: 300}
// A purchase price becomes a price per GPU-hour over its depreciation period
// (years x 8,760 h). Schema and sources of the catalog's power figures:
// docs/catalog.md.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "geometry/catalog.h"
#include "report/costs.h"

namespace migsched::io {

// Every error names "<source>:<line>" and the key: InvalidArgument for an
// unknown key, a value that is not a number or out of range (prices >= 0,
// pue in [1, 10], power in watts 1..100000), a model listed twice, both
// price_per_gpu_hour and purchase_price, or purchase_price without
// depreciation_years (or the reverse); NotFound for an unknown model. A model
// may give only board_power_w.
Result<report::CostSheet> ParseCostSheet(const geometry::Catalog& catalog, std::string_view text,
                                         const std::string& source);
// Reads and parses a file; NotFound if it cannot be read.
Result<report::CostSheet> ReadCostSheetFile(const geometry::Catalog& catalog, const std::string& path);

}  // namespace migsched::io
