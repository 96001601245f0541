// The operands of `rflab fid`: a feature matrix (.npy, n x d) or Gaussian statistics (.npz in
// the pytorch-fid format), told apart by their leading bytes rather than their names.
#pragma once
#include <optional>
#include <string>

#include "eval/stats/frechet.h"

namespace rflab::eval {

struct FidOperand {
  std::string path;
  std::optional<Eigen::MatrixXd> features;  // set for a .npy operand
  GaussianStats stats;                      // always set; fitted when features are given
};

// Throws UserError naming the file when it is neither a 2-D .npy with >= 2 rows nor a
// statistics .npz.
FidOperand load_fid_operand(const std::string& path);

// The Fréchet distance, from the features themselves when both sides have them (exact for
// n <= d), otherwise from the statistics. Throws UserError naming both files when the
// dimensions differ.
double fid_between(const FidOperand& a, const FidOperand& b);

}  // namespace rflab::eval
