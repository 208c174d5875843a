// Test fixture for everything that drives the fake NVML library through the
// real dlopen path: a per-test state file, the environment pointing at it and
// at the built libmigsched-fake-nvml.so, and helpers to read and edit the state
// the way a test marks an instance busy or scripts a failure.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <ostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nvml/fake/fake_state.h"
#include "nvml/nvml_library.h"
#include "testing/catalog_fixture.h"

#ifndef MIGSCHED_FAKE_NVML_PATH
#error "the build passes the fake library's path as MIGSCHED_FAKE_NVML_PATH"
#endif

namespace migsched::nvml::testing {

class FakeNvmlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    state_path_ = ::testing::TempDir() + "fake_nvml_" + test->test_suite_name() + "_" + test->name() + "_" +
                  std::to_string(getpid()) + ".json";
    setenv(fake::kStateEnv, state_path_.c_str(), 1);
    setenv(kLibraryEnv, MIGSCHED_FAKE_NVML_PATH, 1);
  }
  void TearDown() override { std::remove(state_path_.c_str()); }

  // A machine with these GPUs, MIG mode on, no instances.
  void InitMachine(const std::vector<std::pair<std::string, int>>& gpus) {
    Result<fake::FakeState> state = fake::NewFakeState(migsched::testing::BuiltinCatalogForTest(), gpus);
    ASSERT_TRUE(state.has_value()) << state.error().ToString();
    WriteState(*state);
  }
  fake::FakeState ReadState() const {
    Result<fake::FakeState> state = fake::ReadFakeState(state_path_, migsched::testing::BuiltinCatalogForTest());
    if (!state.has_value()) {
      ADD_FAILURE() << state.error().ToString();
      return {};
    }
    return std::move(state).value();
  }
  void WriteState(const fake::FakeState& state) const {
    const Status written = fake::WriteFakeStateAtomically(state, state_path_);
    ASSERT_TRUE(written.ok()) << written.ToString();
  }

  std::string state_path_;
};

// The fake library loaded with dlopen and initialised, for tests of exact
// NVML return codes; shuts NVML down when it goes.
class RawNvml {
 public:
  RawNvml() {
    Result<std::unique_ptr<NvmlLibrary>> loaded = NvmlLibrary::Load(MIGSCHED_FAKE_NVML_PATH);
    if (!loaded.has_value()) {
      ADD_FAILURE() << loaded.error().ToString();
      return;
    }
    library_ = std::move(loaded).value();
    init_ = library_->fn().nvmlInit_v2();
  }
  ~RawNvml() {
    if (library_ && init_ == NVML_SUCCESS) library_->fn().nvmlShutdown();
  }
  RawNvml(const RawNvml&) = delete;
  RawNvml& operator=(const RawNvml&) = delete;

  nvmlReturn_t init_result() const { return init_; }
  const NvmlFunctions& fn() const { return library_->fn(); }
  nvmlDevice_t Device(unsigned index) const {
    nvmlDevice_t device = nullptr;
    EXPECT_EQ(fn().nvmlDeviceGetHandleByIndex_v2(index, &device), NVML_SUCCESS);
    return device;
  }
  // Creates a GI by catalog profile name; returns NVML's code and the handle.
  std::pair<nvmlReturn_t, nvmlGpuInstance_t> CreateGi(unsigned index, const geometry::GpuModel& model,
                                                      const std::string& profile, unsigned start) const {
    const geometry::GiProfile& p = model.profiles[static_cast<size_t>(migsched::testing::Profile(model, profile))];
    const nvmlGpuInstancePlacement_t placement{start, static_cast<unsigned>(p.memory_slices)};
    nvmlGpuInstance_t gi = nullptr;
    const nvmlReturn_t code =
        fn().nvmlDeviceCreateGpuInstanceWithPlacement(Device(index), static_cast<unsigned>(p.id), &placement, &gi);
    return {code, gi};
  }
  std::pair<nvmlReturn_t, nvmlComputeInstance_t> CreateCi(nvmlGpuInstance_t gi, unsigned ci_profile) const {
    nvmlComputeInstance_t ci = nullptr;
    const nvmlReturn_t code = fn().nvmlGpuInstanceCreateComputeInstance(gi, ci_profile, &ci);
    return {code, ci};
  }

 private:
  std::unique_ptr<NvmlLibrary> library_;
  nvmlReturn_t init_ = NVML_ERROR_UNINITIALIZED;
};

}  // namespace migsched::nvml::testing

// gtest prints NVML return codes by name (found by ADL: the enum is global).
inline void PrintTo(nvmlReturn_t code, std::ostream* os) { *os << migsched::nvml::ReturnCodeName(code); }
