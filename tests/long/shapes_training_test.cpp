// A short training run on the shapes dataset (minutes on 2 cores, label `long`): the conditioner
// mini-CLIP a shapes run uses, then 1500 steps of the configs/shapes.json backbone (about 30
// minutes on 2 cores; after 400 steps its samples satisfy too few prompts to tell from noise). The training
// and validation losses fall, and the prompt-following score (eval/prompt_following.h) of the
// trained weights rises above that of the untrained model, whose samples are noise, with the
// interval of the difference clear of zero.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "core/data/dataset.h"
#include "core/train/trainer.h"
#include "core/train/validation.h"
#include "eval/mini_clip.h"
#include "eval/prompt_following.h"
#include "tests/util/temp_dir.h"

using rflab::testing::TempDir;

namespace rflab::eval {
namespace {

struct QuietSink : core::MetricSink {
  void metrics(int64_t, const std::vector<std::pair<std::string, double>>&) override {}
  void log(const std::string&) override {}
};

// The run of configs/shapes.json (synthetic captions), 1500 steps.
results::RunConfig shapes_config() {
  return results::RunConfig::parse(
      nlohmann::json{{"formulation", "rf/lognorm(0.00, 1.00)"},
                     {"model", {{"depth", 3}, {"patch_size", 4}, {"in_channels", 3}, {"context_dim", 64}, {"pooled_dim", 64}, {"qk_norm", true}}},
                     {"text", {{"max_tokens", 28}}},
                     {"data", {{"dataset", "shapes"}, {"captions", "synthetic"}}},
                     {"train", {{"steps", 1500}, {"batch_size", 64}, {"lr", 0.001}, {"warmup_steps", 100}, {"grad_clip", 1.0},
                                {"ema_decay", 0.995}, {"checkpoint_every", 100}, {"log_every", 100}}},
                     {"eval", {{"every", 100}, {"val_size", 256}}}},
      "shapes_training_test");
}

// The conditioner a shapes run trains (experiments/conditioner.cpp): the default mini-CLIP on
// the evaluators' shapes data, with the run's context length.
core::TextConditioner shapes_conditioner(const results::RunConfig& rc, const std::string& cache) {
  auto c = fitted_to(MiniClipConfig::conditioner(), EvalDataset::for_runs_on(rc.data));
  c.steps = rc.text.clip_steps;
  c.seed = rc.text.clip_seed;
  c.max_tokens = rc.text.max_tokens;
  auto trained = load_or_train_mini_clip(c, EvalDataset::for_runs_on(rc.data), cache);
  trained.model->freeze();
  return {trained.model->text, trained.model->tokenizer, trained.key};
}

double velocity_loss(core::TextToImage& system, const core::ValidationSet& v, uint64_t seed) {
  torch::NoGradGuard g;
  return core::validation_loss(system, v, seed).velocity_mean;
}

TEST(ShapesTraining, LowersTheLossAndRaisesPromptFollowingAboveNoise) {
  TempDir tmp;
  const auto rc = shapes_config();
  QuietSink sink;
  core::Trainer t(rc, shapes_conditioner(rc, tmp.path("cache")), tmp.path("run"), sink);
  const auto v = core::validation_set(core::load_dataset(rc.data), rc.eval);
  const auto prompts = shapes::prompt_set(0, 40);
  core::SamplerOptions s3;  // the control setting S3: 50 Euler steps, CFG 5
  s3.steps = 50;
  s3.cfg = 5.0;

  t.live().backbone->eval();
  const double val_before = velocity_loss(t.live(), v, rc.eval.val_seed);
  const auto before = follow_prompts(t.live(), prompts, s3, 0, 120).score;
  t.live().backbone->train();
  double first = 0, last = 0;
  for (int i = 0; i < 1500; ++i) {
    const double loss = t.step();
    ASSERT_TRUE(std::isfinite(loss)) << "step " << i;
    if (i < 50) first += loss / 50;
    if (i >= 1450) last += loss / 50;
  }
  t.live().backbone->eval();
  const double val_after = velocity_loss(t.live(), v, rc.eval.val_seed);
  const auto after = follow_prompts(t.live(), prompts, s3, 0, 120).score;

  std::cout << "training loss " << first << " -> " << last << ", validation " << val_before << " -> " << val_after
            << "\nprompt following " << before.overall << " [" << before.overall_interval.low << ", "
            << before.overall_interval.high << "] -> " << after.overall << " [" << after.overall_interval.low << ", "
            << after.overall_interval.high << "]\n";
  for (const auto& c : after.categories) std::cout << "  " << shapes::category_name(c.category) << " " << c.rate << "\n";
  EXPECT_LT(last, 0.5 * first);
  EXPECT_LT(val_after, 0.7 * val_before);
  // The difference of two independent means: its normal 95% half-width from the two intervals.
  const double half_before = (before.overall_interval.high - before.overall_interval.low) / 2;
  const double half_after = (after.overall_interval.high - after.overall_interval.low) / 2;
  EXPECT_GT(after.overall - before.overall, std::hypot(half_before, half_after))
      << "prompt following of the trained weights is not clearly above the untrained model's";
}

}  // namespace
}  // namespace rflab::eval
