// The optimisation schedule shared by the evaluator networks: linear warmup over the first 5%
// of steps, then cosine decay to zero; and the mean loss of the last 10% of steps, reported as
// the final loss (one batch's loss is too noisy to compare runs by).
#pragma once
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

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

}  // namespace rflab::eval
