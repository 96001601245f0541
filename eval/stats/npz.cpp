#include "eval/stats/npz.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "eval/stats/file_bytes.h"
#include "eval/stats/npy.h"
#include "eval/stats/zip.h"
#include "results/error.h"

namespace rflab::eval {

namespace {

// numpy names members KEY.npy; accept a bare KEY too.
const ZipMember* find_member(const std::vector<ZipMember>& members, const std::string& key) {
  for (const auto& m : members)
    if (m.name == key + ".npy" || m.name == key) return &m;
  return nullptr;
}

}  // namespace

GaussianStats read_stats_npz(const std::string& path) {
  return decode_stats_npz(read_bytes(path), path);
}

GaussianStats decode_stats_npz(const std::string& bytes, const std::string& path) {
  const auto members = read_zip(bytes, path);
  auto member = [&](const std::string& key, bool required) -> const ZipMember* {
    const ZipMember* m = find_member(members, key);
    if (!m && required)
      throw_input_error(path, "member " + key,
                        "a statistics archive with members mu (d,) and sigma (d, d)",
                        "no member '" + key + "'");
    return m;
  };
  const ZipMember* mu_m = member("mu", true);
  const ZipMember* sigma_m = member("sigma", true);
  const NpyArray mu = decode_npy(mu_m->data, path + ": member " + mu_m->name);
  const NpyArray sigma = decode_npy(sigma_m->data, path + ": member " + sigma_m->name);
  // pytorch-fid applies np.atleast_1d to mu; a scalar mu is 1-D statistics.
  if (mu.shape.size() > 1)
    throw_input_error(path, "member mu", "a vector of shape (d,)", npy_shape_text(mu.shape));
  const int64_t d = mu.values.rows();
  const bool sigma_ok = (sigma.shape.size() == 2 && sigma.shape[0] == d && sigma.shape[1] == d) ||
                        (d == 1 && sigma.shape.size() < 2 && sigma.values.size() == 1);
  if (!sigma_ok)
    throw_input_error(path, "member sigma", fmt::format("shape ({0}, {0}) to match mu ({0},)", d),
                      npy_shape_text(sigma.shape));
  GaussianStats s;
  s.mu = mu.values.col(0);
  s.sigma = sigma.values;
  if (const ZipMember* n_m = member("n", false)) {
    const NpyArray n = decode_npy(n_m->data, path + ": member " + n_m->name);
    const double v = n.values.size() == 1 ? n.values(0, 0) : -1.0;
    if (!(v >= 0 && v == std::floor(v) && v < 9.0e15))
      throw_input_error(path, "member n", "a non-negative integer sample count",
                        n.values.size() == 1 ? fmt::format("{}", v)
                                             : "shape " + npy_shape_text(n.shape));
    s.n = int64_t(v);
  }
  return s;
}

void write_stats_npz(const std::string& path, const GaussianStats& stats) {
  if (stats.sigma.rows() != stats.mu.size() || stats.sigma.cols() != stats.mu.size())
    throw std::invalid_argument(fmt::format(
        "write_stats_npz({}): mu of size {} does not match sigma {} x {}", path, stats.mu.size(),
        stats.sigma.rows(), stats.sigma.cols()));
  std::vector<ZipMember> members = {{"mu.npy", encode_npy_vector(stats.mu)},
                                    {"sigma.npy", encode_npy(stats.sigma)}};
  if (stats.n > 0) members.push_back({"n.npy", encode_npy_scalar_int64(stats.n)});
  write_bytes_atomic(path, write_zip_stored(members));
}

}  // namespace rflab::eval
