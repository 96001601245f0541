#include "eval/stats/kid.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "eval/stats/lapack.h"
#include "results/error.h"

namespace rflab::eval {

namespace {

// The cubic kernel (x.y / d + 1)^3 between every pair of rows of [x; y] (m + n rows), from one
// symmetric rank-d update: the within-sample blocks and the cross block at once.
Eigen::MatrixXd stacked_poly3_kernel(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
  Eigen::MatrixXd stacked(x.rows() + y.rows(), x.cols());
  stacked << x, y;
  Eigen::ArrayXXd k = lapack::row_gram(stacked, 1.0 / double(x.cols())).array() + 1.0;
  return (k * k * k).matrix();
}

// Sum of k(i, j) over i in rows, j in cols; both sorted ascending, so the reads walk each
// column of the column-major kernel forwards. One partial sum per column keeps the rounding
// at that of a sum of |cols| terms.
double block_sum(const Eigen::MatrixXd& k, const std::vector<Eigen::Index>& rows,
                 const std::vector<Eigen::Index>& cols) {
  double total = 0;
  for (const Eigen::Index j : cols) {
    const double* column = k.data() + j * k.rows();
    double s = 0;
    for (const Eigen::Index i : rows) s += column[i];
    total += s;
  }
  return total;
}

// The unbiased MMD^2 of the samples whose rows of the stacked kernel are ia and ib (sorted).
double mmd2_of_kernel(const Eigen::MatrixXd& k, const std::vector<Eigen::Index>& ia,
                      const std::vector<Eigen::Index>& ib) {
  const double m = double(ia.size()), n = double(ib.size());
  double diag_a = 0, diag_b = 0;
  for (const Eigen::Index i : ia) diag_a += k(i, i);
  for (const Eigen::Index j : ib) diag_b += k(j, j);
  const double xx = (block_sum(k, ia, ia) - diag_a) / (m * (m - 1));
  const double yy = (block_sum(k, ib, ib) - diag_b) / (n * (n - 1));
  const double xy = block_sum(k, ia, ib) / (m * n);
  return xx + yy - 2.0 * xy;
}

std::vector<Eigen::Index> range(Eigen::Index begin, Eigen::Index end) {
  std::vector<Eigen::Index> r(size_t(end - begin));
  std::iota(r.begin(), r.end(), begin);
  return r;
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
  const Eigen::MatrixXd k = stacked_poly3_kernel(x, y);
  return mmd2_of_kernel(k, range(0, x.rows()), range(x.rows(), x.rows() + y.rows()));
}

std::vector<KidSubset> kid_subsets(int64_t n_a, int64_t n_b, int64_t subsets, int64_t subset_size,
                                   uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<KidSubset> draws(static_cast<size_t>(subsets));
  for (auto& d : draws) {
    d.a = sample_without_replacement(gen, n_a, subset_size);
    d.b = sample_without_replacement(gen, n_b, subset_size);
    std::sort(d.a.begin(), d.a.end());
    std::sort(d.b.begin(), d.b.end());
  }
  return draws;
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
    r.mean = r.stderr_ = r.stddev = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  // Every subset reads its MMD^2 from one kernel over all rows when that kernel fits in
  // kKidKernelCacheRows^2 doubles (1.1 GB) and costs no more than the subsets' own kernels
  // ((2 subset_size)^2 entries each): one product instead of one per subset.
  const auto draws = kid_subsets(a.rows(), b.rows(), subsets, r.subset_size, seed);
  const double all_rows = double(a.rows() + b.rows()), subset_rows = 2.0 * double(r.subset_size);
  const bool cached = a.rows() + b.rows() <= kKidKernelCacheRows &&
                      all_rows * all_rows <= double(subsets) * subset_rows * subset_rows;
  Eigen::MatrixXd k;
  if (cached) k = stacked_poly3_kernel(a, b);
  std::vector<double> est;
  est.reserve(draws.size());
  for (const auto& d : draws) {
    if (cached) {
      std::vector<Eigen::Index> ib = d.b;  // rows of the second sample in the stacked kernel
      for (auto& j : ib) j += a.rows();
      est.push_back(mmd2_of_kernel(k, d.a, ib));
    } else {
      est.push_back(mmd2_unbiased(a(d.a, Eigen::all), b(d.b, Eigen::all)));
    }
  }
  r.mean = std::accumulate(est.begin(), est.end(), 0.0) / double(subsets);
  if (subsets < 2) {
    r.stddev = r.stderr_ = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  double ss = 0;
  for (double e : est) ss += (e - r.mean) * (e - r.mean);
  r.stddev = std::sqrt(ss / double(subsets - 1));
  r.stderr_ = r.stddev / std::sqrt(double(subsets));
  return r;
}

}  // namespace rflab::eval
