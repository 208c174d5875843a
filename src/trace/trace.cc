#include "trace/trace.h"

#include <algorithm>

namespace migsched::trace {

std::string_view JobKindName(JobKind kind) {
  switch (kind) {
    case JobKind::kInference:
      return "inference";
    case JobKind::kTraining:
      return "training";
  }
  return "unknown";
}

void SortAndNumber(std::vector<TraceJob>& jobs) {
  std::stable_sort(jobs.begin(), jobs.end(), [](const TraceJob& a, const TraceJob& b) {
    return a.submit_ms < b.submit_ms;
  });
  for (size_t i = 0; i < jobs.size(); ++i) jobs[i].id = static_cast<int64_t>(i);
}

}  // namespace migsched::trace
