// Writes a Trace in the generic trace format (generic.h) as CSV, so that an
// importer's output reads back with `--trace csv:PATH` to the same jobs.
// Times are relative to the earliest submit (the trace's origin is kept by
// the importers as 0); names lose the characters CSV without quoting cannot
// hold (',', '"', line breaks become '_').
#pragma once

#include <string>

#include "trace/trace.h"

namespace migsched::trace {

std::string WriteGenericCsv(const Trace& trace);

}  // namespace migsched::trace
