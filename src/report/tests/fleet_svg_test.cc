#include "report/fleet_svg.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "testing/catalog_fixture.h"
#include "testing/xml_reader.h"

namespace migsched::report {
namespace {

using migsched::testing::Gpu;
using migsched::testing::Instances;
using ::testing::HasSubstr;

fleet::FleetGpu MakeGpu(const std::string& node, int index, const geometry::GpuModel& model,
                        const std::vector<std::string>& specs,
                        const std::vector<std::string>& owners) {
  fleet::FleetGpu gpu;
  gpu.node = node;
  gpu.index = index;
  gpu.model = &model;
  const std::vector<geometry::GpuInstance> layout = Instances(model, specs);
  for (size_t i = 0; i < layout.size(); ++i) {
    gpu.instances.push_back(fleet::FleetInstance{.instance = layout[i], .workload = owners[i], .busy = i == 0});
  }
  return gpu;
}

int Count(const std::string& text, const std::string& pattern) {
  const std::regex re(pattern);
  return static_cast<int>(std::distance(std::sregex_iterator(text.begin(), text.end(), re),
                                        std::sregex_iterator()));
}

fleet::Fleet Example() {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  fleet::Fleet fleet;
  for (int i = 0; i < 3; ++i) {
    fleet.gpus.push_back(MakeGpu("node-1", i, h100, {"3g.40gb@4", "1g.10gb@0"}, {"a<b", ""}));
  }
  std::vector<std::string> ones;
  for (int s = 0; s < 7; ++s) ones.push_back("1g.5gb@" + std::to_string(s));
  fleet.gpus.push_back(MakeGpu("node-2", 0, a100, ones, std::vector<std::string>(7, "resnet50")));
  fleet::FleetGpu whole;
  whole.node = "node-2";
  whole.index = 1;
  whole.model = &a100;
  whole.mig_enabled = false;
  whole.whole_gpu_workload = "llama-ft";
  fleet.gpus.push_back(whole);
  return fleet;
}

// Hostile names (issue 16, point 2) read back as themselves: the SVG stays
// well-formed and every name is text, never markup.
TEST(FleetSvgTest, HostileNamesReadBackAsThemselves) {
  const std::vector<std::string> names{"a: b", "#c", "it's \"q\"", "<img src=x onerror=alert(1)>", "&amp;",
                                       "ünïcode-名前", "]]><x>"};
  fleet::Fleet fleet;
  for (size_t i = 0; i < names.size(); ++i) {
    fleet.gpus.push_back(MakeGpu(names[i], static_cast<int>(i), Gpu("H100-80GB"), {"7g.80gb@0"}, {names[i]}));
  }
  const std::string title = "fleet <b>&</b> \"x\"";
  const std::string svg = RenderFleetSvg(fleet, {.title = title});
  migsched::testing::XmlReader reader(svg);
  const migsched::testing::XmlNode root = reader.Read();
  ASSERT_EQ(reader.error(), "") << svg;
  ASSERT_NE(root.Child("title"), nullptr);
  EXPECT_EQ(root.Child("title")->text, title);
  std::set<std::string> workloads;
  for (const migsched::testing::XmlNode* node :
       migsched::testing::FindAll(root, [](const auto& n) { return n.attrs.contains("data-workload"); })) {
    workloads.insert(node->Attr("data-workload"));
  }
  EXPECT_EQ(workloads, std::set<std::string>(names.begin(), names.end()));
  EXPECT_EQ(svg.find("<img"), std::string::npos);
}

TEST(FleetSvgTest, GroupsIdenticalLayoutsAndShowsFreeAndStranded) {
  const std::string svg = RenderFleetSvg(Example());
  EXPECT_EQ(Count(svg, "class=\"gpu-row\""), 3);
  EXPECT_THAT(svg, HasSubstr("class=\"gpu-row\" data-count=\"3\" data-model=\"H100-80GB\""));
  EXPECT_THAT(svg, HasSubstr("node-1/0, node-1/1, node-1/2"));
  // H100 rows: 3g at 4..7 and 1g at 0 leave slices 1..3 free (a 2g or 1g still fits).
  EXPECT_EQ(Count(svg, "class=\"free\""), 3);
  // A100-40GB with seven 1g.5gb: slice 7 is free but no profile can use it.
  EXPECT_EQ(Count(svg, "class=\"stranded\" data-slice=\"7\""), 1);
  EXPECT_EQ(Count(svg, "class=\"instance\" data-workload=\"resnet50\""), 7);
  EXPECT_THAT(svg, HasSubstr("class=\"whole-gpu\" data-workload=\"llama-ft\""));
  EXPECT_THAT(svg, HasSubstr("data-workload=\"a&lt;b\""));
  EXPECT_EQ(svg.find("a<b"), std::string::npos);
  EXPECT_EQ(svg, RenderFleetSvg(Example()));
}

// serve's whole-GPU gangs hold MIG-enabled GPUs with no instance: they are
// drawn as whole GPUs, not as empty ones.
TEST(FleetSvgTest, AWholeGpuJobOnAMigEnabledGpuIsDrawn) {
  fleet::Fleet fleet;
  fleet::FleetGpu gpu;
  gpu.node = "node-1";
  gpu.model = &Gpu("H100-80GB");
  gpu.mig_enabled = true;
  gpu.whole_gpu_workload = "job-5";
  gpu.whole_gpu_busy = true;
  fleet.gpus.push_back(gpu);
  const std::string svg = RenderFleetSvg(fleet);
  EXPECT_THAT(svg, HasSubstr("class=\"whole-gpu\" data-workload=\"job-5\""));
  EXPECT_THAT(svg, HasSubstr("MIG on, no instance"));
  EXPECT_EQ(Count(svg, "class=\"free\""), 0);
}

TEST(FleetSvgTest, LargeFleetStaysSmallAndExtraRowsAreCounted) {
  const fleet::Fleet example = Example();
  fleet::Fleet large;
  for (int i = 0; i < 100000; ++i) {
    fleet::FleetGpu gpu = example.gpus[static_cast<size_t>(i % 2 == 0 ? 0 : 3)];
    gpu.node = "node-" + std::to_string(i / 8);
    gpu.index = i % 8;
    large.gpus.push_back(gpu);
  }
  const std::string svg = RenderFleetSvg(large);
  EXPECT_EQ(Count(svg, "class=\"gpu-row\""), 2);
  EXPECT_THAT(svg, HasSubstr("data-count=\"50000\""));
  EXPECT_LT(svg.size(), 20000u);

  const std::string capped = RenderFleetSvg(Example(), {.title = "t", .max_rows = 1});
  EXPECT_EQ(Count(capped, "class=\"gpu-row\""), 1);
  EXPECT_THAT(capped, HasSubstr("... and 2 more layouts on 2 GPUs"));
}

}  // namespace
}  // namespace migsched::report
