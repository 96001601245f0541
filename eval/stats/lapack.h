// The dense linear algebra of the statistics, through the system BLAS and LAPACK (their Fortran
// interface with 32-bit integers). On a machine set up by scripts/setup both resolve to
// OpenBLAS, which runs them on all its threads; Eigen's own decompositions run on one core and
// took ~5x longer at 2048-d (README "Fréchet distance and KID").
//
// Below kSmallOrder (the largest dimension involved) the same functions use Eigen's solvers on
// one thread instead: there a multithreaded BLAS spends more time handing work between its
// threads than computing (a report's bootstrap of 64-d embeddings ran 3.7x slower through
// OpenBLAS on two threads than through Eigen).
//
// Matrices are Eigen's column-major double matrices; "lower" means the lower triangle holds the
// values and the strict upper triangle is ignored (or zeroed, where a function says so).
#pragma once
#include <Eigen/Dense>

namespace rflab::eval::lapack {

inline constexpr Eigen::Index kSmallOrder = 256;

// In place: the lower Cholesky factor L of a symmetric positive definite matrix (a = L L^T), read
// from a's lower triangle, with the strict upper triangle zeroed. Returns false, leaving a
// unspecified, when a is not numerically positive definite (LAPACK dpotrf).
bool cholesky_lower(Eigen::MatrixXd& a);

// L^T S L for a lower-triangular L and a symmetric S held in its lower triangle (LAPACK dsygst,
// the reduction of a generalized symmetric-definite eigenproblem: n^3 flops, half of two
// triangular products); the result is symmetric, both triangles filled.
Eigen::MatrixXd lower_congruence(const Eigen::MatrixXd& l, Eigen::MatrixXd s);

// The eigenvalues, ascending, of the symmetric matrix held in a's lower triangle (LAPACK dsyevd,
// no eigenvectors: a tridiagonal reduction and a root-free QR).
Eigen::VectorXd symmetric_eigenvalues(Eigen::MatrixXd a);

struct SymmetricEigen {
  Eigen::VectorXd values;   // ascending
  Eigen::MatrixXd vectors;  // orthonormal columns, one per value
};
// Eigenvalues and eigenvectors of the symmetric matrix in a's lower triangle (LAPACK dsyevd).
SymmetricEigen symmetric_eigen(Eigen::MatrixXd a);

// The singular values, descending, of any matrix (LAPACK dgesdd, no singular vectors).
Eigen::VectorXd singular_values(Eigen::MatrixXd a);

// alpha * X X^T for the rows of x (n x k gives n x n), full and exactly symmetric: one
// symmetric rank-k update (BLAS dsyrk) of the lower triangle, mirrored.
Eigen::MatrixXd row_gram(const Eigen::MatrixXd& x, double alpha = 1.0);

// alpha * X^T X for the columns of x (n x k gives k x k), as row_gram.
Eigen::MatrixXd column_gram(const Eigen::MatrixXd& x, double alpha = 1.0);

}  // namespace rflab::eval::lapack
