// The catalog loader's error contracts (catalog_loader.h, docs/catalog.md):
// every malformed input gives InvalidArgument naming "<file>:<line>" and the
// key, value, GPU or profile at fault; unreadable files give NotFound.
#include "io/catalog_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "io/builtin_catalog_data.h"
#include "testing/status_matchers.h"

namespace migsched::io {
namespace {

using ::migsched::testing::HasCode;
using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

// A small valid catalog; the line numbers below are the ones errors report.
constexpr std::string_view kValidCatalog =
    "schema: migsched.catalog/1\n"                // 1
    "gpus:\n"                                     // 2
    "  - name: TEST-GPU\n"                        // 3: the gpu
    "    aliases: [TEST]\n"                       // 4
    "    product_names: [\"Test GPU 24GB\"]\n"    // 5
    "    pci_device_ids: [\"0x1234\"]\n"          // 6
    "    architecture: Ampere\n"                  // 7
    "    confidence: high\n"                      // 8
    "    compute_slices: 4\n"                     // 9
    "    memory_slices: 4\n"                      // 10
    "    memory_mib: 24576\n"                     // 11
    "    max_instances: 4\n"                      // 12
    "    profiles:\n"                             // 13
    "      - {name: 1g.6gb, id: 14, nvml_enum: 0, compute_slices: 1, memory_slices: 1, "
    "memory_mib: 5952, max_count: 4, sm_count: 14, starts: [0, 1, 2, 3], evidence: captured, "
    "compute_instances: [{compute_slices: 1, id: 0, max_count: 1}]}\n"  // 14: 1g.6gb
    "      - {name: 4g.24gb, id: 0, nvml_enum: 3, compute_slices: 4, memory_slices: 4, "
    "memory_mib: 24000, max_count: 1, starts: [0], evidence: inferred}\n";  // 15: 4g.24gb

constexpr std::string_view kSource = "test.yaml";

// kValidCatalog with the first occurrence of `from` replaced by `to`.
std::string Edited(std::string_view from, std::string_view to) {
  std::string text(kValidCatalog);
  const size_t at = text.find(from);
  if (at == std::string::npos) {
    ADD_FAILURE() << "'" << from << "' is not in the test catalog";
    return text;
  }
  return text.replace(at, from.size(), to);
}

Result<std::vector<geometry::GpuModel>> Parse(std::string_view text) {
  return ParseCatalogYaml(text, std::string(kSource));
}

// A file under the test temp dir, named after the running test.
std::string WriteTempFile(std::string_view suffix, std::string_view text) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string path = ::testing::TempDir() + "migsched_io_" + test->name() +
                           std::string(suffix) + ".yaml";
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(CatalogLoaderTest, ParsesAValidCatalog) {
  const Result<std::vector<geometry::GpuModel>> models = Parse(kValidCatalog);
  ASSERT_THAT(models, IsOk());
  ASSERT_EQ(models->size(), 1u);
  const geometry::GpuModel& gpu = models->front();
  EXPECT_EQ(gpu.name, "TEST-GPU");
  EXPECT_EQ(gpu.aliases, std::vector<std::string>{"TEST"});
  EXPECT_EQ(gpu.pci_device_ids, std::vector<uint32_t>{0x123410DEu});
  EXPECT_EQ(gpu.memory_slices, 4);
  ASSERT_EQ(gpu.profiles.size(), 2u);
  EXPECT_EQ(gpu.profiles[0].starts, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(gpu.profiles[0].sm_count, 14);
  EXPECT_EQ(gpu.profiles[0].evidence, geometry::Evidence::kCaptured);
  ASSERT_EQ(gpu.profiles[0].compute_instances.size(), 1u);
  EXPECT_FALSE(gpu.profiles[1].sm_count.has_value());
  EXPECT_EQ(gpu.profiles[1].evidence, geometry::Evidence::kInferred);
}

TEST(CatalogLoaderTest, BuiltinCatalogParsesAndHasSeventeenModels) {
  const Result<std::vector<geometry::GpuModel>> models =
      ParseCatalogYaml(kBuiltinCatalogYaml, "<built-in catalog>");
  ASSERT_THAT(models, IsOk());
  EXPECT_EQ(models->size(), 17u);
  const Result<geometry::Catalog> catalog = BuiltinCatalog();
  ASSERT_THAT(catalog, IsOk());
  EXPECT_EQ(catalog->models().size(), 17u);
  EXPECT_EQ(catalog->Find("A30").value()->name, "A30-24GB");
}

TEST(CatalogLoaderTest, YamlSyntaxErrorNamesSourceAndLine) {
  EXPECT_THAT(Parse(Edited("    architecture: Ampere\n", "   architecture: Ampere\n")),
              HasError(StatusCode::kInvalidArgument, "test.yaml:7: "));
  EXPECT_THAT(Parse(Edited("starts: [0, 1, 2, 3]", "starts: [0, 1, 2, 3")),
              HasError(StatusCode::kInvalidArgument, "test.yaml:14: "));
}

TEST(CatalogLoaderTest, UnknownKeyNamesKeyLineAndKnownKeys) {
  EXPECT_THAT(
      Parse(Edited("starts: [0]", "start: [0]")),
      HasError(StatusCode::kInvalidArgument,
               "test.yaml:15: unknown key 'start' in profile (known keys: name, id, nvml_enum, "
               "compute_slices, memory_slices, memory_mib, memory_estimated, max_count, "
               "sm_count, copy_engines, media, starts, evidence, compute_instances)"));
  EXPECT_THAT(Parse(Edited("architecture:", "arch:")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:7: unknown key 'arch' in gpu (known keys: name, aliases, "
                       "product_names, pci_device_ids, architecture, confidence, evidence_note, "
                       "compute_slices, memory_slices, memory_mib, memory_estimated, "
                       "max_instances, board_power_w, board_power_source, price_per_gpu_hour, "
                       "profiles)"));
  EXPECT_THAT(Parse(Edited("gpus:", "gpu:")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:2: unknown key 'gpu' in catalog (known keys: schema, gpus)"));
  EXPECT_THAT(Parse(Edited("sm_count: 14,", "sm_count: 14, media: {dec: 1, nvjpg: 1},")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: unknown key 'nvjpg' in media (known keys: dec, enc, jpg, "
                       "ofa)"));
  EXPECT_THAT(Parse(Edited("id: 0, max_count: 1}", "id: 0, count: 1}")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: unknown key 'count' in compute instance (known keys: "
                       "compute_slices, id, max_count, inferred)"));
}

TEST(CatalogLoaderTest, MissingRequiredKeyNamesTheKey) {
  EXPECT_THAT(Parse(Edited("max_count: 4, ", "")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: missing required key 'max_count'"));
  EXPECT_THAT(Parse(Edited(", evidence: inferred", "")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:15: missing required key 'evidence'"));
  EXPECT_THAT(Parse(Edited("    memory_mib: 24576\n", "")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:3: missing required key 'memory_mib'"));
  // A key with no value is as good as missing.
  EXPECT_THAT(Parse(Edited("    confidence: high\n", "    confidence:\n")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:3: missing required key 'confidence'"));
  EXPECT_THAT(Parse("schema: migsched.catalog/1\n"),
              HasError(StatusCode::kInvalidArgument, "test.yaml:1: missing required key 'gpus'"));
}

TEST(CatalogLoaderTest, WrongTypeNamesTheValue) {
  EXPECT_THAT(Parse(Edited("max_count: 4,", "max_count: four,")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: 'max_count' must be an integer, not 'four'"));
  EXPECT_THAT(Parse(Edited("memory_mib: 24576", "memory_mib: 24GB")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:11: 'memory_mib' must be an integer, not '24GB'"));
  EXPECT_THAT(Parse(Edited("starts: [0, 1, 2, 3]", "starts: [0, one, 2, 3]")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: 'starts' entries must be an integer, not 'one'"));
  EXPECT_THAT(Parse(Edited("max_count: 4,", "max_count: 4.5,")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: 'max_count' must be an integer, not '4.5'"));
  EXPECT_THAT(Parse(Edited("name: TEST-GPU", "name: [TEST-GPU]")),
              HasError(StatusCode::kInvalidArgument, "test.yaml:3: 'name' must be a string"));
  EXPECT_THAT(Parse(Edited("starts: [0]", "starts: 0")),
              HasError(StatusCode::kInvalidArgument, "test.yaml:15: 'starts' must be a list"));
  EXPECT_THAT(Parse(Edited("sm_count: 14,", "sm_count: 14, memory_estimated: yes,")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: 'memory_estimated' must be true or false"));
  const std::string_view header = kValidCatalog.substr(0, kValidCatalog.find("    profiles:"));
  EXPECT_THAT(Parse(std::string(header) + "    profiles: none\n"),
              HasError(StatusCode::kInvalidArgument, "test.yaml:13: 'profiles' must be a list"));
  EXPECT_THAT(Parse("schema: migsched.catalog/1\ngpus: {}\n"),
              HasError(StatusCode::kInvalidArgument, "test.yaml:2: 'gpus' must be a list"));
  EXPECT_THAT(Parse("- schema\n"),
              HasError(StatusCode::kInvalidArgument, "test.yaml:1: catalog must be a mapping"));
}

TEST(CatalogLoaderTest, RejectsAnUnsupportedSchema) {
  EXPECT_THAT(Parse(Edited("migsched.catalog/1", "migsched.catalog/2")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:1: unsupported schema 'migsched.catalog/2' (expected "
                       "migsched.catalog/1)"));
}

// Issue 16, point 2: model names and aliases become gres types, mig-parted
// keys and URL paths; a name that would change those files' structure is
// refused where it enters.
TEST(CatalogLoaderTest, ModelNamesThatWouldChangeGeneratedFilesAreRejected) {
  for (const std::string bad : {"\"TEST GPU\"", "\"TEST=GPU\"", "\"TEST\\nGpu=x\"", "\"-TEST\"", "\"a: b\""}) {
    EXPECT_THAT(Parse(Edited("name: TEST-GPU", "name: " + bad)),
                HasError(StatusCode::kInvalidArgument, "test.yaml:3: GPU model '"))
        << bad;
    EXPECT_THAT(Parse(Edited("aliases: [TEST]", "aliases: [TEST, " + bad + "]")),
                HasError(StatusCode::kInvalidArgument, "test.yaml:4: alias '"))
        << bad;
  }
  EXPECT_THAT(Parse(Edited("product_names: [\"Test GPU 24GB\"]", "product_names: [\"Test\\u0007GPU\"]")),
              HasError(StatusCode::kInvalidArgument, "test.yaml:5: product name 'Test"));
}

// Regression (issue 16): any confidence text was accepted.
TEST(CatalogLoaderTest, ReadsBoardPowerWithItsSourceAndAnOptionalPrice) {
  const auto parsed = Parse(Edited("    max_instances: 4\n",
                                   "    max_instances: 4\n    board_power_w: 165\n"
                                   "    board_power_source: \"Test datasheet\"\n    price_per_gpu_hour: 1.25\n"));
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->front().board_power_w, 165);
  EXPECT_EQ(parsed->front().board_power_source, "Test datasheet");
  EXPECT_EQ(parsed->front().price_per_gpu_hour, 1.25);
  const auto empty_price = Parse(Edited("    max_instances: 4\n", "    max_instances: 4\n    price_per_gpu_hour: ~\n"));
  ASSERT_THAT(empty_price, IsOk());
  EXPECT_EQ(empty_price->front().board_power_w, 0);
  EXPECT_FALSE(empty_price->front().price_per_gpu_hour.has_value());
}

TEST(CatalogLoaderTest, BadPowerAndPriceNameFileAndLine) {
  EXPECT_THAT(Parse(Edited("    max_instances: 4\n", "    max_instances: 4\n    board_power_w: 165\n")),
              HasError(StatusCode::kInvalidArgument, "test.yaml:3: gpu 'TEST-GPU': board_power_w and "
                                                     "board_power_source go together"));
  EXPECT_THAT(Parse(Edited("    max_instances: 4\n", "    max_instances: 4\n    board_power_w: 0\n"
                                                     "    board_power_source: x\n")),
              HasError(StatusCode::kInvalidArgument, "test.yaml:13: gpu 'TEST-GPU': board_power_w must be "
                                                     "1..100000 watts"));
  EXPECT_THAT(Parse(Edited("    max_instances: 4\n", "    max_instances: 4\n    price_per_gpu_hour: -1\n")),
              HasError(StatusCode::kInvalidArgument, "test.yaml:13: 'price_per_gpu_hour' must be a number "
                                                     "from 0 to 1e+06"));
  EXPECT_THAT(Parse(Edited("    max_instances: 4\n", "    max_instances: 4\n    price_per_gpu_hour: cheap\n")),
              HasCode(StatusCode::kInvalidArgument));
}

TEST(CatalogLoaderTest, ConfidenceMustBeOneOfTheGrades) {
  EXPECT_THAT(Parse(Edited("confidence: high", "confidence: superb")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:8: confidence must be high, medium-high, medium, medium-low, "
                       "low-medium or low, not 'superb'"));
  EXPECT_THAT(Parse(Edited("confidence: high", "confidence: low-medium")), IsOk());
}

TEST(CatalogLoaderTest, EvidenceMustBeOneOfTheThreeLevels) {
  EXPECT_THAT(Parse(Edited("evidence: captured", "evidence: measured")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: evidence must be captured, equivalent or inferred, not "
                       "'measured'"));
}

TEST(CatalogLoaderTest, PlacementPastTheLastSliceNamesGpuAndProfile) {
  EXPECT_THAT(Parse(Edited("starts: [0]", "starts: [1]")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:15: gpu 'TEST-GPU' profile '4g.24gb': start 1 + size 4 "
                       "exceeds 4 memory slices"));
  EXPECT_THAT(Parse(Edited("starts: [0, 1, 2, 3]", "starts: [0, 1, 2, 4]")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: gpu 'TEST-GPU' profile '1g.6gb': start 4 + size 1 "
                       "exceeds 4 memory slices"));
}

// Regression: starts outside the 16-bit slice mask used to be reported without
// the GPU and profile ("test.yaml:15: start 16 outside 0..15").
TEST(CatalogLoaderTest, StartOutsideTheSliceMaskNamesGpuAndProfile) {
  EXPECT_THAT(Parse(Edited("starts: [0]", "starts: [16]")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:15: gpu 'TEST-GPU' profile '4g.24gb': start 16 outside 0..15"));
  EXPECT_THAT(Parse(Edited("starts: [0, 1, 2, 3]", "starts: [-1, 1, 2, 3]")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: gpu 'TEST-GPU' profile '1g.6gb': start -1 outside 0..15"));
}

TEST(CatalogLoaderTest, OtherProfileChecksNameGpuAndProfile) {
  EXPECT_THAT(Parse(Edited("starts: [0, 1, 2, 3]", "starts: [0, 2, 1, 3]")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: gpu 'TEST-GPU' profile '1g.6gb': starts must be strictly "
                       "ascending"));
  EXPECT_THAT(Parse(Edited("max_count: 4,", "max_count: 0,")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: gpu 'TEST-GPU' profile '1g.6gb': max_count 0 outside 1..4"));
  EXPECT_THAT(Parse(Edited("{name: 1g.6gb, id: 14, nvml_enum: 0, compute_slices: 1",
                           "{name: 1g.6gb, id: 14, nvml_enum: 0, compute_slices: 2")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: gpu 'TEST-GPU' profile '1g.6gb': name says 1 compute "
                       "slices but compute_slices is 2"));
  EXPECT_THAT(Parse(Edited("name: 1g.6gb,", "name: 1g-6gb,")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: malformed MIG profile '1g-6gb'"));
}

// Regression (issue 16): compute instances that cannot fit their GPU instance
// were accepted as long as one alone fit.
TEST(CatalogLoaderTest, ComputeInstancesMustFitTheirGpuInstance) {
  EXPECT_THAT(Parse(Edited("compute_instances: [{compute_slices: 1, id: 0, max_count: 1}]",
                           "compute_instances: [{compute_slices: 2, id: 0, max_count: 1}]")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: gpu 'TEST-GPU' profile '1g.6gb': compute instance id 0: 1 x 2 "
                       "compute slices does not fit the GPU instance's 1"));
  EXPECT_THAT(Parse(Edited("compute_instances: [{compute_slices: 1, id: 0, max_count: 1}]",
                           "compute_instances: [{compute_slices: 1, id: 0, max_count: 2}]")),
              HasError(StatusCode::kInvalidArgument, "compute instance id 0: 2 x 1 compute slices does not fit"));
  EXPECT_THAT(Parse(Edited("max_count: 1, starts: [0], evidence: inferred}",
                           "max_count: 1, starts: [0], evidence: inferred, compute_instances: "
                           "[{compute_slices: 1, id: 0, max_count: 4}, {compute_slices: 2, id: 0, max_count: 2}]}")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:15: gpu 'TEST-GPU' profile '4g.24gb': two compute instances share id 0"));
}

TEST(CatalogLoaderTest, RejectsDuplicateProfileNamesAndIds) {
  EXPECT_THAT(Parse(Edited("{name: 4g.24gb, id: 0, nvml_enum: 3, compute_slices: 4, "
                           "memory_slices: 4, memory_mib: 24000, max_count: 1, starts: [0]",
                           "{name: 1g.6gb, id: 15, nvml_enum: 0, compute_slices: 1, "
                           "memory_slices: 1, memory_mib: 5952, max_count: 4, starts: [0, 1, 2, 3]")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:15: gpu 'TEST-GPU': duplicate profile '1g.6gb'"));
  EXPECT_THAT(Parse(Edited("name: 4g.24gb, id: 0,", "name: 4g.24gb, id: 14,")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:15: gpu 'TEST-GPU': profiles '1g.6gb' and '4g.24gb' share id 14"));
}

TEST(CatalogLoaderTest, RejectsNegativeAndHugeCounts) {
  EXPECT_THAT(Parse(Edited("max_count: 4,", "max_count: -1,")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: 'max_count' must be between 0 and 1048576, not -1"));
  EXPECT_THAT(Parse(Edited("max_count: 4,", "max_count: 1048577,")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: 'max_count' must be between 0 and 1048576, not 1048577"));
  EXPECT_THAT(Parse(Edited("id: 14,", "id: -14,")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: 'id' must be between 0 and 1048576, not -14"));
  EXPECT_THAT(Parse(Edited("max_instances: 4", "max_instances: 99999999999999999999")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:12: 'max_instances' must be an integer, not "
                       "'99999999999999999999'"));
  EXPECT_THAT(Parse(Edited("memory_slices: 4\n", "memory_slices: 17\n")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:3: gpu 'TEST-GPU': compute_slices must be >= 1 and "
                       "memory_slices 1..16"));
  EXPECT_THAT(Parse(Edited("memory_mib: 5952", "memory_mib: -5952")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:14: gpu 'TEST-GPU' profile '1g.6gb': memory_mib must be "
                       "positive"));
}

TEST(CatalogLoaderTest, RejectsAMalformedPciId) {
  EXPECT_THAT(Parse(Edited("\"0x1234\"", "\"1234\"")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:6: malformed PCI device id '1234'"));
}

// Regression: an optional count written as null ("sm_count: ~") was reported
// as "missing required key 'sm_count'"; null means unknown, like omitting it.
TEST(CatalogLoaderTest, NullOptionalCountMeansUnknown) {
  const Result<std::vector<geometry::GpuModel>> models =
      Parse(Edited("sm_count: 14,", "sm_count: ~, copy_engines: null, media: {dec: ~},"));
  ASSERT_THAT(models, IsOk());
  const geometry::GiProfile& profile = models->front().profiles.front();
  EXPECT_FALSE(profile.sm_count.has_value());
  EXPECT_FALSE(profile.copy_engines.has_value());
  EXPECT_FALSE(profile.media.dec.has_value());
}

// Regression: yaml-cpp keeps both entries of a repeated key and lookups see
// only the first, so "max_count: 4, ..., max_count: 2" silently loaded 4.
TEST(CatalogLoaderTest, RejectsARepeatedKey) {
  EXPECT_THAT(Parse(Edited("evidence: inferred}", "evidence: inferred, max_count: 2}")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:15: duplicate key 'max_count' in profile"));
  EXPECT_THAT(Parse(Edited("gpus:\n", "schema: migsched.catalog/2\ngpus:\n")),
              HasError(StatusCode::kInvalidArgument,
                       "test.yaml:2: duplicate key 'schema' in catalog"));
}

TEST(LoadCatalogTest, MissingFileIsNotFoundNamingThePath) {
  const std::string path = ::testing::TempDir() + "migsched_io_no_such_catalog.yaml";
  const std::vector<std::string> files = {path};
  EXPECT_THAT(LoadCatalog(files),
              HasError(StatusCode::kNotFound, "cannot read catalog file '" + path + "'"));
}

// Regression: a directory opened as an empty stream and was reported as
// "<dir>: catalog must be a mapping" (InvalidArgument).
TEST(LoadCatalogTest, DirectoryIsNotFoundNamingThePath) {
  const std::string path = ::testing::TempDir();
  ASSERT_TRUE(std::filesystem::is_directory(path));
  const std::vector<std::string> files = {path};
  EXPECT_THAT(LoadCatalog(files),
              HasError(StatusCode::kNotFound, "cannot read catalog file '" + path + "'"));
}

TEST(LoadCatalogTest, NoExtraFilesGivesTheBuiltinCatalog) {
  const Result<geometry::Catalog> catalog = LoadCatalog({});
  ASSERT_THAT(catalog, IsOk());
  EXPECT_EQ(catalog->models().size(), 17u);
}

TEST(LoadCatalogTest, ExtraFileAddsAGpu) {
  const std::vector<std::string> files = {WriteTempFile("", kValidCatalog)};
  const Result<geometry::Catalog> catalog = LoadCatalog(files);
  ASSERT_THAT(catalog, IsOk());
  EXPECT_EQ(catalog->models().size(), 18u);
  for (std::string_view query : {"TEST-GPU", "test", "Test GPU 24GB", "0x123410DE"}) {
    const Result<const geometry::GpuModel*> found = catalog->Find(query);
    ASSERT_THAT(found, IsOk()) << query;
    EXPECT_EQ((*found)->name, "TEST-GPU") << query;
  }
  EXPECT_EQ(catalog->Find("A100-40GB").value()->profiles.size(), 7u);
}

TEST(LoadCatalogTest, ExtraFileRedefiningABuiltinModelReplacesIt) {
  std::string text(kValidCatalog);
  text.replace(text.find("TEST-GPU"), 8, "A30-24GB");
  text.replace(text.find("[TEST]"), 6, "[A30]");
  const std::vector<std::string> files = {WriteTempFile("", text)};
  const Result<geometry::Catalog> catalog = LoadCatalog(files);
  ASSERT_THAT(catalog, IsOk());
  EXPECT_EQ(catalog->models().size(), 17u);
  const geometry::GpuModel& a30 = *catalog->Find("A30").value();
  EXPECT_EQ(a30.name, "A30-24GB");
  EXPECT_EQ(a30.product_names, std::vector<std::string>{"Test GPU 24GB"});
  EXPECT_EQ(a30.profiles.size(), 2u);  // the built-in A30 has 5
  // The built-in product name went with the replaced model.
  EXPECT_THAT(catalog->Find("NVIDIA A30"), HasCode(StatusCode::kNotFound));
}

TEST(LoadCatalogTest, LaterFilesWinOverEarlierOnes) {
  const std::vector<std::string> files = {
      WriteTempFile("_first", kValidCatalog),
      WriteTempFile("_second", Edited("memory_mib: 24576", "memory_mib: 24000"))};
  const Result<geometry::Catalog> catalog = LoadCatalog(files);
  ASSERT_THAT(catalog, IsOk());
  EXPECT_EQ(catalog->Find("TEST-GPU").value()->memory_mib, 24000);
}

TEST(LoadCatalogTest, ErrorsInAnExtraFileNameThatFile) {
  const std::string path = WriteTempFile("", Edited("evidence: captured", "evidence: seen"));
  const std::vector<std::string> files = {path};
  EXPECT_THAT(LoadCatalog(files),
              HasError(StatusCode::kInvalidArgument,
                       path + ":14: evidence must be captured, equivalent or inferred, not 'seen'"));
}

TEST(LoadCatalogTest, NameTakenByABuiltinModelNamesTheFile) {
  const std::string path = WriteTempFile("", Edited("aliases: [TEST]", "aliases: [A30]"));
  const std::vector<std::string> files = {path};
  const Result<geometry::Catalog> catalog = LoadCatalog(files);
  EXPECT_THAT(catalog, HasError(StatusCode::kInvalidArgument, path + ": "));
  EXPECT_THAT(catalog, HasError(StatusCode::kInvalidArgument, "already belongs to gpu"));
}

}  // namespace
}  // namespace migsched::io
