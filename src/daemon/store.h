// The durable store of `migsched serve`: the fleet, the jobs and the desired
// MIG layouts, mirrored into SQLite (STATE/migsched.db, WAL mode).
//
// The server keeps everything in memory and writes each change here; a change
// is acknowledged only after the Commit that carries it returns OK, and many
// requests share one Commit (one transaction, one fsync: group commit). On
// start, Load gives back everything needed to rebuild the memory state.
//
// A Store is used by one thread at a time (the scheduler thread); it is not
// safe to call from two threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace migsched::daemon {

// Times (waiting_since, ready_at, updated_at, last_seen, at, meta last_now)
// are milliseconds since the Unix epoch (schema version 2 on).
struct JobRow {
  std::uint64_t id = 0;
  std::string tenant = {}, name = {};  // (tenant, name) unique: the idempotency key
  std::string spec_json = {};       // the normalized request body
  std::string state = {};           // "queued"|"starting"|"running"|"finished"|"failed"
  std::string placement_json = {};  // "[]" or [{"gpu":..,"profile":..,"start":..,...}]
  std::int64_t queue_seq = 0, waiting_since = 0, ready_at = 0, updated_at = 0;
  std::string reason = {}, mig_uuid = {};

  friend bool operator==(const JobRow&, const JobRow&) = default;
};

struct NodeRow {
  std::string name = {};
  std::int64_t position = 0;            // join order
  std::int64_t generation = 0;          // desired layout generation
  std::int64_t applied_generation = 0;  // last generation the agent reported applied
  std::int64_t last_seen = 0;
  bool cordoned = false;
  std::string inventory_json = {};      // the agent's last inventory report

  friend bool operator==(const NodeRow&, const NodeRow&) = default;
};

struct GpuRow {
  std::string node = {};
  int index = 0;                        // (node, index) unique
  std::int64_t position = 0;            // index in the scheduler's fleet
  std::string model = {};
  bool mig_enabled = true;
  std::string layout_json = {};         // desired instances

  friend bool operator==(const GpuRow&, const GpuRow&) = default;
};

struct EventRow {
  std::int64_t seq = 0;
  std::int64_t at = 0;
  std::string type = {}, json = {};

  friend bool operator==(const EventRow&, const EventRow&) = default;
};

// Load(): everything needed to rebuild.
struct StoreContents {
  std::vector<NodeRow> nodes = {};  // by position
  std::vector<GpuRow> gpus = {};    // by position
  std::vector<JobRow> jobs = {};    // by id, as unsigned (all states; finished/failed too)
  std::map<std::string, std::string> meta = {};
  std::int64_t last_event_seq = 0;  // 0 when no event was ever committed
};

// One Commit = one transaction. Rows are upserts keyed by job id, node name,
// (node, gpu index) and meta key; events are inserted.
struct StoreBatch {
  std::vector<JobRow> jobs = {};
  std::vector<NodeRow> nodes = {};
  std::vector<GpuRow> gpus = {};
  std::vector<EventRow> events = {};  // seq assigned by the caller, increasing
  std::vector<std::pair<std::string, std::string>> meta = {};
};

struct StoreOptions {
  // PRAGMA synchronous=FULL: a committed batch survives power loss. NORMAL:
  // it survives a crash of the process, and a power loss may lose the last
  // commits (never corrupts).
  bool synchronous_full = true;
  // Commit keeps at least the newest keep_events events and deletes older
  // ones in batches: when more than keep_events + min(keep_events / 16, 1024)
  // are held. Must be at least 1.
  std::int64_t keep_events = 100000;
};

class Store {
 public:
  // Creates `dir` (0700) and dir/migsched.db when absent, sets WAL mode and
  // migrates the schema. FailedPrecondition, naming the file, for a file with
  // a newer schema version than this build knows (both versions named), a
  // file that is not a SQLite database or is corrupt, and another program's
  // database. Unavailable when the file cannot be opened or is locked.
  // InvalidArgument for keep_events < 1.
  static Result<std::unique_ptr<Store>> Open(const std::string& dir,
                                             const StoreOptions& options = {});

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();

  // Reads every row, in one read transaction.
  Result<StoreContents> Load();

  // Writes the batch in one transaction, durable (per synchronous_full) when
  // it returns OK. On an error nothing of the batch is stored: InvalidArgument
  // for a row the schema refuses (a (tenant, name) already taken by another
  // job id, an event seq already stored), Unavailable for I/O errors.
  // An empty batch writes nothing.
  Status Commit(const StoreBatch& batch);

  // Up to `limit` events with seq > `seq`, oldest first.
  Result<std::vector<EventRow>> EventsAfter(std::int64_t seq, std::size_t limit);

  // Copies the database, consistent as of the last Commit, into a new file
  // at `path` (mode 0600) with SQLite's online backup API; the copy opens as
  // a Store when it is named DIR/migsched.db. FailedPrecondition when `path`
  // exists. On an error the partial copy is removed.
  Status Backup(const std::string& path);

  // The schema version of the open file (this build's latest after Open).
  int schema_version() const;
  // The database file: DIR/migsched.db.
  const std::string& path() const;

 private:
  struct Connection;
  explicit Store(std::unique_ptr<Connection> connection);

  std::unique_ptr<Connection> connection_;
};

}  // namespace migsched::daemon
