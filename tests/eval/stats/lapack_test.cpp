// The BLAS/LAPACK wrappers against Eigen's own decompositions and products on small matrices.
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

TEST(Lapack, CholeskyFactorsAPositiveDefiniteMatrix) {
  const Eigen::MatrixXd a = spd(9, 1);
  Eigen::MatrixXd l = a;
  ASSERT_TRUE(cholesky_lower(l));
  EXPECT_TRUE(l.triangularView<Eigen::StrictlyUpper>().toDenseMatrix().isZero(0.0));
  EXPECT_LT((l * l.transpose() - a).norm(), 1e-13 * a.norm());
  const Eigen::MatrixXd eigen_l = a.llt().matrixL();
  EXPECT_LT((l - eigen_l).norm(), 1e-13 * eigen_l.norm());
}

TEST(Lapack, CholeskyRefusesAnIndefiniteMatrix) {
  Eigen::MatrixXd a = Eigen::MatrixXd::Identity(4, 4);
  a(2, 2) = -1.0;
  EXPECT_FALSE(cholesky_lower(a));
}

TEST(Lapack, LowerCongruenceIsLTransposeSL) {
  Eigen::MatrixXd l = spd(7, 2);
  ASSERT_TRUE(cholesky_lower(l));
  const Eigen::MatrixXd x = normal_features(7, 7, 3);
  const Eigen::MatrixXd s = x + x.transpose();
  const Eigen::MatrixXd want = l.transpose() * s * l;
  EXPECT_LT((lower_congruence(l, s) - want).norm(), 1e-13 * want.norm());
  // Only S's lower triangle is read.
  Eigen::MatrixXd lower_only = s;
  lower_only.triangularView<Eigen::StrictlyUpper>().setConstant(1e6);
  EXPECT_LT((lower_congruence(l, lower_only) - want).norm(), 1e-13 * want.norm());
}

TEST(Lapack, SymmetricEigenvaluesMatchEigen) {
  const Eigen::MatrixXd x = normal_features(12, 12, 4);
  const Eigen::MatrixXd a = x + x.transpose();
  const Eigen::VectorXd want = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(a).eigenvalues();
  EXPECT_LT((symmetric_eigenvalues(a) - want).norm(), 1e-12 * want.norm());
  const SymmetricEigen e = symmetric_eigen(a);
  EXPECT_LT((e.values - want).norm(), 1e-12 * want.norm());
  const Eigen::MatrixXd rebuilt = e.vectors * e.values.asDiagonal() * e.vectors.transpose();
  EXPECT_LT((rebuilt - a).norm(), 1e-12 * a.norm());
}

TEST(Lapack, EigenvaluesReadOnlyTheLowerTriangle) {
  const Eigen::MatrixXd x = normal_features(6, 6, 5);
  const Eigen::MatrixXd a = x + x.transpose();
  Eigen::MatrixXd garbage_above = a;
  garbage_above.triangularView<Eigen::StrictlyUpper>().setConstant(1e6);
  EXPECT_LT((symmetric_eigenvalues(garbage_above) - symmetric_eigenvalues(a)).norm(), 1e-12);
}

TEST(Lapack, SingularValuesMatchEigen) {
  const Eigen::MatrixXd a = normal_features(8, 5, 6);
  const Eigen::VectorXd want = Eigen::JacobiSVD<Eigen::MatrixXd>(a).singularValues();
  EXPECT_LT((singular_values(a) - want).norm(), 1e-12 * want.norm());
  EXPECT_LT((singular_values(a.transpose()) - want).norm(), 1e-12 * want.norm());
}

TEST(Lapack, GramsAreFullSymmetricProducts) {
  const Eigen::MatrixXd x = normal_features(6, 4, 7);
  const Eigen::MatrixXd rows = row_gram(x, 0.5), cols = column_gram(x, 2.0);
  EXPECT_LT((rows - 0.5 * x * x.transpose()).norm(), 1e-13 * rows.norm());
  EXPECT_LT((cols - 2.0 * x.transpose() * x).norm(), 1e-13 * cols.norm());
  EXPECT_TRUE(rows.isApprox(rows.transpose(), 0.0));
  EXPECT_TRUE(cols.isApprox(cols.transpose(), 0.0));
}

TEST(Lapack, EmptyMatricesAreEmptyResults) {
  EXPECT_EQ(symmetric_eigenvalues(Eigen::MatrixXd(0, 0)).size(), 0);
  EXPECT_EQ(singular_values(Eigen::MatrixXd(0, 3)).size(), 0);
  EXPECT_EQ(row_gram(Eigen::MatrixXd(0, 3)).rows(), 0);
  EXPECT_TRUE(column_gram(Eigen::MatrixXd(0, 3)).isZero(0.0));
}

}  // namespace
}  // namespace rflab::eval::lapack
