#include "k8s/controller_reconcile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace migsched::k8s {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;

K8sPod Pending(std::string uid, std::vector<MigDemand> demand, bool unschedulable = true) {
  return {.uid = uid, .key = "default/" + uid, .node = "", .phase = PodPhase::kPending, .unschedulable = unschedulable,
          .demand = std::move(demand)};
}

K8sPod Bound(std::string uid, std::string node, PodPhase phase, std::vector<MigDemand> demand) {
  return {.uid = uid, .key = "default/" + uid, .node = std::move(node), .phase = phase, .unschedulable = false,
          .demand = std::move(demand)};
}

TEST(ControllerReconcile, AnUnschedulablePodGetsOneReservationPerDevice) {
  const ControllerActions actions =
      Reconcile({Pending("u1", {{.profile = "3g.40gb", .count = 1}, {.profile = "1g.10gb+me", .count = 2}})}, {});
  EXPECT_THAT(actions.submit, ElementsAre(Field(&ControllerActions::Submit::name, "k8s/u1/3g.40gb/1"),
                                          Field(&ControllerActions::Submit::name, "k8s/u1/1g.10gb.me/1"),
                                          Field(&ControllerActions::Submit::name, "k8s/u1/1g.10gb.me/2")));
  EXPECT_EQ(actions.submit[1].profile, "1g.10gb+me");
  EXPECT_EQ(actions.submit[1].pod, "default/u1");
  EXPECT_THAT(actions.cancel, IsEmpty());
}

TEST(ControllerReconcile, APodKubeSchedulerHasNotGivenUpOnWaits) {
  EXPECT_THAT(Reconcile({Pending("u1", {{.profile = "3g.40gb", .count = 1}}, /*unschedulable=*/false)}, {}).submit,
              IsEmpty());
}

TEST(ControllerReconcile, ReservationsAlreadyHeldAreNotSubmittedAgain) {
  const ControllerActions actions = Reconcile({Pending("u1", {{.profile = "1g.10gb", .count = 2}})},
                                              {{.id = 7, .name = "k8s/u1/1g.10gb/1", .node = "n1"}});
  EXPECT_THAT(actions.submit, ElementsAre(Field(&ControllerActions::Submit::name, "k8s/u1/1g.10gb/2")));
  EXPECT_THAT(actions.cancel, IsEmpty());
}

// A reservation made again after a cancel by hand (attempt 2) fills its slot.
TEST(ControllerReconcile, ALaterAttemptHoldsItsSlot) {
  const ControllerActions actions = Reconcile({Pending("u1", {{.profile = "1g.10gb", .count = 1}})},
                                              {{.id = 9, .name = "k8s/u1/1g.10gb/1/2", .node = "n1"}});
  EXPECT_THAT(actions.submit, IsEmpty());
  EXPECT_THAT(actions.cancel, IsEmpty());
}

TEST(ControllerReconcile, ARunningPodKeepsItsInstanceOnItsNode) {
  // Its condition may still say Unschedulable from before: bound is bound.
  K8sPod pod = Bound("u1", "n1", PodPhase::kRunning, {{.profile = "3g.40gb", .count = 1}});
  pod.unschedulable = true;
  const ControllerActions actions = Reconcile({pod}, {{.id = 7, .name = "k8s/u1/3g.40gb/1", .node = "n1"}});
  EXPECT_THAT(actions.submit, IsEmpty());
  EXPECT_THAT(actions.cancel, IsEmpty());
}

TEST(ControllerReconcile, APodBoundElsewhereReleasesItsReservation) {
  const ControllerActions actions =
      Reconcile({Bound("u1", "n2", PodPhase::kPending, {{.profile = "3g.40gb", .count = 1}})},
                {{.id = 7, .name = "k8s/u1/3g.40gb/1", .node = "n1"}, {.id = 8, .name = "k8s/u1/3g.40gb/2", .node = ""}});
  EXPECT_THAT(actions.cancel, ElementsAre(7, 8));
  EXPECT_THAT(actions.submit, IsEmpty());
}

TEST(ControllerReconcile, GoneOrFinishedPodsReleaseTheirReservations) {
  const ControllerActions actions =
      Reconcile({Bound("done", "n1", PodPhase::kSucceeded, {{.profile = "1g.10gb", .count = 1}}),
                 Bound("crashed", "n1", PodPhase::kFailed, {{.profile = "1g.10gb", .count = 1}})},
                {{.id = 1, .name = "k8s/done/1g.10gb/1", .node = "n1"},
                 {.id = 2, .name = "k8s/crashed/1g.10gb/1", .node = "n1"},
                 {.id = 3, .name = "k8s/deleted/1g.10gb/1", .node = "n1"}});
  EXPECT_THAT(actions.cancel, ElementsAre(1, 2, 3));
}

TEST(ControllerReconcile, JobsThatAreNotReservationsAreLeftAlone) {
  EXPECT_THAT(Reconcile({}, {{.id = 1, .name = "someone-else", .node = ""}, {.id = 2, .name = "k8s/", .node = ""}}).cancel, IsEmpty());
}

TEST(ControllerReconcile, ReservationNamesRoundTrip) {
  EXPECT_EQ(ReservationName("0b6f-11", "1g.10gb+me", 2), "k8s/0b6f-11/1g.10gb.me/2");
  EXPECT_EQ(ReservationName("0b6f-11", "1g.10gb", 2, 3), "k8s/0b6f-11/1g.10gb/2/3");
  EXPECT_EQ(ReservationSlot("k8s/0b6f-11/1g.10gb/2/3"), "k8s/0b6f-11/1g.10gb/2");
  EXPECT_EQ(ReservationSlot("k8s/0b6f-11/1g.10gb/2"), "k8s/0b6f-11/1g.10gb/2");
  EXPECT_EQ(ReservationPod("k8s/0b6f-11/1g.10gb/2/3"), "0b6f-11");
  EXPECT_EQ(ReservationPod("k8s/0b6f-11/1g.10gb.me/2"), "0b6f-11");
  EXPECT_EQ(ReservationPod("slurm/1/2/a100_1g.10gb"), std::nullopt);
  EXPECT_EQ(ReservationPod("k8s//x"), std::nullopt);
}

}  // namespace
}  // namespace migsched::k8s
