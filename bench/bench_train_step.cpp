// One MM-DiT training step (forward, backward, AdamW) at d = 2 and d = 4 with 64 image tokens
// (32x32x1 input, patch 4), 16 context tokens and batch 64, fp32 — reported as samples/s and
// GFLOP/s from the closed form of SPEC §9.8 (6 x forward MACs per sample) — beside a plain sgemm
// of a similar size as the machine's reference rate; each step benchmark also reports its share
// of the sgemm rate measured just before it (sgemm_share). Args: depth, torch intra-op threads,
// OpenBLAS threads, whole batch or in parts. BM_SampleForward: the guided forward of sampling.
// BM_TrainStepBackbone: the same step for every backbone and DiT block design
// at d = 2 (docs/architectures.md). Runs with passive waiting in both pools (it re-executes itself to set it).
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench/bench_main.h"

#include <algorithm>
#include <chrono>

#include "core/model/backbone.h"
#include "core/model/shape/model_size.h"
#include "core/train/fused_adamw.h"
#include "core/train/gradients.h"
#include "core/train/backward_in_parts.h"
#include "core/util/sgemm_rate.h"
#include "core/util/shards.h"
#include "core/util/threads.h"

using namespace rflab::core;

namespace {

BackboneConfig bench_config(int64_t depth) {
  BackboneConfig c;
  c.depth = depth;
  c.hidden = 64 * depth;
  c.heads = depth;
  c.patch_size = 4;
  c.in_channels = c.out_channels = 1;
  c.context_dim = 64;
  c.pooled_dim = 64;
  c.pos_embed_max_size = 8;
  return c;
}

void set_threads(const benchmark::State& state) {
  ThreadChoice t;
  t.torch_threads = static_cast<int>(state.range(1));
  t.blas_threads = static_cast<int>(state.range(2));
  configure_threads(t);
}

// The machine's sgemm rate (FLOP/s, best of 5 after a warm-up) at the shape of the MLP's first
// Linear of depth d: (B·L) x H times H x 4H, with the threads already configured.
double sgemm_rate(int64_t depth) {
  const int64_t k = depth * 64;
  return 1e9 * sgemm_gflops({64 * 80, k, 4 * k}, 5);
}

// Forward, backward and AdamW of backbone c on a fixed batch, timed by the state's loop: the
// whole batch through one backward(), or in parts, one core each, as the trainer runs it on the
// CPU (core/train/backward_in_parts.h).
void train_steps(benchmark::State& state, const BackboneConfig& c, double sgemm, bool in_parts) {
  torch::manual_seed(0);
  const int64_t B = 64, M = 16;
  auto m = make_backbone(c);
  FusedAdamW opt(m->parameters(), torch::optim::AdamWOptions(1e-4));
  auto x0 = torch::randn({B, 1, 32, 32});
  auto eps = torch::randn({B, 1, 32, 32});
  auto t = torch::sigmoid(torch::randn({B}));
  auto z = (1 - t).view({-1, 1, 1, 1}) * x0 + t.view({-1, 1, 1, 1}) * eps;
  auto pooled = torch::randn({B, 64});
  auto ctx = torch::randn({B, M, 64});
  const auto loop_start = std::chrono::steady_clock::now();
  const Network net = [&m](const torch::Tensor& z_in, const torch::Tensor& c_t, const Conditioning& cond) {
    return m->forward(z_in, c_t, cond.pooled, cond.context);
  };
  const auto params = m->parameters();
  const auto target = eps - x0;
  for (auto _ : state) {
    release_gradients(opt);
    torch::Tensor loss;
    if (in_parts) {
      loss = backward_in_parts(net, params, z, 1000 * t, {pooled, ctx},
                               [&](const torch::Tensor& out) { return (out - target).pow(2).mean(); });
    } else {
      loss = (m->forward(z, 1000 * t, pooled, ctx) - target).pow(2).mean();
      loss.backward();
    }
    opt.step();
    benchmark::DoNotOptimize(loss.item<float>());
  }
  const double flops = train_flops_per_sample(c, 64, M) * B;
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(B), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["FLOP/s"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  // The step's FLOP/s as a share of the sgemm rate measured just before it, at the same threads
  // (a plain ratio: the loop's own wall time, as UseRealTime measures it).
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - loop_start).count();
  state.counters["sgemm_share"] = flops * static_cast<double>(state.iterations()) / seconds / sgemm;
  state.counters["params"] = static_cast<double>(parameter_count(c));
}

void BM_TrainStep(benchmark::State& state) {
  set_threads(state);
  train_steps(state, bench_config(state.range(0)), sgemm_rate(state.range(0)), state.range(3) != 0);
}

// Every backbone and dit block design (args: the indices of model.backbone and
// model.conditioning) at d = 2 under the same shapes, on rflab's default 2 + 2 threads, so their
// step rates and sgemm shares stand beside MM-DiT's.
void BM_TrainStepBackbone(benchmark::State& state) {
  ThreadChoice threads;
  threads.torch_threads = threads.blas_threads = 2;
  configure_threads(threads);
  auto c = bench_config(2);
  c.backbone = static_cast<BackboneKind>(state.range(0));
  c.conditioning = static_cast<BlockConditioning>(state.range(1));
  state.SetLabel(c.name());
  train_steps(state, c, sgemm_rate(2), true);
}

// The network evaluations of sampling: one forward of 100 samples under classifier-free guidance
// (a batch of 200 rows: conditional and unconditional halves) at d = 2 with the study's 8 context
// tokens, without gradients, on 2 + 2 threads: the whole batch at once (parts 0), or in the parts
// rflab samples in on the CPU, one core each (core/util/shards.h: inference_parts).
void BM_SampleForward(benchmark::State& state) {
  ThreadChoice threads;
  threads.torch_threads = threads.blas_threads = 2;
  configure_threads(threads);
  const int64_t samples = 100, B = 2 * samples, M = 8;
  torch::manual_seed(0);
  auto m = make_backbone(bench_config(2));
  auto z = torch::randn({B, 1, 32, 32});
  auto t = 1000 * torch::rand({B});
  auto pooled = torch::randn({B, 64});
  auto ctx = torch::randn({B, M, 64});
  torch::NoGradGuard no_grad;
  const auto bounds = part_bounds(samples, state.range(0) ? inference_parts(samples, 2) : 1);
  const int64_t parts = static_cast<int64_t>(bounds.size()) - 1;
  std::vector<torch::Tensor> out(parts);
  for (auto _ : state) {
    run_shards(parts, [&](int64_t p) {
      const int64_t from = 2 * bounds[p], n = 2 * (bounds[p + 1] - bounds[p]);
      out[p] = m->forward(z.narrow(0, from, n), t.narrow(0, from, n), pooled.narrow(0, from, n), ctx.narrow(0, from, n));
    });
    benchmark::DoNotOptimize(out[0].data_ptr());
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["parts"] = static_cast<double>(parts);
}

// (B·L) x H times H x 4H: the shape of the MLP's first Linear at d = 4.
void BM_Sgemm(benchmark::State& state) {
  set_threads(state);
  const int64_t rows = 64 * 80, k = state.range(0) * 64, n = 4 * k;
  auto a = torch::randn({rows, k});
  auto b = torch::randn({k, n});
  for (auto _ : state) benchmark::DoNotOptimize(torch::mm(a, b).data_ptr());
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * rows * k * n, benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}

}  // namespace

// {depth, torch threads, OpenBLAS threads, in parts}; {2, 2, 2, 1} and {4, 2, 2, 1} are rflab's
// default on 2 cores; parts 0 is the whole batch through one backward().
BENCHMARK(BM_TrainStep)->ArgNames({"d", "torch", "blas", "parts"})->Args({2, 2, 2, 1})->Args({2, 2, 2, 0})->Args({2, 1, 1, 1})->Args({4, 2, 2, 1})->Args({4, 2, 2, 0})->Args({4, 1, 1, 1})->Unit(benchmark::kMillisecond)->MinTime(3.0)->Repetitions(3)->ReportAggregatesOnly(true)->UseRealTime();
BENCHMARK(BM_TrainStepBackbone)->ArgNames({"backbone", "conditioning"})->Args({0, 0})->Args({1, 0})->Args({2, 0})->Args({2, 1})->Args({2, 2})->Args({2, 3})->Args({3, 0})->Args({4, 0})->Unit(benchmark::kMillisecond)->MinTime(3.0)->Repetitions(3)->ReportAggregatesOnly(true)->UseRealTime();
BENCHMARK(BM_SampleForward)->ArgName("parts")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(2.0)->Repetitions(3)->ReportAggregatesOnly(true)->UseRealTime();
BENCHMARK(BM_Sgemm)->ArgNames({"d", "torch", "blas"})->Args({4, 1, 2})->Args({4, 1, 1})->Unit(benchmark::kMillisecond)->Repetitions(3)->ReportAggregatesOnly(true)->UseRealTime();

RFLAB_BENCHMARK_MAIN()
