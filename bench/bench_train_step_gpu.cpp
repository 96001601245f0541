// One MM-DiT training step on a CUDA GPU at SD3-like shapes: 32x32x16 latents at patch 2 (256
// image tokens), 77 + 77 context tokens of width 4096 (the CLIP and T5 token sequences side by
// side), a pooled vector of width 2048, hidden 64·d, d heads, RMSNorm on q and k, batch 64; fp32
// (no TF32) or bf16 autocast with fp32 master weights; AdamW (its multi-tensor CUDA route). Reports
// samples/s, TFLOP/s from the closed form of SPEC §9.8 (6 x forward MACs per sample) and MFU, the
// TFLOP/s as a share of the GPU's peak for the precision: dense bf16 and fp32 peaks from
// RFLAB_GPU_PEAK_BF16_TFLOPS and RFLAB_GPU_PEAK_FP32_TFLOPS, by default an H100/H200 SXM's (989.4
// and 66.9), echoed in the output's context. Args: depth, precision (0 fp32, 1 bf16). Skips where
// there is no CUDA device.
#include <benchmark/benchmark.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <cstdlib>
#include <string>

#include "bench/bench_main.h"
#include "core/model/mmdit.h"
#include "core/model/shape/model_size.h"
#include "core/train/fused_adamw.h"
#include "core/train/gradients.h"
#include "core/util/device.h"
#include "core/util/precision.h"

using namespace rflab::core;

namespace {

constexpr int64_t kBatch = 64, kLatent = 32, kChannels = 16, kPatch = 2, kContext = 154;

double peak_tflops(bool bf16) {
  const char* name = bf16 ? "RFLAB_GPU_PEAK_BF16_TFLOPS" : "RFLAB_GPU_PEAK_FP32_TFLOPS";
  const char* v = std::getenv(name);
  return v ? std::atof(v) : (bf16 ? 989.4 : 66.9);
}

BackboneConfig sd3_like(int64_t depth) {
  BackboneConfig c;
  c.depth = depth;
  c.hidden = 64 * depth;
  c.heads = depth;
  c.patch_size = kPatch;
  c.in_channels = c.out_channels = kChannels;
  c.context_dim = 4096;
  c.pooled_dim = 2048;
  c.pos_embed_max_size = kLatent / kPatch;
  c.qk_norm = true;
  return c;
}

void BM_TrainStepGpu(benchmark::State& state) {
  if (!torch::cuda::is_available()) {
    state.SkipWithError("no CUDA device");
    for (auto _ : state) {
    }
    return;
  }
  const auto device = device_named("cuda", "benchmark");
  const bool bf16 = state.range(1) == 1;
  const Precision precision = bf16 ? Precision::bf16 : Precision::fp32;
  torch::manual_seed(0);
  const auto c = sd3_like(state.range(0));
  MMDiT m(c);
  m->to(device);
  FusedAdamW opt(m->parameters(), torch::optim::AdamWOptions(1e-4));
  const auto on = torch::TensorOptions().device(device);
  auto x0 = torch::randn({kBatch, kChannels, kLatent, kLatent}, on);
  auto eps = torch::randn({kBatch, kChannels, kLatent, kLatent}, on);
  auto t = torch::sigmoid(torch::randn({kBatch}, on));
  auto z = (1 - t).view({-1, 1, 1, 1}) * x0 + t.view({-1, 1, 1, 1}) * eps;
  auto pooled = torch::randn({kBatch, c.pooled_dim}, on);
  auto ctx = torch::randn({kBatch, kContext, c.context_dim}, on);
  auto step = [&] {
    release_gradients(opt);
    torch::Tensor out;
    {
      AutocastScope autocast(device, precision);
      out = m->forward(z, 1000 * t, pooled, ctx);
    }
    auto loss = (out.to(torch::kFloat32) - (eps - x0)).pow(2).mean();
    loss.backward();
    opt.step();
    return loss;
  };
  for (int i = 0; i < 3; ++i) step();  // allocator and kernel selection
  torch::cuda::synchronize();
  for (auto _ : state) {
    benchmark::DoNotOptimize(step().item<float>());  // .item() waits for the step
  }
  const int64_t tokens = (kLatent / kPatch) * (kLatent / kPatch);
  const double flops = train_flops_per_sample(c, tokens, kContext) * kBatch;
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(kBatch), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["TFLOP/s"] = benchmark::Counter(flops * 1e-12, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MFU"] = benchmark::Counter(flops * 1e-12 / peak_tflops(bf16), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["params_M"] = static_cast<double>(parameter_count(c)) * 1e-6;
}

}  // namespace

// {depth, precision: 0 fp32, 1 bf16}
BENCHMARK(BM_TrainStepGpu)->ArgNames({"d", "bf16"})->Args({12, 1})->Args({24, 1})->Args({12, 0})->Unit(benchmark::kMillisecond)->MinTime(5.0)->Repetitions(3)->ReportAggregatesOnly(true)->UseRealTime();

int main(int argc, char** argv) {
  rflab::core::ensure_blas_environment(argv);
  for (bool bf16 : {true, false})
    benchmark::AddCustomContext(bf16 ? "peak_bf16_tflops" : "peak_fp32_tflops", std::to_string(peak_tflops(bf16)));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
