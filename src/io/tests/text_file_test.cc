// Whole-file reading (text_file.h): the bytes as they are, or NotFound naming
// what the file is, its path and why it could not be read.
#include "io/text_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "testing/status_matchers.h"

namespace migsched::io {
namespace {

using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "migsched_text_file_test_" + std::to_string(::getpid()) + "_" + name;
}

TEST(ReadTextFileTest, ReturnsTheBytesUnchanged) {
  const std::string path = TempPath("bytes");
  const std::string bytes = std::string("a\r\nb\0c\n", 7) + "last line without newline";
  std::ofstream(path, std::ios::binary) << bytes;
  const Result<std::string> text = ReadTextFile(path, "test file");
  std::filesystem::remove(path);
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(*text, bytes);
}

TEST(ReadTextFileTest, AnEmptyFileIsEmptyText) {
  const std::string path = TempPath("empty");
  std::ofstream{path};
  const Result<std::string> text = ReadTextFile(path);
  std::filesystem::remove(path);
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(*text, "");
}

TEST(ReadTextFileTest, AMissingFileSaysWhatWhereAndWhy) {
  const std::string path = TempPath("missing");
  EXPECT_THAT(ReadTextFile(path, "fleet file"),
              HasError(StatusCode::kNotFound,
                       "cannot read fleet file '" + path + "': No such file or directory"));
  EXPECT_THAT(ReadTextFile(path),
              HasError(StatusCode::kNotFound, "cannot read '" + path + "': No such file or directory"));
}

TEST(ReadTextFileTest, ADirectoryIsNotReadAsEmptyText) {
  const std::string path = ::testing::TempDir();
  ASSERT_TRUE(std::filesystem::is_directory(path));
  EXPECT_THAT(ReadTextFile(path, "catalog file"),
              HasError(StatusCode::kNotFound, "cannot read catalog file '" + path + "': it is a directory"));
}

}  // namespace
}  // namespace migsched::io
