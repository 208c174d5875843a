#include "k8s/node_devices.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::k8s {
namespace {

using nlohmann::json;
using testing::BuiltinCatalogForTest;
using testing::HasError;

json Instance(const char* profile, int start, json job, const char* uuid) {
  return {{"profile", profile}, {"start", start}, {"size", 1}, {"job", job}, {"busy", !job.is_null()},
          {"exists", uuid != nullptr}, {"mig_uuid", uuid == nullptr ? json(nullptr) : json(uuid)},
          {"gi_id", nullptr}, {"ci_id", nullptr}};
}

// Node n1: GPU 0 (A100-80GB, MIG) with an idle 1g.10gb, one held by job 7
// (a Kubernetes reservation), one held by job 8 (another tenant's) and one
// not created yet; GPU 1 whole (MIG off), idle. Node n2 elsewhere.
json Fleet() {
  json gpu0{{"index", 0}, {"uuid", "GPU-0"}, {"model", "A100-80GB"}, {"mig_enabled", true},
            {"idle_slices", 1}, {"free_slices", 3},
            {"instances", {Instance("1g.10gb", 0, nullptr, "MIG-idle"), Instance("1g.10gb", 1, 7, "MIG-k8s"),
                           Instance("1g.10gb", 2, 8, "MIG-other"), Instance("2g.20gb", 4, nullptr, nullptr)}}};
  json gpu1{{"index", 1}, {"uuid", "GPU-1"}, {"model", "A100-80GB"}, {"mig_enabled", false},
            {"idle_slices", 0}, {"free_slices", 7}, {"instances", json::array()}};
  return {{"nodes", {{{"name", "n2"}, {"gpus", json::array()}}, {{"name", "n1"}, {"gpus", {gpu0, gpu1}}}}}};
}

const ResourceDevices* Find(const NodeDevices& devices, std::string_view resource) {
  for (const ResourceDevices& r : devices) {
    if (r.resource == resource) return &r;
  }
  return nullptr;
}

std::vector<std::string> Ids(const ResourceDevices& r) {
  std::vector<std::string> out;
  for (const PluginDevice& d : r.devices) out.push_back(d.id);
  return out;
}

TEST(NodeDevicesFromFleet, OneResourcePerProfileAndWholeGpus) {
  const Result<NodeDevices> got = NodeDevicesFromFleet(Fleet(), "n1", BuiltinCatalogForTest(), {.reservations = {7}, .pod_holds = {}});
  ASSERT_TRUE(got.has_value()) << got.error().ToString();
  // Every profile of the A100-80GB has its resource, created or not.
  ASSERT_NE(Find(*got, "nvidia.com/mig-7g.80gb"), nullptr);
  EXPECT_TRUE(Find(*got, "nvidia.com/mig-7g.80gb")->devices.empty());
  ASSERT_NE(Find(*got, "nvidia.com/mig-1g.10gb.me"), nullptr);
  // Idle and reserved instances; not another tenant's, not one not created yet.
  const ResourceDevices* small = Find(*got, "nvidia.com/mig-1g.10gb");
  ASSERT_NE(small, nullptr);
  EXPECT_THAT(Ids(*small), ::testing::ElementsAre("MIG-idle", "MIG-k8s"));
  EXPECT_FALSE(small->devices[0].reserved);
  EXPECT_TRUE(small->devices[1].reserved);
  EXPECT_EQ(small->devices[1].start, 1);
  EXPECT_EQ(small->devices[1].gpu_spare_slices, 4);
  EXPECT_TRUE(Find(*got, "nvidia.com/mig-2g.20gb")->devices.empty());
  const ResourceDevices* whole = Find(*got, "nvidia.com/gpu");
  ASSERT_NE(whole, nullptr);
  EXPECT_THAT(Ids(*whole), ::testing::ElementsAre("GPU-1"));
  EXPECT_TRUE(std::is_sorted(got->begin(), got->end(),
                             [](const ResourceDevices& a, const ResourceDevices& b) { return a.resource < b.resource; }));
}

TEST(NodeDevicesFromFleet, AnotherTenantsWholeGpuIsNotOffered) {
  json fleet = Fleet();
  fleet["nodes"][1]["gpus"][1]["whole_gpu_job"] = 9;
  const Result<NodeDevices> got = NodeDevicesFromFleet(fleet, "n1", BuiltinCatalogForTest(), {.reservations = {7}, .pod_holds = {}});
  ASSERT_TRUE(got.has_value()) << got.error().ToString();
  EXPECT_TRUE(Find(*got, "nvidia.com/gpu")->devices.empty());
}

// An instance held for a pod (the plugin's report of PodResources) stays
// offered, healthy, but is not preferred as a reservation is.
TEST(NodeDevicesFromFleet, PodHeldInstanceStaysOffered) {
  const Result<NodeDevices> got =
      NodeDevicesFromFleet(Fleet(), "n1", BuiltinCatalogForTest(), {.reservations = {7}, .pod_holds = {8}});
  ASSERT_TRUE(got.has_value()) << got.error().ToString();
  const ResourceDevices* small = Find(*got, "nvidia.com/mig-1g.10gb");
  ASSERT_NE(small, nullptr);
  EXPECT_THAT(Ids(*small), ::testing::ElementsAre("MIG-idle", "MIG-k8s", "MIG-other"));
  EXPECT_FALSE(small->devices[2].reserved);
}

TEST(NodeDevicesFromFleet, Errors) {
  EXPECT_THAT(NodeDevicesFromFleet(Fleet(), "n3", BuiltinCatalogForTest(), {}),
              HasError(StatusCode::kNotFound, "no node 'n3'"));
  EXPECT_THAT(NodeDevicesFromFleet(json{{"nodes", 3}}, "n1", BuiltinCatalogForTest(), {}),
              HasError(StatusCode::kInvalidArgument, "server fleet document"));
  json fleet = Fleet();
  fleet["nodes"][1]["gpus"][0]["model"] = "Z100";
  EXPECT_THAT(NodeDevicesFromFleet(fleet, "n1", BuiltinCatalogForTest(), {}),
              HasError(StatusCode::kNotFound, "node n1 GPU 0"));
  fleet = Fleet();
  fleet["nodes"][1]["gpus"][0]["instances"][0]["profile"] = "9g.1tb";
  EXPECT_THAT(NodeDevicesFromFleet(fleet, "n1", BuiltinCatalogForTest(), {}),
              HasError(StatusCode::kNotFound, "has no profile '9g.1tb'"));
}

TEST(TenantJobIds, PicksTheTenantsJobs) {
  const json jobs{{"jobs", {{{"id", 3}, {"tenant", "k8s"}}, {{"id", 4}, {"tenant", "ml"}}}}};
  const Result<std::set<std::uint64_t>> ids = TenantJobIds(jobs, kPluginTenant);
  ASSERT_TRUE(ids.has_value()) << ids.error().ToString();
  EXPECT_THAT(*ids, ::testing::ElementsAre(3u));
  EXPECT_THAT(TenantJobIds(json{{"jobs", {{{"id", "x"}}}}}, kPluginTenant),
              HasError(StatusCode::kInvalidArgument, "server jobs document"));
}

}  // namespace
}  // namespace migsched::k8s
