#include "eval/stats/fid_operand.h"

#include <fmt/format.h>

#include <cmath>

#include "eval/stats/file_bytes.h"
#include "eval/stats/npy.h"
#include "eval/stats/npz.h"
#include "results/error.h"

namespace rflab::eval {

namespace {
// A NaN or infinity would propagate into a meaningless distance: refuse it, saying where.
template <class M>
void require_finite(const Eigen::MatrixBase<M>& m, const std::string& path, const std::string& field) {
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i)
      if (!std::isfinite(m(i, j)))
        throw_input_error(path, field, "finite values",
                          fmt::format("{} at row {}, column {}", m(i, j), i, j));
}
}  // namespace

FidOperand load_fid_operand(const std::string& path) {
  const std::string bytes = read_bytes(path);
  FidOperand op;
  op.path = path;
  if (bytes.compare(0, 6, "\x93NUMPY") == 0) {
    NpyArray a = decode_npy(bytes, path);
    if (a.shape.size() != 2)
      throw_input_error(path, "shape", "a 2-D feature matrix (n, d), one sample per row",
                        fmt::format("a {}-D array", a.shape.size()));
    require_finite(a.values, path, "features");
    op.stats = gaussian_stats(a.values);
    op.features = std::move(a.values);
  } else if (bytes.compare(0, 2, "PK") == 0) {
    op.stats = decode_stats_npz(bytes, path);
    require_finite(op.stats.mu, path, "mu");
    require_finite(op.stats.sigma, path, "sigma");
  } else {
    throw_input_error(path, "format", "a .npy feature matrix or a .npz with mu and sigma",
                      "neither NumPy nor zip magic bytes");
  }
  return op;
}

double fid_between(const FidOperand& a, const FidOperand& b) {
  if (a.stats.mu.size() != b.stats.mu.size())
    throw_input_error(a.path + " vs " + b.path, "dimension", "features of equal dimension",
                      fmt::format("{} and {}", a.stats.mu.size(), b.stats.mu.size()));
  if (a.features && b.features) return frechet_distance(*a.features, *b.features);
  return frechet_distance(a.stats, b.stats);
}

}  // namespace rflab::eval
