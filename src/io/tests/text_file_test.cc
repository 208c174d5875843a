// Whole files in and out (text_file.h): the bytes as they are, missing
// directories created on writing, or an error naming what the file is, its
// path and why it could not be read or written.
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

TEST(WriteTextFileTest, CreatesMissingDirectoriesAndReplacesTheFile) {
  const std::filesystem::path dir = TempPath("write_dir");
  const std::string path = (dir / "a" / "b" / "out.txt").string();
  ASSERT_THAT(WriteTextFile(path, "first version, longer\n"), IsOk());
  ASSERT_THAT(WriteTextFile(path, "second\n", "plan file"), IsOk());
  const Result<std::string> text = ReadTextFile(path);
  std::filesystem::remove_all(dir);
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(*text, "second\n");
}

TEST(WriteTextFileTest, SaysWhyWhenTheDirectoryCannotBeMade) {
  const std::string file = TempPath("not_a_dir");
  std::ofstream{file};
  const std::string path = file + "/sub/out.svg";
  EXPECT_THAT(WriteTextFile(path, "x", "SVG"),
              HasError(StatusCode::kUnavailable, "cannot write SVG '" + path + "': cannot create directory '" +
                                                     file + "/sub': Not a directory"));
  std::filesystem::remove(file);
}

TEST(WriteTextFileTest, SaysWhyWhenTheFileCannotBeWritten) {
  const std::string dir = TempPath("a_dir");
  std::filesystem::create_directories(dir);
  EXPECT_THAT(WriteTextFile(dir, "x"), HasError(StatusCode::kUnavailable, "cannot write '" + dir + "': Is a directory"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace migsched::io
