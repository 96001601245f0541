// rflab on a CUDA GPU (label `cuda`, `make test-cuda`; scripts/gpu-check runs it): the golden
// reference forward passes in fp32 and bf16, every formulation family training in both
// precisions, checkpoints moving between the GPU and the CPU, and the validation loss and the
// sampler agreeing with the CPU's. Every test skips where this libtorch or machine has no CUDA.
//
// Tolerances, and why: fp32 on the GPU runs without TF32 (core/util/device), so the forward pass
// matches the reference as the CPU does (1e-5); bf16 keeps 8 significant bits (about 0.5% of the
// output's scale after two or three blocks on the CPU; the bound is 2%, as there). A run's weights on two devices differ by the
// summation order of their reductions, which AdamW can turn into up to one step of size lr per
// element and step: 6 steps at lr 1e-3 stay within 1e-2.
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <cctype>
#include <string>

#include "core/model/reference_checkpoint.h"
#include "tests/util/golden.h"
#include "core/train/checkpoint.h"
#include "core/util/device.h"
#include "tests/core/train/device_cases.h"

using namespace rflab::core;
using namespace rflab::core::testing;

#define REQUIRE_CUDA() \
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (this libtorch or this machine)"

namespace {
const torch::Device kCuda(torch::kCUDA);
}  // namespace

class CudaGolden : public ::testing::TestWithParam<const char*> {};

TEST_P(CudaGolden, Fp32MatchesTheReference) {
  REQUIRE_CUDA();
  device_named("cuda", "test");  // fp32 without TF32
  const auto r = verify_reference_file(rflab::testing::golden_file(GetParam()), kCuda, Precision::fp32);
  EXPECT_LT(r.max_abs_diff, 1e-5) << "max |output| = " << r.max_abs_output;
}

TEST_P(CudaGolden, Bf16WithinItsRounding) {
  REQUIRE_CUDA();
  const auto r = verify_reference_file(rflab::testing::golden_file(GetParam()), kCuda, Precision::bf16);
  EXPECT_LT(r.max_abs_diff, 0.02 * r.max_abs_output) << "max |output| = " << r.max_abs_output;
  EXPECT_GT(r.max_abs_diff, 1e-5) << "the products did not run in bf16";
}

INSTANTIATE_TEST_SUITE_P(Reference, CudaGolden,
                         ::testing::ValuesIn(rflab::testing::kGoldenFiles));

class CudaFamilies : public ::testing::TestWithParam<std::tuple<const char*, Precision>> {};

TEST_P(CudaFamilies, LossFalls) {
  REQUIRE_CUDA();
  expect_family_loss_falls(std::get<0>(GetParam()), kCuda, std::get<1>(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(EveryFamily, CudaFamilies,
                         ::testing::Combine(::testing::ValuesIn(kEveryFamily),
                                            ::testing::Values(Precision::fp32, Precision::bf16)),
                         [](const ::testing::TestParamInfo<CudaFamilies::ParamType>& info) {
                           std::string name = std::to_string(info.index) + "_";
                           for (const char* c = std::get<0>(info.param); *c; ++c)
                             name += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
                           return name + "_" + precision_name(std::get<1>(info.param));
                         });

TEST(CudaCheckpoints, AGpuRunResumesOnTheCpu) {
  REQUIRE_CUDA();
  expect_resume_across_devices("cuda", "cpu", 1e-2);
}

TEST(CudaCheckpoints, ACpuRunResumesOnTheGpu) {
  REQUIRE_CUDA();
  expect_resume_across_devices("cpu", "cuda", 1e-2);
}

TEST(CudaCheckpoints, AGpuRunResumesOnTheGpu) {
  REQUIRE_CUDA();
  // Not bit for bit: atomics in some CUDA backward kernels make the summation order vary.
  expect_resume_across_devices("cuda", "cuda", 1e-2);
}

TEST(CudaValidation, GpuAndCpuGiveTheSameFigureWithinFloatRounding) {
  REQUIRE_CUDA();
  for (const char* f : {"rf/lognorm(0.00, 1.00)", "eps/linear", "edm(-1.20, 1.20)"}) {
    const auto cpu = validation_on("cpu", f), gpu = validation_on("cuda", f);
    EXPECT_NEAR(gpu.native_mean, cpu.native_mean, 1e-3 * std::fabs(cpu.native_mean)) << f;
    EXPECT_NEAR(gpu.velocity_mean, cpu.velocity_mean, 1e-3 * std::fabs(cpu.velocity_mean)) << f;
  }
}

TEST(CudaSampling, EulerAndHeunWithGuidanceMatchTheCpu) {
  REQUIRE_CUDA();
  TempDir tmp;
  CountingSink sink;
  Trainer t(tiny_config(3), tiny_conditioner(), tmp.path("s"), sink);
  for (int i = 0; i < 3; ++i) t.step();
  std::vector<std::string> prompts = {"a photo of a sneaker", "a photo of a bag", "a photo of a dress"};
  for (auto solver : {Solver::euler, Solver::heun}) {
    SamplerOptions o;
    o.steps = 8;
    o.cfg = 3.0;
    o.solver = solver;
    auto& sys = t.ema();
    sys.to(torch::kCPU);
    torch::Tensor cpu_path, gpu_path;
    const auto cpu = sys.generate(prompts, o, 4321, 0, nullptr, &cpu_path);
    sys.to(kCuda);
    const auto gpu = sys.generate(prompts, o, 4321, 0, nullptr, &gpu_path).cpu();
    EXPECT_LT((gpu - cpu).abs().max().item<double>(), 1e-3);
    EXPECT_TRUE(torch::allclose(gpu_path, cpu_path, 1e-3, 1e-4));
  }
}
