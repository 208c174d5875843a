// The write-ahead journal's file contract (journal.h): what Begin writes,
// Load reads back with progress; a torn last line is ignored; garbage is an
// error naming path:line; Remove leaves no file.
#include "agent/journal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::agent {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::Gpu;
using ::migsched::testing::HasError;
using ::migsched::testing::Instances;
using ::migsched::testing::IsOk;

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("migsched_journal_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path() const { return (dir_ / "sub" / "agent.journal").string(); }

  std::filesystem::path dir_;
};

JournalRecord Sample() {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  return JournalRecord{
      .force = true,
      .targets = {JournaledTarget{.model = &a100,
                                  .target = GpuTarget{.index = 1, .mig_enabled = true,
                                                      .instances = Instances(a100, {"3g.20gb@4", "1g.5gb@0"})}}},
      .ops = {"op a", "op b", "op c"},
      .done = 0};
}

TEST_F(JournalTest, AbsentJournalLoadsAsNothing) {
  const Journal journal(Path());
  const auto loaded = journal.Load(BuiltinCatalogForTest());
  ASSERT_THAT(loaded, IsOk());
  EXPECT_FALSE(loaded->has_value());
}

TEST_F(JournalTest, RoundTripsTargetAndProgress) {
  const Journal journal(Path());
  ASSERT_THAT(journal.Begin(Sample()), IsOk());
  ASSERT_THAT(journal.MarkDone(0), IsOk());
  ASSERT_THAT(journal.MarkDone(1), IsOk());
  const auto loaded = journal.Load(BuiltinCatalogForTest());
  ASSERT_THAT(loaded, IsOk());
  ASSERT_TRUE(loaded->has_value());
  const JournalRecord& record = **loaded;
  EXPECT_TRUE(record.force);
  EXPECT_EQ(record.done, 2u);
  EXPECT_EQ(record.ops, Sample().ops);
  ASSERT_EQ(record.targets.size(), 1u);
  EXPECT_EQ(record.targets[0].model, &Gpu("A100-40GB"));
  EXPECT_EQ(record.targets[0].target, Sample().targets[0].target);
  ASSERT_THAT(journal.Remove(), IsOk());
  EXPECT_FALSE(std::filesystem::exists(Path()));
  EXPECT_THAT(journal.Remove(), IsOk());
}

TEST_F(JournalTest, TornLastLineIsIgnoredButGarbageInsideIsNot) {
  const Journal journal(Path());
  ASSERT_THAT(journal.Begin(Sample()), IsOk());
  ASSERT_THAT(journal.MarkDone(0), IsOk());
  { std::ofstream(Path(), std::ios::app) << "{\"do"; }
  const auto torn = journal.Load(BuiltinCatalogForTest());
  ASSERT_THAT(torn, IsOk());
  EXPECT_EQ((*torn)->done, 1u);
  { std::ofstream(Path(), std::ios::app) << "\n{\"done\": 1}\n"; }
  EXPECT_THAT(journal.Load(BuiltinCatalogForTest()),
              HasError(StatusCode::kInvalidArgument, ":3: malformed journal line"));
}

TEST_F(JournalTest, ForeignFileIsRejected) {
  std::filesystem::create_directories(std::filesystem::path(Path()).parent_path());
  { std::ofstream(Path()) << "{\"hello\": 1}\n"; }
  EXPECT_THAT(Journal(Path()).Load(BuiltinCatalogForTest()),
              HasError(StatusCode::kInvalidArgument, ":1: not a migsched journal"));
  { std::ofstream(Path()) << "not json\n"; }
  EXPECT_THAT(Journal(Path()).Load(BuiltinCatalogForTest()),
              HasError(StatusCode::kInvalidArgument, ":1: malformed JSON"));
}

// Issue 16: the journal had its own JSON reading (get<int>() on any number,
// a start no profile allows taken as given); it now reads like plan.json.
TEST_F(JournalTest, CorruptedHeaderValuesNameTheirPath) {
  std::filesystem::create_directories(std::filesystem::path(Path()).parent_path());
  const auto load_with = [&](const std::string& target) {
    { std::ofstream(Path()) << R"({"migsched_journal": 1, "force": false, "ops": [], "targets": [)" << target << "]}\n"; }
    return Journal(Path()).Load(BuiltinCatalogForTest());
  };
  const std::string gpu = R"({"gpu": 0, "model": "A100-40GB", "mig_enabled": true, "instances": )";
  EXPECT_THAT(load_with(gpu + R"([{"profile": "3g.20gb", "start": 1e400}]})"),
              HasError(StatusCode::kInvalidArgument, ":1: malformed JSON at byte"));
  EXPECT_THAT(load_with(gpu + R"([{"profile": "3g.20gb", "start": 3}]})"),
              HasError(StatusCode::kInvalidArgument, ":1: $.targets[0].instances[0].start: 3g.20gb cannot start at slice 3"));
  EXPECT_THAT(load_with(R"({"gpu": 0.5, "model": "A100-40GB", "mig_enabled": true, "instances": []})"),
              HasError(StatusCode::kInvalidArgument, ":1: $.targets[0].gpu: must be an integer"));
}

// Regression (issue 16): a header edited into another valid target (a start
// moved from 4 to 0, bit rot in a GPU index) was followed like the real one.
TEST_F(JournalTest, AValidButChangedTargetIsRefused) {
  const Journal journal(Path());
  ASSERT_THAT(journal.Begin(Sample()), IsOk());
  std::string text;
  {
    std::ifstream in(Path());
    std::getline(in, text);
  }
  const std::string good = R"({"profile":"3g.20gb","start":4})";
  const size_t at = text.find(good);
  ASSERT_NE(at, std::string::npos) << text;
  const std::string changed = std::string(text).replace(at, good.size(), R"({"profile":"3g.20gb","start":0})");
  ASSERT_THAT(ParseJournal(text, "j", BuiltinCatalogForTest()), IsOk());
  EXPECT_THAT(ParseJournal(changed, "j", BuiltinCatalogForTest()),
              HasError(StatusCode::kInvalidArgument,
                       "j:1: $.checksum: does not match the journal's content ('fnv1a64:"));
  // Formatting is not content: the same header with spaces still reads.
  EXPECT_THAT(ParseJournal("{ " + text.substr(1), "j", BuiltinCatalogForTest()), IsOk());
  EXPECT_THAT(ParseJournal(R"({"migsched_journal": 1, "force": false, "ops": [], "targets": []})", "j",
                           BuiltinCatalogForTest()),
              HasError(StatusCode::kInvalidArgument, "j:1: $.checksum: is required"));
}

}  // namespace
}  // namespace migsched::agent
