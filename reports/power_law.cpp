#include "reports/power_law.h"
#include "reports/float_constants.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

namespace rflab::reports {
namespace {

constexpr int kMaxIterations = 500;
constexpr double kStepTolerance = 1e-10;  // relative, on (log ã, log b, c)
constexpr double kMaxDamping = 1e12;      // past this no step lowers the objective: a minimum

// θ = (log ã, log b, c), where ã = a·g^(−b) is the amplitude for x̃ = x / g.
using Theta = Eigen::Vector3d;

// The data in the coordinates the optimiser sees: log x̃ and log y.
struct Problem {
  std::vector<double> log_x, log_y;
  double delta;
};

double huber(double r, double delta) {
  const double m = std::abs(r);
  return m <= delta ? 0.5 * r * r : delta * (m - 0.5 * delta);
}

// IRLS weight: ψ(r) = weight·r, so Jᵀ W r is the exact gradient of the Huber objective.
double huber_weight(double r, double delta) {
  const double m = std::abs(r);
  return m <= delta ? 1.0 : delta / m;
}

struct Model {
  double u, m;  // the power term ã·x̃^(−b) and the prediction u + c
};

Model model(const Theta& t, double log_x) {
  const double u = std::exp(t[0] - std::exp(t[1]) * log_x);
  return {u, u + t[2]};
}

double objective(const Problem& p, const Theta& t) {
  double sum = 0;
  for (size_t i = 0; i < p.log_x.size(); ++i) sum += huber(p.log_y[i] - std::log(model(t, p.log_x[i]).m), p.delta);
  return sum / static_cast<double>(p.log_x.size());
}

struct Linearisation {
  double objective;
  Eigen::Vector3d gradient;
  Eigen::Matrix3d hessian;  // Gauss–Newton: Jᵀ W J / n
};

Linearisation linearise(const Problem& p, const Theta& t) {
  Linearisation lin{0, Eigen::Vector3d::Zero(), Eigen::Matrix3d::Zero()};
  const double b = std::exp(t[1]);
  for (size_t i = 0; i < p.log_x.size(); ++i) {
    const Model mo = model(t, p.log_x[i]);
    const double r = p.log_y[i] - std::log(mo.m);
    const double w = huber_weight(r, p.delta);
    // ∂ log m / ∂θ; the residual's Jacobian is its negative.
    const Eigen::Vector3d j(mo.u / mo.m, -mo.u * p.log_x[i] * b / mo.m, 1.0 / mo.m);
    lin.objective += huber(r, p.delta);
    lin.gradient -= w * r * j;
    lin.hessian += w * j * j.transpose();
  }
  const double n = static_cast<double>(p.log_x.size());
  lin.objective /= n;
  lin.gradient /= n;
  lin.hessian /= n;
  return lin;
}

struct Optimum {
  Theta theta;
  double objective;
  bool converged;
};

// Levenberg–Marquardt with Marquardt's diagonal scaling, so the very different scales of
// log ã, log b and c need no tuning; only steps that lower the objective are taken.
Optimum minimise(const Problem& p, Theta t) {
  double lambda = 1e-3;
  Linearisation lin = linearise(p, t);
  if (!std::isfinite(lin.objective)) return {t, lin.objective, false};
  for (int it = 0; it < kMaxIterations; ++it) {
    // At the bound c = 0 with the objective wanting c < 0, c leaves the system for this step.
    const bool c_at_bound = t[2] <= 0 && lin.gradient[2] > 0;
    const Eigen::Vector3d diag = lin.hessian.diagonal().cwiseMax(1e-12 * lin.hessian.diagonal().maxCoeff());
    for (;;) {
      Eigen::Matrix3d a = lin.hessian;
      a.diagonal() += lambda * diag;
      Eigen::Vector3d rhs = -lin.gradient;
      if (c_at_bound) {
        a.row(2).setZero();
        a.col(2).setZero();
        a(2, 2) = 1;
        rhs[2] = 0;
      }
      Theta next = t + a.ldlt().solve(rhs);
      next[2] = std::max(next[2], 0.0);
      const double f = next.allFinite() ? objective(p, next) : kNaN;
      if (std::isfinite(f) && f < lin.objective) {
        const bool small = ((next - t).array().abs() <= kStepTolerance * (1 + t.array().abs())).all();
        t = next;
        lambda = std::max(lambda / 3, 1e-15);
        lin = linearise(p, t);
        if (small) return {t, lin.objective, true};
        break;
      }
      lambda *= 4;
      if (lambda > kMaxDamping) return {t, lin.objective, true};
    }
  }
  return {t, lin.objective, false};
}

bool finite(const Optimum& o) { return std::isfinite(o.objective) && o.theta.allFinite(); }
bool usable(const Optimum& o) { return o.converged && finite(o); }

// The grid of starts of the header; ã from least squares on y − c = ã·x̃^(−b), positive since
// every c of the grid lies below min y.
Optimum minimise_from_grid(const Problem& p) {
  const double min_y = std::exp(*std::min_element(p.log_y.begin(), p.log_y.end()));
  Optimum best{Theta::Zero(), std::numeric_limits<double>::infinity(), false};
  for (double b : {0.05, 0.1, 0.2, 0.35, 0.5, 0.8}) {
    for (double c : {0.0, 0.5 * min_y, 0.9 * min_y}) {
      double zz = 0, zy = 0;
      for (size_t i = 0; i < p.log_x.size(); ++i) {
        const double z = std::exp(-b * p.log_x[i]);
        zz += z * z;
        zy += z * (std::exp(p.log_y[i]) - c);
      }
      const Optimum o = minimise(p, Theta(std::log(zy / zz), std::log(b), c));
      if (finite(o) && o.objective < best.objective) best = o;
    }
  }
  return best;
}

size_t distinct_count(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return static_cast<size_t>(std::unique(v.begin(), v.end()) - v.begin());
}

// Back from θ to (a, b, c): a = ã·g^b.
PowerLawParams params(const Theta& t, double log_g) {
  const double b = std::exp(t[1]);
  return {std::exp(t[0] + b * log_g), b, t[2]};
}

Interval nan_interval() { return {kNaN, kNaN}; }

}  // namespace

double PowerLawParams::predict(double x) const { return a * std::pow(x, -b) + c; }

double PowerLawFit::predict(double x) const { return PowerLawParams{a, b, c}.predict(x); }

Interval PowerLawFit::band(double x) const {
  if (bootstrap.empty()) return nan_interval();
  std::vector<double> values;
  values.reserve(bootstrap.size());
  for (const auto& p : bootstrap) values.push_back(p.predict(x));
  return percentile_interval(values, level);
}

PowerLawFit fit_power_law(const std::vector<PowerLawPoint>& points, const PowerLawOptions& options) {
  if (!(options.huber_delta > 0))
    throw std::invalid_argument(fmt::format("power-law fit: huber_delta must be positive, got {}", options.huber_delta));
  if (options.resamples < 0)
    throw std::invalid_argument(fmt::format("power-law fit: resamples must be >= 0, got {}", options.resamples));
  if (!(options.level > 0 && options.level < 1))
    throw std::invalid_argument(fmt::format("power-law fit: level must lie in (0, 1), got {}", options.level));
  if (points.size() < 3)
    throw std::invalid_argument(fmt::format("power-law fit: needs at least 3 points, got {}", points.size()));
  for (size_t i = 0; i < points.size(); ++i) {
    const auto& pt = points[i];
    if (!(std::isfinite(pt.x) && pt.x > 0 && std::isfinite(pt.y) && pt.y > 0))
      throw std::invalid_argument(fmt::format(
          "power-law fit: point {} has x = {}, y = {}; both must be finite and positive", i, pt.x, pt.y));
  }

  // x̃ = x / g with g the geometric mean, so log x̃ is centred and ã is of the order of the loss.
  Problem full{{}, {}, options.huber_delta};
  for (const auto& pt : points) {
    full.log_x.push_back(std::log(pt.x));
    full.log_y.push_back(std::log(pt.y));
  }
  if (distinct_count(full.log_x) < 3)
    throw std::invalid_argument(fmt::format(
        "power-law fit: needs at least 3 distinct x, got {}", distinct_count(full.log_x)));
  double log_g = 0;
  for (double lx : full.log_x) log_g += lx;
  log_g /= static_cast<double>(points.size());
  for (double& lx : full.log_x) lx -= log_g;

  const Optimum best = minimise_from_grid(full);
  if (!finite(best)) throw std::runtime_error("power-law fit: no start reached a finite objective");

  PowerLawFit fit;
  const PowerLawParams p = params(best.theta, log_g);
  fit.a = p.a;
  fit.b = p.b;
  fit.c = p.c;
  fit.level = options.level;
  fit.objective = best.objective;
  fit.converged = best.converged;
  fit.n_points = static_cast<int>(points.size());
  double sum_sq = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    const double r = full.log_y[i] - std::log(model(best.theta, full.log_x[i]).m);
    sum_sq += r * r;
  }
  fit.rmse_log = std::sqrt(sum_sq / static_cast<double>(points.size()));

  // Groups in order of first appearance, so the resamples depend only on the input order.
  std::vector<std::vector<size_t>> groups;
  std::unordered_map<int64_t, size_t> group_of;
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i].group < 0) {
      groups.push_back({i});
      continue;
    }
    auto [it, inserted] = group_of.emplace(points[i].group, groups.size());
    if (inserted) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  fit.n_groups = static_cast<int>(groups.size());

  // Every resample keeps the full data's g, so the full-data optimum is a start in its coordinates.
  Resampler rng(options.seed);
  std::vector<double> as, bs, cs;
  for (int k = 0; k < options.resamples; ++k) {
    Problem sub{{}, {}, options.huber_delta};
    for (size_t g : rng.resample(groups.size()))
      for (size_t i : groups[g]) {
        sub.log_x.push_back(full.log_x[i]);
        sub.log_y.push_back(full.log_y[i]);
      }
    if (distinct_count(sub.log_x) < 3) {
      ++fit.resamples_failed;
      continue;
    }
    Optimum o = minimise(sub, best.theta);
    if (!usable(o)) o = minimise_from_grid(sub);
    if (!usable(o)) {
      ++fit.resamples_failed;
      continue;
    }
    const PowerLawParams q = params(o.theta, log_g);
    fit.bootstrap.push_back(q);
    as.push_back(q.a);
    bs.push_back(q.b);
    cs.push_back(q.c);
  }
  fit.resamples_used = static_cast<int>(fit.bootstrap.size());
  if (fit.bootstrap.empty()) {
    fit.a_ci = fit.b_ci = fit.c_ci = nan_interval();
  } else {
    fit.a_ci = percentile_interval(as, options.level);
    fit.b_ci = percentile_interval(bs, options.level);
    fit.c_ci = percentile_interval(cs, options.level);
  }
  return fit;
}

}  // namespace rflab::reports
