#include "plan/config_packing.h"

#include <glpk.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>
#include <set>

namespace migsched::plan {
namespace {

// Column numbering of the integer program (GLPK columns are 1-based).
struct Columns {
  std::vector<std::vector<int>> x;  // [model][config]
  std::vector<std::vector<int>> y;  // [class][option]
  std::vector<int> u;               // [class]
  int count = 0;
};

// One program of the lexicographic sequence (see config_packing.h).
struct Stage {
  std::vector<int64_t> replicas;  // [class] replicas in demand at this stage
  std::vector<int64_t> penalty;   // [class] cost of one unplaced replica, in GPUs
  struct Cap {
    std::vector<size_t> classes;
    int64_t most_unplaced = 0;
  };
  std::vector<Cap> caps;          // levels solved before: their u stay within
};

// What is left of the time limit, read from the injected clock.
class Budget {
 public:
  explicit Budget(const PackingOptions& options)
      : now_ms_(options.now_ms),
        limit_ms_(std::max(1, options.time_limit_ms)),
        end_ms_(now_ms_ ? now_ms_() + limit_ms_ : 0) {}

  // GLPK's tm_lim for the next call: what is left, 0 once spent.
  int LeftMs() const {
    if (!now_ms_) return limit_ms_;
    return static_cast<int>(std::clamp<int64_t>(end_ms_ - now_ms_(), 0, INT_MAX));
  }
  bool Spent() const { return LeftMs() == 0; }

 private:
  std::function<int64_t()> now_ms_;
  int limit_ms_;
  int64_t end_ms_;
};

// How many replicas of a spread class with option `item` one GPU laid out
// as `config` takes: its slots of the item, at most max_per_gpu.
int SpreadSlots(const PackingClass& cls, size_t item, const std::vector<int>& config) {
  const int slots = config[item];
  return cls.max_per_gpu > 0 ? std::min(slots, cls.max_per_gpu) : slots;
}

// Numbers x, then per class its y and u.
Columns NumberColumns(const PackingProblem& problem) {
  Columns cols;
  int col = 0;
  for (const PackingModel& model : problem.models) {
    cols.x.emplace_back();
    for (size_t c = 0; c < model.configs.size(); ++c) cols.x.back().push_back(++col);
  }
  for (const PackingClass& k : problem.classes) {
    cols.y.emplace_back();
    for (size_t o = 0; o < k.options.size(); ++o) cols.y.back().push_back(++col);
    cols.u.push_back(++col);
  }
  cols.count = col;
  return cols;
}

struct GlpDeleter {
  void operator()(glp_prob* p) const { glp_delete_prob(p); }
};
using GlpProblem = std::unique_ptr<glp_prob, GlpDeleter>;

class Builder {
 public:
  Builder(const PackingProblem& problem, const Stage& stage) : problem_(problem), stage_(stage) {}

  GlpProblem Build(const Columns& cols) {
    GlpProblem lp(glp_create_prob());
    glp_set_obj_dir(lp.get(), GLP_MIN);
    glp_add_cols(lp.get(), cols.count);
    for (int j = 1; j <= cols.count; ++j) {
      glp_set_col_kind(lp.get(), j, GLP_IV);
      glp_set_col_bnds(lp.get(), j, GLP_LO, 0, 0);
    }
    for (const auto& model_cols : cols.x) {
      for (int j : model_cols) glp_set_obj_coef(lp.get(), j, 1);
    }
    for (size_t k = 0; k < problem_.classes.size(); ++k) {
      glp_set_obj_coef(lp.get(), cols.u[k], static_cast<double>(stage_.penalty[k]));
    }

    // Cover rows, one per (model, item).
    std::vector<std::vector<int>> cover_row(problem_.models.size());
    for (size_t m = 0; m < problem_.models.size(); ++m) {
      const PackingModel& model = problem_.models[m];
      for (int i = 0; i < model.items; ++i) {
        const int row = AddRow(lp.get(), GLP_LO, 0);
        cover_row[m].push_back(row);
        for (size_t c = 0; c < model.configs.size(); ++c) {
          const int a = model.configs[c][static_cast<size_t>(i)];
          if (a != 0) Add(row, cols.x[m][c], a);
        }
      }
    }
    for (size_t k = 0; k < problem_.classes.size(); ++k) {
      const PackingClass& cls = problem_.classes[k];
      const int row = AddRow(lp.get(), GLP_FX, static_cast<double>(stage_.replicas[k]));
      for (size_t o = 0; o < cls.options.size(); ++o) {
        const PackingOption& opt = cls.options[o];
        Add(row, cols.y[k][o], 1);
        Add(cover_row[static_cast<size_t>(opt.model)][static_cast<size_t>(opt.item)],
            cols.y[k][o], -1);
      }
      Add(row, cols.u[k], 1);
    }
    for (size_t m = 0; m < problem_.models.size(); ++m) {
      const int row = AddRow(lp.get(), GLP_UP, static_cast<double>(problem_.models[m].gpus));
      for (int j : cols.x[m]) Add(row, j, 1);
    }
    for (const Stage::Cap& cap : stage_.caps) {
      const int row = AddRow(lp.get(), GLP_UP, static_cast<double>(cap.most_unplaced));
      for (size_t k : cap.classes) Add(row, cols.u[k], 1);
    }
    for (size_t k = 0; k < problem_.classes.size(); ++k) AddSpreadRows(lp.get(), cols, k);
    glp_load_matrix(lp.get(), static_cast<int>(ia_.size()) - 1, ia_.data(), ja_.data(),
                    ar_.data());
    return lp;
  }

 private:
  void AddSpreadRows(glp_prob* lp, const Columns& cols, size_t k) {
    const PackingClass& cls = problem_.classes[k];
    if (cls.most_placed >= 0) {
      const int row = AddRow(lp, GLP_UP, static_cast<double>(cls.most_placed));
      for (int j : cols.y[k]) Add(row, j, 1);
    }
    if (cls.max_per_gpu <= 0) return;
    for (size_t o = 0; o < cls.options.size(); ++o) {
      const auto m = static_cast<size_t>(cls.options[o].model);
      const int row = AddRow(lp, GLP_UP, 0);
      Add(row, cols.y[k][o], 1);
      for (size_t c = 0; c < problem_.models[m].configs.size(); ++c) {
        const int a = SpreadSlots(cls, static_cast<size_t>(cls.options[o].item), problem_.models[m].configs[c]);
        if (a != 0) Add(row, cols.x[m][c], -a);
      }
    }
  }

  int AddRow(glp_prob* lp, int type, double bound) {
    const int row = glp_add_rows(lp, 1);
    glp_set_row_bnds(lp, row, type, type == GLP_UP ? 0 : bound, bound);
    return row;
  }
  void Add(int row, int col, double value) {
    ia_.push_back(row);
    ja_.push_back(col);
    ar_.push_back(value);
  }

  const PackingProblem& problem_;
  const Stage& stage_;
  std::vector<int> ia_{0};  // GLPK ignores element 0
  std::vector<int> ja_{0};
  std::vector<double> ar_{0};
};

int64_t Objective(const Stage& stage, const PackingSolution& s) {
  int64_t total = s.gpus;
  for (size_t k = 0; k < s.unplaced.size(); ++k) total += stage.penalty[k] * s.unplaced[k];
  return total;
}

bool WithinCaps(const Stage& stage, const PackingSolution& s) {
  return std::all_of(stage.caps.begin(), stage.caps.end(), [&](const Stage::Cap& cap) {
    int64_t unplaced = 0;
    for (size_t k : cap.classes) unplaced += s.unplaced[k];
    return unplaced <= cap.most_unplaced;
  });
}

int64_t Floor(double v) { return static_cast<int64_t>(std::floor(v + 1e-6)); }

// Greedy cover of one model's residual demand: repeatedly the configuration
// covering the most residual (weighted by item size), while GPUs last.
void Cover(const PackingModel& model, std::vector<int64_t>& counts, int64_t& used,
           std::vector<int64_t>& residual) {
  auto size_of = [&](size_t i) {
    return model.item_sizes.empty() ? int64_t{1} : int64_t{model.item_sizes[i]};
  };
  while (used < model.gpus) {
    int64_t best_score = 0;
    size_t best = 0;
    for (size_t c = 0; c < model.configs.size(); ++c) {
      int64_t score = 0;
      for (size_t i = 0; i < residual.size(); ++i) {
        if (residual[i] > 0) score += std::min<int64_t>(residual[i], model.configs[c][i]) * size_of(i);
      }
      if (score > best_score) {
        best_score = score;
        best = c;
      }
    }
    if (best_score == 0) return;
    // As many copies as the residual keeps fully using (at least one).
    int64_t copies = model.gpus - used;
    for (size_t i = 0; i < residual.size(); ++i) {
      if (model.configs[best][i] > 0) {
        copies = std::min(copies, std::max<int64_t>(1, residual[i] / model.configs[best][i]));
      }
    }
    counts[best] += copies;
    used += copies;
    for (size_t i = 0; i < residual.size(); ++i) residual[i] -= copies * model.configs[best][i];
  }
}

// Spread classes keep within their rows (rounding and the greedy cover do
// not see them): what the configurations cannot take is unplaced.
void KeepSpread(const PackingProblem& problem, PackingSolution& s) {
  for (size_t k = 0; k < problem.classes.size(); ++k) {
    const PackingClass& cls = problem.classes[k];
    int64_t placed = 0;
    for (size_t o = 0; o < cls.options.size(); ++o) {
      int64_t& assigned = s.assigned[k][o];
      if (cls.max_per_gpu > 0) {
        const auto m = static_cast<size_t>(cls.options[o].model);
        int64_t room = 0;
        for (size_t c = 0; c < problem.models[m].configs.size(); ++c) {
          room += s.config_counts[m][c] *
                  SpreadSlots(cls, static_cast<size_t>(cls.options[o].item), problem.models[m].configs[c]);
        }
        const int64_t over = std::max<int64_t>(0, assigned - room);
        assigned -= over;
        s.unplaced[k] += over;
      }
      if (cls.most_placed >= 0) {
        const int64_t over = std::max<int64_t>(0, placed + assigned - cls.most_placed);
        assigned -= over;
        s.unplaced[k] += over;
      }
      placed += assigned;
    }
  }
}

// LP rounding: floor every column, hand each class's leftover replicas to
// its options with the largest fractional parts, then cover what the floored
// configurations miss with the configuration that covers the most residual
// (weighted by item size), model by model, while GPUs last.
PackingSolution RoundAndCover(const PackingProblem& problem, const Stage& stage,
                              const std::vector<double>& value, const Columns& cols) {
  PackingSolution s;
  std::vector<std::vector<int64_t>> demand(problem.models.size());
  for (size_t m = 0; m < problem.models.size(); ++m) {
    demand[m].assign(static_cast<size_t>(problem.models[m].items), 0);
  }
  for (size_t k = 0; k < problem.classes.size(); ++k) {
    const PackingClass& cls = problem.classes[k];
    std::vector<int64_t> assigned;
    int64_t left = stage.replicas[k];
    for (int j : cols.y[k]) {
      assigned.push_back(Floor(value[static_cast<size_t>(j)]));
      left -= assigned.back();
    }
    const int64_t unplaced = std::min(left, Floor(value[static_cast<size_t>(cols.u[k])]));
    left -= unplaced;
    std::vector<size_t> order(assigned.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const double fa = value[static_cast<size_t>(cols.y[k][a])] - static_cast<double>(assigned[a]);
      const double fb = value[static_cast<size_t>(cols.y[k][b])] - static_cast<double>(assigned[b]);
      return fa > fb;
    });
    for (size_t n = 0; left > 0 && !order.empty(); ++n, --left) ++assigned[order[n % order.size()]];
    for (size_t o = 0; o < assigned.size(); ++o) {
      const PackingOption& opt = cls.options[o];
      demand[static_cast<size_t>(opt.model)][static_cast<size_t>(opt.item)] += assigned[o];
    }
    s.assigned.push_back(std::move(assigned));
    s.unplaced.push_back(unplaced + left);
  }

  // Per model: configuration counts, GPUs used and the demand not yet covered.
  std::vector<int64_t> used(problem.models.size(), 0);
  std::vector<std::vector<int64_t>> residual = demand;
  for (size_t m = 0; m < problem.models.size(); ++m) {
    const PackingModel& model = problem.models[m];
    std::vector<int64_t> counts;
    for (size_t c = 0; c < model.configs.size(); ++c) {
      counts.push_back(Floor(value[static_cast<size_t>(cols.x[m][c])]));
      used[m] += counts.back();
      for (size_t i = 0; i < residual[m].size(); ++i) {
        residual[m][i] -= counts[c] * model.configs[c][i];
      }
    }
    s.config_counts.push_back(std::move(counts));
  }
  // Cover every model; replicas a full model cannot take move to another
  // option of their class with GPUs to spare, else they are unplaced: the
  // lowest priority first, later classes before earlier ones.
  std::vector<size_t> drop_order(problem.classes.size());
  std::iota(drop_order.rbegin(), drop_order.rend(), size_t{0});
  std::stable_sort(drop_order.begin(), drop_order.end(), [&](size_t a, size_t b) {
    return problem.classes[a].priority < problem.classes[b].priority;
  });
  for (size_t pass = 0; pass <= problem.models.size(); ++pass) {
    const bool last = pass == problem.models.size();  // no more moves: drop
    bool moved = false;
    for (size_t m = 0; m < problem.models.size(); ++m) {
      Cover(problem.models[m], s.config_counts[m], used[m], residual[m]);
      for (size_t i = 0; i < residual[m].size(); ++i) {
        for (size_t n = 0; n < drop_order.size() && residual[m][i] > 0; ++n) {
          const size_t k = drop_order[n];
          for (size_t o = 0; o < problem.classes[k].options.size() && residual[m][i] > 0; ++o) {
            const PackingOption& opt = problem.classes[k].options[o];
            if (static_cast<size_t>(opt.model) != m || static_cast<size_t>(opt.item) != i) continue;
            const int64_t drop = std::min(residual[m][i], s.assigned[k][o]);
            s.assigned[k][o] -= drop;
            residual[m][i] -= drop;
            const auto other = std::find_if(
                problem.classes[k].options.begin(), problem.classes[k].options.end(),
                [&](const PackingOption& p) {
                  const auto pm = static_cast<size_t>(p.model);
                  return !last && pm != m && used[pm] < problem.models[pm].gpus;
                });
            if (other == problem.classes[k].options.end()) {
              s.unplaced[k] += drop;
              continue;
            }
            s.assigned[k][static_cast<size_t>(other - problem.classes[k].options.begin())] += drop;
            residual[static_cast<size_t>(other->model)][static_cast<size_t>(other->item)] += drop;
            moved = true;
          }
        }
      }
    }
    if (!moved) break;
  }
  KeepSpread(problem, s);
  for (int64_t u : used) s.gpus += u;
  s.method = "heuristic";
  return s;
}

PackingSolution FromMip(const PackingProblem& problem, glp_prob* lp, const Columns& cols) {
  PackingSolution s;
  for (size_t m = 0; m < problem.models.size(); ++m) {
    std::vector<int64_t> counts;
    for (int j : cols.x[m]) {
      counts.push_back(std::llround(glp_mip_col_val(lp, j)));
      s.gpus += counts.back();
    }
    s.config_counts.push_back(std::move(counts));
  }
  for (size_t k = 0; k < problem.classes.size(); ++k) {
    std::vector<int64_t> assigned;
    for (int j : cols.y[k]) assigned.push_back(std::llround(glp_mip_col_val(lp, j)));
    s.assigned.push_back(std::move(assigned));
    s.unplaced.push_back(std::llround(glp_mip_col_val(lp, cols.u[k])));
  }
  return s;
}

// Hands the LP-rounding solution to GLPK's branch-and-bound as its first
// incumbent, so that the search starts from a good bound.
struct Incumbent {
  std::vector<double> values;  // 1-based, as glp_ios_heur_sol wants
  bool given = false;
};

void Callback(glp_tree* tree, void* info) {
  auto* incumbent = static_cast<Incumbent*>(info);
  if (glp_ios_reason(tree) == GLP_IHEUR && !incumbent->given) {
    incumbent->given = true;
    glp_ios_heur_sol(tree, incumbent->values.data());
  }
}

std::vector<double> ColumnValues(const PackingProblem& problem, const PackingSolution& s,
                                 const Columns& cols) {
  std::vector<double> v(static_cast<size_t>(cols.count) + 1, 0);
  for (size_t m = 0; m < problem.models.size(); ++m) {
    for (size_t c = 0; c < cols.x[m].size(); ++c) {
      v[static_cast<size_t>(cols.x[m][c])] = static_cast<double>(s.config_counts[m][c]);
    }
  }
  for (size_t k = 0; k < problem.classes.size(); ++k) {
    for (size_t o = 0; o < cols.y[k].size(); ++o) {
      v[static_cast<size_t>(cols.y[k][o])] = static_cast<double>(s.assigned[k][o]);
    }
    v[static_cast<size_t>(cols.u[k])] = static_cast<double>(s.unplaced[k]);
  }
  return v;
}

// The LP relaxation of a stage: column values (1-based), the GPUs in them
// and the objective. Not `solved` when the time limit stopped the simplex:
// the values are then its last basis if that was feasible, else all 0.
struct LpRelaxation {
  std::vector<double> value;
  double gpus = 0;
  double objective = 0;
  bool solved = false;
};

Result<LpRelaxation> SolveRelaxation(glp_prob* lp, const Columns& cols, const Budget& budget) {
  if (budget.Spent()) return LpRelaxation{std::vector<double>(static_cast<size_t>(cols.count) + 1, 0)};
  glp_smcp simplex;
  glp_init_smcp(&simplex);
  simplex.msg_lev = GLP_MSG_OFF;
  simplex.presolve = GLP_OFF;
  simplex.tm_lim = budget.LeftMs();
  const int rc = glp_simplex(lp, &simplex);
  const int status = glp_get_status(lp);
  LpRelaxation relaxation{std::vector<double>(static_cast<size_t>(cols.count) + 1, 0), 0, 0,
                          rc == 0 && status == GLP_OPT};
  if (rc == GLP_ETMLIM && status != GLP_FEAS) return relaxation;
  if (rc != GLP_ETMLIM && !relaxation.solved) {
    return InternalError("the packing LP could not be solved (GLPK status " +
                         std::to_string(status) + ")");
  }
  relaxation.objective = glp_get_obj_val(lp);
  for (int j = 1; j <= cols.count; ++j) relaxation.value[static_cast<size_t>(j)] = glp_get_col_prim(lp, j);
  for (const auto& model_cols : cols.x) {
    for (int j : model_cols) relaxation.gpus += relaxation.value[static_cast<size_t>(j)];
  }
  return relaxation;
}

bool AnyUnplaced(const PackingSolution& s) {
  return std::any_of(s.unplaced.begin(), s.unplaced.end(), [](int64_t u) { return u > 0; });
}

// Branch-and-bound's time in a stage: an equal share of what is left with
// the stages that may follow it (LPs get all that is left: no plan without them).
struct StageTime {
  const Budget& budget;
  int later_stages = 0;
  bool later_only_if_unplaced = false;  // the first program: levels follow only then
};

// One stage: LP rounding, kept if it meets the rounded-up LP objective
// (then optimal), else branch-and-bound from the better of it and
// `incumbent` (a solution known to satisfy the stage, if any).
Result<PackingSolution> SolveStage(const PackingProblem& problem, const Stage& stage,
                                   const PackingOptions& options,
                                   const std::optional<PackingSolution>& incumbent,
                                   const StageTime& time) {
  const Budget& budget = time.budget;
  const Columns cols = NumberColumns(problem);
  GlpProblem lp = Builder(problem, stage).Build(cols);
  LpRelaxation relaxation;
  MIGSCHED_ASSIGN_OR_RETURN(relaxation, SolveRelaxation(lp.get(), cols, budget));

  PackingSolution best = RoundAndCover(problem, stage, relaxation.value, cols);
  // The rounding breaks a cap only in stages after the first, which have an incumbent.
  if (incumbent && (!WithinCaps(stage, best) || Objective(stage, *incumbent) < Objective(stage, best))) {
    best = *incumbent;
  }
  best.optimal = false;
  best.lp_bound = relaxation.solved ? relaxation.gpus : 0;
  if (!relaxation.solved) {
    best.method = "milp-time-limit";
    return best;
  }
  const auto lp_objective_ceil = static_cast<int64_t>(std::ceil(relaxation.objective - 1e-6));
  best.method = "heuristic";
  if (Objective(stage, best) <= lp_objective_ceil) {
    best.optimal = true;
    best.method = "milp-optimal";
  } else if (options.method == PackingMethod::kAuto && budget.Spent()) {
    best.method = "milp-time-limit";
  } else if (options.method == PackingMethod::kAuto) {
    Incumbent start{ColumnValues(problem, best, cols), false};
    glp_iocp mip;
    glp_init_iocp(&mip);
    mip.msg_lev = GLP_MSG_OFF;
    const bool followed = !time.later_only_if_unplaced || AnyUnplaced(best);
    mip.tm_lim = std::max(1, budget.LeftMs() / (1 + (followed ? time.later_stages : 0)));
    mip.mir_cuts = GLP_ON;
    mip.cb_func = Callback;
    mip.cb_info = &start;
    const int rc = glp_intopt(lp.get(), &mip);
    const int status = glp_mip_status(lp.get());
    if ((rc == 0 || rc == GLP_ETMLIM) && (status == GLP_OPT || status == GLP_FEAS)) {
      PackingSolution mip_solution = FromMip(problem, lp.get(), cols);
      mip_solution.lp_bound = best.lp_bound;
      const bool proven = rc == 0 && status == GLP_OPT;
      if (Objective(stage, mip_solution) <= Objective(stage, best)) best = std::move(mip_solution);
      best.optimal = proven;
      best.method = proven ? "milp-optimal" : "milp-time-limit";
    }
  }
  return best;
}

// The fewest GPUs of the LP relaxation among plans that leave no more
// unplaced per level than `caps` allow: the bound for that much work; 0 when
// the budget runs out first.
Result<double> GpuBound(const PackingProblem& problem, const std::vector<int64_t>& replicas,
                        const std::vector<Stage::Cap>& caps, const Budget& budget) {
  if (budget.Spent()) return 0.0;
  const Stage stage{replicas, std::vector<int64_t>(replicas.size(), 0), caps};
  const Columns cols = NumberColumns(problem);
  GlpProblem lp = Builder(problem, stage).Build(cols);
  LpRelaxation relaxation;
  MIGSCHED_ASSIGN_OR_RETURN(relaxation, SolveRelaxation(lp.get(), cols, budget));
  return relaxation.solved ? relaxation.gpus : 0.0;
}

// When the budget ends the sequence of stages before `level`: the last
// stage's plan keeps the levels above, and the levels from `level` down take
// the options the first program gave them, in the room left (RoundAndCover
// drops the lowest priority first).
PackingSolution FillBelow(const PackingProblem& problem, const Stage& everything, int level,
                          const PackingSolution& levels_above, const PackingSolution& first) {
  const Columns cols = NumberColumns(problem);
  std::vector<double> value = ColumnValues(problem, levels_above, cols);
  for (size_t k = 0; k < problem.classes.size(); ++k) {
    if (problem.classes[k].priority > level) continue;
    for (size_t o = 0; o < cols.y[k].size(); ++o) {
      value[static_cast<size_t>(cols.y[k][o])] = static_cast<double>(first.assigned[k][o]);
    }
    value[static_cast<size_t>(cols.u[k])] = static_cast<double>(first.unplaced[k]);
  }
  return RoundAndCover(problem, everything, value, cols);
}

// The lexicographic objective: fewer unplaced per level, highest level
// first, then fewer GPUs.
bool PlacesMore(const PackingProblem& problem, const std::set<int, std::greater<>>& levels,
                const PackingSolution& a, const PackingSolution& b) {
  for (const int level : levels) {
    int64_t unplaced_a = 0;
    int64_t unplaced_b = 0;
    for (size_t k = 0; k < problem.classes.size(); ++k) {
      if (problem.classes[k].priority != level) continue;
      unplaced_a += a.unplaced[k];
      unplaced_b += b.unplaced[k];
    }
    if (unplaced_a != unplaced_b) return unplaced_a < unplaced_b;
  }
  return a.gpus < b.gpus;
}

// "milp-optimal" < "heuristic" < "milp-time-limit": the word for a sequence
// of stages is its least certain one.
std::string WeakerMethod(const std::string& a, const std::string& b) {
  auto rank = [](const std::string& m) { return m == "milp-optimal" ? 0 : m == "heuristic" ? 1 : 2; };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace

Result<PackingSolution> SolvePacking(const PackingProblem& problem,
                                     const PackingOptions& options) {
  if (problem.classes.empty()) {  // nothing to place (GLPK rejects empty problems)
    PackingSolution empty;
    for (const PackingModel& model : problem.models) {
      empty.config_counts.emplace_back(model.configs.size(), 0);
    }
    empty.optimal = true;
    empty.method = "milp-optimal";
    return empty;
  }
  int64_t all_gpus = 0;
  for (const PackingModel& model : problem.models) all_gpus += model.gpus;
  const int64_t penalty = all_gpus + 1;  // one more replica beats any number of GPUs
  std::vector<int64_t> replicas;
  std::set<int, std::greater<>> levels;
  for (const PackingClass& cls : problem.classes) {
    replicas.push_back(cls.replicas);
    levels.insert(cls.priority);
  }

  const Budget budget(options);
  const Stage everything{replicas, std::vector<int64_t>(replicas.size(), penalty), {}};
  PackingSolution first;
  const int level_count = static_cast<int>(levels.size());
  MIGSCHED_ASSIGN_OR_RETURN(
      first, SolveStage(problem, everything, options, std::nullopt,
                        {.budget = budget,
                         .later_stages = level_count > 1 ? level_count : 0,
                         .later_only_if_unplaced = true}));
  if (!AnyUnplaced(first)) return first;  // all placed: the first program was the objective

  PackingSolution solution = first;
  std::vector<Stage::Cap> caps;
  bool stopped_early = false;  // the caps then describe the levels solved, not this plan
  if (levels.size() > 1) {
    bool optimal = true;
    std::string method = "milp-optimal";
    std::optional<PackingSolution> previous;
    int later_stages = level_count;
    for (const int level : levels) {
      --later_stages;
      if (budget.Spent()) {
        solution = previous ? FillBelow(problem, everything, level, *previous, first) : first;
        if (PlacesMore(problem, levels, first, solution)) solution = first;
        optimal = false;
        method = "milp-time-limit";
        stopped_early = true;
        break;
      }
      Stage stage{std::vector<int64_t>(replicas.size(), 0), std::vector<int64_t>(replicas.size(), 0), caps};
      Stage::Cap cap;
      for (size_t k = 0; k < replicas.size(); ++k) {
        const int priority = problem.classes[k].priority;
        if (priority >= level) stage.replicas[k] = replicas[k];
        if (priority == level) {
          stage.penalty[k] = penalty;
          cap.classes.push_back(k);
          // The previous stage did not see this level: all of it unplaced.
          if (previous) previous->unplaced[k] = replicas[k];
        }
      }
      MIGSCHED_ASSIGN_OR_RETURN(solution, SolveStage(problem, stage, options, previous,
                                                     {.budget = budget, .later_stages = later_stages}));
      optimal = optimal && solution.optimal;
      method = WeakerMethod(method, solution.method);
      for (size_t k : cap.classes) cap.most_unplaced += solution.unplaced[k];
      caps.push_back(std::move(cap));
      previous = solution;
    }
    solution.optimal = optimal;
    solution.method = method;
  } else {
    Stage::Cap cap;
    for (size_t k = 0; k < replicas.size(); ++k) {
      cap.classes.push_back(k);
      cap.most_unplaced += solution.unplaced[k];
    }
    caps.push_back(std::move(cap));
  }
  solution.lp_bound = 0;
  if (!stopped_early) {
    MIGSCHED_ASSIGN_OR_RETURN(solution.lp_bound, GpuBound(problem, replicas, caps, budget));
  }
  return solution;
}

}  // namespace migsched::plan
