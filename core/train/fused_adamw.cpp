#include "core/train/fused_adamw.h"

#include <ATen/Parallel.h>
#include <c10/util/string_utils.h>
#include <torch/torch.h>

#include <cmath>

#include "core/model/cpu_kernel.h"

namespace rflab::core {

namespace {

bool fusable(const torch::Tensor& t) { return t.is_contiguous() && t.numel() > 0; }

using State = ska::flat_hash_map<std::string, std::unique_ptr<torch::optim::OptimizerParamState>>;

// Whether every parameter with a gradient, and its moments when it has them, can take the
// one-pass update.
bool all_fusable(const std::vector<torch::optim::OptimizerParamGroup>& groups, const State& state) {
  for (const auto& group : groups) {
    if (static_cast<const torch::optim::AdamWOptions&>(group.options()).amsgrad()) return false;
    for (const auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      if (!cpu_float32({&p, &p.grad()}) || p.grad().is_sparse() || !fusable(p) || !fusable(p.grad())) return false;
      const auto it = state.find(c10::guts::to_string(p.unsafeGetTensorImpl()));
      if (it == state.end()) continue;
      const auto& s = static_cast<const torch::optim::AdamWParamState&>(*it->second);
      if (!cpu_float32({&s.exp_avg(), &s.exp_avg_sq()}) || !fusable(s.exp_avg()) || !fusable(s.exp_avg_sq()) ||
          s.exp_avg().numel() != p.numel() || s.exp_avg_sq().numel() != p.numel())
        return false;
    }
  }
  return true;
}

}  // namespace

torch::Tensor FusedAdamW::step(LossClosure closure) {
  if (!all_fusable(param_groups(), state_)) return torch::optim::AdamW::step(std::move(closure));
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
      const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
      if (!state_.count(key)) {  // as AdamW initialises it
        auto s = std::make_unique<torch::optim::AdamWParamState>();
        s->step(0);
        s->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        s->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        state_[key] = std::move(s);
      }
      auto& s = static_cast<torch::optim::AdamWParamState&>(*state_[key]);
      s.step(s.step() + 1);
      const double bias_correction1 = 1 - std::pow(beta1, s.step());
      const double bias_correction2 = 1 - std::pow(beta2, s.step());
      const float decay = o.weight_decay() != 0 ? static_cast<float>(1 - lr * o.weight_decay()) : 1.0f;
      const float b1 = static_cast<float>(beta1), one_minus_b1 = static_cast<float>(1 - beta1);
      const float b2 = static_cast<float>(beta2), one_minus_b2 = static_cast<float>(1 - beta2);
      const float sqrt_bc2 = static_cast<float>(std::sqrt(bias_correction2));
      const float eps = static_cast<float>(o.eps());
      const float neg_step = static_cast<float>(-lr / bias_correction1);
      float* w = p.data_ptr<float>();
      float* m = s.exp_avg().data_ptr<float>();
      float* v = s.exp_avg_sq().data_ptr<float>();
      const float* g = p.grad().data_ptr<float>();
      at::parallel_for(0, p.numel(), 1 << 14, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          const float wi = w[i] * decay;
          const float mi = m[i] * b1 + one_minus_b1 * g[i];
          const float vi = v[i] * b2 + one_minus_b2 * g[i] * g[i];
          m[i] = mi;
          v[i] = vi;
          w[i] = wi + neg_step * (mi / (std::sqrt(vi) / sqrt_bc2 + eps));
        }
      });
    }
  }
  return loss;
}

}  // namespace rflab::core
