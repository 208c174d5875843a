// The agent's write-ahead journal: what an apply set out to reach, so that a
// run killed at any point (kill -9, power loss) is finished by the next one.
//
// Before the first NVML mutation the agent writes the target and the planned
// operations to a new file, fsyncs it, renames it into place and fsyncs the
// directory; after each operation it appends a "done" line and fsyncs. The
// next run that finds a journal re-reads the GPUs and reconciles them to the
// journal's target before anything else: NVML creates are not idempotent, so
// recovery never replays the logged ops blindly, it plans afresh from what
// the hardware holds. The file is removed once the target is reached.
//
// Format (JSON lines): line 1 {"migsched_journal": 1, "force": .., "targets":
// [{"gpu", "model", "mig_enabled", "instances": [{"profile", "start"}]}],
// "ops": ["gpu 0: create_gi 3g.20gb@4", ...], "checksum":
// "fnv1a64:..."}; then {"done": i} per finished op. A torn last line (a crash
// mid-append) is ignored. The checksum covers the rest of line 1, so a header
// changed after it was written (bit rot, a hand edit) is refused, not followed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/node_state.h"
#include "common/status.h"
#include "geometry/catalog.h"

namespace migsched::agent {

inline constexpr const char* kDefaultJournalPath = "/var/lib/migsched/agent.journal";

struct JournaledTarget {
  const geometry::GpuModel* model = nullptr;
  GpuTarget target;
};

struct JournalRecord {
  bool force = false;
  std::vector<JournaledTarget> targets;
  std::vector<std::string> ops;  // descriptions, for people reading the file
  size_t done = 0;               // ops marked done (filled by Load)
};

// Parses a journal's text; `source` names it in errors ("<source>:<line>: ...").
// InvalidArgument for text that is not a journal or a profile the model lacks,
// NotFound for a model the catalog lacks. Load reads the file through this.
Result<JournalRecord> ParseJournal(std::string_view text, const std::string& source,
                                   const geometry::Catalog& catalog);

class Journal {
 public:
  explicit Journal(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }

  // nullopt when there is no journal. InvalidArgument naming path:line for a
  // file that is not a journal or names a model/profile the catalog lacks.
  Result<std::optional<JournalRecord>> Load(const geometry::Catalog& catalog) const;

  // Atomically replaces the journal with `record` (creating the directory),
  // durable before it returns. Unavailable naming the path on I/O errors.
  Status Begin(const JournalRecord& record) const;

  // Appends and fsyncs "op `index` done".
  Status MarkDone(size_t index) const;

  // Removes the journal (no error if absent) and fsyncs the directory.
  Status Remove() const;

 private:
  std::string path_;
};

}  // namespace migsched::agent
