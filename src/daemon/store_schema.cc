#include "daemon/store_schema.h"

#include <sqlite3.h>

#include <array>
#include <string>

namespace migsched::daemon {
namespace {

// Version 1. Job ids are uint64 stored as the int64 with the same bits, so
// that `id` is the table's rowid (the fastest key and scan order in SQLite).
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE nodes (
  name               TEXT    NOT NULL PRIMARY KEY,
  position           INTEGER NOT NULL,
  generation         INTEGER NOT NULL,
  applied_generation INTEGER NOT NULL,
  last_seen          INTEGER NOT NULL,
  cordoned           INTEGER NOT NULL,
  inventory_json     TEXT    NOT NULL
) WITHOUT ROWID;
CREATE TABLE gpus (
  node        TEXT    NOT NULL,
  gpu_index   INTEGER NOT NULL,
  position    INTEGER NOT NULL,
  model       TEXT    NOT NULL,
  mig_enabled INTEGER NOT NULL,
  layout_json TEXT    NOT NULL,
  PRIMARY KEY (node, gpu_index)
) WITHOUT ROWID;
CREATE TABLE jobs (
  id             INTEGER PRIMARY KEY,
  tenant         TEXT    NOT NULL,
  name           TEXT    NOT NULL,
  spec_json      TEXT    NOT NULL,
  state          TEXT    NOT NULL,
  placement_json TEXT    NOT NULL,
  queue_seq      INTEGER NOT NULL,
  waiting_since  INTEGER NOT NULL,
  ready_at       INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  reason         TEXT    NOT NULL,
  mig_uuid       TEXT    NOT NULL,
  UNIQUE (tenant, name)
);
CREATE TABLE events (
  seq  INTEGER PRIMARY KEY,
  at   INTEGER NOT NULL,
  type TEXT    NOT NULL,
  json TEXT    NOT NULL
);
CREATE TABLE meta (
  key   TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
)sql";

// Version 2: times in milliseconds since the Unix epoch (the scheduler
// core's unit since issue 14), not seconds. ready_at 0 ("not
// repartitioning") stays 0.
constexpr std::string_view kVersion2 = R"sql(
UPDATE jobs SET waiting_since = waiting_since * 1000, ready_at = ready_at * 1000,
                updated_at = updated_at * 1000;
UPDATE nodes SET last_seen = last_seen * 1000;
UPDATE events SET at = at * 1000;
UPDATE meta SET value = CAST(CAST(value AS INTEGER) * 1000 AS TEXT) WHERE key = 'last_now';
)sql";

constexpr std::array kMigrations = {
    StoreMigration{.version = 1, .sql = kVersion1},
    StoreMigration{.version = 2, .sql = kVersion2},
};

Status NotAStore(const SqliteDb& db, const std::string& why) {
  return FailedPreconditionError("store " + db.path() + ": not a migsched store: " + why);
}

// Refuses files this build must not write: newer versions and other
// programs' databases.
Status CheckWritable(SqliteDb& db, std::int64_t version, int latest) {
  if (version > latest) {
    return FailedPreconditionError("store " + db.path() + ": schema version " +
                                   std::to_string(version) + " is newer than this build knows (" +
                                   std::to_string(latest) +
                                   "); run a newer migsched or restore a backup made by this one");
  }
  if (version < 0) return NotAStore(db, "negative schema version " + std::to_string(version));
  Result<std::int64_t> application_id =
      db.QueryInt64("PRAGMA application_id", "read the application id");
  if (!application_id.has_value()) return application_id.error();
  const bool ours = *application_id == kStoreApplicationId;
  const bool unmarked_and_new = version == 0 && *application_id == 0;
  if (!ours && !unmarked_and_new) {
    return NotAStore(db, "application_id is " + std::to_string(*application_id));
  }
  if (version == 0) {
    Result<std::int64_t> tables =
        db.QueryInt64("SELECT count(*) FROM sqlite_schema", "read the table list");
    if (!tables.has_value()) return tables.error();
    if (*tables > 0) return NotAStore(db, "it has tables but no schema version");
  }
  return Status::Ok();
}

Status ApplyPending(SqliteDb& db, std::span<const StoreMigration> migrations) {
  const int latest = migrations.back().version;
  // Read again under the write lock: another process may have migrated.
  Result<std::int64_t> version = db.QueryInt64("PRAGMA user_version", "read the schema version");
  if (!version.has_value()) return version.error();
  MIGSCHED_RETURN_IF_ERROR(CheckWritable(db, *version, latest));
  if (*version == 0) {
    MIGSCHED_RETURN_IF_ERROR(db.Execute(
        ("PRAGMA application_id = " + std::to_string(kStoreApplicationId)).c_str(),
        "set the application id"));
  }
  for (const StoreMigration& migration : migrations) {
    if (migration.version <= *version) continue;
    const std::string operation = "migrate to schema version " + std::to_string(migration.version);
    MIGSCHED_RETURN_IF_ERROR(db.Execute(std::string(migration.sql).c_str(), operation));
    MIGSCHED_RETURN_IF_ERROR(db.Execute(
        ("PRAGMA user_version = " + std::to_string(migration.version)).c_str(), operation));
  }
  return Status::Ok();
}

}  // namespace

std::span<const StoreMigration> StoreMigrations() { return kMigrations; }

Result<int> MigrateStoreSchema(SqliteDb& db, std::span<const StoreMigration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return InternalError("store migrations are not numbered 1, 2, ...: entry " +
                           std::to_string(i) + " is version " +
                           std::to_string(migrations[i].version));
    }
  }
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  Result<std::int64_t> version = db.QueryInt64("PRAGMA user_version", "read the schema version");
  if (!version.has_value()) return version.error();
  MIGSCHED_RETURN_IF_ERROR(CheckWritable(db, *version, latest));
  if (*version == latest) return latest;

  MIGSCHED_RETURN_IF_ERROR(db.Execute("BEGIN IMMEDIATE", "begin the schema migration"));
  Status applied = ApplyPending(db, migrations);
  if (applied.ok()) applied = db.Execute("COMMIT", "commit the schema migration");
  if (!applied.ok()) {
    if (sqlite3_get_autocommit(db.get()) == 0) {
      const Status rolled_back = db.Execute("ROLLBACK", "roll back the schema migration");
      if (!rolled_back.ok()) {
        return Status(applied.code(), applied.message() + "; then " + rolled_back.message());
      }
    }
    return applied;
  }
  return latest;
}

}  // namespace migsched::daemon
