#include "daemon/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "daemon/sqlite_db.h"
#include "daemon/store_schema.h"
#include "testing/status_matchers.h"

namespace migsched::daemon {
namespace {

using ::migsched::testing::HasCode;
using ::migsched::testing::IsOk;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

JobRow Job(std::uint64_t id, std::string tenant, std::string name, std::string state) {
  return JobRow{.id = id,
                .tenant = std::move(tenant),
                .name = std::move(name),
                .spec_json = R"({"profile":"1g.10gb","replicas":1})",
                .state = std::move(state),
                .placement_json = "[]",
                .queue_seq = static_cast<std::int64_t>(id % 1000),
                .waiting_since = 1700000000,
                .ready_at = 0,
                .updated_at = 1700000001,
                .reason = "",
                .mig_uuid = ""};
}

// Two nodes joined in the order b, a; three GPUs; jobs in every state,
// including an id above 2^63; events 1..3; two meta keys.
StoreBatch SampleBatch() {
  JobRow running = Job(7, "acme", "train", "running");
  running.placement_json = R"([{"gpu":0,"profile":"3g.40gb","start":4}])";
  running.mig_uuid = "MIG-1234";
  JobRow failed = Job(9, "acme", "eval", "failed");
  failed.reason = "agent lost";
  return StoreBatch{
      .jobs = {Job(3, "acme", "serve", "queued"), running, failed,
               Job((std::uint64_t{1} << 63) + 5, "zeta", "big-id", "finished"),
               Job(12, "zeta", "warm", "starting")},
      .nodes = {NodeRow{.name = "node-b",
                        .position = 0,
                        .generation = 4,
                        .applied_generation = 3,
                        .last_seen = 1700000100,
                        .cordoned = false,
                        .inventory_json = R"({"gpus":2})"},
                NodeRow{.name = "node-a",
                        .position = 1,
                        .generation = 1,
                        .applied_generation = 1,
                        .last_seen = 1700000200,
                        .cordoned = true,
                        .inventory_json = R"({"gpus":1})"}},
      .gpus = {GpuRow{.node = "node-b", .index = 1, .position = 1, .model = "H100-80GB",
                      .mig_enabled = true, .layout_json = R"(["3g.40gb@4"])"},
               GpuRow{.node = "node-b", .index = 0, .position = 0, .model = "H100-80GB",
                      .mig_enabled = true, .layout_json = "[]"},
               GpuRow{.node = "node-a", .index = 0, .position = 2, .model = "A100-80GB",
                      .mig_enabled = false, .layout_json = "[]"}},
      .events = {EventRow{.seq = 1, .at = 1700000000, .type = "job.submitted", .json = "{}"},
                 EventRow{.seq = 2, .at = 1700000001, .type = "job.placed", .json = R"({"id":7})"},
                 EventRow{.seq = 3, .at = 1700000002, .type = "node.joined", .json = "{}"}},
      .meta = {{"fleet_version", "3"}, {"next_job_id", "13"}}};
}

std::vector<EventRow> Events(std::int64_t first, std::int64_t last) {
  std::vector<EventRow> out;
  for (std::int64_t seq = first; seq <= last; ++seq) {
    out.push_back(EventRow{.seq = seq, .at = 1700000000 + seq, .type = "tick", .json = "{}"});
  }
  return out;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("migsched-store-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    dir_ = (root_ / "state").string();
    db_path_ = dir_ + "/migsched.db";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<Store> OpenOrDie(const StoreOptions& options = {}) {
    Result<std::unique_ptr<Store>> store = Store::Open(dir_, options);
    EXPECT_THAT(store, IsOk());
    if (!store.has_value()) std::abort();
    return std::move(store).value();
  }

  // Runs `sql` on the database file directly, as another program would.
  void RawExecute(const std::string& sql) {
    Result<SqliteDb> db = SqliteDb::Open(db_path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "raw");
    ASSERT_THAT(db, IsOk());
    ASSERT_THAT(db->Execute(sql.c_str(), "raw"), IsOk());
  }

  std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  std::filesystem::path root_;
  std::string dir_;
  std::string db_path_;
};

// What Load must give back for SampleBatch(): nodes and gpus by position,
// jobs by unsigned id.
StoreContents SampleContents() {
  const StoreBatch batch = SampleBatch();
  return StoreContents{
      .nodes = {batch.nodes[0], batch.nodes[1]},
      .gpus = {batch.gpus[1], batch.gpus[0], batch.gpus[2]},
      .jobs = {batch.jobs[0], batch.jobs[1], batch.jobs[2], batch.jobs[4], batch.jobs[3]},
      .meta = {{"fleet_version", "3"}, {"next_job_id", "13"}},
      .last_event_seq = 3};
}

void ExpectSameContents(const StoreContents& actual, const StoreContents& expected) {
  EXPECT_EQ(actual.nodes, expected.nodes);
  EXPECT_EQ(actual.gpus, expected.gpus);
  EXPECT_EQ(actual.jobs, expected.jobs);
  EXPECT_EQ(actual.meta, expected.meta);
  EXPECT_EQ(actual.last_event_seq, expected.last_event_seq);
}

TEST_F(StoreTest, OpenCreatesAPrivateDirectoryAndAnEmptyStoreAtTheLatestVersion) {
  dir_ = (root_ / "a" / "state").string();
  std::unique_ptr<Store> store = OpenOrDie();
  struct stat info{};
  ASSERT_EQ(::stat(dir_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/migsched.db"));
  EXPECT_EQ(store->schema_version(), StoreMigrations().back().version);
  EXPECT_EQ(store->path(), dir_ + "/migsched.db");
  Result<StoreContents> contents = store->Load();
  ASSERT_THAT(contents, IsOk());
  ExpectSameContents(*contents, StoreContents{});
}

TEST_F(StoreTest, ReopenLoadsExactlyTheCommittedRows) {
  StoreContents expected = SampleContents();
  {
    std::unique_ptr<Store> store = OpenOrDie();
    ASSERT_THAT(store->Commit(SampleBatch()), IsOk());
    // Upserts: a job moves on, a node reports, a meta key changes.
    JobRow finished = expected.jobs[1];
    finished.state = "finished";
    finished.updated_at = 1700000500;
    NodeRow node = expected.nodes[0];
    node.applied_generation = 4;
    ASSERT_THAT(store->Commit(StoreBatch{.jobs = {finished},
                                         .nodes = {node},
                                         .events = Events(4, 4),
                                         .meta = {{"next_job_id", "14"}}}),
                IsOk());
    expected.jobs[1] = finished;
    expected.nodes[0] = node;
    expected.meta["next_job_id"] = "14";
    expected.last_event_seq = 4;
  }
  std::unique_ptr<Store> reopened = OpenOrDie();
  Result<StoreContents> contents = reopened->Load();
  ASSERT_THAT(contents, IsOk());
  ExpectSameContents(*contents, expected);
}

TEST_F(StoreTest, AFailedCommitStoresNothingOfTheBatch) {
  std::unique_ptr<Store> store = OpenOrDie();
  ASSERT_THAT(store->Commit(StoreBatch{.jobs = {Job(1, "acme", "a", "queued")}}), IsOk());

  // Job 3 takes (acme, a), the idempotency key of job 1.
  const StoreBatch clash{.jobs = {Job(2, "acme", "b", "queued"), Job(3, "acme", "a", "queued")},
                         .nodes = {SampleBatch().nodes[0]},
                         .events = Events(1, 2),
                         .meta = {{"k", "v"}}};
  const Status status = store->Commit(clash);
  EXPECT_THAT(status, HasCode(StatusCode::kInvalidArgument));
  EXPECT_THAT(status.message(), AllOf(HasSubstr(db_path_), HasSubstr("upsert job"),
                                      HasSubstr("UNIQUE constraint failed"), HasSubstr("job 3")));

  // An event seq already stored fails the same way.
  ASSERT_THAT(store->Commit(StoreBatch{.events = Events(1, 1)}), IsOk());
  EXPECT_THAT(store->Commit(StoreBatch{.jobs = {Job(4, "acme", "d", "queued")},
                                       .events = Events(1, 1)}),
              HasCode(StatusCode::kInvalidArgument));

  Result<StoreContents> contents = store->Load();
  ASSERT_THAT(contents, IsOk());
  EXPECT_THAT(contents->jobs, ElementsAre(Job(1, "acme", "a", "queued")));
  EXPECT_TRUE(contents->nodes.empty());
  EXPECT_TRUE(contents->meta.empty());
  EXPECT_EQ(contents->last_event_seq, 1);

  // The store is usable after the failures.
  ASSERT_THAT(store->Commit(StoreBatch{.jobs = {Job(2, "acme", "b", "queued")}}), IsOk());
  ASSERT_THAT(store->Load(), IsOk());
  EXPECT_EQ(store->Load()->jobs.size(), 2u);
}

TEST_F(StoreTest, ABatchCommittedBeforeSigkillSurvives) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    Result<std::unique_ptr<Store>> store = Store::Open(dir_);
    char marker = 'c';
    if (!store.has_value() || !(*store)->Commit(SampleBatch()).ok()) marker = 'e';
    if (::write(fds[1], &marker, 1) != 1) ::_exit(2);
    for (;;) ::pause();  // until the parent's SIGKILL
  }
  ::close(fds[1]);
  char marker = 0;
  const ssize_t got = ::read(fds[0], &marker, 1);
  ::kill(child, SIGKILL);
  int wait_status = 0;
  ::waitpid(child, &wait_status, 0);
  ::close(fds[0]);
  ASSERT_EQ(got, 1);
  ASSERT_EQ(marker, 'c') << "the child could not open the store or commit";
  ASSERT_TRUE(WIFSIGNALED(wait_status));
  EXPECT_EQ(WTERMSIG(wait_status), SIGKILL);

  std::unique_ptr<Store> store = OpenOrDie();
  Result<StoreContents> contents = store->Load();
  ASSERT_THAT(contents, IsOk());
  ExpectSameContents(*contents, SampleContents());
}

TEST_F(StoreTest, RefusesAFileWithANewerSchemaVersionAndLeavesIt) {
  { OpenOrDie(); }
  const int newer = StoreMigrations().back().version + 1;
  RawExecute("PRAGMA user_version = " + std::to_string(newer));
  const std::string before = ReadFile(db_path_);

  const Result<std::unique_ptr<Store>> store = Store::Open(dir_);
  EXPECT_THAT(store, HasCode(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store.error().message(),
              AllOf(HasSubstr(db_path_),
                    HasSubstr("schema version " + std::to_string(newer) + " is newer"),
                    HasSubstr("(" + std::to_string(newer - 1) + ")")));
  EXPECT_EQ(ReadFile(db_path_), before);
}

TEST_F(StoreTest, RefusesAFileThatIsNotADatabase) {
  std::filesystem::create_directories(dir_);
  std::string garbage;
  for (int i = 0; i < 200; ++i) garbage += "this is not a database, line " + std::to_string(i) + "\n";
  std::ofstream(db_path_, std::ios::binary) << garbage;

  const Result<std::unique_ptr<Store>> store = Store::Open(dir_);
  EXPECT_THAT(store, HasCode(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store.error().message(), AllOf(HasSubstr(db_path_), HasSubstr("not a database")));
  EXPECT_EQ(ReadFile(db_path_), garbage);
}

TEST_F(StoreTest, ACorruptFileIsAnErrorNamingIt) {
  {
    std::unique_ptr<Store> store = OpenOrDie();
    StoreBatch batch;
    for (std::uint64_t id = 1; id <= 2000; ++id) {
      batch.jobs.push_back(Job(id, "acme", "job-" + std::to_string(id), "queued"));
    }
    ASSERT_THAT(store->Commit(batch), IsOk());
  }  // closing checkpoints the WAL into the file
  // Keep page 1 (the header and the table list); scribble over every other page.
  std::string bytes = ReadFile(db_path_);
  ASSERT_GT(bytes.size(), 3 * 4096u);
  for (size_t i = 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xA5 ^ (i * 7));
  std::ofstream(db_path_, std::ios::binary | std::ios::trunc) << bytes;

  Result<std::unique_ptr<Store>> store = Store::Open(dir_);
  const Status status = store.has_value() ? migsched::testing::GetStatus((*store)->Load()) : store.error();
  EXPECT_THAT(status, HasCode(StatusCode::kFailedPrecondition));
  EXPECT_THAT(status.message(), AllOf(HasSubstr(db_path_), HasSubstr("malformed")));
}

TEST_F(StoreTest, MigratesAnEmptyVersionZeroDatabase) {
  std::filesystem::create_directories(dir_);
  RawExecute("CREATE TABLE scratch (x); DROP TABLE scratch;");  // a real file, no tables
  std::unique_ptr<Store> store = OpenOrDie();
  EXPECT_EQ(store->schema_version(), StoreMigrations().back().version);
  ASSERT_THAT(store->Commit(SampleBatch()), IsOk());
  Result<StoreContents> contents = store->Load();
  ASSERT_THAT(contents, IsOk());
  ExpectSameContents(*contents, SampleContents());
}

TEST_F(StoreTest, RefusesAnotherProgramsDatabase) {
  std::filesystem::create_directories(dir_);
  RawExecute("CREATE TABLE accounts (id INTEGER PRIMARY KEY);");
  const Result<std::unique_ptr<Store>> unversioned = Store::Open(dir_);
  EXPECT_THAT(unversioned, HasCode(StatusCode::kFailedPrecondition));
  EXPECT_THAT(unversioned.error().message(),
              AllOf(HasSubstr(db_path_), HasSubstr("not a migsched store")));

  RawExecute("PRAGMA user_version = 1; PRAGMA application_id = 42;");
  const Result<std::unique_ptr<Store>> foreign = Store::Open(dir_);
  EXPECT_THAT(foreign, HasCode(StatusCode::kFailedPrecondition));
  EXPECT_THAT(foreign.error().message(), HasSubstr("application_id is 42"));
}

std::int64_t Query(SqliteDb& db, const char* sql) {
  Result<std::int64_t> value = db.QueryInt64(sql, "test query");
  EXPECT_THAT(value, IsOk());
  return value.has_value() ? *value : -1;
}

constexpr const char* kHasNote =
    "SELECT count(*) FROM pragma_table_info('jobs') WHERE name = 'note'";

// The path a future schema change takes: one more migration at the end.
TEST_F(StoreTest, AMigrationListWithANewEntryUpgradesAndAFailingOneChangesNothing) {
  { OpenOrDie(); }
  const std::vector<StoreMigration> current(StoreMigrations().begin(), StoreMigrations().end());
  std::vector<StoreMigration> failing = current;
  failing.push_back(StoreMigration{
      .version = current.back().version + 1,
      .sql = "ALTER TABLE jobs ADD COLUMN note TEXT NOT NULL DEFAULT ''; "
             "ALTER TABLE no_such_table ADD COLUMN x;"});
  std::vector<StoreMigration> upgraded = current;
  upgraded.push_back(StoreMigration{.version = current.back().version + 1,
                                    .sql = "ALTER TABLE jobs ADD COLUMN note TEXT NOT NULL "
                                           "DEFAULT '';"});

  Result<SqliteDb> db = SqliteDb::Open(db_path_, SQLITE_OPEN_READWRITE, "store");
  ASSERT_THAT(db, IsOk());
  const Result<int> failed = MigrateStoreSchema(*db, failing);
  EXPECT_THAT(failed, HasCode(StatusCode::kInternal));
  EXPECT_THAT(failed.error().message(),
              AllOf(HasSubstr(db_path_),
                    HasSubstr("migrate to schema version " + std::to_string(current.back().version + 1)),
                    HasSubstr("no_such_table")));
  EXPECT_EQ(Query(*db, "PRAGMA user_version"), current.back().version);
  EXPECT_EQ(Query(*db, kHasNote), 0);

  const Result<int> migrated = MigrateStoreSchema(*db, upgraded);
  ASSERT_THAT(migrated, IsOk());
  EXPECT_EQ(*migrated, current.back().version + 1);
  EXPECT_EQ(Query(*db, kHasNote), 1);
  // This build does not know that version.
  const Result<std::unique_ptr<Store>> store = Store::Open(dir_);
  EXPECT_THAT(store, HasCode(StatusCode::kFailedPrecondition));
}

// Regression (issue 14): a store written when times were whole seconds
// (schema version 1) opens with every time in milliseconds.
TEST_F(StoreTest, OpensAVersionOneStoreWithItsSecondsAsMilliseconds) {
  std::filesystem::create_directories(dir_);
  {
    Result<SqliteDb> db = SqliteDb::Open(db_path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "store");
    ASSERT_THAT(db, IsOk());
    ASSERT_THAT(MigrateStoreSchema(*db, StoreMigrations().first(1)), IsOk());
  }
  RawExecute(R"sql(
    INSERT INTO jobs VALUES (1, 'acme', 'wait', '{}', 'queued', '[]', 1, 1700000000, 0, 1700000001, '', '');
    INSERT INTO jobs VALUES (2, 'acme', 'fix', '{}', 'starting', '[]', 2, 1700000002, 1700000005, 1700000003, '', '');
    INSERT INTO nodes VALUES ('node-a', 0, 1, 1, 1700000100, 0, '{}');
    INSERT INTO events VALUES (1, 1700000004, 'job', '{}');
    INSERT INTO meta VALUES ('last_now', '1700000200'), ('next_job_id', '3');
  )sql");
  std::unique_ptr<Store> store = OpenOrDie();
  EXPECT_EQ(store->schema_version(), 2);
  Result<StoreContents> contents = store->Load();
  ASSERT_THAT(contents, IsOk());
  ASSERT_EQ(contents->jobs.size(), 2u);
  EXPECT_EQ(contents->jobs[0].waiting_since, 1700000000000);
  EXPECT_EQ(contents->jobs[0].ready_at, 0) << "0 means not repartitioning";
  EXPECT_EQ(contents->jobs[0].updated_at, 1700000001000);
  EXPECT_EQ(contents->jobs[1].ready_at, 1700000005000);
  EXPECT_EQ(contents->jobs[0].queue_seq, 1) << "not a time";
  ASSERT_EQ(contents->nodes.size(), 1u);
  EXPECT_EQ(contents->nodes[0].last_seen, 1700000100000);
  EXPECT_EQ(contents->nodes[0].generation, 1) << "not a time";
  EXPECT_EQ(contents->meta.at("last_now"), "1700000200000");
  EXPECT_EQ(contents->meta.at("next_job_id"), "3") << "not a time";
  Result<std::vector<EventRow>> events = store->EventsAfter(0, 10);
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].at, 1700000004000);
}

TEST_F(StoreTest, EventsAfterPagesAndCommitPrunesOldEvents) {
  // keep 32: pruned back to 32 once more than 32 + 2 are held.
  const StoreOptions options{.synchronous_full = false, .keep_events = 32};
  {
    std::unique_ptr<Store> store = OpenOrDie(options);
    for (std::int64_t first = 1; first <= 100; first += 10) {
      ASSERT_THAT(store->Commit(StoreBatch{.events = Events(first, first + 9)}), IsOk());
    }
    Result<std::vector<EventRow>> page = store->EventsAfter(90, 5);
    ASSERT_THAT(page, IsOk());
    EXPECT_EQ(*page, Events(91, 95));
  }
  std::unique_ptr<Store> store = OpenOrDie(options);
  ASSERT_THAT(store->Commit(StoreBatch{.events = Events(101, 103)}), IsOk());
  Result<std::vector<EventRow>> all = store->EventsAfter(0, 1000);
  ASSERT_THAT(all, IsOk());
  // 32 held after the last prune (at 100), plus 101..103 make 35 > 34: pruned to 32.
  EXPECT_EQ(*all, Events(72, 103));
  EXPECT_EQ(store->Load()->last_event_seq, 103);
  Result<std::vector<EventRow>> none = store->EventsAfter(103, 10);
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->empty());
}

TEST_F(StoreTest, RefusesKeepEventsBelowOne) {
  EXPECT_THAT(Store::Open(dir_, StoreOptions{.synchronous_full = true, .keep_events = 0}),
              HasCode(StatusCode::kInvalidArgument));
}

TEST_F(StoreTest, BackupOpensAsAStoreWithTheSameContents) {
  std::unique_ptr<Store> store = OpenOrDie();
  ASSERT_THAT(store->Commit(SampleBatch()), IsOk());
  const std::filesystem::path backup_dir = root_ / "backup";
  std::filesystem::create_directories(backup_dir);
  const std::string backup_path = (backup_dir / "migsched.db").string();
  ASSERT_THAT(store->Backup(backup_path), IsOk());
  struct stat info{};
  ASSERT_EQ(::stat(backup_path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  // The source goes on; the copy holds what was committed before Backup.
  ASSERT_THAT(store->Commit(StoreBatch{.jobs = {Job(100, "acme", "later", "queued")}}), IsOk());
  const Status again = store->Backup(backup_path);
  EXPECT_THAT(again, HasCode(StatusCode::kFailedPrecondition));
  EXPECT_THAT(again.message(), AllOf(HasSubstr(backup_path), HasSubstr("already exists")));

  Result<std::unique_ptr<Store>> copy = Store::Open(backup_dir.string());
  ASSERT_THAT(copy, IsOk());
  EXPECT_EQ((*copy)->schema_version(), store->schema_version());
  Result<StoreContents> contents = (*copy)->Load();
  ASSERT_THAT(contents, IsOk());
  ExpectSameContents(*contents, SampleContents());
  ASSERT_THAT((*copy)->EventsAfter(0, 10), IsOk());
  EXPECT_EQ((*copy)->EventsAfter(0, 10)->size(), 3u);
}

TEST_F(StoreTest, BackupIntoAMissingDirectoryIsAnErrorNamingThePath) {
  std::unique_ptr<Store> store = OpenOrDie();
  const std::string path = (root_ / "no" / "such" / "copy.db").string();
  const Status status = store->Backup(path);
  EXPECT_THAT(status, HasCode(StatusCode::kUnavailable));
  EXPECT_THAT(status.message(), HasSubstr(path));
}

}  // namespace
}  // namespace migsched::daemon
