#include "eval/stats/frechet.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "eval/stats/lapack.h"
#include "results/error.h"

namespace rflab::eval {

namespace {

void check_stats(const GaussianStats& s, const char* side) {
  if (s.sigma.rows() != s.sigma.cols() || s.sigma.rows() != s.mu.size())
    throw_input_error("Fréchet distance", fmt::format("statistics {}", side),
                      "mu of size d and sigma of shape d x d",
                      fmt::format("mu of size {} and sigma {} x {}", s.mu.size(), s.sigma.rows(),
                                  s.sigma.cols()));
}

void check_same_dim(int64_t da, int64_t db) {
  if (da != db)
    throw_input_error("Fréchet distance", "dimension", "both sides of equal dimension",
                      fmt::format("{} and {}", da, db));
}

// Rows minus their column mean: the centred matrix whose Gram is (n-1) * covariance.
Eigen::MatrixXd centred(const Eigen::MatrixXd& x) {
  Eigen::RowVectorXd mean = x.colwise().mean();
  return x.rowwise() - mean;
}

}  // namespace

GaussianStats gaussian_stats(const Eigen::MatrixXd& features) {
  const int64_t n = features.rows();
  if (n < 2)
    throw_input_error("Gaussian statistics", "samples", "at least 2 feature rows",
                      std::to_string(n));
  GaussianStats s;
  s.n = n;
  s.mu = features.colwise().mean().transpose();
  const Eigen::MatrixXd a = features.rowwise() - s.mu.transpose();
  // A^T A through a symmetric rank update: half the flops of the full product.
  s.sigma = lapack::column_gram(a, 1.0 / double(n - 1));
  return s;
}

double frechet_distance(const GaussianStats& a, const GaussianStats& b) {
  check_stats(a, "A");
  check_stats(b, "B");
  check_same_dim(a.mu.size(), b.mu.size());
  if (!a.mu.allFinite() || !b.mu.allFinite() || !a.sigma.allFinite() || !b.sigma.allFinite())
    return std::numeric_limits<double>::quiet_NaN();
  // Files may carry covariances that are symmetric only up to rounding; the solvers read one
  // triangle, so symmetrise first rather than silently drop the other. Symmetrising keeps the
  // diagonal, so the traces are those of the inputs. At 2048-d each copy of a matrix is 32 MB:
  // the two symmetrised copies are the only ones made, and LAPACK works in them in place.
  auto symmetrised = [](const Eigen::MatrixXd& m) -> Eigen::MatrixXd { return 0.5 * (m + m.transpose()); };

  // Eigenvalues of S1^{1/2} S2 S1^{1/2} are those of S1 S2, hence of G^T S2 G for any factor
  // S1 = G G^T. The Cholesky factor is ~5x cheaper at 2048-d than S1's eigenvectors; the
  // eigenvector factor G = V diag(sqrt max(lambda, 0)) is the fallback when S1 is not
  // numerically positive definite. Only eigenvalues of the symmetric G^T S2 G are needed, never
  // a general matrix square root.
  Eigen::MatrixXd l = symmetrised(a.sigma);
  Eigen::MatrixXd inner;
  if (lapack::cholesky_lower(l)) {
    inner = lapack::lower_congruence(l, symmetrised(b.sigma));  // symmetric as computed (dsygst)
  } else {
    const lapack::SymmetricEigen e1 = lapack::symmetric_eigen(symmetrised(a.sigma));
    const Eigen::MatrixXd w = e1.vectors * e1.values.cwiseMax(0.0).cwiseSqrt().asDiagonal();
    inner = w.transpose() * symmetrised(b.sigma) * w;
    inner = 0.5 * (inner + inner.transpose());
  }
  l.resize(0, 0);
  const double tr_covmean = lapack::symmetric_eigenvalues(std::move(inner)).cwiseMax(0.0).cwiseSqrt().sum();

  const double fd =
      (a.mu - b.mu).squaredNorm() + a.sigma.trace() + b.sigma.trace() - 2.0 * tr_covmean;
  // Not clamped: a tiny negative value is the rounding of the cancellation, and keeping it
  // lets tests see the size of that rounding.
  return fd;
}

double frechet_distance(const Eigen::MatrixXd& feats_a, const Eigen::MatrixXd& feats_b,
                        FrechetRoute route) {
  check_same_dim(feats_a.cols(), feats_b.cols());
  const int64_t n1 = feats_a.rows(), n2 = feats_b.rows(), d = feats_a.cols();
  if (n1 < 2 || n2 < 2)
    throw_input_error("Fréchet distance", "samples", "at least 2 feature rows on each side",
                      fmt::format("{} and {}", n1, n2));
  if (!feats_a.allFinite() || !feats_b.allFinite())
    return std::numeric_limits<double>::quiet_NaN();
  if (route == FrechetRoute::automatic)
    route = std::min(n1, n2) <= d ? FrechetRoute::gram : FrechetRoute::covariance;
  if (route == FrechetRoute::covariance)
    return frechet_distance(gaussian_stats(feats_a), gaussian_stats(feats_b));

  // With S1 = A^T A / (n1-1), S2 = B^T B / (n2-1): the eigenvalues of S1^{1/2} S2 S1^{1/2} are
  // the non-zero eigenvalues of S1 S2, which are those of (A B^T)(A B^T)^T / ((n1-1)(n2-1)).
  // Their square roots are the singular values of A B^T, so the trace term is its nuclear
  // norm. The SVD of the small n1 x n2 matrix keeps absolute accuracy in the zero singular
  // values, where the covariance route's clamped eigenvalues leave sqrt(eps)-sized residue.
  const Eigen::MatrixXd ca = centred(feats_a), cb = centred(feats_b);
  const double scale = std::sqrt(double(n1 - 1)) * std::sqrt(double(n2 - 1));
  const double tr_covmean = lapack::singular_values(ca * cb.transpose()).sum() / scale;
  const Eigen::VectorXd mean_diff =
      (feats_a.colwise().mean() - feats_b.colwise().mean()).transpose();
  const double fd = mean_diff.squaredNorm() + ca.squaredNorm() / double(n1 - 1) +
                    cb.squaredNorm() / double(n2 - 1) - 2.0 * tr_covmean;
  return fd;
}

}  // namespace rflab::eval
