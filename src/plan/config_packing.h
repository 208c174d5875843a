// The configuration integer program behind the planner, independent of
// workloads and concrete GPUs (see planner.h for the whole picture).
//
// Items are what a GPU model hosts (a MIG profile, or "whole GPU"); a
// configuration is a count vector over one model's items that fits one GPU.
// Demand comes in classes: a class has a replica count and options
// (model, item) — the same shape may go to any of its options, split freely.
//
//   min  sum_{m,c} x[m][c] + sum_k penalty_k * u[k]
//   s.t. sum_c a[m][c][i] x[m][c] - sum_{k,o: o=(m,i)} y[k][o] >= 0   per (m, i)
//        sum_o y[k][o] + u[k] = replicas_k                             per class k
//        sum_c x[m][c] <= gpus_m                                       per model m
//        sum_{k in L} u[k] <= U_L                           per level L already solved
//        y[k][o] - sum_c min(s_k, a[m][c][i]) x[m][c] <= 0   per spread class k, o = (m, i)
//        sum_o y[k][o] <= P_k                                per class k with a most_placed
//        x, y, u >= 0 integer
//
// u[k] are replicas left unplaced when GPUs run out. The objective is
// lexicographic: first the most replicas placed per priority level, highest
// level first, then the fewest GPUs. One program gives it when everything
// fits (the usual case): penalties of (all GPUs + 1) per unplaced replica
// make placing one more worth more than any number of GPUs. Otherwise one
// program per level, from the highest: the levels above keep at most the
// unplaced count they reached (a row over their u), the level's own u carry
// the penalty, the levels below wait. The last of these is also the fewest
// GPUs for that much work. GLPK solves each.
//
// The time limit bounds the whole solve: every GLPK call (LP and
// branch-and-bound) gets what is left of it as its own limit, and no call
// starts once it is spent. Then the answer is the best plan so far,
// "milp-time-limit": the levels solved keep their placements, the levels not
// reached fill what room is left greedily (lowest priority dropped first).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace migsched::plan {

struct PackingModel {
  int64_t gpus = 0;                            // GPUs of this model available
  int items = 0;                               // number of items of this model
  std::vector<std::vector<int>> configs;       // [config][item] -> count
  std::vector<int> item_sizes;                 // [item] -> weight for the greedy cover
};

struct PackingOption {
  int model = 0;
  int item = 0;
};

struct PackingClass {
  int64_t replicas = 0;
  std::vector<PackingOption> options;
  int priority = 0;  // higher levels are placed first, whatever the sizes
  // Spread (a workload's max_per_gpu): at most this many of the class's
  // replicas on one GPU, so an option (m, i) takes at most
  // sum_c min(max_per_gpu, a[m][c][i]) x[m][c]; 0 = no limit.
  int max_per_gpu = 0;
  // At most this many replicas placed in all (max_per_node x the nodes the
  // class may use); negative = no limit.
  int64_t most_placed = -1;
};

struct PackingProblem {
  std::vector<PackingModel> models;
  std::vector<PackingClass> classes;
};

enum class PackingMethod { kAuto, kHeuristic };

struct PackingOptions {
  PackingMethod method = PackingMethod::kAuto;
  int time_limit_ms = 10000;  // the whole solve, every LP and branch-and-bound
  // Monotonic milliseconds, injected so that the core reads no clock (the CLI
  // passes a steady clock). Empty: each GLPK call gets the whole limit.
  std::function<int64_t()> now_ms = nullptr;
};

struct PackingSolution {
  std::vector<std::vector<int64_t>> config_counts;  // [model][config]
  std::vector<std::vector<int64_t>> assigned;       // [class][option] replicas
  std::vector<int64_t> unplaced;                    // [class]
  int64_t gpus = 0;     // sum of config_counts
  // LP relaxation: no plan placing as many replicas per level uses fewer GPUs
  // (0 when the time limit left no time to compute it).
  double lp_bound = 0;
  // Proven lexicographic optimum: no plan places more (per level, highest
  // first), and none placing as much uses fewer GPUs.
  bool optimal = false;
  std::string method;   // "milp-optimal" | "milp-time-limit" | "heuristic"
};

// Internal if GLPK fails on a well-formed problem.
Result<PackingSolution> SolvePacking(const PackingProblem& problem, const PackingOptions& options);

}  // namespace migsched::plan
