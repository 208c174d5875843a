// Fills a `migsched serve` state directory with a large store, for
// bench/serve_load.sh to time a restart: N jobs on a 10,000-GPU fleet
// (1,250 nodes x 8 H100-80GB), two running 1g.10gb jobs per GPU (20,000),
// 1,000 queued, and the rest finished — the rows exactly as serve writes them.
//   serve_restart_bench STATE_DIR [JOBS]
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "daemon/store.h"
#include "io/catalog_loader.h"

namespace {

using migsched::daemon::GpuRow;
using migsched::daemon::JobRow;
using migsched::daemon::NodeRow;
using migsched::daemon::StoreBatch;

std::string Spec(const std::string& name) {
  return R"({"name":")" + name + R"(","tenant":"","priority":0,"kind":"inference","profile":"1g.10gb"})";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: serve_restart_bench STATE_DIR [JOBS]\n";
    return 2;
  }
  const std::string dir = argv[1];
  const std::int64_t total = argc > 2 ? std::stoll(argv[2]) : 1000000;
  const auto catalog = migsched::io::LoadCatalog({});
  const int profile = *(*catalog->Find("H100-80GB"))->FindProfile("1g.10gb");
  auto store = migsched::daemon::Store::Open(dir, {.synchronous_full = false});
  if (!store.has_value()) {
    std::cerr << store.error().message() << "\n";
    return 1;
  }
  const auto started = std::chrono::steady_clock::now();
  constexpr int kNodes = 1250, kGpusPerNode = 8;
  std::uint64_t id = 1;
  StoreBatch batch;
  for (int n = 0; n < kNodes; ++n) {
    const std::string node = "fake-" + std::to_string(n);
    batch.nodes.push_back(NodeRow{.name = node, .position = n, .generation = 1, .applied_generation = 1});
    for (int i = 0; i < kGpusPerNode; ++i) {
      const int g = n * kGpusPerNode + i;
      std::string layout = "[";
      for (int start = 0; start < 2; ++start, ++id) {
        layout += std::string(start ? "," : "") + R"({"profile":"1g.10gb","start":)" + std::to_string(start) +
                  R"(,"job":)" + std::to_string(id) + "}";
        batch.jobs.push_back(JobRow{.id = id, .name = "run-" + std::to_string(id), .spec_json = Spec("run-" + std::to_string(id)),
                                    .state = "running",
                                    .placement_json = R"([{"gpu":)" + std::to_string(g) + R"(,"profile":)" +
                                                      std::to_string(profile) + R"(,"start":)" + std::to_string(start) + "}]",
                                    .queue_seq = static_cast<std::int64_t>(id)});
      }
      batch.gpus.push_back(GpuRow{.node = node, .index = i, .position = g, .model = "H100-80GB",
                                  .layout_json = layout + "]"});
    }
  }
  // Queued jobs cannot fit (the fleet is cordoned by nothing, so make them
  // whole-GPU gangs larger than the fleet would be infeasible: use 7g.80gb,
  // which no GPU with two 1g.10gb has room for).
  for (int q = 0; q < 1000; ++q, ++id) {
    const std::string name = "wait-" + std::to_string(id);
    batch.jobs.push_back(JobRow{.id = id, .name = name,
                                .spec_json = R"({"name":")" + name + R"(","tenant":"","priority":0,"kind":"inference","profile":"7g.80gb"})",
                                .state = "queued", .placement_json = "[]", .queue_seq = static_cast<std::int64_t>(id)});
  }
  if (auto s = (*store)->Commit(batch); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 1;
  }
  while (static_cast<std::int64_t>(id) <= total) {
    StoreBatch finished;
    for (int k = 0; k < 50000 && static_cast<std::int64_t>(id) <= total; ++k, ++id) {
      const std::string name = "done-" + std::to_string(id);
      finished.jobs.push_back(JobRow{.id = id, .name = name, .spec_json = Spec(name), .state = "finished",
                                     .placement_json = "[]", .queue_seq = static_cast<std::int64_t>(id),
                                     .reason = "released"});
    }
    if (auto s = (*store)->Commit(finished); !s.ok()) {
      std::cerr << s.message() << "\n";
      return 1;
    }
  }
  StoreBatch meta;
  meta.meta = {{"next_job_id", std::to_string(id)}, {"next_queue_seq", std::to_string(id)}};
  (void)(*store)->Commit(meta);
  std::printf("wrote %llu jobs (20,000 running, 1,000 queued) on 10,000 GPUs in %.1f s\n",
              static_cast<unsigned long long>(id - 1),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return 0;
}
