// "MODEL:COUNT[,MODEL:COUNT...]" lists typed on the command line
// (`simulate --fleet`, `fake-nvml init --gpus`): one parser, one set of rules
// and messages. Model names are not checked here (the catalog does that).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace migsched {

struct ModelCount {
  std::string model;
  int64_t count = 0;
};

// InvalidArgument naming `what` (e.g. "fleet spec") for an empty list, an
// empty item (a stray ','), an item without a model or ':', and a count that
// is not a whole number in 1..max_count.
Result<std::vector<ModelCount>> ParseModelCounts(std::string_view list, std::string_view what,
                                                 int64_t max_count);

}  // namespace migsched
