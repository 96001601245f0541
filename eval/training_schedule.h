// The optimisation shared by the evaluator networks: AdamW with linear warmup over the first 5%
// of steps, then cosine decay to zero, batches drawn with replacement from the counter-based
// seeds; and the mean loss of the last 10% of steps, reported as the final loss (one batch's
// loss is too noisy to compare runs by).
#pragma once
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>

#include "core/train/seeds.h"
#include "core/train/gradients.h"
#include "results/error.h"

namespace rflab::eval {

inline double warmup_cosine(double peak, int64_t step, int64_t steps) {
  const int64_t warmup = std::max<int64_t>(1, steps / 20);
  if (step < warmup) return peak * static_cast<double>(step + 1) / warmup;
  const double progress = static_cast<double>(step - warmup) / std::max<int64_t>(1, steps - warmup);
  return peak * 0.5 * (1.0 + std::cos(M_PI * progress));
}

inline void set_learning_rate(torch::optim::AdamW& opt, double lr) {
  for (auto& group : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
}

class LossTail {
 public:
  explicit LossTail(int64_t steps) : from_(steps - std::max<int64_t>(1, steps / 10)) {}
  void add(int64_t step, double loss) {
    if (step >= from_) sum_ += loss, ++count_;
  }
  double mean() const { return count_ ? sum_ / count_ : std::nan(""); }

 private:
  int64_t from_;
  double sum_ = 0;
  int64_t count_ = 0;
};

struct AdamWPlan {
  double learning_rate = 0;
  double weight_decay = 0;
  int64_t steps = 0;
  int64_t batch_size = 0;
  uint64_t seed = 0;
};

// Trains `parameters` for plan.steps steps; step s draws plan.batch_size row indices of an
// n-row training set from (seed, data_order, s), and backward_of(s, indices) sets the
// parameters' gradients (released before the call) and returns the batch's loss. Returns the
// LossTail mean.
inline double train_adamw(const std::vector<torch::Tensor>& parameters, const AdamWPlan& plan, int64_t n,
                          const std::function<torch::Tensor(int64_t, const torch::Tensor&)>& backward_of,
                          const std::function<void(int64_t, int64_t, double)>& progress) {
  torch::optim::AdamW opt(parameters, torch::optim::AdamWOptions(plan.learning_rate).weight_decay(plan.weight_decay));
  LossTail tail(plan.steps);
  for (int64_t s = 0; s < plan.steps; ++s) {
    auto idx = torch::randint(n, {plan.batch_size}, core::make_cpu_generator(plan.seed, core::Stream::data_order, s),
                              torch::kInt64);
    core::release_gradients(opt);
    const double l = backward_of(s, idx).item<double>();
    set_learning_rate(opt, warmup_cosine(plan.learning_rate, s, plan.steps));
    opt.step();
    tail.add(s, l);
    if (progress) progress(s + 1, plan.steps, l);
  }
  return tail.mean();
}

// A network config's shape field must equal the dataset's; `what` names the config.
inline void require_dataset_value(const std::string& what, const std::string& field, int64_t dataset_value,
                                  int64_t config_value) {
  if (config_value != dataset_value)
    throw_input_error(what, field, std::to_string(dataset_value) + " (the dataset's)", std::to_string(config_value));
}

}  // namespace rflab::eval
