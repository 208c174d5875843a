// RenderLayoutSvg: the picture says what the layout engine says (stranded
// memory and compute, free slices, placement columns), and the document is
// well-formed, escaped and deterministic. A tiny XML reader
// (testing/xml_reader.h) reads the SVG back so the tests assert on elements,
// not on substrings.
#include "report/layout_svg.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "testing/catalog_fixture.h"
#include "testing/xml_reader.h"

namespace migsched::report {
namespace {

using ::migsched::geometry::GpuInstance;
using ::migsched::geometry::GpuModel;
using ::migsched::testing::Gpu;
using ::migsched::testing::Instances;
using ::migsched::testing::FindAll;
using Node = ::migsched::testing::XmlNode;
using ::migsched::testing::XmlReader;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

std::vector<const Node*> WithClass(const Node& root, std::string_view cls) {
  return FindAll(root, [cls](const Node& n) { return n.Attr("class") == cls; });
}

std::vector<int> Slices(const std::vector<const Node*>& nodes) {
  std::vector<int> out;
  for (const Node* node : nodes) out.push_back(node->IntAttr("data-slice"));
  return out;
}

// The label texts of a group, in order.
std::vector<std::string> Texts(const Node& group) {
  std::vector<std::string> out;
  for (const Node& child : group.children) {
    if (child.tag == "text") out.push_back(child.text);
  }
  return out;
}

const Node& InstanceBlock(const Node& root, std::string_view profile, int start) {
  const std::vector<const Node*> found = FindAll(root, [&](const Node& n) {
    return n.Attr("class") == "instance" && n.Attr("data-profile") == profile &&
           n.Attr("data-start") == std::to_string(start);
  });
  EXPECT_THAT(found, SizeIs(1)) << profile << "@" << start;
  if (found.empty()) std::abort();
  return *found.front();
}

std::string Summary(const Node& root) {
  const std::vector<const Node*> found = WithClass(root, "summary");
  EXPECT_THAT(found, SizeIs(1));
  return found.empty() ? "" : found.front()->text;
}

// Renders and reads back; fails the test if the document is malformed.
Node Render(const GpuModel& model, const std::vector<GpuInstance>& layout,
            const LayoutSvgOptions& options = {}) {
  const std::string svg = RenderLayoutSvg(model, layout, options);
  XmlReader reader(svg);
  Node root = reader.Read();
  EXPECT_EQ(reader.error(), "") << svg;
  return root;
}

TEST(LayoutSvgTest, SevenOneGsOnA100MarkExactlySliceSevenStranded) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Node root = Render(a100, Instances(a100, {"1g.5gb@0", "1g.5gb@1", "1g.5gb@2", "1g.5gb@3",
                                                  "1g.5gb@4", "1g.5gb@5", "1g.5gb@6"}));
  const std::vector<const Node*> stranded = WithClass(root, "stranded");
  EXPECT_THAT(Slices(stranded), ElementsAre(7));
  EXPECT_THAT(Texts(*stranded.front()), ElementsAre("stranded"));
  EXPECT_THAT(WithClass(root, "free"), IsEmpty());
  EXPECT_THAT(WithClass(root, "instance"), SizeIs(7));
  EXPECT_THAT(WithClass(root, "compute-stranded"), IsEmpty());
  EXPECT_EQ(Summary(root),
            "A100-40GB: 7 instances, 7/7 compute slices, 7/8 memory slices used, 1 stranded; "
            "34048 of 40960 MiB");
}

TEST(LayoutSvgTest, SlotSevenIsFreeNotStrandedWhileATwoSliceProfileCanReachIt) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Node root = Render(a100, Instances(a100, {"1g.5gb@0", "1g.5gb@1", "1g.5gb@2", "1g.5gb@3",
                                                  "1g.5gb@4", "1g.5gb@5"}));
  EXPECT_THAT(Slices(WithClass(root, "free")), ElementsAre(6, 7));  // 1g.10gb@6 still fits
  EXPECT_THAT(WithClass(root, "stranded"), IsEmpty());
  EXPECT_THAT(Slices(WithClass(root, "compute-free")), ElementsAre(6));
}

TEST(LayoutSvgTest, FourGPlusThreeGFillsEverySlice) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Node root = Render(a100, Instances(a100, {"4g.20gb@0", "3g.20gb@4"}));
  EXPECT_THAT(WithClass(root, "free"), IsEmpty());
  EXPECT_THAT(WithClass(root, "stranded"), IsEmpty());
  EXPECT_THAT(WithClass(root, "compute-free"), IsEmpty());
  EXPECT_THAT(WithClass(root, "compute-stranded"), IsEmpty());
  const std::vector<const Node*> used = WithClass(root, "compute-used");
  ASSERT_THAT(used, SizeIs(2));
  EXPECT_EQ(used[0]->Attr("data-instance"), "4g.20gb@0");
  EXPECT_EQ(used[0]->IntAttr("data-slices") + used[1]->IntAttr("data-slices"), 7);
  EXPECT_THAT(Summary(root), HasSubstr("2 instances, 7/7 compute slices, 8/8 memory slices used, "
                                       "0 stranded; 40192 of 40960 MiB"));
}

TEST(LayoutSvgTest, TwoThreeGsShowAStrandedComputeSlice) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Node root = Render(a100, Instances(a100, {"3g.20gb@0", "3g.20gb@4"}));
  EXPECT_THAT(WithClass(root, "free"), IsEmpty());
  EXPECT_THAT(WithClass(root, "stranded"), IsEmpty());
  EXPECT_THAT(WithClass(root, "compute-free"), IsEmpty());
  const std::vector<const Node*> stranded = WithClass(root, "compute-stranded");
  EXPECT_THAT(Slices(stranded), ElementsAre(6));
  EXPECT_THAT(Texts(*stranded.front()), ElementsAre("stranded"));
  EXPECT_THAT(Summary(root), HasSubstr("6/7 compute slices (1 stranded), 8/8 memory slices used, "
                                       "0 stranded"));
}

TEST(LayoutSvgTest, ComputeLeftWithNoMemoryIsStranded) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Node root =
      Render(a100, Instances(a100, {"1g.10gb@0", "1g.10gb@2", "1g.10gb@4", "1g.10gb@6"}));
  EXPECT_THAT(Slices(WithClass(root, "compute-stranded")), ElementsAre(4, 5, 6));
  EXPECT_THAT(Summary(root), HasSubstr("4/7 compute slices (3 stranded)"));
}

TEST(LayoutSvgTest, EmptyLayoutShowsEverySliceFree) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Node root = Render(a100, {});
  const std::vector<const Node*> free = WithClass(root, "free");
  EXPECT_THAT(Slices(free), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7));
  EXPECT_THAT(Texts(*free.front()), ElementsAre("free"));
  EXPECT_THAT(WithClass(root, "stranded"), IsEmpty());
  EXPECT_THAT(WithClass(root, "instance"), IsEmpty());
  EXPECT_THAT(Slices(WithClass(root, "compute-free")), ElementsAre(0, 1, 2, 3, 4, 5, 6));
  EXPECT_EQ(Summary(root),
            "A100-40GB: 0 instances, 0/7 compute slices, 0/8 memory slices used, 0 stranded; "
            "0 of 40960 MiB");
}

TEST(LayoutSvgTest, BlocksSpanTheirPlacementColumnsAndAreLabelled) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Node root = Render(a100, Instances(a100, {"4g.20gb@0", "3g.20gb@4"}));

  const std::vector<const Node*> labels = WithClass(root, "slice-label");
  ASSERT_THAT(labels, SizeIs(8));
  std::vector<int> centre;
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(labels[static_cast<size_t>(i)]->text, std::to_string(i));
    centre.push_back(labels[static_cast<size_t>(i)]->IntAttr("x"));
  }
  const int pitch = centre[1] - centre[0];
  ASSERT_GT(pitch, 0);

  const auto expect_spans = [&](const Node& block, int first, int last) {
    const Node* rect = block.Child("rect");
    ASSERT_NE(rect, nullptr);
    const int left = rect->IntAttr("x");
    const int right = left + rect->IntAttr("width");
    EXPECT_GE(left, centre[static_cast<size_t>(first)] - pitch / 2);
    EXPECT_LT(left, centre[static_cast<size_t>(first)] - pitch / 4);
    EXPECT_LE(right, centre[static_cast<size_t>(last)] + pitch / 2);
    EXPECT_GT(right, centre[static_cast<size_t>(last)] + pitch / 4);
  };
  const Node& three_g = InstanceBlock(root, "3g.20gb", 4);
  expect_spans(three_g, 4, 7);
  EXPECT_THAT(Texts(three_g), ElementsAre("3g.20gb", "@4", "20096 MiB"));
  const Node& four_g = InstanceBlock(root, "4g.20gb", 0);
  expect_spans(four_g, 0, 3);
  EXPECT_THAT(Texts(four_g), ElementsAre("4g.20gb", "@0", "20096 MiB"));
}

TEST(LayoutSvgTest, BlocksAreColouredByComputeSize) {
  const GpuModel& h100 = Gpu("H100-80GB");
  const Node root = Render(
      h100, Instances(h100, {"3g.40gb@4", "2g.20gb@2", "1g.10gb@0", "1g.10gb@1"}));
  const auto fill = [&](std::string_view profile, int start) {
    return InstanceBlock(root, profile, start).Child("rect")->Attr("fill");
  };
  EXPECT_EQ(fill("1g.10gb", 0), fill("1g.10gb", 1));
  EXPECT_NE(fill("1g.10gb", 0), fill("2g.20gb", 2));
  EXPECT_NE(fill("2g.20gb", 2), fill("3g.40gb", 4));
  EXPECT_NE(fill("1g.10gb", 0), fill("3g.40gb", 4));
  EXPECT_THAT(Summary(root), HasSubstr("4 instances, 7/7 compute slices, 8/8 memory slices used"));
}

TEST(LayoutSvgTest, DocumentIsWellFormedSvgWithSizeAndTitle) {
  const GpuModel& h100 = Gpu("H100-80GB");
  const std::string svg = RenderLayoutSvg(h100, Instances(h100, {"7g.80gb@0"}));
  EXPECT_TRUE(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ")) << svg;
  XmlReader reader(svg);
  const Node root = reader.Read();
  ASSERT_EQ(reader.error(), "");
  EXPECT_EQ(root.tag, "svg");
  EXPECT_EQ(root.Attr("xmlns"), "http://www.w3.org/2000/svg");
  const int width = root.IntAttr("width");
  const int height = root.IntAttr("height");
  EXPECT_GT(width, 0);
  EXPECT_GT(height, 0);
  EXPECT_EQ(root.Attr("viewBox"),
            "0 0 " + std::to_string(width) + " " + std::to_string(height));
  ASSERT_FALSE(root.children.empty());
  EXPECT_EQ(root.children.front().tag, "title");
  EXPECT_EQ(root.children.front().text, "H100-80GB MIG layout");
}

TEST(LayoutSvgTest, ReaderRejectsMalformedDocuments) {
  for (std::string_view bad : {"<svg><g></svg>", "<svg><g></g>", "<svg>a & b</svg>",
                               "<svg x=\"<\"/>", "<svg/><svg/>", "<svg>a > b</svg>"}) {
    XmlReader reader(bad);
    (void)reader.Read();
    EXPECT_NE(reader.error(), "") << bad;
  }
}

TEST(LayoutSvgTest, EscapesModelNamesAndTitles) {
  GpuModel model = Gpu("A100-40GB");
  model.name = "A<&>\"'B";
  const std::vector<GpuInstance> layout = Instances(model, {"3g.20gb@0"});

  const std::string svg = RenderLayoutSvg(model, layout);
  EXPECT_THAT(svg, Not(HasSubstr("<&>")));
  EXPECT_THAT(svg, HasSubstr("A&lt;&amp;&gt;&quot;&apos;B"));
  XmlReader reader(svg);
  const Node root = reader.Read();
  ASSERT_EQ(reader.error(), "") << svg;
  EXPECT_EQ(root.Child("title")->text, "A<&>\"'B MIG layout");
  EXPECT_THAT(Summary(root), HasSubstr("A<&>\"'B: 1 instance, 3/7 compute slices"));

  const Node titled = Render(model, layout, {.title = "node <3> & \"gpu 0\""});
  EXPECT_EQ(titled.Child("title")->text, "node <3> & \"gpu 0\"");
}

TEST(LayoutSvgTest, OutputIsDeterministicAndIndependentOfInstanceOrder) {
  const GpuModel& h100 = Gpu("H100-80GB");
  std::vector<GpuInstance> layout =
      Instances(h100, {"3g.40gb@4", "2g.20gb@2", "1g.10gb@0", "1g.10gb@1"});
  const std::string first = RenderLayoutSvg(h100, layout);
  EXPECT_EQ(RenderLayoutSvg(h100, layout), first);
  std::reverse(layout.begin(), layout.end());
  EXPECT_EQ(RenderLayoutSvg(h100, layout), first);
}

TEST(LayoutSvgTest, WidensForLongSummariesOnSmallGpus) {
  const GpuModel& a30 = Gpu("A30-24GB");
  const Node root = Render(a30, Instances(a30, {"2g.12gb@0"}));
  const int width = root.IntAttr("width");
  // 4 columns alone would be far narrower than the summary line needs.
  EXPECT_GE(width, static_cast<int>(Summary(root).size()) * 13 / 2);
  for (const Node* label : WithClass(root, "slice-label")) EXPECT_LT(label->IntAttr("x"), width);
}

}  // namespace
}  // namespace migsched::report
