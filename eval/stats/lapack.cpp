#include "eval/stats/lapack.h"

#include <fmt/format.h>

#include <climits>
#include <cstddef>
#include <stdexcept>
#include <vector>

// The Fortran interface. Character arguments carry a hidden length (size_t) at the end of the
// list, which gfortran-compiled LAPACK reads; they are passed explicitly.
extern "C" {
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, size_t);
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda,
             double* w, double* work, const int* lwork, int* iwork, const int* liwork, int* info,
             size_t, size_t);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s,
             double* u, const int* ldu, double* vt, const int* ldvt, double* work,
             const int* lwork, int* iwork, int* info, size_t);
void dsygst_(const int* itype, const char* uplo, const int* n, double* a, const int* lda, const double* b,
             const int* ldb, int* info, size_t);
void dsyrk_(const char* uplo, const char* trans, const int* n, const int* k, const double* alpha,
            const double* a, const int* lda, const double* beta, double* c, const int* ldc,
            size_t, size_t);
}

namespace rflab::eval::lapack {

namespace {

int fortran_int(Eigen::Index v, const char* what) {
  if (v < 0 || v > INT_MAX)
    throw std::runtime_error(fmt::format("LAPACK: {} = {} does not fit a 32-bit integer", what, v));
  return static_cast<int>(v);
}

void require_square(const Eigen::MatrixXd& a, const char* what) {
  if (a.rows() != a.cols())
    throw std::runtime_error(
        fmt::format("LAPACK {}: expected a square matrix, got {} x {}", what, a.rows(), a.cols()));
}

// Copies the lower triangle onto the upper one.
void mirror_lower(Eigen::MatrixXd& c) {
  c.triangularView<Eigen::StrictlyUpper>() = c.transpose().triangularView<Eigen::StrictlyUpper>();
}

// Non-empty and below kSmallOrder (empty problems take the LAPACK path, which returns at once).
bool small(Eigen::Index n) { return n > 0 && n < kSmallOrder; }

// dsyevd with eigenvectors ('V') or without ('N'); a is overwritten by the vectors for 'V'.
Eigen::VectorXd syevd(char jobz, Eigen::MatrixXd& a) {
  require_square(a, "dsyevd");
  if (small(a.rows())) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> e(a, jobz == 'V' ? Eigen::ComputeEigenvectors : Eigen::EigenvaluesOnly);
    if (e.info() != Eigen::Success) throw std::runtime_error("Eigen SelfAdjointEigenSolver: no convergence");
    if (jobz == 'V') a = e.eigenvectors();
    return e.eigenvalues();
  }
  const int n = fortran_int(a.rows(), "n");
  Eigen::VectorXd w(n);
  if (n == 0) return w;
  const char uplo = 'L';
  int info = 0, lwork = -1, liwork = -1, iwork_size = 0;
  double work_size = 0;
  dsyevd_(&jobz, &uplo, &n, a.data(), &n, w.data(), &work_size, &lwork, &iwork_size, &liwork,
          &info, 1, 1);
  if (info != 0) throw std::runtime_error(fmt::format("LAPACK dsyevd workspace query: info {}", info));
  lwork = static_cast<int>(work_size);
  liwork = iwork_size;
  std::vector<double> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  dsyevd_(&jobz, &uplo, &n, a.data(), &n, w.data(), work.data(), &lwork, iwork.data(), &liwork,
          &info, 1, 1);
  if (info != 0)
    throw std::runtime_error(fmt::format("LAPACK dsyevd: info {} (no convergence)", info));
  return w;
}

// alpha * op(x) op(x)^T with op = identity ('N') or transpose ('T').
Eigen::MatrixXd syrk(const Eigen::MatrixXd& x, double alpha, char trans) {
  const int n = fortran_int(trans == 'N' ? x.rows() : x.cols(), "n");
  const int k = fortran_int(trans == 'N' ? x.cols() : x.rows(), "k");
  const int lda = fortran_int(std::max<Eigen::Index>(1, x.rows()), "lda");
  Eigen::MatrixXd c = Eigen::MatrixXd::Zero(n, n);
  if (n == 0) return c;
  if (small(std::max(n, k))) {
    if (trans == 'N') c.selfadjointView<Eigen::Lower>().rankUpdate(x, alpha);
    else c.selfadjointView<Eigen::Lower>().rankUpdate(x.transpose(), alpha);
    mirror_lower(c);
    return c;
  }
  const char uplo = 'L';
  const double beta = 0.0;
  const int ldc = n;
  if (k > 0) dsyrk_(&uplo, &trans, &n, &k, &alpha, x.data(), &lda, &beta, c.data(), &ldc, 1, 1);
  mirror_lower(c);
  return c;
}

}  // namespace

bool cholesky_lower(Eigen::MatrixXd& a) {
  require_square(a, "dpotrf");
  if (small(a.rows())) {
    Eigen::LLT<Eigen::MatrixXd> llt(a);  // reads the lower triangle
    if (llt.info() != Eigen::Success) return false;
    a = llt.matrixL();
    return true;
  }
  const int n = fortran_int(a.rows(), "n");
  if (n == 0) return true;
  const char uplo = 'L';
  int info = 0;
  dpotrf_(&uplo, &n, a.data(), &n, &info, 1);
  if (info < 0) throw std::runtime_error(fmt::format("LAPACK dpotrf: argument {} invalid", -info));
  if (info > 0) return false;
  a.triangularView<Eigen::StrictlyUpper>().setZero();
  return true;
}

Eigen::MatrixXd lower_congruence(const Eigen::MatrixXd& l, Eigen::MatrixXd s) {
  require_square(l, "dsygst");
  require_square(s, "dsygst");
  if (l.rows() != s.rows())
    throw std::runtime_error(
        fmt::format("LAPACK dsygst: L is {0} x {0} but S is {1} x {1}", l.rows(), s.rows()));
  if (small(s.rows())) {
    const Eigen::MatrixXd lower = l.triangularView<Eigen::Lower>();
    const Eigen::MatrixXd sym = s.selfadjointView<Eigen::Lower>();
    Eigen::MatrixXd r = lower.transpose() * sym * lower;
    r.triangularView<Eigen::StrictlyUpper>() = r.transpose();
    return r;
  }
  const int n = fortran_int(s.rows(), "n");
  if (n == 0) return s;
  const int itype = 2;  // A := L^T A L (itype 1 would be inv(L) A inv(L^T))
  const char lower = 'L';
  int info = 0;
  dsygst_(&itype, &lower, &n, s.data(), &n, l.data(), &n, &info, 1);
  if (info != 0) throw std::runtime_error(fmt::format("LAPACK dsygst: argument {} invalid", -info));
  s.triangularView<Eigen::StrictlyUpper>() = s.transpose();
  return s;
}

Eigen::VectorXd symmetric_eigenvalues(Eigen::MatrixXd a) { return syevd('N', a); }

SymmetricEigen symmetric_eigen(Eigen::MatrixXd a) {
  SymmetricEigen e;
  e.values = syevd('V', a);
  e.vectors = std::move(a);
  return e;
}

Eigen::VectorXd singular_values(Eigen::MatrixXd a) {
  if (a.size() > 0 && small(std::max(a.rows(), a.cols()))) return Eigen::BDCSVD<Eigen::MatrixXd>(a).singularValues();
  const int m = fortran_int(a.rows(), "m"), n = fortran_int(a.cols(), "n");
  Eigen::VectorXd s(std::min(m, n));
  if (s.size() == 0) return s;
  const char jobz = 'N';
  const int lda = m, ldu = 1, ldvt = 1;
  double u = 0, vt = 0, work_size = 0;
  int lwork = -1, info = 0;
  std::vector<int> iwork(8 * static_cast<size_t>(s.size()));
  dgesdd_(&jobz, &m, &n, a.data(), &lda, s.data(), &u, &ldu, &vt, &ldvt, &work_size, &lwork,
          iwork.data(), &info, 1);
  if (info != 0) throw std::runtime_error(fmt::format("LAPACK dgesdd workspace query: info {}", info));
  lwork = static_cast<int>(work_size);
  std::vector<double> work(static_cast<size_t>(lwork));
  dgesdd_(&jobz, &m, &n, a.data(), &lda, s.data(), &u, &ldu, &vt, &ldvt, work.data(), &lwork,
          iwork.data(), &info, 1);
  if (info != 0)
    throw std::runtime_error(fmt::format("LAPACK dgesdd: info {} (no convergence)", info));
  return s;
}

Eigen::MatrixXd row_gram(const Eigen::MatrixXd& x, double alpha) { return syrk(x, alpha, 'N'); }

Eigen::MatrixXd column_gram(const Eigen::MatrixXd& x, double alpha) {
  return syrk(x, alpha, 'T');
}

}  // namespace rflab::eval::lapack
