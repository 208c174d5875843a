// The fake NVML's state file: strict parsing with errors that name the item,
// and round trips through the atomic writer.
#include "nvml/fake/fake_state.h"

#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::nvml::fake {
namespace {

using migsched::testing::BuiltinCatalogForTest;
using migsched::testing::HasCode;
using migsched::testing::HasError;
using migsched::testing::IsOk;

Result<FakeState> Parse(const std::string& text) {
  return ParseFakeState(text, "state.json", BuiltinCatalogForTest());
}

TEST(FakeStateTest, NewStateRoundTrips) {
  const FakeState state = NewFakeState(BuiltinCatalogForTest(), {{"a100-40gb", 2}, {"0x2330", 1}}).value();
  ASSERT_EQ(state.gpus.size(), 3u);
  EXPECT_EQ(state.gpus[0].model, "A100-40GB");  // found by any name, stored by short name
  EXPECT_EQ(state.gpus[2].model, "H100-80GB");
  EXPECT_TRUE(state.gpus[1].mig_enabled);
  EXPECT_NE(state.gpus[0].uuid, state.gpus[1].uuid);
  EXPECT_NE(state.gpus[0].pci_bus_id, state.gpus[1].pci_bus_id);
  const FakeState parsed = Parse(SerializeFakeState(state)).value();
  EXPECT_EQ(SerializeFakeState(parsed), SerializeFakeState(state));
}

TEST(FakeStateTest, NewStateRejectsUnknownModelsAndAbsurdCounts) {
  EXPECT_THAT(NewFakeState(BuiltinCatalogForTest(), {{"Z100", 1}}), HasError(StatusCode::kNotFound, "A100-40GB"));
  EXPECT_THAT(NewFakeState(BuiltinCatalogForTest(), {{"A30", 0}}), HasCode(StatusCode::kInvalidArgument));
  EXPECT_THAT(NewFakeState(BuiltinCatalogForTest(), {{"A30", 100000}}), HasCode(StatusCode::kInvalidArgument));
}

TEST(FakeStateTest, ErrorsNameTheItem) {
  // Issue 16: a number beyond a double aborted the process (exit 134).
  EXPECT_THAT(Parse("{\"gpus\": [{\"model\": \"A30\",\n \"serial\": 1e400}]}"),
              HasError(StatusCode::kInvalidArgument, "state.json:2: malformed JSON at byte 43: [json.exception.out_of_range.406]"));
  EXPECT_THAT(Parse("{"), HasError(StatusCode::kInvalidArgument, "state.json:1: malformed JSON at byte"));
  EXPECT_THAT(Parse(R"({"gpus": [], "gpuz": 1})"), HasError(StatusCode::kInvalidArgument, "unknown key 'gpuz'"));
  EXPECT_THAT(Parse(R"({})"), HasError(StatusCode::kInvalidArgument, "state.json: gpus: is required"));
  const std::string gpu =
      R"({"model": "A100-40GB", "uuid": "GPU-1", "pci_bus_id": "0:1:0.0", "mig_enabled": true, "mig_pending": true, )";
  EXPECT_THAT(Parse(R"({"gpus": [)" + gpu + R"("gpu_instances": [{"id": 1, "profile_id": 9, "strat": 0}]}]})"),
              HasError(StatusCode::kInvalidArgument, "gpus[0].gpu_instances[0]: unknown key 'strat'"));
  EXPECT_THAT(Parse(R"({"gpus": [)" + gpu + R"("gpu_instances": [{"id": -1, "profile_id": 9, "start": 0, "serial": 1,
                   "compute_instances": []}]}]})"),
              HasError(StatusCode::kInvalidArgument, "gpus[0].gpu_instances[0].id: must be between"));
  EXPECT_THAT(Parse(R"({"gpus": [{"model": "Z100"}]})"), HasError(StatusCode::kNotFound, "gpus[0].model"));
  EXPECT_THAT(Parse(R"({"gpus": [], "fail": {"call": "nvmlFrobnicate", "error": "NVML_ERROR_UNKNOWN"}})"),
              HasError(StatusCode::kInvalidArgument, "fail.call: 'nvmlFrobnicate' is not an NVML call"));
  EXPECT_THAT(Parse(R"({"gpus": [], "fail": [{"call": "nvmlInit_v2", "error": "NVML_SUCCESS"}]})"),
              HasError(StatusCode::kInvalidArgument, "fail[0].error: 'NVML_SUCCESS' is not an NVML error"));
  EXPECT_THAT(Parse(R"({"gpus": [], "kill_after_mutations": 0})"),
              HasError(StatusCode::kInvalidArgument, "kill_after_mutations: must be between 1"));
  EXPECT_THAT(Parse(R"({"gpus": [)" + gpu + R"("gpu_instances": [], "processes": [{"pid": 5, "gpu_instance": 1}]}]})"),
              HasError(StatusCode::kInvalidArgument, "gpus[0].processes[0]: give both"));
}

// Regression (issue 16): two devices with one UUID (or one PCI bus id) were
// accepted, and lookups by UUID picked one of them.
TEST(FakeStateTest, DuplicateDeviceIdsAreErrorsNamingBothItems) {
  const auto gpu = [](const std::string& uuid, const std::string& bus, const std::string& ci_uuid) {
    const std::string cis = ci_uuid.empty() ? "" : R"({"id": 0, "profile_id": 0, "start": 0, "size": 1, "serial": 2, "uuid": ")" + ci_uuid + R"("})";
    return R"({"model": "A100-40GB", "uuid": ")" + uuid + R"(", "pci_bus_id": ")" + bus +
           R"(", "mig_enabled": true, "mig_pending": true, "gpu_instances": [{"id": 1, "profile_id": 19, "start": 0, "serial": 1, "compute_instances": [)" +
           cis + "]}]}";
  };
  ASSERT_THAT(Parse(R"({"gpus": [)" + gpu("GPU-1", "0:1:0.0", "MIG-1") + "," + gpu("GPU-2", "0:2:0.0", "MIG-2") + "]}"),
              IsOk());
  EXPECT_THAT(Parse(R"({"gpus": [)" + gpu("GPU-1", "0:1:0.0", "") + "," + gpu("GPU-1", "0:2:0.0", "") + "]}"),
              HasError(StatusCode::kInvalidArgument, "state.json: gpus[1].uuid: 'GPU-1' is already used by gpus[0].uuid"));
  EXPECT_THAT(Parse(R"({"gpus": [)" + gpu("GPU-1", "0:1:0.0", "MIG-1") + "," + gpu("GPU-2", "0:2:0.0", "MIG-1") + "]}"),
              HasError(StatusCode::kInvalidArgument,
                       "gpus[1].gpu_instances[0].compute_instances[0].uuid: 'MIG-1' is already used by "
                       "gpus[0].gpu_instances[0].compute_instances[0].uuid"));
  EXPECT_THAT(Parse(R"({"gpus": [)" + gpu("GPU-1", "0:1:0.0", "GPU-2") + "," + gpu("GPU-2", "0:2:0.0", "") + "]}"),
              HasError(StatusCode::kInvalidArgument, "gpus[1].uuid: 'GPU-2' is already used by"));
  EXPECT_THAT(Parse(R"({"gpus": [)" + gpu("GPU-1", "0:1:0.0", "") + "," + gpu("GPU-2", "0:1:0.0", "") + "]}"),
              HasError(StatusCode::kInvalidArgument, "gpus[1].pci_bus_id: '0:1:0.0' is already used by gpus[0].pci_bus_id"));
}

TEST(FakeStateTest, FailureAsObjectOrListAndDefaults) {
  const FakeState one =
      Parse(R"({"gpus": [], "fail": {"call": "nvmlGpuInstanceDestroy", "error": "NVML_ERROR_IN_USE"}})").value();
  ASSERT_EQ(one.failures.size(), 1u);
  EXPECT_EQ(one.failures[0].nth, 1);
  EXPECT_EQ(one.failures[0].error, NVML_ERROR_IN_USE);
  const FakeState two = Parse(R"({"gpus": [], "fail": [{"call": "nvmlInit_v2", "nth": 3, "error": "NVML_ERROR_UNKNOWN"},
                                   {"call": "nvmlDeviceGetCount_v2", "error": "NVML_ERROR_TIMEOUT"}]})")
                            .value();
  ASSERT_EQ(two.failures.size(), 2u);
  EXPECT_EQ(two.failures[0].nth, 3);
}

TEST(FakeStateTest, UnreadableOrUnwritablePathsAreErrors) {
  EXPECT_THAT(ReadFakeState("/nonexistent/state.json", BuiltinCatalogForTest()), HasCode(StatusCode::kNotFound));
  EXPECT_THAT(WriteFakeStateAtomically(FakeState{}, "/nonexistent/dir/state.json"),
              HasError(StatusCode::kUnavailable, "cannot create"));
}

}  // namespace
}  // namespace migsched::nvml::fake
