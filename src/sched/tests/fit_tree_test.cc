#include "sched/fit_tree.h"

#include <gtest/gtest.h>

#include <random>

#include "sched/gpu_set.h"

namespace migsched::sched {
namespace {

TEST(FitTreeTest, FindsTheLowestLeafWithTheBit) {
  FitTree tree(3);
  tree.Set(0, 0b010);
  tree.Set(2, 0b011);
  EXPECT_EQ(tree.FindFirst(0), 2u);
  EXPECT_EQ(tree.FindFirst(1), 0u);
  EXPECT_EQ(tree.FindFirst(2), std::nullopt);
  tree.Set(0, 0);
  EXPECT_EQ(tree.FindFirst(1), 2u);
  EXPECT_EQ(FitTree(0).FindFirst(0), std::nullopt);
}

// Against a linear scan, over random updates.
TEST(FitTreeTest, AgreesWithAScan) {
  std::mt19937_64 rng(7);
  const size_t n = 4500;  // three levels
  FitTree tree(n);
  std::vector<std::uint32_t> masks(n, 0);
  for (int step = 0; step < 10000; ++step) {
    const size_t leaf = rng() % n;
    masks[leaf] = static_cast<std::uint32_t>(rng() % 16 == 0 ? rng() & 0xFFFF : 0);
    tree.Set(leaf, masks[leaf]);
    const int bit = static_cast<int>(rng() % FitTree::kBits);
    std::optional<size_t> expected;
    for (size_t i = 0; i < n && !expected; ++i) {
      if ((masks[i] >> bit & 1u) != 0) expected = i;
    }
    ASSERT_EQ(tree.FindFirst(bit), expected) << "step " << step;
  }
}

// Sizes around the tree's word boundaries (64, 4096, 262144 leaves per level).
TEST(FitTreeTest, EverySizeFindsTheLowestLeaf) {
  for (const size_t n : {2u, 63u, 64u, 65u, 4095u, 4096u, 4097u, 262145u}) {
    FitTree tree(n);
    EXPECT_EQ(tree.FindFirst(0), std::nullopt) << n;
    tree.Set(n - 1, 0b1);
    EXPECT_EQ(tree.FindFirst(0), n - 1) << n;
    tree.Set(n / 3, 0b11);
    EXPECT_EQ(tree.FindFirst(0), n / 3) << n;
    EXPECT_EQ(tree.FindFirst(1), n / 3) << n;
    tree.Set(n / 3, 0);
    EXPECT_EQ(tree.FindFirst(1), std::nullopt) << n;
    EXPECT_EQ(tree.FindFirst(0), n - 1) << n;
  }
}

TEST(GpuSetTest, InsertEraseKeepMembership) {
  GpuSet set(10);
  set.Insert(3);
  set.Insert(7);
  set.Insert(5);
  EXPECT_EQ(set.Pick(), 5u);
  set.Erase(3);
  EXPECT_FALSE(set.contains(3));
  EXPECT_TRUE(set.contains(7));
  EXPECT_EQ(set.size(), 2u);
  set.Erase(5);
  EXPECT_EQ(set.Pick(), 7u);
}

}  // namespace
}  // namespace migsched::sched
