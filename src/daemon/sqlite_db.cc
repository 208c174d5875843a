#include "daemon/sqlite_db.h"

#include <sqlite3.h>

#include <cstring>
#include <limits>

namespace migsched::daemon {
namespace {

// What kind of failure a SQLite primary result code is.
StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return StatusCode::kInvalidArgument;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_SCHEMA:
      return StatusCode::kFailedPrecondition;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
    case SQLITE_NOLFS:
      return StatusCode::kUnavailable;
    default:
      return StatusCode::kInternal;
  }
}

// SQLITE_STATIC without its old-style cast: SQLite does not copy the text.
constexpr sqlite3_destructor_type kNoCopy = nullptr;

}  // namespace

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)), bind_error_(other.bind_error_) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(statement_);
    statement_ = std::exchange(other.statement_, nullptr);
    bind_error_ = other.bind_error_;
  }
  return *this;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

void SqliteStatement::BindInt64(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(statement_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

void SqliteStatement::BindText(int index, std::string_view text) {
  const int rc = sqlite3_bind_text64(statement_, index, text.data(), text.size(), kNoCopy,
                                     SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

std::int64_t SqliteStatement::ColumnInt64(int index) const {
  return sqlite3_column_int64(statement_, index);
}

std::string SqliteStatement::ColumnText(int index) const {
  const unsigned char* text = sqlite3_column_text(statement_, index);
  if (text == nullptr) return std::string();
  const int size = sqlite3_column_bytes(statement_, index);
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

Result<SqliteDb> SqliteDb::Open(const std::string& path, int flags, std::string label) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  // sqlite3_open_v2 gives a handle (holding the message) even when it fails.
  SqliteDb out(db, path, std::move(label));
  if (db == nullptr) return UnavailableError(out.label_ + " " + path + ": out of memory opening it");
  if (rc != SQLITE_OK) return out.Error(rc, "open");
  sqlite3_extended_result_codes(db, 1);
  return out;
}

SqliteDb::SqliteDb(SqliteDb&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      label_(std::move(other.label_)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    label_ = std::move(other.label_);
  }
  return *this;
}

// close_v2: statements still alive (they are members of the same owner and
// may be destroyed after it) do not keep the close from happening.
SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

Status SqliteDb::Execute(const char* sql, std::string_view operation) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, operation);
  return Status::Ok();
}

Result<SqliteStatement> SqliteDb::Prepare(std::string_view sql, std::string_view operation) {
  if (sql.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return InvalidArgumentError(label_ + " " + path_ + ": " + std::string(operation) +
                                ": statement too long");
  }
  sqlite3_stmt* statement = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(statement);
    return Error(rc, operation);
  }
  return SqliteStatement(statement);
}

Result<bool> SqliteDb::Step(SqliteStatement& statement, std::string_view operation) {
  if (statement.bind_error_ != SQLITE_OK) {
    const int rc = statement.bind_error_;
    sqlite3_reset(statement.statement_);
    statement.bind_error_ = SQLITE_OK;
    return Status(CodeFor(rc), label_ + " " + path_ + ": " + std::string(operation) +
                                   ": binding a parameter: " + sqlite3_errstr(rc));
  }
  const int rc = sqlite3_step(statement.statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    sqlite3_reset(statement.statement_);
    return false;
  }
  Status error = Error(rc, operation);  // before the reset, which keeps the message but not always the code
  sqlite3_reset(statement.statement_);
  return error;
}

Status SqliteDb::Run(SqliteStatement& statement, std::string_view operation) {
  for (;;) {
    Result<bool> row = Step(statement, operation);
    if (!row.has_value()) return row.error();
    if (!*row) return Status::Ok();
  }
}

Result<std::int64_t> SqliteDb::QueryInt64(const char* sql, std::string_view operation) {
  Result<SqliteStatement> statement = Prepare(sql, operation);
  if (!statement.has_value()) return statement.error();
  Result<bool> row = Step(*statement, operation);
  if (!row.has_value()) return row.error();
  if (!*row) {
    return InternalError(label_ + " " + path_ + ": " + std::string(operation) + ": no row");
  }
  return statement->ColumnInt64(0);
}

Status SqliteDb::Error(int rc, std::string_view operation) const {
  std::string message = label_ + " " + path_ + ": " + std::string(operation) + ": " +
                        (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
  const int primary = rc & 0xff;
  const int system_errno = db_ != nullptr ? sqlite3_system_errno(db_) : 0;
  if ((primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN) && system_errno != 0) {
    message += std::string(" (") + std::strerror(system_errno) + ")";
  }
  return Status(CodeFor(rc), std::move(message));
}

}  // namespace migsched::daemon
