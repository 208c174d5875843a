// The built-in catalog against real nvidia-smi captures in the shared data set
// (../shared/data/nvidia_smi_outputs, see ../shared/data/SOURCES.md section 4).
// The captures are read in place, never copied into the repository; when the
// folder is absent every test here is skipped.
//
// Files are named <GPU>_<command>[_<layout>].txt; the <GPU> prefix decides the
// catalog model and <command> the parser. A capture without a <layout> part
// was taken on an empty GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "geometry/catalog.h"
#include "geometry/layout.h"
#include "geometry/layout_solver.h"
#include "geometry/state_space.h"
#include "testing/catalog_fixture.h"
#include "testing/nvidia_smi_text.h"

namespace migsched::io {
namespace {

using geometry::GiProfile;
using geometry::GpuInstance;
using geometry::GpuModel;
using geometry::StateId;
using geometry::StateSpace;
using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::Gpu;

// Relative to the repository root, the tests' working directory.
constexpr std::string_view kDataDir = "../shared/data/nvidia_smi_outputs";

// File-name prefix (before "_") -> catalog model.
constexpr std::pair<std::string_view, std::string_view> kFileGpus[] = {
    {"A100-SXM4-40GB", "A100-40GB"},
    {"A100-PCIE-40GB", "A100-40GB"},
    {"A100-SXM4-80GB", "A100-80GB"},
    {"A30-24GB", "A30-24GB"},
    {"H100-NVL-94GB", "H100-94GB"},
    {"GH200-480GB_H100-96GB", "H100-96GB"},
    {"GH200-480GB", "H100-96GB"},  // a GH200 superchip's GPU is the H100 96GB
    {"H100-80GB-HBM3", "H100-80GB"},
};

// `gpu` column of mig_profile_catalog_observed.csv -> catalog model.
constexpr std::pair<std::string_view, std::string_view> kCsvGpus[] = {
    {"A100-SXM4-40GB", "A100-40GB"},
    {"A30-24GB", "A30-24GB"},
    {"H100-NVL-94GB", "H100-94GB"},
    {"GH200-480GB (H100 96GB HBM3)", "H100-96GB"},
    {"B200", "B200-180GB"},
    {"GB200 (HGX)", "GB200-186GB"},
    {"GB200 (NVL)", "GB200-186GB"},
    {"GH200 144G HBM3e", "GH200-144GB"},
    {"H200-141GB", "H200-141GB"},
    {"RTX PRO 6000 Blackwell Server Edition", "RTX-PRO-6000"},
};

// Profile names that drifted with the driver (docs/catalog.md, "Known
// discrepancies"): {csv gpu, name printed there}; the catalog keys on the id.
constexpr std::pair<std::string_view, std::string_view> kCsvNameDrift[] = {
    {"GB200 (HGX)", "1g.24gb"},  // early driver; production boards print 1g.23gb
    {"GB200 (HGX)", "1g.24gb+me"},
};

// Captures whose printed profile id is known to be wrong: {file marker,
// profile name, printed id}. NVIDIA's OpenShift doc prints 2g.10gb as id 19
// (SOURCES.md keeps it as a parser edge case; every real -lgip says 14).
struct IdErratum {
  std::string_view file_marker;
  std::string_view profile;
  int printed_id;
};
constexpr IdErratum kIdErrata[] = {{"from-openshift-doc", "2g.10gb", 19}};

enum class Command { kLgip, kLgipp, kLgi, kList, kFullTable };

struct Capture {
  std::string file;  // file name only
  std::string text;
  const GpuModel* model = nullptr;
  Command command = Command::kFullTable;
  bool empty_gpu = false;  // no <layout> part in the name
};

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::optional<std::string_view> ModelForFile(std::string_view file) {
  for (const auto& [prefix, model] : kFileGpus) {
    if (file.starts_with(prefix) && file.substr(prefix.size()).starts_with("_")) return model;
  }
  return std::nullopt;
}

std::optional<std::string_view> ModelForCsvGpu(std::string_view gpu) {
  for (const auto& [name, model] : kCsvGpus) {
    if (gpu == name) return model;
  }
  return std::nullopt;
}

// "<GPU>_nvidia-smi-mig-lgip_fully-used.txt" -> (kLgip, has layout part).
std::optional<std::pair<Command, bool>> CommandForFile(std::string_view file) {
  constexpr std::string_view kTool = "_nvidia-smi";
  const size_t at = file.find(kTool);
  if (at == std::string_view::npos || !file.ends_with(".txt")) return std::nullopt;
  std::string_view rest = file.substr(at + kTool.size());
  rest.remove_suffix(4);  // ".txt"
  const size_t underscore = rest.find('_');
  const std::string_view command = rest.substr(0, underscore);
  const bool has_layout = underscore != std::string_view::npos;
  if (command == "-mig-lgip") return std::pair{Command::kLgip, has_layout};
  if (command == "-mig-lgipp") return std::pair{Command::kLgipp, has_layout};
  if (command == "-mig-lgi") return std::pair{Command::kLgi, has_layout};
  if (command == "-L") return std::pair{Command::kList, has_layout};
  if (command.empty()) return std::pair{Command::kFullTable, has_layout};
  return std::nullopt;
}

const GiProfile* ProfileById(const GpuModel& model, int id) {
  for (const GiProfile& profile : model.profiles) {
    if (profile.id == id) return &profile;
  }
  return nullptr;
}

// Compares a printed count with a catalog value that may be unknown.
void ExpectSameIfKnown(std::optional<int> printed, const std::optional<int>& catalog,
                       const char* what) {
  if (printed && catalog) {
    EXPECT_EQ(*printed, *catalog) << what;
  }
}

class NvidiaSmiOutputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::error_code error;
    if (!std::filesystem::is_directory(kDataDir, error)) {
      GTEST_SKIP() << "shared data absent: " << kDataDir << " is not a directory (working "
                   << "directory " << std::filesystem::current_path(error).string()
                   << "); these tests compare the catalog with real nvidia-smi captures";
    }
    std::vector<std::filesystem::path> paths;
    for (const auto& entry : std::filesystem::directory_iterator(kDataDir)) {
      if (entry.is_regular_file()) paths.push_back(entry.path());
    }
    std::sort(paths.begin(), paths.end());
    for (const std::filesystem::path& path : paths) {
      const std::string file = path.filename().string();
      if (file == "mig_profile_catalog_observed.csv") {
        csv_ = ReadAll(path);
        continue;
      }
      const std::optional<std::string_view> model = ModelForFile(file);
      const std::optional<std::pair<Command, bool>> command = CommandForFile(file);
      if (!model || !command) {
        ADD_FAILURE() << "unrecognised capture " << file
                      << ": add its GPU prefix to kFileGpus or its command to CommandForFile";
        continue;
      }
      captures_.push_back(Capture{.file = file, .text = ReadAll(path), .model = &Gpu(*model),
                                  .command = command->first, .empty_gpu = !command->second});
    }
  }

  std::vector<const Capture*> Of(Command command) const {
    std::vector<const Capture*> out;
    for (const Capture& capture : captures_) {
      if (capture.command == command) out.push_back(&capture);
    }
    return out;
  }

  std::vector<Capture> captures_;
  std::string csv_;
};

TEST_F(NvidiaSmiOutputsTest, EveryKindOfCaptureIsPresent) {
  EXPECT_GE(Of(Command::kLgip).size(), 4u);
  EXPECT_GE(Of(Command::kLgipp).size(), 2u);
  EXPECT_GE(Of(Command::kLgi).size(), 4u);
  EXPECT_GE(Of(Command::kList).size(), 4u);
  EXPECT_FALSE(csv_.empty()) << "mig_profile_catalog_observed.csv is missing";
}

// -lgip: every row is a catalog profile with the same id, count, SMs and
// engines, rows come in catalog order, and an empty GPU shows Free == Total.
TEST_F(NvidiaSmiOutputsTest, LgipRowsMatchTheCatalog) {
  for (const Capture* capture : Of(Command::kLgip)) {
    SCOPED_TRACE(capture->file);
    const GpuModel& model = *capture->model;
    const testing::Parsed<testing::LgipRow> parsed = testing::ParseLgip(capture->text);
    EXPECT_EQ(parsed.bad_lines, std::vector<std::string>{});
    ASSERT_FALSE(parsed.rows.empty());
    int previous_index = -1;
    for (const testing::LgipRow& row : parsed.rows) {
      SCOPED_TRACE(row.name);
      const std::optional<int> index = model.FindProfile(row.name);
      ASSERT_TRUE(index.has_value()) << "not in the catalog for " << model.name << " ("
                                     << model.ProfileNames() << ")";
      const GiProfile& profile = model.profiles[static_cast<size_t>(*index)];
      EXPECT_EQ(row.id, profile.id);
      EXPECT_EQ(row.total, profile.max_count);
      EXPECT_GT(*index, previous_index) << "catalog lists profiles in -lgip order";
      previous_index = *index;
      if (capture->empty_gpu) {
        EXPECT_EQ(row.free, row.total);
      }
      ExpectSameIfKnown(row.sm, profile.sm_count, "SM");
      ExpectSameIfKnown(row.ce, profile.copy_engines, "CE");
      ExpectSameIfKnown(row.dec, profile.media.dec, "DEC");
      ExpectSameIfKnown(row.enc, profile.media.enc, "ENC");
      ExpectSameIfKnown(row.jpeg, profile.media.jpg, "JPEG");
      ExpectSameIfKnown(row.ofa, profile.media.ofa, "OFA");
      // GI memory drifts by a few percent between drivers (docs/catalog.md,
      // "Known discrepancies"), so only a gross mismatch fails.
      const double catalog_gib = static_cast<double>(profile.memory_mib) / 1024.0;
      EXPECT_NEAR(row.memory_gib, catalog_gib, 0.05 * catalog_gib);
    }
  }
}

// The Free column is the engine's FreeCount: on an empty GPU exactly, and on
// any other capture for at least one reachable state.
TEST_F(NvidiaSmiOutputsTest, LgipFreeCountsAreReachable) {
  for (const Capture* capture : Of(Command::kLgip)) {
    SCOPED_TRACE(capture->file);
    const GpuModel& model = *capture->model;
    const StateSpace space = testing::Space(model);
    const std::vector<testing::LgipRow> rows = testing::ParseLgip(capture->text).rows;
    auto free_counts_match = [&](StateId state) {
      return std::all_of(rows.begin(), rows.end(), [&](const testing::LgipRow& row) {
        const std::optional<int> index = model.FindProfile(row.name);
        return index && geometry::FreeCount(space, state, *index) == row.free;
      });
    };
    if (capture->empty_gpu) {
      for (const testing::LgipRow& row : rows) {
        const std::optional<int> index = model.FindProfile(row.name);
        ASSERT_TRUE(index.has_value()) << row.name;
        EXPECT_EQ(geometry::FreeCount(space, StateSpace::kEmpty, *index), row.free) << row.name;
      }
      continue;
    }
    // -lgip does not say which instances exist, so the state cannot be
    // reconstructed from this file alone; require only that some reachable
    // state shows these Free counts.
    bool reachable = false;
    for (size_t id = 0; id < space.size() && !reachable; ++id) {
      reachable = free_counts_match(static_cast<StateId>(id));
    }
    EXPECT_TRUE(reachable) << "no reachable " << model.name << " state shows these Free counts";
  }
}

// The A30 "fully-used" -lgip and the A30 4 x 1g.6gb -lgi come from the same
// README (Summer-Lo/Docker_configuration 000-MIG). That they were printed on
// the same GPU state is our assumption, not stated there; what is asserted is
// that the 4 x 1g.6gb layout explains every Free count of the listing.
TEST_F(NvidiaSmiOutputsTest, A30FullyUsedListingMatchesFourOneSliceInstances) {
  const Capture* lgip = nullptr;
  const Capture* lgi = nullptr;
  for (const Capture& capture : captures_) {
    if (capture.file == "A30-24GB_nvidia-smi-mig-lgip_fully-used.txt") lgip = &capture;
    if (capture.file == "A30-24GB_nvidia-smi-mig-lgi_4x1g.6gb.txt") lgi = &capture;
  }
  if (lgip == nullptr || lgi == nullptr) GTEST_SKIP() << "A30 captures absent";
  const GpuModel& model = Gpu("A30-24GB");
  const StateSpace space = testing::Space(model);
  std::vector<GpuInstance> layout;
  for (const testing::LgiRow& row : testing::ParseLgi(lgi->text).rows) {
    const std::optional<int> index = model.FindProfile(row.name);
    ASSERT_TRUE(index.has_value()) << row.name;
    layout.push_back(GpuInstance{*index, {row.start, row.size}});
  }
  ASSERT_EQ(layout.size(), 4u);
  const geometry::LayoutVerdict verdict = geometry::CheckLayout(model, layout);
  ASSERT_TRUE(verdict.valid) << verdict.reason;
  const std::optional<StateId> state = space.Find(verdict.state);
  ASSERT_TRUE(state.has_value());
  const std::vector<testing::LgipRow> rows = testing::ParseLgip(lgip->text).rows;
  ASSERT_EQ(rows.size(), 4u);  // a pre-R525 driver: no 2g.12gb+me row
  for (const testing::LgipRow& row : rows) {
    EXPECT_EQ(geometry::FreeCount(space, *state, testing::Profile(model, row.name)), row.free)
        << row.name;
  }
}

// -lgipp: the placements of each profile id are the catalog's starts and size.
TEST_F(NvidiaSmiOutputsTest, LgippPlacementsMatchTheCatalog) {
  for (const Capture* capture : Of(Command::kLgipp)) {
    SCOPED_TRACE(capture->file);
    const GpuModel& model = *capture->model;
    const testing::Parsed<testing::LgippLine> parsed = testing::ParseLgipp(capture->text);
    EXPECT_EQ(parsed.bad_lines, std::vector<std::string>{});
    ASSERT_FALSE(parsed.rows.empty());
    for (const testing::LgippLine& line : parsed.rows) {
      SCOPED_TRACE("profile id " + std::to_string(line.id));
      const GiProfile* profile = ProfileById(model, line.id);
      ASSERT_NE(profile, nullptr) << "no profile with this id on " << model.name;
      EXPECT_EQ(line.starts, profile->starts) << profile->name;
      EXPECT_EQ(line.size, profile->memory_slices) << profile->name;
    }
  }
}

// -lgi: the instances of each GPU form a valid layout, and each row's id and
// placement size are the catalog's for that profile name.
TEST_F(NvidiaSmiOutputsTest, LgiListingsAreValidLayouts) {
  for (const Capture* capture : Of(Command::kLgi)) {
    SCOPED_TRACE(capture->file);
    const GpuModel& model = *capture->model;
    const testing::Parsed<testing::LgiRow> parsed = testing::ParseLgi(capture->text);
    EXPECT_EQ(parsed.bad_lines, std::vector<std::string>{});
    ASSERT_FALSE(parsed.rows.empty());
    std::map<int, std::vector<GpuInstance>> layouts;  // by GPU index
    for (const testing::LgiRow& row : parsed.rows) {
      SCOPED_TRACE(row.name + "@" + std::to_string(row.start));
      const std::optional<int> index = model.FindProfile(row.name);
      ASSERT_TRUE(index.has_value()) << "not in the catalog for " << model.name;
      const GiProfile& profile = model.profiles[static_cast<size_t>(*index)];
      const bool erratum = std::any_of(
          std::begin(kIdErrata), std::end(kIdErrata), [&](const IdErratum& e) {
            return capture->file.find(e.file_marker) != std::string::npos &&
                   e.profile == row.name && e.printed_id == row.profile_id;
          });
      if (!erratum) {
        EXPECT_EQ(row.profile_id, profile.id);
      }
      EXPECT_EQ(row.size, profile.memory_slices);
      layouts[row.gpu].push_back(GpuInstance{*index, {row.start, row.size}});
    }
    for (const auto& [gpu, layout] : layouts) {
      const geometry::LayoutVerdict verdict = geometry::CheckLayout(model, layout);
      EXPECT_TRUE(verdict.valid) << "GPU " << gpu << ": " << verdict.reason;
    }
  }
}

// -L: the MIG devices of each GPU are catalog profiles that fit together, and
// the product name resolves to the model the file name says.
TEST_F(NvidiaSmiOutputsTest, ListedMigDevicesCoexistOnEachGpu) {
  for (const Capture* capture : Of(Command::kList)) {
    SCOPED_TRACE(capture->file);
    const GpuModel& model = *capture->model;
    const StateSpace space = testing::Space(model);
    const testing::Parsed<testing::ListedGpu> parsed = testing::ParseListGpus(capture->text);
    EXPECT_EQ(parsed.bad_lines, std::vector<std::string>{});
    ASSERT_FALSE(parsed.rows.empty());
    for (const testing::ListedGpu& gpu : parsed.rows) {
      SCOPED_TRACE("GPU " + std::to_string(gpu.index));
      const Result<const GpuModel*> by_product = BuiltinCatalogForTest().Find(gpu.product);
      ASSERT_TRUE(by_product.has_value()) << by_product.error().ToString();
      EXPECT_EQ((*by_product)->name, model.name);
      ASSERT_FALSE(gpu.mig_profiles.empty());
      std::vector<int> profiles;
      for (const std::string& name : gpu.mig_profiles) {
        const std::optional<int> index = model.FindProfile(name);
        ASSERT_TRUE(index.has_value()) << name << " is not a " << model.name << " profile";
        profiles.push_back(*index);
      }
      const std::optional<std::vector<GpuInstance>> placed =
          geometry::SolvePlacement(model, space, StateSpace::kEmpty, profiles);
      ASSERT_TRUE(placed.has_value()) << "the listed profiles do not fit on one " << model.name;
      EXPECT_EQ(placed->size(), profiles.size());
      const geometry::LayoutVerdict verdict = geometry::CheckLayout(model, *placed);
      EXPECT_TRUE(verdict.valid) << verdict.reason;
    }
  }
}

// mig_profile_catalog_observed.csv: rows are matched to catalog profiles by id
// (names drift with drivers); count, placements, SMs and engines must agree.
TEST_F(NvidiaSmiOutputsTest, ObservedCsvAgreesWithTheCatalog) {
  ASSERT_FALSE(csv_.empty()) << "mig_profile_catalog_observed.csv is missing";
  const std::vector<std::vector<std::string>> records = testing::ParseCsv(csv_);
  ASSERT_FALSE(records.empty());
  const std::vector<std::string>& header = records.front();
  auto column = [&](std::string_view name) {
    const auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << "no column " << name;
    return static_cast<size_t>(it - header.begin());
  };
  const size_t gpu_col = column("gpu"), name_col = column("profile_name"),
               id_col = column("profile_id"), total_col = column("instances_total"),
               sm_col = column("sm"), ce_col = column("ce"), dec_col = column("dec"),
               enc_col = column("enc"), jpeg_col = column("jpeg"), ofa_col = column("ofa"),
               starts_col = column("placement_starts"), size_col = column("placement_size");
  int checked = 0;
  int skipped = 0;
  for (size_t r = 1; r < records.size(); ++r) {
    const std::vector<std::string>& row = records[r];
    SCOPED_TRACE("csv line " + std::to_string(r + 1));
    ASSERT_EQ(row.size(), header.size());
    const std::optional<std::string_view> model_name = ModelForCsvGpu(row[gpu_col]);
    if (!model_name) {
      ++skipped;
      continue;
    }
    const GpuModel& model = Gpu(*model_name);
    SCOPED_TRACE(row[gpu_col] + " " + row[name_col] + " -> " + model.name);
    const std::optional<int> id = testing::ToInt(row[id_col]);
    ASSERT_TRUE(id.has_value());
    const GiProfile* profile = ProfileById(model, *id);
    ASSERT_NE(profile, nullptr) << "no profile with id " << *id;
    ++checked;
    const bool drifted = std::any_of(std::begin(kCsvNameDrift), std::end(kCsvNameDrift),
                                     [&](const auto& drift) {
                                       return drift.first == row[gpu_col] &&
                                              drift.second == row[name_col];
                                     });
    if (!drifted) {
      EXPECT_EQ(row[name_col], profile->name);
    }
    EXPECT_EQ(testing::ToInt(row[total_col]), profile->max_count);
    if (!row[starts_col].empty()) {
      EXPECT_EQ(testing::ToIntList(row[starts_col], ' '), profile->starts);
      EXPECT_EQ(testing::ToInt(row[size_col]), profile->memory_slices);
    }
    // An empty cell is a value the transcription did not show.
    auto cell = [&](size_t col) { return testing::ToInt(row[col]); };
    ExpectSameIfKnown(cell(sm_col), profile->sm_count, "sm");
    ExpectSameIfKnown(cell(ce_col), profile->copy_engines, "ce");
    ExpectSameIfKnown(cell(dec_col), profile->media.dec, "dec");
    ExpectSameIfKnown(cell(enc_col), profile->media.enc, "enc");
    ExpectSameIfKnown(cell(jpeg_col), profile->media.jpg, "jpeg");
    ExpectSameIfKnown(cell(ofa_col), profile->media.ofa, "ofa");
  }
  RecordProperty("csv_rows_checked", checked);
  RecordProperty("csv_rows_skipped", skipped);
  EXPECT_GE(checked, 40) << skipped << " rows had a gpu this test cannot map";
}

TEST(NvidiaSmiTextTest, ParsesTheFourListingsAndCsv) {
  const testing::Parsed<testing::LgipRow> lgip = testing::ParseLgip(
      "|   0  MIG 7g.40gb        0     1/1        39.25      No     98     5     0   |\r\n"
      "|                                                             7     1     1   |\r\n");
  ASSERT_EQ(lgip.rows.size(), 1u);
  EXPECT_EQ(lgip.rows[0].name, "7g.40gb");
  EXPECT_EQ(lgip.rows[0].free, 1);
  EXPECT_DOUBLE_EQ(lgip.rows[0].memory_gib, 39.25);
  EXPECT_EQ(lgip.rows[0].sm, 98);
  EXPECT_EQ(lgip.rows[0].ofa, 1);

  const testing::Parsed<testing::LgippLine> lgipp = testing::ParseLgipp(
      "GPU  0 Profile ID 15 Placements: {0,2,4,6}:2\nGPU  0 Profile ID  0 Placement : {0}:8\n"
      "GPU  0 Profile ID 9 Placements: {0,4:4\n");
  ASSERT_EQ(lgipp.rows.size(), 2u);
  EXPECT_EQ(lgipp.rows[0].starts, (std::vector<int>{0, 2, 4, 6}));
  EXPECT_EQ(lgipp.rows[1].size, 8);
  EXPECT_EQ(lgipp.bad_lines.size(), 1u);

  const testing::Parsed<testing::LgiRow> lgi =
      testing::ParseLgi("|   0  MIG 3g.20gb       9        1          4:4     |\n");
  ASSERT_EQ(lgi.rows.size(), 1u);
  EXPECT_EQ(lgi.rows[0].start, 4);
  EXPECT_EQ(lgi.rows[0].size, 4);

  const testing::Parsed<testing::ListedGpu> list = testing::ParseListGpus(
      "GPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-b4)\r\n"
      "  MIG 1g.10gb     Device  0: (UUID: MIG-3f)\r\n");
  ASSERT_EQ(list.rows.size(), 1u);
  EXPECT_EQ(list.rows[0].index, 1);
  EXPECT_EQ(list.rows[0].product, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(list.rows[0].mig_profiles, std::vector<std::string>{"1g.10gb"});

  EXPECT_EQ(testing::ParseCsv("a,\"b, \"\"c\"\"\",\n"),
            (std::vector<std::vector<std::string>>{{"a", "b, \"c\"", ""}}));
}

}  // namespace
}  // namespace migsched::io
