// Shorthands for scheduler tests: fleets of catalogued GPUs, requests by
// profile name, and decision accessors.
#pragma once

#include <gtest/gtest.h>

#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fleet/fleet.h"
#include "sched/scheduler.h"
#include "testing/catalog_fixture.h"

namespace migsched::sched::testing {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::Gpu;
using ::migsched::testing::Profile;

// `count` GPUs of `model` on node "node-<i / 8>", MIG enabled, no instances.
inline fleet::Fleet FleetOf(std::string_view model, int count) {
  fleet::Fleet fleet;
  for (int i = 0; i < count; ++i) {
    fleet.gpus.push_back(fleet::FleetGpu{.node = "node-" + std::to_string(i / 8),
                                         .index = i % 8,
                                         .model = &Gpu(model),
                                         .mig_enabled = true,
                                         .whole_gpu_workload = "",
                                         .whole_gpu_busy = false,
                                         .instances = {},
                                         .labels = {}});
  }
  return fleet;
}

// Each GPU of `fleet` gets `layout` as idle (preset) instances.
inline fleet::Fleet WithLayout(fleet::Fleet fleet, const std::vector<geometry::GpuInstance>& layout) {
  for (fleet::FleetGpu& gpu : fleet.gpus) {
    for (const geometry::GpuInstance& instance : layout) {
      gpu.instances.push_back(fleet::FleetInstance{.instance = instance, .workload = "", .busy = false});
    }
  }
  return fleet;
}

inline Request Mig(JobId id, std::string_view model, std::string_view profile, int priority = 0,
                   std::string tenant = "") {
  const geometry::GpuModel& m = Gpu(model);
  return Request{.id = id, .priority = priority, .tenant = std::move(tenant),
                 .kind = JobKind::kInference, .whole_gpus = 0,
                 .options = {ProfileOption{&m, Profile(m, profile)}}, .pinned = std::nullopt};
}

// A random request for the property tests: priority 0-2, tenant a-c; one
// time in `gang_one_in` a gang of 1-3 whole GPUs (half of them H100 only),
// else a MIG profile on one of the two models, or on both in random order.
inline Request RandomRequest(std::mt19937_64& rng, JobId id, const geometry::GpuModel& h100,
                             const geometry::GpuModel& a100, std::uint64_t gang_one_in) {
  const auto below = [&](std::uint64_t n) { return rng() % n; };
  Request r{.id = id, .priority = static_cast<int>(below(3)),
            .tenant = std::string(1, static_cast<char>('a' + below(3))),
            .kind = JobKind::kInference, .whole_gpus = 0, .options = {}, .pinned = std::nullopt};
  if (below(gang_one_in) == 0) {
    r.kind = JobKind::kTraining;
    r.whole_gpus = 1 + static_cast<int>(below(3));
    if (below(2) == 0) r.options.push_back(ProfileOption{&h100, 0});
    return r;
  }
  static const char* const kProfiles[] = {"1g.10gb", "1g.10gb", "1g.20gb", "2g.20gb",
                                          "3g.40gb", "4g.40gb", "7g.80gb"};
  const std::string profile = kProfiles[below(std::size(kProfiles))];
  const bool h100_first = below(2) == 0;
  const geometry::GpuModel& first = h100_first ? h100 : a100;
  const geometry::GpuModel& second = h100_first ? a100 : h100;
  r.options.push_back(ProfileOption{&first, Profile(first, profile)});
  if (below(2) == 0) r.options.push_back(ProfileOption{&second, Profile(second, profile)});
  return r;
}

inline Request Whole(JobId id, int gpus, int priority = 0) {
  return Request{.id = id, .priority = priority, .tenant = "", .kind = JobKind::kTraining,
                 .whole_gpus = gpus, .options = {}, .pinned = std::nullopt};
}

inline Scheduler Make(fleet::Fleet fleet, Options options) {
  Result<Scheduler> made = Scheduler::Create(BuiltinCatalogForTest(), std::move(fleet), std::move(options));
  if (!made.has_value()) {
    ADD_FAILURE() << made.error().ToString();
    std::abort();
  }
  return std::move(made).value();
}

// The decisions of a call that must succeed.
inline std::vector<Decision> Ok(Result<std::vector<Decision>> result) {
  if (!result.has_value()) {
    ADD_FAILURE() << result.error().ToString();
    return {};
  }
  return std::move(result).value();
}

// What a caller saves to Restore `s` later: its Snapshot, every job's view
// with the request it was submitted with (from `requests`), queued jobs
// first in queue order, its cordons and tie order.
inline RestoreInput SaveForRestore(const Scheduler& s, const std::map<JobId, Request>& requests) {
  RestoreInput input{.fleet = s.Snapshot(), .jobs = {}, .cordoned = s.Cordoned(), .tie_order = s.TieOrder()};
  const auto add = [&](JobId id) {
    const JobView view = *s.Job(id);
    input.jobs.push_back(RestoredJob{.request = requests.at(id), .state = view.state, .where = view.where,
                                     .stays_idle = view.stays_idle,
                                     .waiting_since = view.waiting_since.value_or(0),
                                     .ready_at = view.ready_at.value_or(0)});
  };
  for (const JobId id : s.Queue()) add(id);
  for (const auto& [id, request] : requests) {
    if (const std::optional<JobView> view = s.Job(id); view && view->state != JobState::kQueued) add(id);
  }
  return input;
}

// A fleet as text, every field, for comparing two Snapshots.
inline std::string Render(const fleet::Fleet& fleet) {
  std::ostringstream out;
  for (const fleet::FleetGpu& gpu : fleet.gpus) {
    out << gpu.node << "/" << gpu.index << " " << gpu.model->name << " mig=" << gpu.mig_enabled
        << " whole=" << gpu.whole_gpu_workload << "," << gpu.whole_gpu_busy << " [";
    for (const fleet::FleetInstance& i : gpu.instances) {
      out << " " << i.instance.profile << "@" << i.instance.placement.start << "+"
          << i.instance.placement.size << ":" << i.workload << "," << i.busy;
    }
    out << " ] labels=" << gpu.labels.size() << "\n";
  }
  return out.str();
}

inline std::string Render(const FleetUsage& u) {
  std::ostringstream out;
  out << "memory=" << u.memory_slices << " held=" << u.held_slices << " idle=" << u.idle_slices
      << " stranded=" << u.stranded_slices << " busy_gpus=" << u.busy_gpus << " queued=" << u.queued
      << " repartitioning=" << u.repartitioning << " running=" << u.running;
  return out.str();
}

template <typename T>
bool Is(const Decision& d) {
  return std::holds_alternative<T>(d);
}

}  // namespace migsched::sched::testing
