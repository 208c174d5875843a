// plan.json written straight into its stream, one GPU, operation, unplaced
// workload or workload's resource names per line: no document tree, so at 100,000 GPUs the writer holds a
// line and a buffer, not a copy of the fleet as JSON values (see
// bench/plan_outputs.sh). The compact form names each distinct layout and
// operation list once and gives every GPU two indexes into them.
#include <charconv>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/check.h"
#include "geometry/mig_op.h"
#include "io/json_string.h"
#include "plan/plan_json.h"

namespace migsched::plan {
namespace {

using fleet::FleetGpu;
using fleet::FleetInstance;
using geometry::GpuModel;

// Collects text and hands it to the stream in large pieces.
class Buffered {
 public:
  explicit Buffered(std::ostream& out) : out_(out) {}
  Buffered(const Buffered&) = delete;
  Buffered& operator=(const Buffered&) = delete;
  ~Buffered() { Flush(); }

  Buffered& operator<<(std::string_view text) {
    text_ += text;
    if (text_.size() >= kFlushBytes) Flush();
    return *this;
  }
  Buffered& operator<<(int value) {
    char digits[16];
    text_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
    return *this;
  }

 private:
  static constexpr size_t kFlushBytes = 1 << 20;
  void Flush() {
    out_.write(text_.data(), static_cast<std::streamsize>(text_.size()));
    text_.clear();
  }
  std::ostream& out_;
  std::string text_;
};

std::string Quoted(std::string_view text) {
  std::string out;
  io::AppendJsonString(out, text);
  return out;
}

// `"model": ..., "mig_enabled": ..., ` and the instances or the whole-GPU
// workload: what the expanded and compact forms both say of a layout.
std::string LayoutFields(const FleetGpu& gpu) {
  std::string out = "\"model\": " + Quoted(gpu.model->name) +
                    ", \"mig_enabled\": " + (gpu.mig_enabled ? "true" : "false");
  if (!gpu.mig_enabled) return out + ", \"workload\": " + Quoted(gpu.whole_gpu_workload);
  out += ", \"instances\": [";
  for (size_t i = 0; i < gpu.instances.size(); ++i) {
    const geometry::GpuInstance& instance = gpu.instances[i].instance;
    out += (i == 0 ? "" : ", ");
    out += "{\"profile\": " + Quoted(gpu.model->profiles[static_cast<size_t>(instance.profile)].name) +
           ", \"start\": " + std::to_string(instance.placement.start) +
           ", \"size\": " + std::to_string(instance.placement.size) +
           ", \"workload\": " + Quoted(gpu.instances[i].workload) + "}";
  }
  return out + "]";
}

// `"op": ..., "profile": ..., "start": ...` (no profile or start for MIG mode ops).
std::string OpFields(const GpuModel& model, const TransitionOp& op) {
  std::string out = "\"op\": \"" + std::string(geometry::MigOpKindName(op.kind)) + "\"";
  if (geometry::IsMigModeOp(op.kind)) return out;
  return out + ", \"profile\": " + Quoted(model.profiles[static_cast<size_t>(op.profile)].name) +
         ", \"start\": " + std::to_string(op.start);
}

void WriteHeader(const PlanDocument& plan, Buffered& out) {
  out << "{\n  \"gpus_used\": " << plan.gpus_used
      << ",\n  \"lower_bound\": " << nlohmann::json(plan.lower_bound).dump()
      << ",\n  \"gap\": " << nlohmann::json(plan.gap).dump()
      << ",\n  \"method\": " << Quoted(plan.method) << ",\n";
}

void WriteUnplaced(const PlanDocument& plan, Buffered& out) {
  out << "  \"unplaced\": [";
  for (size_t i = 0; i < plan.unplaced.size(); ++i) {
    const Unplaced& u = plan.unplaced[i];
    out << (i == 0 ? "\n" : ",\n") << "    {\"workload\": " << Quoted(u.workload)
        << ", \"replicas\": " << u.replicas << ", \"reason\": " << Quoted(u.reason) << "}";
  }
  out << (plan.unplaced.empty() ? "]" : "\n  ]");
}

// One workload per line.
void WriteWorkloads(const PlanDocument& plan, Buffered& out) {
  out << "  \"workloads\": [";
  for (size_t i = 0; i < plan.workloads.size(); ++i) {
    const WorkloadResources& w = plan.workloads[i];
    out << (i == 0 ? "\n" : ",\n") << "    {\"name\": " << Quoted(w.name) << ", \"resources\": [";
    for (size_t j = 0; j < w.resources.size(); ++j) {
      const WorkloadResource& r = w.resources[j];
      out << (j == 0 ? "{" : ", {") << "\"model\": " << Quoted(r.model) << ", \"profile\": " << Quoted(r.profile)
          << ", \"replicas\": " << r.replicas << ", \"kubernetes\": " << Quoted(r.kubernetes)
          << ", \"slurm\": " << Quoted(r.slurm) << "}";
    }
    out << "]}";
  }
  out << (plan.workloads.empty() ? "]" : "\n  ]");
}

// Calls `each(gpu, first, last)` for every GPU with the range of its
// operations; operations come per GPU in fleet order (TransitionPlan's order).
template <typename Each>
void ForEachGpuWithOps(const PlanDocument& plan, Each each) {
  size_t op = 0;
  for (const FleetGpu& gpu : plan.gpus.gpus) {
    const size_t first = op;
    while (op < plan.operations.size() && plan.operations[op].node == gpu.node &&
           plan.operations[op].gpu == gpu.index) {
      ++op;
    }
    each(gpu, first, op);
  }
  // An operation left over names a GPU out of fleet order or not in the plan.
  MIGSCHED_CHECK(op == plan.operations.size());
}

void WriteExpanded(const PlanDocument& plan, Buffered& out) {
  out << "  \"gpus\": [";
  bool first_line = true;
  for (const FleetGpu& gpu : plan.gpus.gpus) {
    out << (first_line ? "\n" : ",\n") << "    {\"node\": " << Quoted(gpu.node)
        << ", \"index\": " << gpu.index << ", " << LayoutFields(gpu) << "}";
    first_line = false;
  }
  out << (plan.gpus.gpus.empty() ? "],\n" : "\n  ],\n");
  WriteUnplaced(plan, out);
  out << ",\n";
  WriteWorkloads(plan, out);
  out << ",\n  \"operations\": [";
  first_line = true;
  ForEachGpuWithOps(plan, [&](const FleetGpu& gpu, size_t first, size_t last) {
    for (size_t i = first; i < last; ++i) {
      out << (first_line ? "\n" : ",\n") << "    {\"node\": " << Quoted(gpu.node)
          << ", \"gpu\": " << gpu.index << ", " << OpFields(*gpu.model, plan.operations[i]) << "}";
      first_line = false;
    }
  });
  out << (plan.operations.empty() ? "]\n}\n" : "\n  ]\n}\n");
}

// Distinct texts in order of first use, each with its index.
class TextTable {
 public:
  int Add(std::string text) {
    const auto [it, added] = index_.emplace(std::move(text), static_cast<int>(order_.size()));
    if (added) order_.push_back(&it->first);
    return it->second;
  }
  void Write(std::string_view key, Buffered& out) const {
    out << "  \"" << key << "\": [";
    for (size_t i = 0; i < order_.size(); ++i) out << (i == 0 ? "\n    " : ",\n    ") << *order_[i];
    out << (order_.empty() ? "],\n" : "\n  ],\n");
  }

 private:
  std::unordered_map<std::string, int> index_;
  std::vector<const std::string*> order_;  // keys of index_, which never move
};

void WriteCompact(const PlanDocument& plan, Buffered& out) {
  TextTable layouts;
  TextTable operation_lists;
  // Per GPU: its layout and operation list, node lines written after the tables.
  std::vector<std::pair<int, int>> refs;
  refs.reserve(plan.gpus.gpus.size());
  ForEachGpuWithOps(plan, [&](const FleetGpu& gpu, size_t first, size_t last) {
    std::string ops = "[";
    for (size_t i = first; i < last; ++i) {
      ops += (i == first ? "{" : ", {") + OpFields(*gpu.model, plan.operations[i]) + "}";
    }
    refs.emplace_back(layouts.Add("{" + LayoutFields(gpu) + "}"), operation_lists.Add(ops + "]"));
  });
  layouts.Write("layouts", out);
  operation_lists.Write("operation_lists", out);
  out << "  \"nodes\": [";
  const std::vector<FleetGpu>& gpus = plan.gpus.gpus;
  for (size_t i = 0; i < gpus.size(); ++i) {
    const bool new_node = i == 0 || gpus[i].node != gpus[i - 1].node;
    if (new_node) out << (i == 0 ? "\n" : "]},\n") << "    {\"node\": " << Quoted(gpus[i].node) << ", \"gpus\": [";
    out << (new_node ? "[" : ", [") << gpus[i].index << ", " << refs[i].first << ", " << refs[i].second << "]";
  }
  out << (gpus.empty() ? "],\n" : "]}\n  ],\n");
  WriteUnplaced(plan, out);
  out << ",\n";
  WriteWorkloads(plan, out);
  out << "\n}\n";
}

}  // namespace

void WritePlanJson(const PlanDocument& plan, PlanJsonForm form, std::ostream& stream) {
  Buffered out(stream);
  WriteHeader(plan, out);
  if (form == PlanJsonForm::kCompact) {
    WriteCompact(plan, out);
  } else {
    WriteExpanded(plan, out);
  }
}

std::string WritePlanJson(const PlanDocument& plan, PlanJsonForm form) {
  std::ostringstream out;
  WritePlanJson(plan, form, out);
  return std::move(out).str();
}

}  // namespace migsched::plan
