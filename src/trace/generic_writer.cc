#include "trace/generic_writer.h"

#include <algorithm>

namespace migsched::trace {
namespace {

// 12500 -> "12.5", 3000 -> "3": seconds with the milliseconds the format keeps.
std::string Seconds(int64_t ms) {
  std::string text = std::to_string(ms / 1000);
  if (const int64_t rest = ms % 1000; rest != 0) {
    std::string decimals = std::to_string(1000 + rest).substr(1);
    while (decimals.ends_with('0')) decimals.pop_back();
    text += "." + decimals;
  }
  return text;
}

std::string CsvSafe(std::string text) {
  std::replace_if(text.begin(), text.end(), [](char c) { return c == ',' || c == '"' || c == '\n' || c == '\r'; },
                  '_');
  return text;
}

}  // namespace

std::string WriteGenericCsv(const Trace& trace) {
  std::string out = "name,submit_s,duration_s,num_gpu,gpu_milli,memory_mib,profile,kind,priority,tenant\n";
  for (const TraceJob& job : trace.jobs) {
    // A named profile or a gang carries its own size; gpu_milli would contradict it.
    const bool milli = job.profile.empty() && job.num_gpu == 1;
    out += CsvSafe(job.name) + "," + Seconds(job.submit_ms) + "," + Seconds(job.duration_ms) + "," +
           std::to_string(job.num_gpu) + "," + (milli ? std::to_string(job.gpu_milli) : "") + "," +
           (job.gpu_memory_mib > 0 ? std::to_string(job.gpu_memory_mib) : "") + "," + job.profile + "," +
           std::string(JobKindName(job.kind)) + "," + std::to_string(job.priority) + "," + CsvSafe(job.tenant) +
           "\n";
  }
  return out;
}

}  // namespace migsched::trace
