#include "core/train/backward_in_parts.h"

#include "core/util/shards.h"

namespace rflab::core {

torch::Tensor backward_in_parts(const Network& net, const std::vector<torch::Tensor>& params, const torch::Tensor& in,
                                const torch::Tensor& c_t, const Conditioning& cond,
                                const std::function<torch::Tensor(const torch::Tensor&)>& loss_of) {
  const int64_t B = in.size(0);
  const auto bounds = part_bounds(B, (B + kSamplesPerPart - 1) / kSamplesPerPart);
  const int64_t parts = static_cast<int64_t>(bounds.size()) - 1;
  std::vector<torch::Tensor> outs(parts);  // each with its part's graph
  run_shards(parts, [&](int64_t p) {
    const int64_t from = bounds[p], n = bounds[p + 1] - from;
    outs[p] = net(in.narrow(0, from, n), c_t.narrow(0, from, n), cond.rows(from, n));
  });
  auto out = torch::cat(outs).detach().requires_grad_();
  auto loss = loss_of(out);
  const auto d_out = torch::autograd::grad({loss}, {out})[0];
  std::vector<std::vector<torch::Tensor>> grads(parts);
  run_shards(parts, [&](int64_t p) {
    const int64_t from = bounds[p], n = bounds[p + 1] - from;
    grads[p] = torch::autograd::grad({outs[p]}, params, {d_out.narrow(0, from, n)}, /*retain_graph=*/false,
                                     /*create_graph=*/false, /*allow_unused=*/true);
  });
  for (size_t i = 0; i < params.size(); ++i) {
    torch::Tensor g;
    for (int64_t p = 0; p < parts; ++p) {
      const auto& gp = grads[p][i];
      if (gp.defined()) g = g.defined() ? g.add_(gp) : gp;
    }
    if (g.defined()) params[i].mutable_grad() = g;
  }
  return loss.detach();
}

}  // namespace rflab::core
