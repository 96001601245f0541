// The BLAS/LAPACK wrappers against Eigen's own decompositions and products, at an order below
// kSmallOrder (where the wrappers use Eigen on one thread) and one above it (LAPACK).
#include "eval/stats/lapack.h"

#include <gtest/gtest.h>

#include "tests/eval/stats/stats_test_util.h"

namespace rflab::eval::lapack {
namespace {

using rflab::eval::testing::normal_features;

// A well-conditioned symmetric positive definite d x d matrix.
Eigen::MatrixXd spd(int64_t d, uint64_t seed) {
  const Eigen::MatrixXd x = normal_features(3 * d, d, seed);
  return x.transpose() * x / double(3 * d) + 0.1 * Eigen::MatrixXd::Identity(d, d);
}

Eigen::MatrixXd symmetric(int64_t d, uint64_t seed) {
  const Eigen::MatrixXd x = normal_features(d, d, seed);
  return x + x.transpose();
}

// Relative tolerances grow with the order: rounding accumulates over n terms.
class LapackAtOrder : public ::testing::TestWithParam<int64_t> {
 protected:
  int64_t n() const { return GetParam(); }
  double tol() const { return 1e-14 * double(n()); }
};

TEST_P(LapackAtOrder, CholeskyFactorsAPositiveDefiniteMatrix) {
  const Eigen::MatrixXd a = spd(n(), 1);
  Eigen::MatrixXd l = a;
  ASSERT_TRUE(cholesky_lower(l));
  EXPECT_TRUE(l.triangularView<Eigen::StrictlyUpper>().toDenseMatrix().isZero(0.0));
  EXPECT_LT((l * l.transpose() - a).norm(), tol() * a.norm());
  const Eigen::MatrixXd eigen_l = a.llt().matrixL();
  EXPECT_LT((l - eigen_l).norm(), tol() * eigen_l.norm());
}

TEST_P(LapackAtOrder, CholeskyRefusesAnIndefiniteMatrix) {
  Eigen::MatrixXd a = Eigen::MatrixXd::Identity(n(), n());
  a(2, 2) = -1.0;
  EXPECT_FALSE(cholesky_lower(a));
}

TEST_P(LapackAtOrder, LowerCongruenceIsLTransposeSL) {
  Eigen::MatrixXd l = spd(n(), 2);
  ASSERT_TRUE(cholesky_lower(l));
  const Eigen::MatrixXd s = symmetric(n(), 3);
  const Eigen::MatrixXd want = l.transpose() * s * l;
  const Eigen::MatrixXd got = lower_congruence(l, s);
  EXPECT_LT((got - want).norm(), tol() * want.norm());
  EXPECT_TRUE(got.isApprox(got.transpose(), 0.0));
  // Only S's lower triangle is read.
  Eigen::MatrixXd lower_only = s;
  lower_only.triangularView<Eigen::StrictlyUpper>().setConstant(1e6);
  EXPECT_LT((lower_congruence(l, lower_only) - want).norm(), tol() * want.norm());
}

TEST_P(LapackAtOrder, SymmetricEigenvaluesMatchEigen) {
  const Eigen::MatrixXd a = symmetric(n(), 4);
  const Eigen::VectorXd want = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(a).eigenvalues();
  EXPECT_LT((symmetric_eigenvalues(a) - want).norm(), tol() * want.norm());
  const SymmetricEigen e = symmetric_eigen(a);
  EXPECT_LT((e.values - want).norm(), tol() * want.norm());
  const Eigen::MatrixXd rebuilt = e.vectors * e.values.asDiagonal() * e.vectors.transpose();
  EXPECT_LT((rebuilt - a).norm(), tol() * a.norm());
}

TEST_P(LapackAtOrder, EigenvaluesReadOnlyTheLowerTriangle) {
  const Eigen::MatrixXd a = symmetric(n(), 5);
  Eigen::MatrixXd garbage_above = a;
  garbage_above.triangularView<Eigen::StrictlyUpper>().setConstant(1e6);
  EXPECT_LT((symmetric_eigenvalues(garbage_above) - symmetric_eigenvalues(a)).norm(), tol() * a.norm());
}

TEST_P(LapackAtOrder, SingularValuesMatchEigen) {
  const Eigen::MatrixXd a = normal_features(n() + 3, n(), 6);
  const Eigen::VectorXd want = Eigen::BDCSVD<Eigen::MatrixXd>(a).singularValues();
  EXPECT_LT((singular_values(a) - want).norm(), tol() * want.norm());
  EXPECT_LT((singular_values(a.transpose()) - want).norm(), tol() * want.norm());
}

TEST_P(LapackAtOrder, GramsAreFullSymmetricProducts) {
  const Eigen::MatrixXd x = normal_features(n(), n() / 2 + 1, 7);
  const Eigen::MatrixXd rows = row_gram(x, 0.5), cols = column_gram(x, 2.0);
  EXPECT_LT((rows - 0.5 * x * x.transpose()).norm(), tol() * rows.norm());
  EXPECT_LT((cols - 2.0 * x.transpose() * x).norm(), tol() * cols.norm());
  EXPECT_TRUE(rows.isApprox(rows.transpose(), 0.0));
  EXPECT_TRUE(cols.isApprox(cols.transpose(), 0.0));
}

INSTANTIATE_TEST_SUITE_P(EigenAndLapackRoutes, LapackAtOrder, ::testing::Values(int64_t{9}, kSmallOrder + 44));

TEST(Lapack, EmptyMatricesAreEmptyResults) {
  EXPECT_EQ(symmetric_eigenvalues(Eigen::MatrixXd(0, 0)).size(), 0);
  EXPECT_EQ(singular_values(Eigen::MatrixXd(0, 3)).size(), 0);
  EXPECT_EQ(row_gram(Eigen::MatrixXd(0, 3)).rows(), 0);
  EXPECT_TRUE(column_gram(Eigen::MatrixXd(0, 3)).isZero(0.0));
}

}  // namespace
}  // namespace rflab::eval::lapack
