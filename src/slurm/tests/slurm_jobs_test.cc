#include "slurm/slurm_jobs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace migsched::slurm {
namespace {

using ::testing::Optional;
using testing::HasError;
using testing::IsOk;

// Lines as Slurm 22.05's `scontrol show job -o` prints them (shortened).
constexpr std::string_view kJobs =
    "JobId=7 JobName=wrap UserId=root(0) Priority=4294901754 JobState=PENDING Reason=Resources "
    "SubmitTime=2026-12-05T19:23:58 NodeList=(null) Command=(null) Comment=two words here "
    "TresPerNode=gres:mig:a100_4g.39gb:1\n"
    "JobId=8 JobName=wrap JobState=RUNNING Reason=None SubmitTime=2026-12-05T19:24:01 NodeList=n1 "
    "AdminComment=migsched:12:MIG-4b1e TresPerNode=gres:mig:a100_1g.10gb:1\n"
    "JobId=9 JobName=wrap JobState=COMPLETED NodeList=n1 TresPerNode=gres:gpu:1\n"
    "JobId=10 JobState=CONFIGURING NodeList=n2 TresPerNode=gres:gpu:1,gres:mig:a100-sxm4-80gb:2\n";

TEST(ParseScontrolJobsTest, ReadsStateTypeNodeAndBinding) {
  Result<std::vector<SlurmJob>> jobs = ParseScontrolJobs(kJobs);
  ASSERT_THAT(jobs, IsOk());
  ASSERT_EQ(jobs->size(), 4u);
  const SlurmJob& pending = (*jobs)[0];
  EXPECT_EQ(pending.id, "7");
  EXPECT_EQ(pending.state, SlurmJob::State::kPending);
  EXPECT_EQ(pending.type, "a100_4g.39gb");
  EXPECT_EQ(pending.count, 1);
  EXPECT_EQ(pending.node, "");
  EXPECT_EQ(pending.submit_time, "2026-12-05T19:23:58");
  EXPECT_FALSE(pending.bound_job.has_value());

  const SlurmJob& running = (*jobs)[1];
  EXPECT_EQ(running.state, SlurmJob::State::kRunning);
  EXPECT_EQ(running.node, "n1");
  EXPECT_THAT(running.bound_job, Optional(12));
  EXPECT_EQ(running.bound_uuid, "MIG-4b1e");

  EXPECT_EQ((*jobs)[2].state, SlurmJob::State::kOther);
  EXPECT_EQ((*jobs)[2].type, "") << "gres/gpu is not migsched's";
  EXPECT_EQ((*jobs)[3].state, SlurmJob::State::kRunning) << "CONFIGURING: allocated, prolog running";
  EXPECT_EQ((*jobs)[3].type, "a100-sxm4-80gb");
  EXPECT_EQ((*jobs)[3].count, 2);
}

TEST(ParseScontrolJobsTest, NoJobsAndBrokenLines) {
  EXPECT_THAT(ParseScontrolJobs("No jobs in the system\n"), IsOk());
  EXPECT_TRUE(ParseScontrolJobs("No jobs in the system\n")->empty());
  EXPECT_THAT(ParseScontrolJobs("JobId=3 NodeList=n1\n"), HasError(StatusCode::kInvalidArgument, "job 3 has no JobState"));
}

TEST(SlurmBindingTest, CommentRoundTrips) {
  const std::string comment = BindingComment(42, "MIG-0a1b");
  EXPECT_EQ(comment, "migsched:42:MIG-0a1b");
  Result<std::vector<SlurmJob>> jobs = ParseScontrolJobs("JobId=1 JobState=RUNNING AdminComment=" + comment);
  ASSERT_THAT(jobs, IsOk());
  EXPECT_THAT((*jobs)[0].bound_job, Optional(42));
  EXPECT_EQ((*jobs)[0].bound_uuid, "MIG-0a1b");
  // Someone else's admin comment is not a binding.
  EXPECT_FALSE(ParseScontrolJobs("JobId=1 JobState=RUNNING AdminComment=migsched:x:y")->front().bound_job);
}

TEST(ParseScontrolNodeGresTest, EachNodesGresField) {
  const auto nodes = ParseScontrolNodeGres(
      "NodeName=n1 Arch=x86_64 Gres=mig:a100_1g.10gb:1 NodeAddr=127.0.0.1\n"
      "NodeName=n2 Gres=(null) State=IDLE\n");
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes.at("n1"), "mig:a100_1g.10gb:1");
  EXPECT_EQ(nodes.at("n2"), "");
}

TEST(ParseMigGresTest, OnlyMigItemsWithTheirCounts) {
  const std::vector<MigGres> items = ParseMigGres("gres:gpu:1,gres/mig:a100_3g.39gb:2,mig:a100-sxm4-80gb(S:0),mig:x:1(S:0)");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].type, "a100_3g.39gb");
  EXPECT_EQ(items[0].count, 2);
  EXPECT_EQ(items[1].type, "a100-sxm4-80gb");
  EXPECT_EQ(items[1].count, 1);
  EXPECT_EQ(items[2].type, "x");
  EXPECT_EQ(items[2].count, 1);
}

}  // namespace
}  // namespace migsched::slurm
