// Throughput of the `shapes` dataset: scene generation plus rendering of 32x32 images, and the
// exact detector; items are images.
#include <benchmark/benchmark.h>

#include "bench/bench_main.h"
#include "core/data/shapes/detector.h"
#include "core/data/shapes/render.h"
#include "core/data/shapes/scene.h"

namespace {

using namespace rflab::shapes;

// scene_at + render of consecutive training indices (1-4 objects each, 2.5 on average).
void BM_ShapesGenerateAndRender(benchmark::State& state) {
  std::vector<float> img(kImageValues);
  int64_t i = 0;
  for (auto _ : state) {
    render(scene_at(0, i++), img.data());
    benchmark::DoNotOptimize(img.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ShapesGenerateAndRender);

// scene_at alone, for the split between drawing and drawing pixels.
void BM_ShapesGenerate(benchmark::State& state) {
  int64_t i = 0;
  for (auto _ : state) {
    size_t n = scene_at(0, i++).objects.size();
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ShapesGenerate);

// detect on 1024 pre-rendered held-out images, cycled.
void BM_ShapesDetect(benchmark::State& state) {
  std::vector<std::vector<float>> images;
  for (int64_t k = 0; k < 1024; ++k) images.push_back(render(scene_at(0, split_range(Split::heldout).begin + k)));
  size_t k = 0;
  for (auto _ : state) {
    size_t n = detect(images[k++ % images.size()]).size();
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ShapesDetect);

}  // namespace

RFLAB_BENCHMARK_MAIN();
