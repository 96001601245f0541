// Shared helpers of the eval/stats tests: seeded Gaussian samples, fixture paths, temp files.
#pragma once
#include <unistd.h>

#include <Eigen/Dense>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

#include "tests/util/temp_dir.h"

namespace rflab::eval::testing {

// n x d standard normal samples, scaled per column by `scale` and shifted by `shift`.
inline Eigen::MatrixXd normal_features(int64_t n, int64_t d, uint64_t seed, double shift = 0.0,
                                       double scale = 1.0) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd x(n, d);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) x(i, j) = shift + scale * normal(gen);
  return x;
}

// A random orthogonal matrix (Q of a Gaussian matrix's QR).
inline Eigen::MatrixXd random_orthogonal(int64_t d, uint64_t seed) {
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(normal_features(d, d, seed));
  return qr.householderQ() * Eigen::MatrixXd::Identity(d, d);
}

inline std::string fixture(const std::string& name) {
  return std::string(RFLAB_SOURCE_DIR) + "/tests/eval/stats/data/" + name;
}

// This process's folder for the statistics tests, removed when the process exits.
inline std::filesystem::path temp_dir() {
  static const rflab::testing::TempDir dir("eval_stats");
  return dir.path();
}

// A path in a directory of this test process's own.
inline std::string temp_path(const std::string& name) {
  std::filesystem::create_directories(temp_dir());
  return (temp_dir() / name).string();
}

}  // namespace rflab::eval::testing
