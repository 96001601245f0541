// The device-generic paths on the CPU, where CI runs them: every family trains in bf16 mixed
// precision; a checkpoint whose run was on another device resumes here, bit-identically, since
// the device is where a run executes and not what it computes; asking for CUDA where there is
// none is refused before anything is written. tests/cuda runs the same bodies on a GPU.
#include <gtest/gtest.h>

#include "core/io/safetensors.h"
#include "core/util/device.h"
#include "results/error.h"
#include "tests/core/train/device_cases.h"

using namespace rflab::core;
using namespace rflab::core::testing;

class Bf16OnTheCpu : public ::testing::TestWithParam<const char*> {};

TEST_P(Bf16OnTheCpu, EveryFamilysLossFalls) { expect_family_loss_falls(GetParam(), torch::kCPU, Precision::bf16); }

INSTANTIATE_TEST_SUITE_P(EveryFamily, Bf16OnTheCpu, ::testing::ValuesIn(kEveryFamily));

TEST(Devices, TheCpuRunResumesItselfBitForBit) { expect_resume_across_devices("cpu", "cpu", 0.0); }

TEST(Devices, ACheckpointOfARunOnAnotherDeviceResumesHere) {
  TempDir tmp;
  // A run stopped at step 3 whose checkpoint says it ran on CUDA (its tensors are CPU tensors,
  // as every checkpoint stores them) resumes on the CPU, and ends as the uninterrupted CPU run.
  {
    RecordingSink stop_at_3(3);
    Trainer a(tiny_config(6), tiny_conditioner(), tmp.path("run"), stop_at_3);
    ASSERT_EQ(a.run().step, 3);
  }
  const std::string path = tmp.path("run") + "/checkpoint.safetensors";
  auto st = read_safetensors(path);
  auto config = nlohmann::json::parse(st.metadata.at("config"));
  ASSERT_EQ(config["train"]["device"], "cpu");
  config["train"]["device"] = "cuda";
  st.metadata["config"] = config.dump();
  write_safetensors(path, st.tensors, st.metadata);

  RecordingSink resumed_sink, whole_sink;
  Trainer resumed(tiny_config(6), tiny_conditioner(), tmp.path("run"), resumed_sink);
  ASSERT_EQ(resumed.resume(), 3);
  ASSERT_EQ(resumed.run().outcome, TrainOutcome::done);
  Trainer whole(tiny_config(6), tiny_conditioner(), tmp.path("whole"), whole_sink);
  ASSERT_EQ(whole.run().outcome, TrainOutcome::done);
  expect_identical(*whole.live().backbone, *resumed.live().backbone, "live mmdit");
  expect_identical(*whole.ema().backbone, *resumed.ema().backbone, "ema mmdit");

  // Another key still marks another run's checkpoint.
  config["train"]["lr"] = 0.5;
  st.metadata["config"] = config.dump();
  write_safetensors(path, st.tensors, st.metadata);
  CountingSink s;
  Trainer other(tiny_config(6), tiny_conditioner(), tmp.path("run"), s);
  EXPECT_THROW(other.resume(), rflab::UserError);
}

TEST(Devices, CudaWithoutACudaDeviceIsRefusedNamingTheKey) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "this machine has CUDA";
  TempDir tmp;
  CountingSink s;
  try {
    Trainer t(tiny_config(2, {{"train.device", "cuda"}}), tiny_conditioner(), tmp.path("cuda"), s);
    FAIL() << "a CUDA run was built without CUDA";
  } catch (const rflab::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("train.device: expected a CUDA device to be available"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(tmp.path("cuda")));
}

TEST(Devices, ValidationLossIsTheSameFigureForANativeAndAVelocityFamily) {
  // The device-generic validation (fixed noise, levels on the host) on the CPU: finite, and the
  // same numbers twice. tests/cuda compares the GPU's with these.
  for (const char* f : {"rf/lognorm(0.00, 1.00)", "eps/linear"}) {
    const auto a = validation_on("cpu", f), b = validation_on("cpu", f);
    EXPECT_TRUE(std::isfinite(a.native_mean)) << f;
    EXPECT_EQ(a.native_mean, b.native_mean) << f;
    EXPECT_EQ(a.velocity_mean, b.velocity_mean) << f;
  }
}
