// Owners of a SQLite connection and its prepared statements, and the one
// mapping from SQLite result codes to Status. Every error names the database
// file, the operation and SQLite's own message:
//   "store /var/lib/migsched/migsched.db: upsert job: UNIQUE constraint failed: jobs.tenant, jobs.name"
// A connection is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace migsched::daemon {

// A prepared statement, reset after each use so that it can be reused.
// Binding failures are kept and reported by the next SqliteDb::Step, so a
// statement never runs with a parameter left over from its previous use.
class SqliteStatement {
 public:
  SqliteStatement() = default;
  explicit SqliteStatement(sqlite3_stmt* statement) : statement_(statement) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Parameters are numbered from 1, as in SQL. Text is not copied: it must
  // stay alive until the statement has been stepped.
  void BindInt64(int index, std::int64_t value);
  void BindText(int index, std::string_view text);

  // Columns of the current row, numbered from 0. NULL reads as 0 or "".
  std::int64_t ColumnInt64(int index) const;
  std::string ColumnText(int index) const;

 private:
  friend class SqliteDb;

  sqlite3_stmt* statement_ = nullptr;
  int bind_error_ = 0;  // the first failed bind since the last reset (a SQLite code)
};

class SqliteDb {
 public:
  // Opens (flags: SQLITE_OPEN_*) the database at `path`; `label` starts every
  // error message ("store", "backup").
  static Result<SqliteDb> Open(const std::string& path, int flags, std::string label);

  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }

  // Runs one or more statements that return no rows the caller needs.
  Status Execute(const char* sql, std::string_view operation);
  Result<SqliteStatement> Prepare(std::string_view sql, std::string_view operation);

  // Steps once: true with a row to read, false when done (the statement is
  // then reset). On an error the statement is reset and the error returned.
  Result<bool> Step(SqliteStatement& statement, std::string_view operation);
  // Steps until done and resets: for statements that return no rows.
  Status Run(SqliteStatement& statement, std::string_view operation);
  // The single integer a query such as "PRAGMA user_version" returns.
  Result<std::int64_t> QueryInt64(const char* sql, std::string_view operation);

  // The Status for SQLite result code `rc` from `operation`, with the
  // connection's current error message.
  Status Error(int rc, std::string_view operation) const;

 private:
  SqliteDb(sqlite3* db, std::string path, std::string label)
      : db_(db), path_(std::move(path)), label_(std::move(label)) {}

  sqlite3* db_ = nullptr;
  std::string path_;
  std::string label_;
};

}  // namespace migsched::daemon
