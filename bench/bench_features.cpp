// Feature extraction throughput (images/s) of the evaluator networks at their default
// architectures: the mini-CLIP image tower of the evaluator (CLIP-FID, CLIP score), the
// conditioner's text tower (prompts/s), the classifier's penultimate features and the FID
// Inception-v3's pool3 features. Weights are random: the cost does not depend on their values.
#include <benchmark/benchmark.h>

#include "bench/bench_main.h"

#include "core/text/tokenizer.h"
#include "eval/classifier.h"
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

}  // namespace

RFLAB_BENCHMARK_MAIN()
