// Services beside the batch jobs (sim/service.h): the rate -> replicas rule,
// and small replays where a load spike must be met by new MIG instances.
#include "sim/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "sim/engine.h"
#include "sim/policies.h"
#include "sim/simulation.h"
#include "sim/tests/sim_fixture.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::sim {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;
using namespace ::migsched::sim::testing;

// The header's worked example: replica_rps 10, min 1, max 3.
ServiceSpec Chat() {
  ServiceSpec spec;
  spec.name = "chat";
  spec.replica.gpu_milli = 100;  // 1g.10gb on an H100-80GB
  spec.replica_milli_rps = 10'000;
  spec.min_replicas = 1;
  spec.max_replicas = 3;
  spec.rate = {{0, 5'000}, {60'000, 25'000}, {120'000, 12'000}};
  spec.end_ms = 180'000;
  return spec;
}

TEST(ServiceTest, DesiredReplicasIsTheCeilingOfRateOverThroughputClamped) {
  ServiceSpec spec = Chat();
  spec.rate = {{0, 0}, {10'000, 10'000}, {20'000, 10'001}, {30'000, 95'000}, {40'000, 29'999}};
  spec.end_ms = 50'000;
  // 0 -> min 1; 10/10 -> 1 (no step); 10.001 -> 2; 95 -> 10, max 3; 29.999 -> 3 (no step); end -> 0.
  EXPECT_EQ(DesiredReplicas(spec), (std::vector<ScaleStep>{{0, 1}, {20'000, 2}, {30'000, 3}, {50'000, 0}}));
}

TEST(ServiceTest, ScaleDownReleasesTheNewestReplicasFirst) {
  EXPECT_EQ(DesiredReplicas(Chat()), (std::vector<ScaleStep>{{0, 1}, {60'000, 3}, {120'000, 2}, {180'000, 0}}));
  // Slot 2, the newest, goes at 120 s; slots 0 and 1 stay until the end.
  EXPECT_EQ(ReplicaWants(DesiredReplicas(Chat())),
            (std::vector<ReplicaWant>{{0, 0, 180'000}, {1, 60'000, 180'000}, {2, 60'000, 120'000}}));
}

TEST(ServiceTest, ASlotWantedTwiceIsTwoReplicas) {
  const std::vector<ScaleStep> steps{{0, 2}, {10, 1}, {20, 2}, {30, 0}};
  EXPECT_EQ(ReplicaWants(steps), (std::vector<ReplicaWant>{{0, 0, 30}, {1, 0, 10}, {1, 20, 30}}));
}

TEST(ServiceTest, ARepeatedSeriesPlaysEveryPeriodUntilTheEnd) {
  ServiceSpec spec = Chat();
  spec.min_replicas = 0;
  spec.rate = {{1'000, 0}, {4'000, 20'000}};  // a 10 s "day": idle, then 2 replicas from its 3rd second
  spec.period_ms = 10'000;
  spec.end_ms = 25'000;
  EXPECT_THAT(ValidateService(spec), IsOk());
  EXPECT_EQ(DesiredReplicas(spec), (std::vector<ScaleStep>{{1'000, 0}, {4'000, 2}, {11'000, 0}, {14'000, 2},
                                                           {21'000, 0}, {24'000, 2}, {25'000, 0}}));
}

TEST(ServiceTest, ABadSpecIsRefusedWithItsName) {
  const auto refused = [](ServiceSpec spec, const char* why) {
    EXPECT_THAT(ValidateService(spec), HasError(StatusCode::kInvalidArgument, why)) << why;
  };
  ServiceSpec spec = Chat();
  spec.replica_milli_rps = 0;
  refused(spec, "service 'chat': replica_rps must be above 0");
  spec = Chat();
  spec.min_replicas = 4;
  refused(spec, "min_replicas <= max_replicas");
  spec = Chat();
  spec.rate = {{10, 1}, {10, 2}};
  refused(spec, "times must increase");
  spec = Chat();
  spec.rate = {};
  refused(spec, "empty");
  spec = Chat();
  spec.end_ms = 0;
  refused(spec, "end must be after the first rate point");
  spec = Chat();
  spec.period_ms = 100'000;
  refused(spec, "longer than its repeat period");
  spec = Chat();
  spec.period_ms = 1;
  spec.rate = {{0, 1}};
  spec.end_ms = int64_t{1} << 40;
  refused(spec, "more than 1000000 points");
}

TEST(ServiceTest, TooManyReplicaStartsAreRefused) {
  ServiceSpec spec = Chat();
  spec.min_replicas = 0;
  spec.max_replicas = 1000;
  spec.rate = {{0, 0}, {500, 1'000'000'000}};  // 0 then 1000 replicas, every second
  spec.period_ms = 1000;
  spec.end_ms = 2'000'000;
  EXPECT_THAT(PrepareServices({spec}, Fleet("H100-80GB:1")),
              HasError(StatusCode::kInvalidArgument, "service 'chat': its series asks for 2000000 replica starts"));
}

TEST(ServiceTest, AReplicaNoGpuCanRunIsRefused) {
  ServiceSpec spec = Chat();
  spec.replica.gpu_milli = 1000;
  spec.replica.gpu_memory_mib = 200'000;  // more than an H100-80GB has
  EXPECT_THAT(PrepareServices({spec}, Fleet("H100-80GB:1")),
              HasError(StatusCode::kInvalidArgument, "service 'chat': no GPU of the fleet"));
}

PolicyRun ReplayWithServices(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet, const std::string& policy,
                             const std::vector<ServiceSpec>& services, const PolicySetup& setup = {}) {
  std::unique_ptr<Backend> backend = MakeBackend(policy, BuiltinCatalogForTest(), fleet, setup).value();
  ReplayOptions options{.compress = 1.0, .cost = kDefaultReconfigurationCost, .services = {}};
  options.services = PrepareServices(services, fleet).value();
  Result<PolicyRun> run = RunReplay(jobs, fleet, *backend, options);
  EXPECT_THAT(run, IsOk()) << policy;
  return run.has_value() ? std::move(run).value() : PolicyRun{};
}

// One H100-80GB: a 4g.40gb batch job from 0 to 3600 s, and "chat" (1g.10gb
// replicas) wanting 1 replica, 3 from 600 s to 1200 s, 1 until 1800 s. With
// MIG the three replicas fit beside the batch job (4 + 3 x 1 compute
// slices), each after its 2 s create; whole GPUs leave the service waiting
// for the batch job, which outlasts it.
TEST(ServiceTest, ASpikeScalesUnderMigAndWaitsUnderWholeGpus) {
  const fleet::Fleet fleet = Fleet("H100-80GB:1");
  const std::vector<SimJob> jobs = Jobs({Job(0, 3600, 460)}, fleet);
  ServiceSpec chat = Chat();
  chat.rate = {{0, 5'000}, {600'000, 25'000}, {1'200'000, 5'000}};
  chat.end_ms = 1'800'000;
  for (const std::string policy : {"first-fit", "best-fit", "frag-aware"}) {
    const PolicyRun run = ReplayWithServices(jobs, fleet, policy, {chat});
    ASSERT_EQ(run.result.services.size(), 1u);
    const ServiceResult& service = run.result.services.front();
    EXPECT_EQ(service.name, "chat");
    EXPECT_EQ(service.replicas_wanted, 3) << policy;
    EXPECT_EQ(service.replicas_started, 3) << policy;
    EXPECT_EQ(service.replica_ms_wanted, 1'800'000 + 2 * 600'000) << policy;
    EXPECT_EQ(service.replica_ms_served, 1'798'000 + 2 * 598'000) << policy;
    EXPECT_EQ(service.under_provisioned_ms, 4'000) << policy;  // [0, 2) and [600, 602) s
    EXPECT_EQ(service.start_delay_p99_ms, 2'000) << policy;
    // The batch job is not disturbed: it starts after its own create and is counted alone.
    EXPECT_EQ(run.result.jobs, 1) << policy;
    EXPECT_EQ(run.result.queue_delays_ms, (std::vector<int64_t>{2000})) << policy;
    EXPECT_EQ(run.result.gpus_used_peak, 1) << policy;
  }
  const PolicyRun whole = ReplayWithServices(jobs, fleet, "whole-gpu", {chat});
  const ServiceResult& service = whole.result.services.front();
  EXPECT_EQ(service.replicas_wanted, 3);
  EXPECT_EQ(service.replicas_started, 0);
  EXPECT_EQ(service.replica_ms_served, 0);
  EXPECT_EQ(service.under_provisioned_ms, 1'800'000);
  EXPECT_EQ(whole.result.placed, 1);
  EXPECT_EQ(whole.result.unplaced, 0);  // withdrawn replicas are the service's, not unplaced jobs
  EXPECT_EQ(whole.result.end_ms, 3'600'000);
}

// Seven 1g.10gb batch jobs leave their instances idle (--keep-idle); a spike
// to two 3g.40gb replicas at 100 s must destroy idle instances: the
// scheduler repartitions, and each replica starts once its GPU's destroys
// and its create are done.
TEST(ServiceTest, ASpikeForcesARepartition) {
  const fleet::Fleet fleet = Fleet("H100-80GB:1");
  std::vector<trace::TraceJob> batch;
  for (int i = 0; i < 7; ++i) batch.push_back(Job(0, 50, 100));
  const std::vector<SimJob> jobs = Jobs(batch, fleet);
  ServiceSpec spec;
  spec.name = "embed";
  spec.replica.profile = "3g.40gb";
  spec.replica.gpu_milli = 428;
  spec.replica_milli_rps = 100'000;
  spec.min_replicas = 0;
  spec.max_replicas = 2;
  spec.rate = {{0, 0}, {100'000, 150'000}};
  spec.end_ms = 200'000;
  const PolicySetup keep_idle{.reconfiguration_delay_ms = 0, .keep_idle = true, .expected_mix = {}};
  const PolicyRun run = ReplayWithServices(jobs, fleet, "first-fit", {spec}, keep_idle);
  const ServiceResult& service = run.result.services.front();
  EXPECT_EQ(service.replicas_wanted, 2);
  EXPECT_EQ(service.replicas_started, 2);
  EXPECT_EQ(run.result.reconfigurations, 2);
  EXPECT_EQ(run.result.busy_disrupted, 0);
  // The first 3g.40gb (at slice 4) replaces three idle 1g instances (3 x 1 s)
  // and is created (2 s): it starts at 105 s; the second (at slice 0) four: 106 s.
  EXPECT_EQ(service.start_delay_p50_ms, 5'000);
  EXPECT_EQ(service.start_delay_p99_ms, 6'000);
  EXPECT_EQ(service.replica_ms_served, 95'000 + 94'000);
  EXPECT_EQ(service.under_provisioned_ms, 6'000);
  // Paid: 7 creates and 7 destroys for the 1g instances, 2 creates for the replicas.
  EXPECT_EQ(run.result.reconfiguration_ms, 7 * 2'000 + 7 * 1'000 + 2 * 2'000);
  EXPECT_EQ(run.result.placed, 7);
}

TEST(ServiceTest, ServicesAreRefusedInFillMode) {
  const fleet::Fleet fleet = Fleet("H100-80GB:1");
  SimulationSpec spec = AllPolicies(Mode::kFill);
  spec.services = {Chat()};
  EXPECT_THAT(RunSimulation(Jobs({Job(0, 10, 100)}, fleet), BuiltinCatalogForTest(), fleet, spec),
              HasError(StatusCode::kInvalidArgument, "replay mode only"));
}

// Every policy runs the service; static-plan cuts its layout for the
// replicas too, so it starts them without waiting for a shape it lacks.
TEST(ServiceTest, EveryPolicyReportsTheService) {
  const fleet::Fleet fleet = Fleet("H100-80GB:2");
  SimulationSpec spec = AllPolicies(Mode::kReplay);
  spec.services = {Chat()};
  const Result<std::vector<PolicyRun>> runs =
      RunSimulation(Jobs({Job(0, 300, 250)}, fleet), BuiltinCatalogForTest(), fleet, spec);
  ASSERT_THAT(runs, IsOk());
  for (const PolicyRun& run : *runs) {
    ASSERT_EQ(run.result.services.size(), 1u) << run.result.policy;
    EXPECT_EQ(run.result.services.front().replicas_wanted, 3) << run.result.policy;
    EXPECT_EQ(run.result.placed + run.result.unplaced, 1) << run.result.policy;
  }
  const auto static_plan = std::find_if(runs->begin(), runs->end(),
                                        [](const PolicyRun& run) { return run.result.policy == "static-plan"; });
  ASSERT_NE(static_plan, runs->end());
  EXPECT_EQ(static_plan->result.services.front().replicas_started, 3);
  EXPECT_EQ(static_plan->result.services.front().under_provisioned_ms, 0);  // idle instances: no create
}

}  // namespace
}  // namespace migsched::sim
