#include "k8s/controller_pod.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace migsched::k8s {
namespace {

using nlohmann::json;
using testing::HasError;
using testing::IsOk;

json Pod(json containers, json status = json::object()) {
  return {{"metadata", {{"name", "train"}, {"namespace", "ml"}, {"uid", "u-1"}}},
          {"spec", {{"containers", std::move(containers)}}},
          {"status", std::move(status)}};
}

TEST(ControllerPod, ReadsAnUnschedulablePodsMigDemand) {
  const json status = {{"phase", "Pending"},
                       {"conditions", {{{"type", "PodScheduled"}, {"status", "False"}, {"reason", "Unschedulable"}}}}};
  const Result<K8sPod> pod = PodFromJson(
      Pod({{{"name", "a"}, {"resources", {{"limits", {{"nvidia.com/mig-3g.40gb", "1"}, {"cpu", "2"}}}}}},
           {{"name", "b"}, {"resources", {{"requests", {{"nvidia.com/mig-1g.10gb.me", 2}}}}}},
           {{"name", "c"}, {"resources", {{"limits", {{"nvidia.com/mig-3g.40gb", "1"}}}}}}},
          status));
  ASSERT_THAT(pod, IsOk());
  EXPECT_EQ(pod->uid, "u-1");
  EXPECT_EQ(pod->key, "ml/train");
  EXPECT_TRUE(pod->unschedulable);
  EXPECT_EQ(pod->phase, PodPhase::kPending);
  ASSERT_EQ(pod->demand.size(), 2u);
  EXPECT_EQ(pod->demand[0].profile, "1g.10gb+me");
  EXPECT_EQ(pod->demand[0].count, 2);
  EXPECT_EQ(pod->demand[1].profile, "3g.40gb");
  EXPECT_EQ(pod->demand[1].count, 2);
}

TEST(ControllerPod, AnInitContainerCountsOnlyWhereItAsksForMore) {
  json pod = Pod({{{"name", "a"}, {"resources", {{"limits", {{"nvidia.com/mig-1g.10gb", "1"}}}}}}});
  pod["spec"]["initContainers"] = {{{"name", "i"}, {"resources", {{"limits", {{"nvidia.com/mig-1g.10gb", "3"}}}}}}};
  const Result<K8sPod> parsed = PodFromJson(pod);
  ASSERT_THAT(parsed, IsOk());
  ASSERT_EQ(parsed->demand.size(), 1u);
  EXPECT_EQ(parsed->demand[0].count, 3);
}

TEST(ControllerPod, ABoundRunningPodIsNotUnschedulable) {
  json pod = Pod(json::array(), {{"phase", "Running"},
                                 {"conditions", {{{"type", "PodScheduled"}, {"status", "True"}}}}});
  pod["spec"]["nodeName"] = "n1";
  const Result<K8sPod> parsed = PodFromJson(pod);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->node, "n1");
  EXPECT_EQ(parsed->phase, PodPhase::kRunning);
  EXPECT_FALSE(parsed->unschedulable);
  EXPECT_TRUE(parsed->demand.empty());
}

TEST(ControllerPod, AFractionalCountIsAnErrorNamingThePodAndField) {
  EXPECT_THAT(PodFromJson(Pod({{{"name", "a"}, {"resources", {{"limits", {{"nvidia.com/mig-1g.10gb", "500m"}}}}}}})),
              HasError(StatusCode::kInvalidArgument,
                       "pod ml/train: spec.containers[0].resources.limits[nvidia.com/mig-1g.10gb]"));
}

TEST(ControllerPod, APodWithoutUidIsAnError) {
  json pod = Pod(json::array());
  pod["metadata"].erase("uid");
  EXPECT_THAT(PodFromJson(pod), HasError(StatusCode::kInvalidArgument, "metadata.uid"));
}

}  // namespace
}  // namespace migsched::k8s
