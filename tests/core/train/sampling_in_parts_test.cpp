// Sampling and the validation loss run in parts on the CPU, one core each (core/util/shards.h):
// their results must not depend on the thread count, and must be those of one whole batch up to
// the products' rounding.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/data/dataset.h"
#include "core/train/text_to_image.h"
#include "core/train/seeds.h"
#include "core/train/validation.h"
#include "tests/core/train/trainer_test_util.h"
#include "tests/util/threads.h"

using namespace rflab::core;
using rflab::testing::use_threads;
using rflab::core::testing::tiny_config;

namespace {

std::unique_ptr<TextToImage> tiny_system(const std::string& formulation) {
  auto system = std::make_unique<TextToImage>(tiny_config(1, {{"formulation", formulation}}), tiny_conditioner());
  // The final layer starts at zero (SPEC §9.6): perturb every weight so that outputs differ per sample.
  torch::manual_seed(5);
  torch::NoGradGuard g;
  for (auto& p : system->parameters()) p.add_(0.05 * torch::randn_like(p));
  system->backbone->eval();
  return system;
}

}  // namespace

TEST(SamplingInParts, TheImagesOfOneBatchInAnySplitAndOnAnyThreadCount) {
  auto system = tiny_system("rf");
  std::vector<std::string> prompts;
  for (int i = 0; i < 23; ++i) prompts.push_back(i % 2 ? "a photo of a bag" : "a photo of a coat");
  SamplerOptions o;
  o.steps = 4;
  o.cfg = 3.0;
  use_threads(2);
  int64_t evals = 0;
  torch::Tensor length;
  const auto all = system->generate(prompts, o, 9, 0, &evals, &length);
  EXPECT_EQ(evals, 8);  // 4 steps x 2 (guidance), per sample
  ASSERT_EQ(length.size(0), 23);
  // One sample alone, with its index, is the same sample up to the products' rounding at another row count.
  const auto seventh = system->generate({prompts[7]}, o, 9, 7);
  EXPECT_TRUE(torch::allclose(seventh[0], all[7], 1e-5, 1e-5));
  EXPECT_FALSE(torch::allclose(all[7], all[9], 1e-2, 1e-2));  // another noise, another sample
  use_threads(1);
  torch::Tensor length_one;
  EXPECT_TRUE(torch::equal(system->generate(prompts, o, 9, 0, nullptr, &length_one), all));
  EXPECT_TRUE(torch::equal(length_one, length));
  use_threads(2);
}

TEST(ValidationInParts, FiguresDoNotDependOnTheThreadCountAndEqualOneWholeBatch) {
  for (const std::string formulation : {"rf", "eps/linear"}) {
    auto system = tiny_system(formulation);
    auto rc = tiny_config(1, {{"eval.val_size", 40}});
    const auto v = validation_set(load_dataset(rc.data), rc.eval);
    use_threads(2);
    const auto two = validation_loss(*system, v, 4);
    use_threads(1);
    const auto one = validation_loss(*system, v, 4);
    use_threads(2);
    EXPECT_EQ(two.native, one.native) << formulation;
    EXPECT_EQ(two.velocity, one.velocity) << formulation;
    // The whole set in one forward per level, as SPEC §5.1 reads.
    torch::NoGradGuard g;
    const auto& f = system->formulation;
    for (int k = 0; k < kValidationLevels; ++k) {
      auto eps = torch::randn(v.images.sizes(), make_cpu_generator(4, Stream::validation, static_cast<uint64_t>(k)));
      auto t = torch::full({v.images.size(0)}, k / 8.0, torch::kFloat32);
      Levels l = f.at_time(t);
      auto z = f.noised(v.images, eps, l);
      auto out = system->network()(f.net_input(z, l), l.c_t, system->encode(v.captions));
      const double native = f.loss(out, v.images, eps, l).to(torch::kFloat64).mean().item<double>();
      EXPECT_NEAR(two.native[k], native, 1e-6 * std::abs(native) + 1e-9) << formulation << " level " << k;
    }
  }
}
