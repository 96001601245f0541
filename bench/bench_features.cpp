// Feature extraction throughput (images/s) of the evaluator networks at their default
// architectures: the mini-CLIP image tower of the evaluator (CLIP-FID, CLIP score), the
// conditioner's text tower (prompts/s), the classifier's penultimate features and the FID
// Inception-v3's pool3 features. Weights are random: the cost does not depend on their values.
#include <benchmark/benchmark.h>

#include "bench/bench_main.h"

#include "core/text/tokenizer.h"
#include "core/train/backward_in_parts.h"
#include "eval/classifier.h"
#include "eval/conv3x3.h"
#include "eval/conv_tower.h"
#include "eval/inception_v3.h"
#include "eval/mini_clip.h"

namespace {

using rflab::eval::MiniClip;
using rflab::eval::MiniClipConfig;

rflab::core::Tokenizer bench_tokenizer(int64_t max_tokens) {
  return rflab::core::Tokenizer::from_corpus({"a photo of a", "bag", "running shoe", "ankle boot"}, max_tokens);
}

void BM_MiniClipImageFeatures(benchmark::State& state) {
  const auto config = state.range(1) ? MiniClipConfig::evaluator() : MiniClipConfig::conditioner();
  MiniClip m(config, bench_tokenizer(config.max_tokens));
  m->eval();
  torch::NoGradGuard g;
  const auto images = torch::rand({state.range(0), 1, 32, 32}) * 2 - 1;
  for (auto _ : state) benchmark::DoNotOptimize(m->encode_image(images));
  state.SetItemsProcessed(state.iterations() * state.range(0));  // images per second
  state.SetLabel(config.role);
}
BENCHMARK(BM_MiniClipImageFeatures)->Args({256, 1})->Args({256, 0})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_MiniClipTextConditioning(benchmark::State& state) {
  const auto config = MiniClipConfig::conditioner();
  MiniClip m(config, bench_tokenizer(config.max_tokens));
  m->eval();
  torch::NoGradGuard g;
  const std::vector<std::string> prompts(state.range(0), "a photo of a running shoe");
  for (auto _ : state) benchmark::DoNotOptimize(m->encode_text(prompts).context);
  state.SetItemsProcessed(state.iterations() * state.range(0));  // prompts per second
}
BENCHMARK(BM_MiniClipTextConditioning)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ClassifierFeatures(benchmark::State& state) {
  rflab::eval::Classifier m{rflab::eval::ClassifierConfig{}};
  m->eval();
  const auto images = torch::rand({state.range(0), 1, 32, 32}) * 2 - 1;
  for (auto _ : state) benchmark::DoNotOptimize(rflab::eval::classifier_features(m, images, state.range(0)));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ClassifierFeatures)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();

// The FID Inception-v3 on 32x32 gray images: the 299x299 resize and ~5.7 GFLOP per image dominate.
void BM_InceptionFeatures(benchmark::State& state) {
  rflab::eval::InceptionV3Fid m;
  const auto images = torch::rand({state.range(0), 1, 32, 32}) * 2 - 1;
  for (auto _ : state) benchmark::DoNotOptimize(m->features(images, state.range(0)));
  state.SetItemsProcessed(state.iterations() * state.range(0));  // images per second
}
BENCHMARK(BM_InceptionFeatures)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();

// A training step's forward and backward of a mini-CLIP's image tower on a batch of 128, as the
// evaluators are trained (images/s): path 0 through ATen's Conv2d and MaxPool2d on the whole
// batch, 1 the tower's channels-last convolutions (eval/conv3x3.h: direct at 16 output channels,
// else the columns' products) on the whole batch, 2 the same in parts of 32, one core each
// (core::backward_in_parts), as rflab trains them, 3 in parts with the columns' products alone
// (the direct convolution off); tower 0 the conditioner's (32, 64 and 128 channels, one
// convolution per stage), 1 the evaluator's (16, 32 and 64, two per stage).
void BM_ConvTowerTrainStep(benchmark::State& state) {
  const auto config = state.range(1) == 0 ? MiniClipConfig::conditioner() : MiniClipConfig::evaluator();
  rflab::eval::ConvTower tower(config.in_channels, config.image_size, config.image_channels,
                               config.image_convs_per_stage);
  const auto params = tower->parameters();
  const int64_t B = 128;
  const auto images = torch::rand({B, 1, 32, 32}) * 2 - 1;
  const auto loss_of = [](const torch::Tensor& out) { return out.square().mean(); };
  const int64_t path = state.range(0);
  rflab::eval::set_conv3x3_direct(path != 3);
  for (auto _ : state) {
    for (auto& p : params) p.mutable_grad() = torch::Tensor();
    if (path >= 2) {
      rflab::core::backward_in_parts(B, params, [&](int64_t from, int64_t n) {
        return tower->forward(images.narrow(0, from, n));
      }, loss_of);
    } else {
      loss_of(path == 0 ? tower->forward_aten(images) : tower->forward(images)).backward();
    }
  }
  rflab::eval::set_conv3x3_direct(true);
  state.SetItemsProcessed(state.iterations() * B);
  const char* label[] = {"ATen, whole batch", "channels-last, whole batch", "channels-last, in parts",
                         "products only, in parts"};
  state.SetLabel(std::string(state.range(1) == 0 ? "conditioner, " : "evaluator, ") + label[path]);
}
BENCHMARK(BM_ConvTowerTrainStep)
    ->ArgNames({"path", "tower"})
    ->ArgsProduct({{0, 1, 2, 3}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

RFLAB_BENCHMARK_MAIN()
