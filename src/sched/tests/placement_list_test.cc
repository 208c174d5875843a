#include "sched/placement_list.h"

#include <gtest/gtest.h>

#include <vector>

namespace migsched::sched {
namespace {

TEST(PlacementListTest, StartsEmpty) {
  const PlacementList list;
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.size(), 0u);
  EXPECT_EQ(list.begin(), list.end());
  EXPECT_EQ(list, std::vector<Placement>{});
}

TEST(PlacementListTest, OnePlacementReadsBackLikeAVector) {
  PlacementList list;
  list.push_back(Placement{.gpu = 3, .profile = 1, .start = 4});
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list.front(), (Placement{.gpu = 3, .profile = 1, .start = 4}));
  EXPECT_EQ(list[0].start, 4);
  EXPECT_EQ(list.end() - list.begin(), 1);
  EXPECT_EQ(list, (std::vector<Placement>{{.gpu = 3, .profile = 1, .start = 4}}));
}

// A gang's placements leave the inline slot; order and equality hold across the switch.
TEST(PlacementListTest, ManyPlacementsKeepTheirOrder) {
  PlacementList list;
  std::vector<Placement> expected;
  for (int g = 0; g < 5; ++g) {
    const Placement p{.gpu = 10 - g, .profile = kWholeGpu, .start = 0};
    list.push_back(p);
    expected.push_back(p);
    ASSERT_EQ(list, expected) << "after " << g + 1;
  }
  EXPECT_EQ(list.front().gpu, 10);
  EXPECT_EQ(list[4].gpu, 6);
  const std::vector<Placement> copied = list;
  EXPECT_EQ(copied, expected);
  EXPECT_EQ(list, (PlacementList{expected[0], expected[1], expected[2], expected[3], expected[4]}));
  EXPECT_FALSE(list == (PlacementList{expected[0], expected[1]}));
  list.clear();
  EXPECT_TRUE(list.empty());
  list.push_back(expected[2]);
  EXPECT_EQ(list, (PlacementList{expected[2]}));
}

TEST(PlacementListTest, EqualityComparesEveryField) {
  const PlacementList a{{.gpu = 1, .profile = 2, .start = 3}};
  EXPECT_EQ(a, (PlacementList{{.gpu = 1, .profile = 2, .start = 3}}));
  EXPECT_FALSE(a == (PlacementList{{.gpu = 1, .profile = 2, .start = 4}}));
  EXPECT_FALSE(a == (PlacementList{{.gpu = 1, .profile = 0, .start = 3}}));
  EXPECT_FALSE(a == (PlacementList{{.gpu = 0, .profile = 2, .start = 3}}));
}

}  // namespace
}  // namespace migsched::sched
