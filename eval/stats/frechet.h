// Gaussian statistics of feature sets and the Fréchet distance between them (SPEC §5.4), in
// double precision through symmetric eigendecompositions only, so rank-deficient covariances
// give finite values instead of the NaNs of a general matrix square root.
#pragma once
#include <Eigen/Dense>
#include <cstdint>

namespace rflab::eval {

// A Gaussian fitted to n samples: mean and covariance with the unbiased 1/(n-1) factor.
// n is 0 when unknown (statistics read from a file that does not record it).
struct GaussianStats {
  Eigen::VectorXd mu;
  Eigen::MatrixXd sigma;
  int64_t n = 0;
};

// features: n x d, one sample per row. Throws UserError when n < 2.
GaussianStats gaussian_stats(const Eigen::MatrixXd& features);

// FD = |mu1-mu2|^2 + Tr S1 + Tr S2 - 2 Tr((S1^{1/2} S2 S1^{1/2})^{1/2}), negative eigenvalues
// clamped to 0. The result is not clamped: at identical inputs it may be a rounding-sized
// negative number (|FD| ~ 1e-15 Tr S). Returns NaN when any input is non-finite (a diverged run has no FID, D15).
// Throws UserError when the dimensions differ.
double frechet_distance(const GaussianStats& a, const GaussianStats& b);

// Which formula frechet_distance on feature matrices uses.
enum class FrechetRoute {
  automatic,   // gram when a covariance is rank-deficient (n <= d), else covariance
  covariance,  // fit both Gaussians, then the eigendecomposition route above
  gram,        // Tr sqrt(...) as the nuclear norm of A B^T / sqrt((n1-1)(n2-1)), A, B centred
};

// The same distance from the feature matrices themselves; exact for n < d, where the
// covariance route loses digits to the clamped null space.
double frechet_distance(const Eigen::MatrixXd& feats_a, const Eigen::MatrixXd& feats_b,
                        FrechetRoute route = FrechetRoute::automatic);

}  // namespace rflab::eval
