#include "slurm/dynamic_mig.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace migsched::slurm {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr std::string_view kOne = "a100_1g.10gb";
constexpr std::string_view kFour = "a100_4g.39gb";

SlurmJob Pending(std::string id, std::string_view type) {
  return {.id = std::move(id), .state = SlurmJob::State::kPending, .type = std::string(type), .count = 1,
          .node = "", .submit_time = "2026-12-05T10:00:00", .bound_job = std::nullopt, .bound_uuid = ""};
}

SlurmJob Running(std::string id, std::string_view type, std::string node, std::optional<std::int64_t> bound = {}) {
  SlurmJob job = Pending(std::move(id), type);
  job.state = SlurmJob::State::kRunning;
  job.node = std::move(node);
  job.bound_job = bound;
  return job;
}

Reservation Held(std::int64_t id, const SlurmJob& for_job, std::string node = "", bool ready = false) {
  return {.id = id, .name = ReservationName(for_job), .type = for_job.type, .ready = ready, .node = std::move(node),
          .uuid = ready ? "MIG-" + std::to_string(id) : ""};
}

ReconcileInput Input(std::vector<SlurmJob> jobs, std::vector<Reservation> reservations) {
  ReconcileInput input;
  input.jobs = std::move(jobs);
  input.reservations = std::move(reservations);
  input.nodes = {{.node = "n1", .types = {std::string(kOne), std::string(kFour)}, .current = ""},
                 {.node = "n2", .types = {std::string(kOne), std::string(kFour)}, .current = ""}};
  input.known_types = {std::string(kOne), std::string(kFour)};
  return input;
}

TEST(DynamicMigTest, APendingJobGetsOneReservationNamedAfterIt) {
  const SlurmJob job = Pending("7", kFour);
  ReconcileActions actions = Reconcile(Input({job}, {}));
  ASSERT_EQ(actions.submit.size(), 1u);
  EXPECT_EQ(actions.submit[0].slurm_job, "7");
  EXPECT_EQ(actions.submit[0].type, kFour);
  EXPECT_EQ(actions.submit[0].name, "slurm/7/2026-12-05T10:00:00/a100_4g.39gb");
  EXPECT_THAT(actions.set_gres, IsEmpty()) << "no device yet: nothing for SLURM";

  // Submitted, not placed yet: nothing more to do.
  actions = Reconcile(Input({job}, {Held(1, job)}));
  EXPECT_THAT(actions.submit, IsEmpty());
  EXPECT_THAT(actions.cancel, IsEmpty());
}

TEST(DynamicMigTest, SlurmSeesExactlyTheReadyDevices) {
  const SlurmJob a = Pending("7", kFour), b = Pending("8", kOne), c = Pending("9", kOne);
  ReconcileInput input = Input({a, b, c}, {Held(1, a, "n1", true), Held(2, b, "n1", true), Held(3, c, "n2", false)});
  input.nodes[1].current = "mig:a100_1g.10gb:0(S:0),mig:a100_4g.39gb:0";
  const ReconcileActions actions = Reconcile(input);
  EXPECT_THAT(actions.set_gres, ElementsAre(Pair("n1", "mig:a100_1g.10gb:1,mig:a100_4g.39gb:1")))
      << "n2's zero counts already match";
}

TEST(DynamicMigTest, ARunningJobIsBoundToItsOwnReadyDevice) {
  const SlurmJob job = Running("7", kFour, "n1");
  ReconcileInput input = Input({job}, {Held(5, job, "n1", true)});
  input.nodes[0].current = "mig:a100_4g.39gb:1";
  const ReconcileActions actions = Reconcile(input);
  ASSERT_EQ(actions.bind.size(), 1u);
  EXPECT_EQ(actions.bind[0].slurm_job, "7");
  EXPECT_EQ(actions.bind[0].reservation, 5);
  EXPECT_EQ(actions.bind[0].uuid, "MIG-5");
  EXPECT_THAT(actions.cancel, IsEmpty());
  EXPECT_THAT(actions.set_gres, IsEmpty());
}

TEST(DynamicMigTest, SlurmStartingAnotherJobFirstSwapsTheReservations) {
  // Reservation 1 (for job 7) is ready on n1; job 8 of the same type was
  // started there by SLURM first; 8's own reservation is still queued.
  const SlurmJob early = Pending("7", kOne), late = Running("8", kOne, "n1");
  const ReconcileActions actions = Reconcile(Input({early, late}, {Held(1, early, "n1", true), Held(2, late)}));
  ASSERT_EQ(actions.bind.size(), 1u);
  EXPECT_EQ(actions.bind[0].slurm_job, "8");
  EXPECT_EQ(actions.bind[0].reservation, 1);
  EXPECT_THAT(actions.cancel, IsEmpty()) << "job 7 adopts reservation 2";
  EXPECT_THAT(actions.surplus, IsEmpty());
  EXPECT_THAT(actions.submit, IsEmpty());
}

TEST(DynamicMigTest, SurplusQueuedReservationsGoAtOnceReadyOnesAfterASecondLook) {
  const SlurmJob gone = Pending("7", kFour), ended = Running("8", kOne, "n1");
  // Job 7 was cancelled while its reservation was queued; job 8 ended.
  ReconcileInput input = Input({}, {Held(1, gone), Held(2, ended, "n1", true)});
  input.nodes[0].current = "mig:a100_1g.10gb:1";
  ReconcileActions actions = Reconcile(input);
  EXPECT_THAT(actions.cancel, ElementsAre(1));
  EXPECT_THAT(actions.surplus, ElementsAre(2)) << "SLURM may have just started a job on it";
  EXPECT_THAT(actions.set_gres, ElementsAre(Pair("n1", "mig:a100_1g.10gb:0,mig:a100_4g.39gb:0")));

  input.reservations = {Held(2, ended, "n1", true)};
  input.surplus_before = actions.surplus;
  input.nodes[0].current = "mig:a100_1g.10gb:0";
  actions = Reconcile(input);
  EXPECT_THAT(actions.cancel, ElementsAre(2));
  EXPECT_THAT(actions.set_gres, IsEmpty());
}

TEST(DynamicMigTest, AGoneJobsDeviceIsReleasedNotPassedOnToAnotherPendingJob) {
  // Job 6 ended; job 7 of the same type waits for its own (queued)
  // reservation: the core, not SLURM's start order, decides what comes next.
  const SlurmJob job = Pending("7", kOne), ended = Pending("6", kOne);
  ReconcileInput input = Input({job}, {Held(1, ended, "n1", true), Held(2, job)});
  input.nodes[0].current = "mig:a100_1g.10gb:1";
  ReconcileActions actions = Reconcile(input);
  EXPECT_THAT(actions.cancel, IsEmpty());
  EXPECT_THAT(actions.surplus, ElementsAre(1));
  EXPECT_THAT(actions.set_gres, ElementsAre(Pair("n1", "mig:a100_1g.10gb:0,mig:a100_4g.39gb:0")))
      << "SLURM's count drops before the device goes";
  input.surplus_before = actions.surplus;
  input.nodes[0].current = "mig:a100_1g.10gb:0";
  actions = Reconcile(input);
  EXPECT_THAT(actions.cancel, ElementsAre(1));
  EXPECT_THAT(actions.submit, IsEmpty());
}

TEST(DynamicMigTest, AJobWhoseNameIsTakenGetsANewOne) {
  // Job 8 runs on job 7's reservation and its own is gone: 7 needs a new one.
  const SlurmJob waiting = Pending("7", kOne), runner = Running("8", kOne, "n1", 1);
  const ReconcileActions actions = Reconcile(Input({waiting, runner}, {Held(1, waiting, "n1", true)}));
  ASSERT_EQ(actions.submit.size(), 1u);
  EXPECT_EQ(actions.submit[0].name, "slurm/7/2026-12-05T10:00:00.2/a100_1g.10gb");
  EXPECT_EQ(OwnerKey(actions.submit[0].name), OwnerKey(ReservationName(waiting)));
}

TEST(DynamicMigTest, BoundReservationsStayWhileTheirJobRuns) {
  const SlurmJob job = Running("7", kOne, "n1", 4);
  ReconcileInput input = Input({job}, {Held(4, job, "n1", true)});
  input.nodes[0].current = "mig:a100_1g.10gb:1";
  const ReconcileActions actions = Reconcile(input);
  EXPECT_THAT(actions.bind, IsEmpty());
  EXPECT_THAT(actions.cancel, IsEmpty());
  EXPECT_THAT(actions.surplus, IsEmpty());
  EXPECT_THAT(actions.set_gres, IsEmpty());
}

TEST(DynamicMigTest, JobsMigschedCannotServeAreProblemsNotReservations) {
  SlurmJob two = Pending("7", kOne);
  two.count = 2;
  const SlurmJob unknown = Pending("8", "a100_9g.99gb");
  const SlurmJob lost = Running("9", kFour, "n2");  // no device of its type on n2
  const ReconcileActions actions = Reconcile(Input({two, unknown, lost}, {}));
  EXPECT_THAT(actions.submit, IsEmpty());
  ASSERT_EQ(actions.problems.size(), 3u);
  EXPECT_THAT(actions.problems[0], ::testing::HasSubstr("one MIG device per job"));
  EXPECT_THAT(actions.problems[1], ::testing::HasSubstr("no GPU model of the catalog offers that type"));
  EXPECT_THAT(actions.problems[2], ::testing::HasSubstr("holds no free device of that type there"));
}

TEST(DynamicMigTest, GresCountsCompareByTypeIgnoringZerosAndSockets) {
  EXPECT_TRUE(SameMigCounts("mig:a:1,mig:b:0", "mig:a:1(S:0)"));
  EXPECT_TRUE(SameMigCounts("", "mig:a:0"));
  EXPECT_FALSE(SameMigCounts("mig:a:1", "mig:a:2"));
  EXPECT_TRUE(SameMigCounts("gpu:x:1,mig:a:1", "mig:a:1")) << "other GRES are not migsched's";
  EXPECT_EQ(GresOf({"a", "b"}, {2, 0}), "mig:a:2,mig:b:0");
}

}  // namespace
}  // namespace migsched::slurm
