// Which of the device plugin's MIG devices pods hold now, for the report to
// `migsched serve` (PUT /v1/nodes/{node}/external-holds) that keeps
// repartitions off them. kubelet's PodResources List says which devices its
// pods hold; but kubelet records an allocation only after the plugin's
// Allocate returned, so a List that began before an Allocate may miss it.
// The plugin therefore logs every Allocate (AllocationLog) and counts a
// device allocated after the List began as held too. Pure, apart from the
// log's mutex.
#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace migsched::k8s {

// One container's devices of one resource, as PodResources lists them.
struct PodDevices {
  std::string pod;  // "namespace/name", for logs
  std::string resource;
  std::vector<std::string> device_ids;
  friend bool operator==(const PodDevices&, const PodDevices&) = default;
};

// Every Allocate the plugin answered, numbered in order. Thread-safe: the
// gRPC threads record, the plugin's loop reads.
class AllocationLog {
 public:
  void Record(const std::vector<std::string>& device_ids);
  // The number of the last allocation recorded (0: none yet): take it just
  // before a List begins.
  std::uint64_t Mark() const;
  // Device IDs allocated after `mark`; forgets those allocated up to it
  // (the List begun after them has answered).
  std::vector<std::string> TakeAfter(std::uint64_t mark);

 private:
  mutable std::mutex mutex_;
  std::uint64_t last_ = 0;
  std::vector<std::pair<std::uint64_t, std::string>> entries_;  // ascending numbers
};

// The MIG device IDs held by pods: those `listed` for a resource in
// `resources` (the plugin's own: another plugin's devices are not ours to
// report), and those allocated since the List began. Sorted, unique.
std::vector<std::string> DevicesHeldByPods(const std::vector<PodDevices>& listed,
                                           const std::set<std::string>& resources,
                                           const std::vector<std::string>& allocated_since);

}  // namespace migsched::k8s
