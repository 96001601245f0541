// bf16 mixed precision (train.precision = bf16) on the CPU, where CI can run it: the autocast
// scope switches autocast on and back, rflab's fused CPU kernels step aside under it, matrix
// products run in bf16, and the golden reference forward passes hold within bf16's tolerance.
#include <gtest/gtest.h>

#include "core/model/cpu_kernel.h"
#include "core/model/reference_checkpoint.h"
#include "tests/util/golden.h"
#include "core/util/precision.h"
#include "core/util/torch_compat.h"

using namespace rflab::core;

namespace {
bool cpu_autocast() { return rflab::compat::autocast_enabled(c10::DeviceType::CPU); }
}  // namespace

TEST(AutocastScope, Bf16SwitchesCpuAutocastOnForItsLifetimeAndBack) {
  const auto x = torch::randn({8, 8});
  ASSERT_FALSE(cpu_autocast());
  ASSERT_TRUE(cpu_float32({&x}));
  {
    AutocastScope scope(torch::kCPU, Precision::bf16);
    EXPECT_TRUE(cpu_autocast());
    EXPECT_EQ(rflab::compat::autocast_dtype(c10::DeviceType::CPU), at::kBFloat16);
    EXPECT_FALSE(cpu_float32({&x})) << "the fused fp32 kernels would bypass the cast";
    EXPECT_EQ(torch::mm(x, x).scalar_type(), at::kBFloat16);
    {
      AutocastScope inner(torch::kCPU, Precision::bf16);
      EXPECT_TRUE(cpu_autocast());
    }
    EXPECT_TRUE(cpu_autocast()) << "an inner scope closing must not end the outer one";
  }
  EXPECT_FALSE(cpu_autocast());
  EXPECT_TRUE(cpu_float32({&x}));
  EXPECT_EQ(torch::mm(x, x).scalar_type(), at::kFloat);
}

TEST(AutocastScope, Fp32DoesNothing) {
  AutocastScope scope(torch::kCPU, Precision::fp32);
  EXPECT_FALSE(cpu_autocast());
}

TEST(Precision, NamesRoundTrip) {
  for (auto p : {Precision::fp32, Precision::bf16}) EXPECT_EQ(precision_named(precision_name(p)), p);
  EXPECT_THROW(precision_named("fp16"), std::logic_error);
}

// bf16 keeps 8 significant bits (relative rounding 2^-9 ≈ 2e-3 per product); through two or
// three joint blocks the outputs differ from the reference by about 0.5% of the output's scale
// (8.0e-3 of 1.65 and 1.1e-2 of 2.74 here); the bound is 2%. fp32 matches to 1e-5 (mmdit_test),
// so a difference above 1e-4 is the bf16 products at work.
class GoldenForwardBf16 : public ::testing::TestWithParam<const char*> {};

TEST_P(GoldenForwardBf16, WithinBf16RoundingOfTheReference) {
  const auto bf16 = verify_reference_file(rflab::testing::golden_file(GetParam()), torch::kCPU, Precision::bf16);
  EXPECT_LT(bf16.max_abs_diff, 0.02 * bf16.max_abs_output) << "max |output| = " << bf16.max_abs_output;
  EXPECT_GT(bf16.max_abs_diff, 1e-4) << "the products did not run in bf16";
  EXPECT_FALSE(cpu_autocast());
}

INSTANTIATE_TEST_SUITE_P(Reference, GoldenForwardBf16,
                         ::testing::ValuesIn(rflab::testing::kGoldenFiles));
