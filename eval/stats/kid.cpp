#include "eval/stats/kid.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "results/error.h"

namespace rflab::eval {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// (x y^T / d + 1)^3 for every pair of rows.
Eigen::MatrixXd poly3_kernel(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
  const double inv_d = 1.0 / double(x.cols());
  Eigen::ArrayXXd k = ((x * y.transpose()) * inv_d).array() + 1.0;
  return (k * k * k).matrix();
}

// Uniform integer in [0, bound) by rejection, so the draw sequence is fixed by mt19937_64
// alone (std::uniform_int_distribution differs between standard libraries).
uint64_t uniform_below(std::mt19937_64& gen, uint64_t bound) {
  const uint64_t limit = std::numeric_limits<uint64_t>::max() -
                         std::numeric_limits<uint64_t>::max() % bound;
  uint64_t r;
  do r = gen();
  while (r >= limit);
  return r % bound;
}

// The first m entries of a partial Fisher–Yates shuffle of 0..n-1.
std::vector<Eigen::Index> sample_without_replacement(std::mt19937_64& gen, Eigen::Index n,
                                                     Eigen::Index m) {
  std::vector<Eigen::Index> idx(n);
  std::iota(idx.begin(), idx.end(), Eigen::Index(0));
  for (Eigen::Index i = 0; i < m; ++i)
    std::swap(idx[i], idx[i + Eigen::Index(uniform_below(gen, uint64_t(n - i)))]);
  idx.resize(m);
  return idx;
}

}  // namespace

double mmd2_unbiased(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
  if (x.cols() != y.cols() || x.rows() < 2 || y.rows() < 2)
    throw_input_error("MMD", "samples", "two samples of >= 2 rows of equal dimension",
                      fmt::format("{} x {} and {} x {}", x.rows(), x.cols(), y.rows(), y.cols()));
  const double m = double(x.rows()), n = double(y.rows());
  const Eigen::MatrixXd kxx = poly3_kernel(x, x), kyy = poly3_kernel(y, y);
  const double xx = (kxx.sum() - kxx.trace()) / (m * (m - 1));
  const double yy = (kyy.sum() - kyy.trace()) / (n * (n - 1));
  const double xy = poly3_kernel(x, y).sum() / (m * n);
  return xx + yy - 2.0 * xy;
}

KidResult kid(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, int64_t subsets,
              int64_t subset_size, uint64_t seed) {
  if (a.cols() != b.cols())
    throw_input_error("KID", "dimension", "both sides of equal dimension",
                      fmt::format("{} and {}", a.cols(), b.cols()));
  if (subsets < 1) throw_input_error("KID", "subsets", "at least 1", std::to_string(subsets));
  KidResult r;
  r.subsets = subsets;
  r.subset_size = std::min<int64_t>({subset_size, a.rows(), b.rows()});
  if (r.subset_size < 2)
    throw_input_error("KID", "subset size", "at least 2 rows on each side and a subset size >= 2",
                      fmt::format("{} and {} rows, subset size {}", a.rows(), b.rows(),
                                  subset_size));
  if (!a.allFinite() || !b.allFinite()) {
    r.mean = r.stderr_ = r.stddev = kNaN;
    return r;
  }
  std::mt19937_64 gen(seed);
  std::vector<double> est(static_cast<size_t>(subsets));
  for (auto& e : est) {
    const auto ia = sample_without_replacement(gen, a.rows(), r.subset_size);
    const auto ib = sample_without_replacement(gen, b.rows(), r.subset_size);
    e = mmd2_unbiased(a(ia, Eigen::all), b(ib, Eigen::all));
  }
  r.mean = std::accumulate(est.begin(), est.end(), 0.0) / double(subsets);
  if (subsets < 2) {
    r.stddev = r.stderr_ = kNaN;
    return r;
  }
  double ss = 0;
  for (double e : est) ss += (e - r.mean) * (e - r.mean);
  r.stddev = std::sqrt(ss / double(subsets - 1));
  r.stderr_ = r.stddev / std::sqrt(double(subsets));
  return r;
}

}  // namespace rflab::eval
