#include "core/train/ema.h"

namespace rflab::core {

void Ema::copy(torch::nn::Module& live, torch::nn::Module& shadow) {
  torch::NoGradGuard g;
  auto src = live.named_parameters();
  for (auto& p : shadow.named_parameters()) p.value().copy_(src[p.key()]);
  auto bsrc = live.named_buffers();
  for (auto& b : shadow.named_buffers()) b.value().copy_(bsrc[b.key()]);
}

bool Ema::after_step(int64_t step, torch::nn::Module& live, torch::nn::Module& shadow) const {
  if (step % every_ != 0) return false;
  torch::NoGradGuard g;
  auto src = live.named_parameters();
  for (auto& p : shadow.named_parameters()) p.value().mul_(decay_).add_(src[p.key()], 1.0 - decay_);
  return true;
}

}  // namespace rflab::core
