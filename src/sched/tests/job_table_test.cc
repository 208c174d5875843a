#include "sched/job_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace migsched::sched {
namespace {

TEST(JobTableTest, FindsWhatWasInsertedAndNotWhatWasErased) {
  JobTable<int> table;
  table.Emplace(7) = 70;
  table.Emplace(9) = 90;
  ASSERT_NE(table.Find(7), nullptr);
  EXPECT_EQ(*table.Find(7), 70);
  table.Erase(7);
  EXPECT_EQ(table.Find(7), nullptr);
  EXPECT_EQ(*table.Find(9), 90);
  EXPECT_EQ(table.size(), 1u);
}

// Against std::map over random inserts and erases with ids that collide often
// (a small id range), through several growths.
TEST(JobTableTest, AgreesWithAMap) {
  std::mt19937_64 rng(3);
  JobTable<std::uint64_t> table;
  std::map<JobId, std::uint64_t> reference;
  for (int step = 0; step < 200000; ++step) {
    const JobId id = 1 + rng() % 5000;
    if (reference.contains(id) && rng() % 2 == 0) {
      table.Erase(id);
      reference.erase(id);
    } else if (!reference.contains(id)) {
      table.Emplace(id) = id * 3;
      reference[id] = id * 3;
    }
    const JobId probe = 1 + rng() % 5000;
    const std::uint64_t* found = table.Find(probe);
    ASSERT_EQ(found != nullptr, reference.contains(probe)) << "step " << step;
    if (found != nullptr) {
      ASSERT_EQ(*found, reference[probe]);
    }
  }
  EXPECT_EQ(table.size(), reference.size());
  for (const auto& [id, value] : reference) ASSERT_EQ(*table.Find(id), value);
}

// Ids that differ only in high bits (multiples of 2^20) and huge ids.
TEST(JobTableTest, SparseAndHugeIdsAgreeWithAMap) {
  std::mt19937_64 rng(5);
  JobTable<std::uint64_t> table;
  std::map<JobId, std::uint64_t> reference;
  for (int step = 0; step < 50000; ++step) {
    const std::uint64_t pick = rng() % 3000;
    const JobId id = step % 2 == 0 ? (pick + 1) << 20 : ~std::uint64_t{0} - pick;
    if (reference.contains(id)) {
      table.Erase(id);
      reference.erase(id);
    } else {
      table.Emplace(id) = id / 7;
      reference[id] = id / 7;
    }
  }
  EXPECT_EQ(table.size(), reference.size());
  for (const auto& [id, value] : reference) ASSERT_EQ(*table.Find(id), value);
  EXPECT_EQ(table.Find(12345), nullptr);
}

}  // namespace
}  // namespace migsched::sched
