#include "daemon/token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "testing/status_matchers.h"

namespace migsched::daemon {
namespace {

using ::migsched::testing::HasCode;
using ::migsched::testing::IsOk;

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("migsched-token-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(TokenTest, CreatesAPrivateTokenOnceAndReusesIt) {
  const std::string path = (dir_ / "token").string();
  const Result<std::string> first = LoadOrCreateTokenFile(path);
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->size(), 64u);
  struct stat info{};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  const Result<std::string> again = LoadOrCreateTokenFile(path);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, *first);
}

TEST_F(TokenTest, RefusesATokenFileOthersCanRead) {
  const std::string path = (dir_ / "token").string();
  std::ofstream(path) << "secret\n";
  chmod(path.c_str(), 0644);
  EXPECT_THAT(ReadTokenFile(path), HasCode(StatusCode::kInvalidArgument));
  chmod(path.c_str(), 0600);
  ASSERT_THAT(ReadTokenFile(path), IsOk());
  EXPECT_EQ(*ReadTokenFile(path), "secret");
}

TEST_F(TokenTest, RefusesAnEmptyOrMissingFile) {
  const std::string path = (dir_ / "token").string();
  EXPECT_THAT(ReadTokenFile(path), HasCode(StatusCode::kNotFound));
  std::ofstream(path) << "  \n";
  chmod(path.c_str(), 0600);
  EXPECT_THAT(ReadTokenFile(path), HasCode(StatusCode::kInvalidArgument));
}

TEST(BearerMatchesTest, OnlyTheExactBearerTokenMatches) {
  EXPECT_TRUE(BearerMatches("Bearer abc", "abc"));
  EXPECT_FALSE(BearerMatches("Bearer abd", "abc"));
  EXPECT_FALSE(BearerMatches("Bearer ab", "abc"));
  EXPECT_FALSE(BearerMatches("Bearer abcd", "abc"));
  EXPECT_FALSE(BearerMatches("Basic abc", "abc"));
  EXPECT_FALSE(BearerMatches("", "abc"));
}

}  // namespace
}  // namespace migsched::daemon
