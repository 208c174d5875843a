// The control plane in process (no HTTP, no agent process): the scheduler
// thread completes a repartition at its ready_at, not at its periodic tick;
// externally held instances are never repartitioned.
#include "daemon/control_plane.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "daemon/job_spec.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::daemon {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::HasCode;
using ::migsched::testing::IsOk;

// An A100-80GB cut all-1g: seven idle 1g.10gb instances (starts 0..6), each
// with its MIG UUID ("MIG-<start>") when `uuids`.
NodeInventory All1gNode(bool uuids = false) {
  nlohmann::json instances = nlohmann::json::array();
  for (int start = 0; start < 7; ++start) {
    instances.push_back({{"profile", "1g.10gb"}, {"start", start}});
    if (uuids) {
      instances.back().update({{"gi_id", start + 1}, {"ci_id", 0}, {"uuid", "MIG-" + std::to_string(start)}});
    }
  }
  const nlohmann::json inventory{
      {"node", "node-a"},
      {"gpus", {{{"index", 0}, {"model", "A100-80GB"}, {"mig_enabled", true}, {"instances", instances}}}}};
  return InventoryFromJson(inventory.dump(), BuiltinCatalogForTest()).value();
}

// A control plane on a fresh store in `dir` (under the temporary directory).
std::unique_ptr<ControlPlane> StartPlane(const std::filesystem::path& dir, ControlPlaneOptions options) {
  std::filesystem::remove_all(dir);
  Result<std::unique_ptr<Store>> store = Store::Open(dir.string());
  EXPECT_THAT(store, IsOk());
  Result<std::unique_ptr<ControlPlane>> plane =
      ControlPlane::Start(BuiltinCatalogForTest(), std::move(store).value(), std::move(options));
  EXPECT_THAT(plane, IsOk());
  return std::move(plane).value();
}

// Regression (issue 11): the thread advanced the scheduler only at its tick
// (250 ms by default, on a clock of whole seconds). With the tick an hour
// away, the job must still be placed once its 50 ms delay has passed.
TEST(ControlPlaneTest, ARepartitionCompletesAtItsReadyAtNotAtTheNextTick) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("migsched-control-plane-" + std::to_string(::getpid()));
  sched::Options scheduler;
  scheduler.reconfiguration_delay_ms = 50;
  std::unique_ptr<ControlPlane> plane =
      StartPlane(dir, ControlPlaneOptions{.scheduler = scheduler, .tick = std::chrono::hours(1)});
  ASSERT_THAT(plane->ReportInventory(All1gNode()), IsOk());

  const ParsedSpec big = ParseJobSpec(R"({"name":"big","profile":"7g.80gb"})", BuiltinCatalogForTest());
  ASSERT_TRUE(big.ok()) << big.error.message;
  Result<SubmitOutcome> submitted = plane->Submit(big.spec);
  ASSERT_THAT(submitted, IsOk());
  const sched::JobId id = submitted->job.id;
  EXPECT_THAT(submitted->job.reason, ::testing::HasSubstr("repartitioning"));

  // Blocks on the plane's events (no sleep); the bound only ends a failing run.
  bool placed = false;
  std::int64_t seen = plane->LastEventSeq();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!placed && std::chrono::steady_clock::now() < give_up) {
    for (const ServiceEvent& event : plane->EventsAfter(seen, 100, std::chrono::seconds(1))) {
      seen = event.seq;
      const nlohmann::json data = nlohmann::json::parse(event.json);
      placed = placed || (data.value("job", sched::JobId{0}) == id && event.text.find("placed on") != std::string::npos);
    }
  }
  EXPECT_TRUE(placed) << "the repartition did not complete before the next tick";
  EXPECT_EQ(plane->Job(id)->reason, "");
  plane.reset();
  std::filesystem::remove_all(dir);
}

// Issue 13: an instance that a pod holds (reported by the device plugin) is
// held by a job of tenant "external" pinned to it: a 7g.80gb, which needs
// every slice, waits until the report no longer lists it.
TEST(ControlPlaneTest, ExternallyHeldInstancesAreNeverRepartitioned) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("migsched-control-plane-holds-" + std::to_string(::getpid()));
  std::unique_ptr<ControlPlane> plane =
      StartPlane(dir, ControlPlaneOptions{.scheduler = {}, .tick = std::chrono::hours(1)});
  ASSERT_THAT(plane->ReportInventory(All1gNode(/*uuids=*/true)), IsOk());

  Result<ExternalHolds> holds = plane->ReportExternalHolds("node-a", {"MIG-3", "MIG-none"});
  ASSERT_THAT(holds, IsOk());
  ASSERT_EQ(holds->held.size(), 1u);
  EXPECT_EQ(holds->held[0].mig_uuid, "MIG-3");
  EXPECT_EQ(holds->held[0].job.tenant, kExternalHoldTenant);
  EXPECT_EQ(holds->held[0].job.start, 3);
  EXPECT_THAT(holds->unknown, ::testing::ElementsAre("MIG-none"));
  const sched::JobId hold = holds->held[0].job.id;

  const ParsedSpec big = ParseJobSpec(R"({"name":"big","profile":"7g.80gb"})", BuiltinCatalogForTest());
  ASSERT_TRUE(big.ok()) << big.error.message;
  Result<SubmitOutcome> submitted = plane->Submit(big.spec);
  ASSERT_THAT(submitted, IsOk());
  EXPECT_EQ(submitted->job.phase, JobPhase::kQueued) << "the held instance's slices were taken";

  // The same report again: the same hold, nothing new.
  holds = plane->ReportExternalHolds("node-a", {"MIG-3"});
  ASSERT_THAT(holds, IsOk());
  ASSERT_EQ(holds->held.size(), 1u);
  EXPECT_EQ(holds->held[0].job.id, hold);
  EXPECT_TRUE(holds->released.empty());

  // The pod is gone: the hold is released and the 7g.80gb repartitions.
  holds = plane->ReportExternalHolds("node-a", {});
  ASSERT_THAT(holds, IsOk());
  ASSERT_EQ(holds->released.size(), 1u);
  EXPECT_EQ(holds->released[0].id, hold);
  EXPECT_EQ(holds->released[0].phase, JobPhase::kFinished);
  EXPECT_NE(plane->Job(submitted->job.id)->phase, JobPhase::kQueued);

  EXPECT_THAT(plane->ReportExternalHolds("node-x", {}), HasCode(StatusCode::kNotFound));
  plane.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace migsched::daemon
