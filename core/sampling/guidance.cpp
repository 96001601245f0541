#include "core/sampling/guidance.h"

namespace rflab::core {
namespace {
torch::Tensor with_zeros(const torch::Tensor& x) {
  return x.defined() ? torch::cat({x, torch::zeros_like(x)}, 0) : x;
}
}  // namespace

torch::Tensor guided_output(const Network& net, const torch::Tensor& z_in, const torch::Tensor& c_t,
                            const Conditioning& cond, double w, int64_t* network_evals) {
  if (w == 1.0) {
    if (network_evals) *network_evals += 1;
    return net(z_in, c_t, cond);
  }
  // Batch order [cond; uncond] and the split in the same order (P9).
  Conditioning both{with_zeros(cond.pooled), with_zeros(cond.context)};
  auto out = net(torch::cat({z_in, z_in}, 0), torch::cat({c_t, c_t}, 0), both);
  if (network_evals) *network_evals += 2;
  auto halves = out.chunk(2, 0);
  return halves[1] + w * (halves[0] - halves[1]);
}

}  // namespace rflab::core
