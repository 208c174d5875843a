#include "daemon/store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>

#include "daemon/sqlite_db.h"
#include "daemon/store_schema.h"

namespace migsched::daemon {
namespace {

constexpr int kBusyTimeoutMs = 5000;
// Page cache per connection: the (tenant, name) index of a million jobs is
// tens of MB, and each Commit touches it at random places.
constexpr const char* kCacheSize = "PRAGMA cache_size = -65536";  // KiB: 64 MiB

constexpr std::string_view kUpsertJob = R"sql(
INSERT INTO jobs (id, tenant, name, spec_json, state, placement_json,
                  queue_seq, waiting_since, ready_at, updated_at, reason, mig_uuid)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
ON CONFLICT (id) DO UPDATE SET
  tenant = excluded.tenant, name = excluded.name, spec_json = excluded.spec_json,
  state = excluded.state, placement_json = excluded.placement_json,
  queue_seq = excluded.queue_seq, waiting_since = excluded.waiting_since,
  ready_at = excluded.ready_at, updated_at = excluded.updated_at,
  reason = excluded.reason, mig_uuid = excluded.mig_uuid)sql";

constexpr std::string_view kUpsertNode = R"sql(
INSERT INTO nodes (name, position, generation, applied_generation, last_seen, cordoned,
                   inventory_json)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT (name) DO UPDATE SET
  position = excluded.position, generation = excluded.generation,
  applied_generation = excluded.applied_generation, last_seen = excluded.last_seen,
  cordoned = excluded.cordoned, inventory_json = excluded.inventory_json)sql";

constexpr std::string_view kUpsertGpu = R"sql(
INSERT INTO gpus (node, gpu_index, position, model, mig_enabled, layout_json)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (node, gpu_index) DO UPDATE SET
  position = excluded.position, model = excluded.model,
  mig_enabled = excluded.mig_enabled, layout_json = excluded.layout_json)sql";

constexpr std::string_view kInsertEvent =
    "INSERT INTO events (seq, at, type, json) VALUES (?1, ?2, ?3, ?4)";

constexpr std::string_view kUpsertMeta =
    "INSERT INTO meta (key, value) VALUES (?1, ?2) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";

// Deletes all but the ?1 newest events.
constexpr std::string_view kPruneEvents =
    "DELETE FROM events WHERE seq <= "
    "(SELECT seq FROM events ORDER BY seq DESC LIMIT 1 OFFSET ?1)";

constexpr std::string_view kEventsAfter =
    "SELECT seq, at, type, json FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2";

constexpr std::string_view kSelectNodes =
    "SELECT name, position, generation, applied_generation, last_seen, cordoned, inventory_json "
    "FROM nodes ORDER BY position, name";
constexpr std::string_view kSelectGpus =
    "SELECT node, gpu_index, position, model, mig_enabled, layout_json "
    "FROM gpus ORDER BY position, node, gpu_index";
constexpr std::string_view kSelectJobs =
    "SELECT id, tenant, name, spec_json, state, placement_json, queue_seq, waiting_since, "
    "ready_at, updated_at, reason, mig_uuid FROM jobs ORDER BY id";
constexpr const char* kCountJobs = "SELECT count(*) FROM jobs";
constexpr std::string_view kSelectMeta = "SELECT key, value FROM meta";

// How many events beyond keep_events may be held before Commit prunes.
std::int64_t PruneSlack(std::int64_t keep_events) {
  return std::max<std::int64_t>(1, std::min<std::int64_t>(keep_events / 16, 1024));
}

// Creates `dir` with mode 0700 (its parents as the umask says) when absent.
Status MakePrivateDirectory(const std::string& dir) {
  std::filesystem::path path(dir);
  if (!path.has_filename()) path = path.parent_path();  // "a/b/" names "a/b"
  std::error_code error;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), error);
  if (error) {
    return UnavailableError("store " + dir + ": cannot create its parent directory: " +
                            error.message());
  }
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return UnavailableError("store " + dir + ": cannot create the directory: " +
                            std::strerror(errno));
  }
  return Status::Ok();
}

// Adds which row failed to an error from writing it.
Status AboutRow(const Status& status, const std::string& row) {
  return Status(status.code(), status.message() + " (" + row + ")");
}

// Steps `statement` to the end, calling read(statement) for each row.
template <typename ReadRow>
Status ReadRows(SqliteDb& db, SqliteStatement& statement, std::string_view operation,
                ReadRow read) {
  for (;;) {
    Result<bool> row = db.Step(statement, operation);
    if (!row.has_value()) return row.error();
    if (!*row) return Status::Ok();
    read(statement);
  }
}

}  // namespace

struct Store::Connection {
  Connection(SqliteDb db_in, const StoreOptions& options_in)
      : db(std::move(db_in)), options(options_in) {}

  SqliteDb db;
  StoreOptions options;
  int schema_version = 0;
  std::int64_t event_count = 0;  // events held in the file
  SqliteStatement begin, commit, rollback;
  SqliteStatement upsert_job, upsert_node, upsert_gpu, insert_event, upsert_meta;
  SqliteStatement prune_events, events_after;

  Status Write(const StoreBatch& batch);
  Status RollBackAfter(const Status& error);
};

Status Store::Connection::Write(const StoreBatch& batch) {
  for (const NodeRow& node : batch.nodes) {
    upsert_node.BindText(1, node.name);
    upsert_node.BindInt64(2, node.position);
    upsert_node.BindInt64(3, node.generation);
    upsert_node.BindInt64(4, node.applied_generation);
    upsert_node.BindInt64(5, node.last_seen);
    upsert_node.BindInt64(6, node.cordoned ? 1 : 0);
    upsert_node.BindText(7, node.inventory_json);
    const Status status = db.Run(upsert_node, "commit: upsert node");
    if (!status.ok()) return AboutRow(status, "node '" + node.name + "'");
  }
  for (const GpuRow& gpu : batch.gpus) {
    upsert_gpu.BindText(1, gpu.node);
    upsert_gpu.BindInt64(2, gpu.index);
    upsert_gpu.BindInt64(3, gpu.position);
    upsert_gpu.BindText(4, gpu.model);
    upsert_gpu.BindInt64(5, gpu.mig_enabled ? 1 : 0);
    upsert_gpu.BindText(6, gpu.layout_json);
    const Status status = db.Run(upsert_gpu, "commit: upsert gpu");
    if (!status.ok()) {
      return AboutRow(status, "gpu " + std::to_string(gpu.index) + " of node '" + gpu.node + "'");
    }
  }
  for (const JobRow& job : batch.jobs) {
    upsert_job.BindInt64(1, static_cast<std::int64_t>(job.id));
    upsert_job.BindText(2, job.tenant);
    upsert_job.BindText(3, job.name);
    upsert_job.BindText(4, job.spec_json);
    upsert_job.BindText(5, job.state);
    upsert_job.BindText(6, job.placement_json);
    upsert_job.BindInt64(7, job.queue_seq);
    upsert_job.BindInt64(8, job.waiting_since);
    upsert_job.BindInt64(9, job.ready_at);
    upsert_job.BindInt64(10, job.updated_at);
    upsert_job.BindText(11, job.reason);
    upsert_job.BindText(12, job.mig_uuid);
    const Status status = db.Run(upsert_job, "commit: upsert job");
    if (!status.ok()) {
      return AboutRow(status, "job " + std::to_string(job.id) + ", tenant '" + job.tenant +
                                  "', name '" + job.name + "'");
    }
  }
  for (const EventRow& event : batch.events) {
    insert_event.BindInt64(1, event.seq);
    insert_event.BindInt64(2, event.at);
    insert_event.BindText(3, event.type);
    insert_event.BindText(4, event.json);
    const Status status = db.Run(insert_event, "commit: insert event");
    if (!status.ok()) return AboutRow(status, "event " + std::to_string(event.seq));
  }
  for (const auto& [key, value] : batch.meta) {
    upsert_meta.BindText(1, key);
    upsert_meta.BindText(2, value);
    const Status status = db.Run(upsert_meta, "commit: upsert meta");
    if (!status.ok()) return AboutRow(status, "meta '" + key + "'");
  }
  return Status::Ok();
}

// Ends the open transaction, if SQLite has not already, and returns `error`.
Status Store::Connection::RollBackAfter(const Status& error) {
  if (sqlite3_get_autocommit(db.get()) != 0) return error;
  const Status rolled_back = db.Run(rollback, "roll back");
  if (rolled_back.ok()) return error;
  return Status(error.code(), error.message() + "; then " + rolled_back.message());
}

Store::Store(std::unique_ptr<Connection> connection) : connection_(std::move(connection)) {}

Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  if (options.keep_events < 1) {
    return InvalidArgumentError("store " + dir + ": keep_events must be at least 1, not " +
                                std::to_string(options.keep_events));
  }
  MIGSCHED_RETURN_IF_ERROR(MakePrivateDirectory(dir));
  const std::string path = (std::filesystem::path(dir) / "migsched.db").string();
  Result<SqliteDb> db = SqliteDb::Open(
      path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, "store");
  if (!db.has_value()) return db.error();
  auto c = std::make_unique<Connection>(std::move(*db), options);
  sqlite3_busy_timeout(c->db.get(), kBusyTimeoutMs);

  // The version check comes first, so a newer or foreign file is left as it is.
  Result<int> version = MigrateStoreSchema(c->db, StoreMigrations());
  if (!version.has_value()) return version.error();
  c->schema_version = *version;

  {
    Result<SqliteStatement> mode = c->db.Prepare("PRAGMA journal_mode = WAL", "set WAL mode");
    if (!mode.has_value()) return mode.error();
    Result<bool> row = c->db.Step(*mode, "set WAL mode");
    if (!row.has_value()) return row.error();
    const std::string journal_mode = *row ? mode->ColumnText(0) : "";
    if (journal_mode != "wal") {
      return UnavailableError("store " + path + ": set WAL mode: the journal mode stayed '" +
                              journal_mode + "'");
    }
  }
  MIGSCHED_RETURN_IF_ERROR(c->db.Execute(
      options.synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
      "set the synchronous mode"));
  MIGSCHED_RETURN_IF_ERROR(c->db.Execute(kCacheSize, "set the cache size"));

  const std::pair<SqliteStatement*, std::string_view> statements[] = {
      {&c->begin, "BEGIN IMMEDIATE"},   {&c->commit, "COMMIT"},
      {&c->rollback, "ROLLBACK"},       {&c->upsert_job, kUpsertJob},
      {&c->upsert_node, kUpsertNode},   {&c->upsert_gpu, kUpsertGpu},
      {&c->insert_event, kInsertEvent}, {&c->upsert_meta, kUpsertMeta},
      {&c->prune_events, kPruneEvents}, {&c->events_after, kEventsAfter},
  };
  for (const auto& [statement, sql] : statements) {
    Result<SqliteStatement> prepared = c->db.Prepare(sql, "prepare a statement");
    if (!prepared.has_value()) return prepared.error();
    *statement = std::move(*prepared);
  }
  Result<std::int64_t> events = c->db.QueryInt64("SELECT count(*) FROM events", "count events");
  if (!events.has_value()) return events.error();
  c->event_count = *events;
  return std::unique_ptr<Store>(new Store(std::move(c)));
}

Result<StoreContents> Store::Load() {
  Connection& c = *connection_;
  MIGSCHED_RETURN_IF_ERROR(c.db.Execute("BEGIN", "load: begin"));
  StoreContents out;
  const auto read_all = [&]() -> Status {
    Result<SqliteStatement> nodes = c.db.Prepare(kSelectNodes, "load: read nodes");
    if (!nodes.has_value()) return nodes.error();
    MIGSCHED_RETURN_IF_ERROR(ReadRows(c.db, *nodes, "load: read nodes", [&](const auto& row) {
      out.nodes.push_back(NodeRow{.name = row.ColumnText(0),
                                  .position = row.ColumnInt64(1),
                                  .generation = row.ColumnInt64(2),
                                  .applied_generation = row.ColumnInt64(3),
                                  .last_seen = row.ColumnInt64(4),
                                  .cordoned = row.ColumnInt64(5) != 0,
                                  .inventory_json = row.ColumnText(6)});
    }));
    Result<SqliteStatement> gpus = c.db.Prepare(kSelectGpus, "load: read gpus");
    if (!gpus.has_value()) return gpus.error();
    MIGSCHED_RETURN_IF_ERROR(ReadRows(c.db, *gpus, "load: read gpus", [&](const auto& row) {
      out.gpus.push_back(GpuRow{.node = row.ColumnText(0),
                                .index = static_cast<int>(row.ColumnInt64(1)),
                                .position = row.ColumnInt64(2),
                                .model = row.ColumnText(3),
                                .mig_enabled = row.ColumnInt64(4) != 0,
                                .layout_json = row.ColumnText(5)});
    }));
    // One allocation for the vector: growing it would fault in twice the memory.
    Result<std::int64_t> job_count = c.db.QueryInt64(kCountJobs, "load: count jobs");
    if (!job_count.has_value()) return job_count.error();
    out.jobs.reserve(static_cast<std::size_t>(*job_count));
    Result<SqliteStatement> jobs = c.db.Prepare(kSelectJobs, "load: read jobs");
    if (!jobs.has_value()) return jobs.error();
    MIGSCHED_RETURN_IF_ERROR(ReadRows(c.db, *jobs, "load: read jobs", [&](const auto& row) {
      out.jobs.push_back(JobRow{.id = static_cast<std::uint64_t>(row.ColumnInt64(0)),
                                .tenant = row.ColumnText(1),
                                .name = row.ColumnText(2),
                                .spec_json = row.ColumnText(3),
                                .state = row.ColumnText(4),
                                .placement_json = row.ColumnText(5),
                                .queue_seq = row.ColumnInt64(6),
                                .waiting_since = row.ColumnInt64(7),
                                .ready_at = row.ColumnInt64(8),
                                .updated_at = row.ColumnInt64(9),
                                .reason = row.ColumnText(10),
                                .mig_uuid = row.ColumnText(11)});
    }));
    // SQLite orders the ids as signed: ids of 2^63 and above come first.
    const auto first_small = std::partition_point(
        out.jobs.begin(), out.jobs.end(),
        [](const JobRow& job) { return static_cast<std::int64_t>(job.id) < 0; });
    std::rotate(out.jobs.begin(), first_small, out.jobs.end());
    Result<SqliteStatement> meta = c.db.Prepare(kSelectMeta, "load: read meta");
    if (!meta.has_value()) return meta.error();
    MIGSCHED_RETURN_IF_ERROR(ReadRows(c.db, *meta, "load: read meta", [&](const auto& row) {
      out.meta.emplace(row.ColumnText(0), row.ColumnText(1));
    }));
    Result<std::int64_t> last_event = c.db.QueryInt64(
        "SELECT coalesce(max(seq), 0) FROM events", "load: read the last event");
    if (!last_event.has_value()) return last_event.error();
    out.last_event_seq = *last_event;
    return Status::Ok();
  };
  Status status = read_all();
  if (status.ok()) status = c.db.Execute("COMMIT", "load: end");
  if (!status.ok()) return c.RollBackAfter(status);
  return out;
}

Status Store::Commit(const StoreBatch& batch) {
  Connection& c = *connection_;
  if (batch.jobs.empty() && batch.nodes.empty() && batch.gpus.empty() && batch.events.empty() &&
      batch.meta.empty()) {
    return Status::Ok();
  }
  MIGSCHED_RETURN_IF_ERROR(c.db.Run(c.begin, "commit: begin"));
  std::int64_t event_count = c.event_count + static_cast<std::int64_t>(batch.events.size());
  Status status = c.Write(batch);
  const std::int64_t keep = c.options.keep_events;
  if (status.ok() && event_count > keep + PruneSlack(keep)) {
    c.prune_events.BindInt64(1, keep);
    status = c.db.Run(c.prune_events, "commit: prune events");
    event_count = keep;
  }
  if (status.ok()) status = c.db.Run(c.commit, "commit");
  if (!status.ok()) return c.RollBackAfter(status);
  c.event_count = event_count;
  return Status::Ok();
}

Result<std::vector<EventRow>> Store::EventsAfter(std::int64_t seq, std::size_t limit) {
  Connection& c = *connection_;
  std::vector<EventRow> out;
  c.events_after.BindInt64(1, seq);
  c.events_after.BindInt64(2, static_cast<std::int64_t>(std::min<std::size_t>(
                                  limit, std::numeric_limits<std::int64_t>::max())));
  MIGSCHED_RETURN_IF_ERROR(
      ReadRows(c.db, c.events_after, "read events", [&](const SqliteStatement& row) {
        out.push_back(EventRow{.seq = row.ColumnInt64(0),
                               .at = row.ColumnInt64(1),
                               .type = row.ColumnText(2),
                               .json = row.ColumnText(3)});
      }));
  return out;
}

Status Store::Backup(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return FailedPreconditionError("backup " + path + ": already exists");
    return UnavailableError("backup " + path + ": cannot create: " + std::strerror(errno));
  }
  ::close(fd);
  const auto copy = [&]() -> Status {
    // An empty file is an empty database; SQLite fills it.
    Result<SqliteDb> copy_db =
        SqliteDb::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, "backup");
    if (!copy_db.has_value()) return copy_db.error();
    sqlite3_backup* backup =
        sqlite3_backup_init(copy_db->get(), "main", connection_->db.get(), "main");
    if (backup == nullptr) return copy_db->Error(sqlite3_errcode(copy_db->get()), "start");
    const int stepped = sqlite3_backup_step(backup, -1);
    const int finished = sqlite3_backup_finish(backup);
    if (stepped != SQLITE_DONE) return copy_db->Error(stepped, "copy");
    if (finished != SQLITE_OK) return copy_db->Error(finished, "finish");
    return Status::Ok();
  };
  const Status copied = copy();
  if (!copied.ok()) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    std::filesystem::remove(path + "-journal", ignored);
  }
  return copied;
}

int Store::schema_version() const { return connection_->schema_version; }

const std::string& Store::path() const { return connection_->db.path(); }

}  // namespace migsched::daemon
