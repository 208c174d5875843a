#include "plan/config_packing.h"

#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

namespace migsched::plan {
namespace {

// Column numbering of the integer program (GLPK columns are 1-based).
struct Columns {
  std::vector<std::vector<int>> x;  // [model][config]
  std::vector<std::vector<int>> y;  // [class][option]
  std::vector<int> u;               // [class]
  int count = 0;
};

struct GlpDeleter {
  void operator()(glp_prob* p) const { glp_delete_prob(p); }
};
using GlpProblem = std::unique_ptr<glp_prob, GlpDeleter>;

class Builder {
 public:
  explicit Builder(const PackingProblem& problem) : problem_(problem) {}

  GlpProblem Build(Columns& cols) {
    GlpProblem lp(glp_create_prob());
    glp_set_obj_dir(lp.get(), GLP_MIN);
    int col = 0;
    for (const PackingModel& model : problem_.models) {
      cols.x.emplace_back();
      for (size_t c = 0; c < model.configs.size(); ++c) cols.x.back().push_back(++col);
    }
    for (const PackingClass& k : problem_.classes) {
      cols.y.emplace_back();
      for (size_t o = 0; o < k.options.size(); ++o) cols.y.back().push_back(++col);
      cols.u.push_back(++col);
    }
    cols.count = col;
    glp_add_cols(lp.get(), col);
    for (int j = 1; j <= col; ++j) {
      glp_set_col_kind(lp.get(), j, GLP_IV);
      glp_set_col_bnds(lp.get(), j, GLP_LO, 0, 0);
    }
    for (const auto& model_cols : cols.x) {
      for (int j : model_cols) glp_set_obj_coef(lp.get(), j, 1);
    }
    for (size_t k = 0; k < problem_.classes.size(); ++k) {
      glp_set_obj_coef(lp.get(), cols.u[k], static_cast<double>(problem_.classes[k].penalty));
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
      const int row = AddRow(lp.get(), GLP_FX, static_cast<double>(cls.replicas));
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
    glp_load_matrix(lp.get(), static_cast<int>(ia_.size()) - 1, ia_.data(), ja_.data(),
                    ar_.data());
    return lp;
  }

 private:
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
  std::vector<int> ia_{0};  // GLPK ignores element 0
  std::vector<int> ja_{0};
  std::vector<double> ar_{0};
};

int64_t Objective(const PackingProblem& problem, const PackingSolution& s) {
  int64_t total = s.gpus;
  for (size_t k = 0; k < problem.classes.size(); ++k) {
    total += problem.classes[k].penalty * s.unplaced[k];
  }
  return total;
}

int64_t Floor(double v) { return static_cast<int64_t>(std::floor(v + 1e-6)); }

// LP rounding: floor every column, hand each class's leftover replicas to
// its options with the largest fractional parts, then cover what the floored
// configurations miss with the configuration that covers the most residual
// (weighted by item size), model by model, while GPUs last.
PackingSolution RoundAndCover(const PackingProblem& problem, const std::vector<double>& value,
                              const Columns& cols) {
  PackingSolution s;
  std::vector<std::vector<int64_t>> demand(problem.models.size());
  for (size_t m = 0; m < problem.models.size(); ++m) {
    demand[m].assign(static_cast<size_t>(problem.models[m].items), 0);
  }
  for (size_t k = 0; k < problem.classes.size(); ++k) {
    const PackingClass& cls = problem.classes[k];
    std::vector<int64_t> assigned;
    int64_t left = cls.replicas;
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

  for (size_t m = 0; m < problem.models.size(); ++m) {
    const PackingModel& model = problem.models[m];
    std::vector<int64_t> counts;
    std::vector<int64_t> residual = demand[m];
    int64_t used = 0;
    for (size_t c = 0; c < model.configs.size(); ++c) {
      counts.push_back(Floor(value[static_cast<size_t>(cols.x[m][c])]));
      used += counts.back();
      for (size_t i = 0; i < residual.size(); ++i) residual[i] -= counts[c] * model.configs[c][i];
    }
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
      if (best_score == 0) break;
      // Take as many copies as the residual keeps fully using.
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
    // Replicas the model could not cover (out of GPUs) are unplaced.
    for (size_t i = 0; i < residual.size(); ++i) {
      for (size_t k = problem.classes.size(); k-- > 0 && residual[i] > 0;) {
        for (size_t o = 0; o < problem.classes[k].options.size() && residual[i] > 0; ++o) {
          const PackingOption& opt = problem.classes[k].options[o];
          if (static_cast<size_t>(opt.model) != m || static_cast<size_t>(opt.item) != i) continue;
          const int64_t drop = std::min(residual[i], s.assigned[k][o]);
          s.assigned[k][o] -= drop;
          s.unplaced[k] += drop;
          residual[i] -= drop;
        }
      }
    }
    s.gpus += used;
    s.config_counts.push_back(std::move(counts));
  }
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

}  // namespace

Result<PackingSolution> SolvePacking(const PackingProblem& problem,
                                     const PackingOptions& options) {
  Columns cols;
  if (problem.classes.empty()) {  // nothing to place (GLPK rejects empty problems)
    PackingSolution empty;
    for (const PackingModel& model : problem.models) {
      empty.config_counts.emplace_back(model.configs.size(), 0);
    }
    empty.optimal = true;
    empty.method = "milp-optimal";
    return empty;
  }
  GlpProblem lp = Builder(problem).Build(cols);

  glp_smcp simplex;
  glp_init_smcp(&simplex);
  simplex.msg_lev = GLP_MSG_OFF;
  simplex.presolve = GLP_OFF;
  if (glp_simplex(lp.get(), &simplex) != 0 || glp_get_status(lp.get()) != GLP_OPT) {
    return InternalError("the packing LP could not be solved (GLPK status " +
                         std::to_string(glp_get_status(lp.get())) + ")");
  }
  std::vector<double> value(static_cast<size_t>(cols.count) + 1, 0);
  for (int j = 1; j <= cols.count; ++j) value[static_cast<size_t>(j)] = glp_get_col_prim(lp.get(), j);
  double lp_gpus = 0;
  for (const auto& model_cols : cols.x) {
    for (int j : model_cols) lp_gpus += value[static_cast<size_t>(j)];
  }
  const auto lp_objective_ceil =
      static_cast<int64_t>(std::ceil(glp_get_obj_val(lp.get()) - 1e-6));

  PackingSolution best = RoundAndCover(problem, value, cols);
  if (Objective(problem, best) <= lp_objective_ceil) {
    best.optimal = true;
    best.method = "milp-optimal";
  } else if (options.method == PackingMethod::kAuto) {
    Incumbent incumbent{ColumnValues(problem, best, cols), false};
    glp_iocp mip;
    glp_init_iocp(&mip);
    mip.msg_lev = GLP_MSG_OFF;
    mip.tm_lim = std::max(1, options.time_limit_ms);
    mip.mir_cuts = GLP_ON;
    mip.cb_func = Callback;
    mip.cb_info = &incumbent;
    const int rc = glp_intopt(lp.get(), &mip);
    const int status = glp_mip_status(lp.get());
    if ((rc == 0 || rc == GLP_ETMLIM) && (status == GLP_OPT || status == GLP_FEAS)) {
      PackingSolution mip_solution = FromMip(problem, lp.get(), cols);
      const bool proven = rc == 0 && status == GLP_OPT;
      if (Objective(problem, mip_solution) <= Objective(problem, best)) {
        best = std::move(mip_solution);
      }
      best.optimal = proven;
      best.method = proven ? "milp-optimal" : "milp-time-limit";
    }
  }
  best.lp_bound = lp_gpus;
  return best;
}

}  // namespace migsched::plan
