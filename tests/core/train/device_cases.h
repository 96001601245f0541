// Device-generic test bodies: each takes the device (and precision) it runs on. The default
// suite runs them on the CPU (tests/core/train/device_test.cpp); tests/cuda runs the same bodies
// on a GPU (label `cuda`), skipping where there is none.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "core/formulation/formulation.h"
#include "core/model/mmdit.h"
#include "core/train/fused_adamw.h"
#include "core/train/seeds.h"
#include "core/util/precision.h"
#include "tests/core/train/tiny_model.h"
#include "tests/core/train/trainer_test_util.h"

namespace rflab::core::testing {

// Every formulation family the registry names, by one representative each.
inline const char* const kEveryFamily[] = {"eps/linear", "v/linear", "eps/cos", "v/cos", "rf", "rf/mode(1.29)",
                                           "rf/lognorm(0.00, 1.00)", "rf/cosmap", "edm(-1.20, 1.20)", "edm/rf",
                                           "edm/cos", "eps/linear+minsnr(5.00)", "v/linear+ztsnr"};

// On one fixed batch with fixed levels and noise, 60 AdamW steps of a tiny MM-DiT on `device`
// at `precision` (forward under autocast, loss in fp32) halve the family's loss.
inline void expect_family_loss_falls(const std::string& formulation, torch::Device device, Precision precision) {
  torch::manual_seed(1);
  auto f = Formulation::parse(formulation);
  MMDiT m(tiny_mmdit_config());
  auto x0 = torch::rand({8, 1, 16, 16}) * 2 - 1;
  auto eps = torch::randn({8, 1, 16, 16});
  auto levels = f.sample_levels(8, make_cpu_generator(7, Stream::levels, 0));
  auto pooled = torch::randn({8, 16});
  auto ctx = torch::randn({8, 3, 16});
  m->to(device);
  x0 = x0.to(device);
  eps = eps.to(device);
  pooled = pooled.to(device);
  ctx = ctx.to(device);
  auto z = f.noised(x0, eps, levels);
  FusedAdamW opt(m->parameters(), torch::optim::AdamWOptions(3e-3).weight_decay(0));
  double first = 0, last = 0;
  for (int i = 0; i < 60; ++i) {
    for (auto& p : m->parameters()) p.mutable_grad() = torch::Tensor();
    torch::Tensor out;
    {
      AutocastScope autocast(device, precision);
      out = m->forward(f.net_input(z, levels), levels.c_t.to(device), pooled, ctx);
    }
    auto loss = f.loss(out.to(torch::kFloat32), x0, eps, levels).mean();
    ASSERT_EQ(loss.scalar_type(), torch::kFloat32);
    ASSERT_EQ(loss.device(), device);
    ASSERT_TRUE(std::isfinite(loss.item<double>())) << "step " << i;
    loss.backward();
    opt.step();
    if (i == 0) first = loss.item<double>();
    last = loss.item<double>();
  }
  for (const auto& p : m->parameters()) {
    EXPECT_EQ(p.scalar_type(), torch::kFloat32) << "master weights stay fp32";
    EXPECT_EQ(p.device(), device);
  }
  EXPECT_LT(last, 0.5 * first) << formulation << " on " << device << " " << precision_name(precision)
                               << ": first " << first << " last " << last;
}

// A run on `first` stopped at step 3 resumes on `second` and runs to step 6; its weights equal
// an uninterrupted run on `second` within `tolerance` (0: bit for bit).
inline void expect_resume_across_devices(const std::string& first, const std::string& second, double tolerance) {
  TempDir tmp;
  const auto config_on = [](const std::string& device) { return tiny_config(6, {{"train.device", device}}); };
  {
    RecordingSink stop_at_3(3);
    Trainer a(config_on(first), tiny_conditioner(), tmp.path("run"), stop_at_3);
    ASSERT_EQ(a.run().step, 3);
  }
  RecordingSink resumed_sink, whole_sink;
  Trainer resumed(config_on(second), tiny_conditioner(), tmp.path("run"), resumed_sink);
  ASSERT_EQ(resumed.resume(), 3);
  ASSERT_EQ(resumed.run().outcome, TrainOutcome::done);
  Trainer whole(config_on(second), tiny_conditioner(), tmp.path("whole"), whole_sink);
  ASSERT_EQ(whole.run().outcome, TrainOutcome::done);
  auto reference = whole.live().backbone->named_parameters();
  for (const auto& p : resumed.live().backbone->named_parameters()) {
    ASSERT_EQ(p.value().device(), reference[p.key()].device());
    const double diff = (p.value() - reference[p.key()]).abs().max().item<double>();
    EXPECT_LE(diff, tolerance) << p.key() << " after " << first << " -> " << second;
  }
}

// The validation loss of one tiny system (SPEC §5.1: fixed noise, 8 levels) on `device`, from
// the same weights: what the GPU and CPU figures are compared by.
inline ValidationLoss validation_on(const std::string& device, const std::string& formulation) {
  TempDir tmp;
  CountingSink sink;
  Trainer t(tiny_config(2, {{"formulation", formulation}}), tiny_conditioner(), tmp.path("v"), sink);
  t.step();
  t.step();
  t.ema().to(torch::Device(device));
  auto data = load_dataset(t.ema().config.data);
  return validation_loss(t.ema(), validation_set(data, t.ema().config.eval), 1234);
}

}  // namespace rflab::core::testing
