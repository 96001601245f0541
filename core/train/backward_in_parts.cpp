#include "core/train/backward_in_parts.h"

#include "core/util/blas.h"
#include "core/util/shards.h"

namespace rflab::core {

torch::Tensor backward_in_parts(int64_t B, const std::vector<torch::Tensor>& params, const PartForward& forward_part,
                                const LossOf& loss_of) {
  const auto bounds = part_bounds(B, (B + kSamplesPerPart - 1) / kSamplesPerPart);
  const int64_t parts = static_cast<int64_t>(bounds.size()) - 1;
  std::vector<torch::Tensor> outs(parts);  // each with its part's graph
  run_shards(parts, [&](int64_t p) { outs[p] = forward_part(bounds[p], bounds[p + 1] - bounds[p]); });
  auto out = torch::cat(outs).detach().requires_grad_();
  // The gradient with respect to the output, and to the parameters the loss uses directly (a
  // CLIP loss's temperature); the other parameters' are undefined here.
  std::vector<torch::Tensor> inputs{out};
  std::vector<size_t> in_loss;  // indices into params of those requiring a gradient
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].requires_grad()) {
      inputs.push_back(params[i]);
      in_loss.push_back(i);
    }
  torch::Tensor loss;
  std::vector<torch::Tensor> loss_grads;
  {
    SingleThreadedBlas one_blas_thread;  // a CLIP loss's products too, so that nothing depends on the threads
    loss = loss_of(out);
    loss_grads = torch::autograd::grad({loss}, inputs, {}, /*retain_graph=*/false, /*create_graph=*/false,
                                       /*allow_unused=*/true);
  }
  const auto& d_out = loss_grads[0];
  std::vector<std::vector<torch::Tensor>> grads(parts);
  run_shards(parts, [&](int64_t p) {
    const int64_t from = bounds[p], n = bounds[p + 1] - from;
    grads[p] = torch::autograd::grad({outs[p]}, params, {d_out.narrow(0, from, n)}, /*retain_graph=*/false,
                                     /*create_graph=*/false, /*allow_unused=*/true);
  });
  std::vector<torch::Tensor> sums(params.size());
  for (size_t k = 0; k < in_loss.size(); ++k)  // own storage, as the parts' are added onto it
    if (loss_grads[k + 1].defined()) sums[in_loss[k]] = loss_grads[k + 1].clone();
  for (size_t i = 0; i < params.size(); ++i) {
    torch::Tensor& g = sums[i];
    for (int64_t p = 0; p < parts; ++p) {
      const auto& gp = grads[p][i];
      if (gp.defined()) g = g.defined() ? g.add_(gp) : gp;
    }
    if (g.defined()) params[i].mutable_grad() = g;
  }
  return loss.detach();
}

torch::Tensor backward_in_parts(const Network& net, const std::vector<torch::Tensor>& params, const torch::Tensor& in,
                                const torch::Tensor& c_t, const Conditioning& cond, const LossOf& loss_of) {
  return backward_in_parts(in.size(0), params, [&](int64_t from, int64_t n) {
    return net(in.narrow(0, from, n), c_t.narrow(0, from, n), cond.rows(from, n));
  }, loss_of);
}

}  // namespace rflab::core
