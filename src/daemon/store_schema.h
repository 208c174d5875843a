// The schema of serve's SQLite store, as an ordered list of migrations.
//
// PRAGMA user_version holds the version a file is at; migration i (counting
// from 0) takes a file from version i to i + 1. The pending migrations run in
// one transaction together with the new user_version, so a crash leaves the
// file at its old version or at the new one. A change to
// the schema is one more entry at the end of StoreMigrations(); entries once
// released are never edited. PRAGMA application_id marks a file as a
// migsched store, so that another program's database is not taken for one.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "common/status.h"
#include "daemon/sqlite_db.h"

namespace migsched::daemon {

struct StoreMigration {
  int version = 0;       // the version the file is at after this migration
  std::string_view sql;  // statements run inside the migration's transaction
};

// "MIGS": the application_id of a migsched store.
inline constexpr std::int64_t kStoreApplicationId = 0x4d494753;

// This build's migrations, in order; back() is the version it writes.
std::span<const StoreMigration> StoreMigrations();

// Reads the file's version and brings it up to migrations.back().version.
// Returns the version the file is at. FailedPrecondition, naming the file and
// both versions, when the file is newer than `migrations` know; also when it
// is not a migsched store (tables but no version, or another application_id),
// or not a SQLite database at all. `migrations` must be numbered 1, 2, ...
Result<int> MigrateStoreSchema(SqliteDb& db, std::span<const StoreMigration> migrations);

}  // namespace migsched::daemon
