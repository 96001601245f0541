#include "core/train/fused_adamw.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>
#include <optional>

#include "core/model/cpu_kernel.h"
#include "core/util/torch_compat.h"

namespace rflab::core {

namespace {

// One step's constants of the one-pass update (FusedAdamW::step).
struct Coefficients {
  float decay, b1, one_minus_b1, b2, one_minus_b2, sqrt_bc2, eps, neg_step;
};

// The update of n elements, in a function of its own so that the compiler knows the four arrays
// apart (__restrict) and vectorises it (the lambda's captured pointers it could not): a pass at
// memory speed where the scalar loop was bound by its square roots and divisions. Both are exact
// in IEEE arithmetic, so the vector and scalar loops give the same bits.
void update(float* __restrict w, float* __restrict m, float* __restrict v, const float* __restrict g, int64_t n,
            const Coefficients& k) {
  for (int64_t i = 0; i < n; ++i) {
    const float wi = w[i] * k.decay;
    const float mi = m[i] * k.b1 + k.one_minus_b1 * g[i];
    const float vi = v[i] * k.b2 + k.one_minus_b2 * g[i] * g[i];
    m[i] = mi;
    v[i] = vi;
    w[i] = wi + k.neg_step * (mi / (std::sqrt(vi) / k.sqrt_bc2 + k.eps));
  }
}

bool fusable(const torch::Tensor& t) { return t.is_contiguous() && t.numel() > 0; }

using State = std::remove_reference_t<decltype(std::declval<torch::optim::Optimizer&>().state())>;

// Whether every parameter with a gradient, and its moments when it has them, can take the
// one-pass update.
bool all_fusable(const std::vector<torch::optim::OptimizerParamGroup>& groups, const State& state) {
  for (const auto& group : groups) {
    if (static_cast<const torch::optim::AdamWOptions&>(group.options()).amsgrad()) return false;
    for (const auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      if (!cpu_float32({&p, &p.grad()}) || p.grad().is_sparse() || !fusable(p) || !fusable(p.grad())) return false;
      const auto it = state.find(compat::optimizer_state_key(state, p));
      if (it == state.end()) continue;
      const auto& s = static_cast<const torch::optim::AdamWParamState&>(*it->second);
      if (!cpu_float32({&s.exp_avg(), &s.exp_avg_sq()}) || !fusable(s.exp_avg()) || !fusable(s.exp_avg_sq()) ||
          s.exp_avg().numel() != p.numel() || s.exp_avg_sq().numel() != p.numel())
        return false;
    }
  }
  return true;
}

// AdamW's initial state for `p` when it has none.
torch::optim::AdamWParamState& state_of(State& state, const torch::Tensor& p) {
  const auto key = compat::optimizer_state_key(state, p);
  if (!state.count(key)) {  // as AdamW initialises it
    auto s = std::make_unique<torch::optim::AdamWParamState>();
    s->step(0);
    s->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    s->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    state[key] = std::move(s);
  }
  return static_cast<torch::optim::AdamWParamState&>(*state[key]);
}

}  // namespace

bool FusedAdamW::step_multi_tensor() {
  if (!fused_kernels()) return false;
  // Check every group first: the update is all or nothing.
  for (const auto& group : param_groups()) {
    if (static_cast<const torch::optim::AdamWOptions&>(group.options()).amsgrad()) return false;
    std::optional<int64_t> step;
    std::optional<torch::Device> device;
    for (const auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      if (p.scalar_type() != torch::kFloat32 || p.grad().scalar_type() != torch::kFloat32 || p.grad().is_sparse())
        return false;
      if (device && *device != p.device()) return false;
      device = p.device();
      const auto it = state_.find(compat::optimizer_state_key(state_, p));
      const int64_t s = it == state_.end() ? 0 : static_cast<const torch::optim::AdamWParamState&>(*it->second).step();
      if (step && *step != s) return false;
      step = s;
    }
  }
  torch::NoGradGuard no_grad;
  for (auto& group : param_groups()) {
    const auto& o = static_cast<const torch::optim::AdamWOptions&>(group.options());
    std::vector<torch::Tensor> w, g, m, v;
    int64_t step = 0;
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& s = state_of(state_, p);
      s.step(s.step() + 1);
      step = s.step();
      w.push_back(p);
      g.push_back(p.grad());
      m.push_back(s.exp_avg());
      v.push_back(s.exp_avg_sq());
    }
    if (w.empty()) continue;
    const double lr = o.lr(), beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
    const double bias_correction1 = 1 - std::pow(beta1, step);
    const double bias_correction2 = 1 - std::pow(beta2, step);
    if (o.weight_decay() != 0) at::_foreach_mul_(w, 1 - lr * o.weight_decay());
    at::_foreach_mul_(m, beta1);
    at::_foreach_add_(m, g, 1 - beta1);
    at::_foreach_mul_(v, beta2);
    at::_foreach_addcmul_(v, g, g, 1 - beta2);
    auto denom = at::_foreach_sqrt(v);
    at::_foreach_div_(denom, std::sqrt(bias_correction2));
    at::_foreach_add_(denom, o.eps());
    at::_foreach_addcdiv_(w, m, denom, -lr / bias_correction1);
  }
  return true;
}

torch::Tensor FusedAdamW::step(LossClosure closure) {
  if (!all_fusable(param_groups(), state_)) {
    if (closure == nullptr && step_multi_tensor()) return {};
    return torch::optim::AdamW::step(std::move(closure));
  }
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups()) {
    const auto& o = static_cast<const torch::optim::AdamWOptions&>(group.options());
    const double lr = o.lr(), beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& s = state_of(state_, p);
      s.step(s.step() + 1);
      const double bias_correction1 = 1 - std::pow(beta1, s.step());
      const double bias_correction2 = 1 - std::pow(beta2, s.step());
      const Coefficients k{
          /*decay=*/o.weight_decay() != 0 ? static_cast<float>(1 - lr * o.weight_decay()) : 1.0f,
          /*b1=*/static_cast<float>(beta1),
          /*one_minus_b1=*/static_cast<float>(1 - beta1),
          /*b2=*/static_cast<float>(beta2),
          /*one_minus_b2=*/static_cast<float>(1 - beta2),
          /*sqrt_bc2=*/static_cast<float>(std::sqrt(bias_correction2)),
          /*eps=*/static_cast<float>(o.eps()),
          /*neg_step=*/static_cast<float>(-lr / bias_correction1)};
      float* w = p.data_ptr<float>();
      float* m = s.exp_avg().data_ptr<float>();
      float* v = s.exp_avg_sq().data_ptr<float>();
      const float* g = p.grad().data_ptr<float>();
      at::parallel_for(0, p.numel(), 1 << 14, [&](int64_t begin, int64_t end) {
        update(w + begin, m + begin, v + begin, g + begin, end - begin, k);
      });
    }
  }
  return loss;
}

}  // namespace rflab::core
