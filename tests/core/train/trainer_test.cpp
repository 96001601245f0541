// Training: a tiny MM-DiT overfits one batch; the Trainer lowers the loss of a tiny run; an
// interrupted and resumed run ends bit-identical to an uninterrupted one, its stored figures
// included; a checkpoint of another config is refused.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/model/cpu_kernel.h"
#include "core/train/trainer.h"
#include "results/error.h"
#include "results/sha256.h"
#include "tests/core/train/tiny_model.h"
#include "tests/core/train/trainer_test_util.h"

using namespace rflab::core;
using namespace rflab::core::testing;
namespace fs = std::filesystem;

TEST(MMDiT, TinyModelOverfitsOneBatch) {
  torch::manual_seed(0);
  MMDiT m(tiny_mmdit_config());
  const TinyBatch batch = tiny_batch();
  torch::optim::Adam opt(m->parameters(), 3e-3);
  double first = 0, last = 0;
  for (int i = 0; i < 300; ++i) {
    opt.zero_grad();
    auto loss = batch.loss(m);
    loss.backward();
    opt.step();
    if (i == 0) first = loss.item<double>();
    last = loss.item<double>();
  }
  EXPECT_LT(last, first / 20) << "first " << first << " last " << last;
}

namespace {
// Trains `steps` steps; the mean losses of the first and the last `window` of them (every loss finite).
std::pair<double, double> first_and_last_losses(Trainer& t, int steps, int window) {
  double first = 0, last = 0;
  for (int i = 0; i < steps; ++i) {
    const double loss = t.step();
    EXPECT_TRUE(std::isfinite(loss)) << "step " << i;
    if (i < window) first += loss / window;
    if (i >= steps - window) last += loss / window;
  }
  return {first, last};
}
}  // namespace

TEST(Trainer, TrainingLowersTheLossOfATinyRun) {
  TempDir tmp;
  // The Trainer end to end on real batches: data order, captions, dropout, levels, AdamW with
  // warm-up. The rf/lognorm loss of a fresh model is near 1 (an output of 0 against ε − x0);
  // after 120 steps its mean over the last 20 is clearly below the first 20's.
  CountingSink s;
  Trainer t(tiny_config(120, {{"train.lr", 3e-3}}), tiny_conditioner(), tmp.path("lowers"), s);
  const auto [first, last] = first_and_last_losses(t, 120, 20);
  EXPECT_LT(last, 0.8 * first) << "first 20 steps " << first << ", last 20 " << last;
}

TEST(Trainer, TrainingOnShapesLowersTheLoss) {
  TempDir tmp;
  // The shapes dataset end to end: RGB rows, captions from data.captions (a mix here), the
  // validation split with complete captions.
  CountingSink s;
  const auto config = tiny_config(120, {{"train.lr", 3e-3}, {"data.dataset", "shapes"}, {"data.captions", "mix(0.5)"},
                                        {"model.in_channels", 3}, {"text.max_tokens", 28}});
  Trainer t(config, tiny_shapes_conditioner(), tmp.path("shapes"), s);
  const auto [first, last] = first_and_last_losses(t, 120, 20);
  EXPECT_LT(last, 0.8 * first) << "first 20 steps " << first << ", last 20 " << last;
  EXPECT_EQ(t.sample_grid(1).sizes(), (std::vector<int64_t>{10, 3, 32, 32}));  // one row per grid prompt
}

TEST(Trainer, FusedKernelsAndTheirATenCompositesTrainAlike) {
  TempDir tmp;
  // The same run through rflab's CPU kernels and through the ATen composites beside them
  // (rflab --reference-kernels): equal losses and weights to float rounding after a few steps.
  struct Restore {
    ~Restore() { set_fused_kernels(true); }
  } restore;
  const auto config = tiny_config(4);
  std::vector<double> losses[2];
  std::unique_ptr<Trainer> t[2];
  CountingSink s[2];
  for (int k = 0; k < 2; ++k) {
    set_fused_kernels(k == 0);
    t[k] = std::make_unique<Trainer>(config, tiny_conditioner(), tmp.path("kernels" + std::to_string(k)), s[k]);
    for (int i = 0; i < 4; ++i) losses[k].push_back(t[k]->step());
  }
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(losses[0][i], losses[1][i], 1e-5 * std::fabs(losses[1][i])) << "step " << i;
  auto reference = t[1]->live().backbone->named_parameters();
  for (const auto& p : t[0]->live().backbone->named_parameters())
    EXPECT_TRUE(torch::allclose(p.value(), reference[p.key()], 1e-4, 1e-6)) << p.key();
}

// Every backbone (model.backbone, and dit's block designs): its checkpoint reads back into the
// same modules and its resumed run is bit-identical.
class ResumeEveryBackbone : public ::testing::TestWithParam<nlohmann::json> {};

INSTANTIATE_TEST_SUITE_P(
    Trainer, ResumeEveryBackbone,
    ::testing::Values(nlohmann::json::object(), nlohmann::json{{"model.backbone", "mmdit3"}},
                      nlohmann::json{{"model.backbone", "dit"}, {"model.depth", 2}},
                      nlohmann::json{{"model.backbone", "dit"}, {"model.conditioning", "adaln"}},
                      nlohmann::json{{"model.backbone", "dit"}, {"model.conditioning", "cross_attention"}},
                      nlohmann::json{{"model.backbone", "dit"}, {"model.conditioning", "in_context"}},
                      nlohmann::json{{"model.backbone", "crossdit"}},
                      nlohmann::json{{"model.backbone", "uvit"}, {"model.depth", 3}}),
    [](const auto& info) {
      std::string n = info.param.value("model.backbone", "mmdit") + info.param.value("model.conditioning", "");
      return n;
    });

TEST_P(ResumeEveryBackbone, ResumedRunIsBitIdenticalToUninterrupted) {
  TempDir tmp;
  // Log rows every 2 steps, checkpoints every 3: the step-3 checkpoint falls inside a logging
  // window, whose mean the resumed run must continue rather than restart.
  auto overrides = GetParam();
  overrides["train.log_every"] = 2;
  auto config = tiny_config(6, overrides);
  auto dir_a = tmp.path("a"), dir_b = tmp.path("b");

  RecordingSink sink_a;
  Trainer a(config, tiny_conditioner(), dir_a, sink_a);
  ASSERT_EQ(a.resume(), 0);
  auto ra = a.run();
  ASSERT_EQ(ra.outcome, TrainOutcome::done);
  ASSERT_EQ(ra.step, 6);

  {
    RecordingSink stop_early(3);  // asks to stop once step 3 is stored: checkpoint at step 3
    Trainer b(config, tiny_conditioner(), dir_b, stop_early);
    auto rb = b.run();
    ASSERT_EQ(rb.outcome, TrainOutcome::stopped);
    ASSERT_EQ(rb.step, 3);
  }
  RecordingSink sink_c;
  Trainer c(config, tiny_conditioner(), dir_b, sink_c);
  const int64_t from = c.resume();
  EXPECT_EQ(from, 3);
  auto rc = c.run();
  ASSERT_EQ(rc.outcome, TrainOutcome::done);
  EXPECT_EQ(rc.step, 6);
  expect_identical(*a.live().backbone, *c.live().backbone, "live backbone");
  expect_identical(*a.live().conditioner.tower, *c.live().conditioner.tower, "text tower");
  expect_identical(*a.ema().backbone, *c.ema().backbone, "ema backbone");
  EXPECT_EQ(ra.best_val, rc.best_val);
  // Every figure the resumed run stores equals the uninterrupted run's at that step.
  size_t compared = 0;
  for (const auto& [key, value] : sink_c.figures) {
    ASSERT_TRUE(sink_a.figures.count(key)) << key.second << " at step " << key.first;
    EXPECT_EQ(value, sink_a.figures.at(key)) << key.second << " at step " << key.first;
    ++compared;
  }
  EXPECT_TRUE(sink_c.figures.count({4, "train/loss"})) << "the window spanning the checkpoint was not logged";
  EXPECT_GT(compared, 10u);
  // And its final checkpoint is the same file, byte for byte.
  EXPECT_EQ(rflab::results::sha256_file(dir_a + "/checkpoint.safetensors"),
            rflab::results::sha256_file(dir_b + "/checkpoint.safetensors"));
}

TEST(Trainer, TwoIdenticalRunsWriteIdenticalCheckpointBytes) {
  TempDir tmp;
  const auto config = tiny_config(3);
  std::string sha[2];
  for (int k = 0; k < 2; ++k) {
    const auto dir = tmp.path("bytes" + std::to_string(k));
    CountingSink s;
    Trainer t(config, tiny_conditioner(), dir, s);
    ASSERT_EQ(t.run().outcome, TrainOutcome::done);
    sha[k] = rflab::results::sha256_file(dir + "/checkpoint.safetensors");
  }
  EXPECT_EQ(sha[0], sha[1]) << "the recorded sha256 of a checkpoint must identify its content";
}

TEST(Trainer, RefusesCheckpointOfAnotherConfig) {
  TempDir tmp;
  auto dir = tmp.path("other");
  {
    CountingSink s;
    Trainer t(tiny_config(3), tiny_conditioner(), dir, s);
    t.run();
  }
  CountingSink s;
  Trainer t(tiny_config(4), tiny_conditioner(), dir, s);
  EXPECT_THROW(t.resume(), rflab::UserError);
}

TEST(Trainer, MissingDatasetIsAClearError) {
  TempDir tmp;
  auto config = tiny_config(1, {{"data.root", "/nonexistent/fashion"}});
  CountingSink s;
  try {
    Trainer t(config, tiny_conditioner(), tmp.path("missing"), s);
    FAIL() << "expected an error";
  } catch (const rflab::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/fashion"), std::string::npos) << e.what();
  }
}

TEST(Validation, NativeAndVelocityAreFiniteForEveryFamily) {
  auto data = FashionMnist::load(FashionMnist::kDefaultRoot, 32);
  ValidationSet v;
  v.images = data.heldout().images.narrow(0, 0, 8);
  for (int i = 0; i < 8; ++i) v.captions.push_back(FashionMnist::canonical_caption(data.heldout().labels[i].item<int64_t>()));
  for (const char* name : {"eps/linear", "v/linear", "eps/cos", "v/cos", "rf/cosmap", "edm(0.00, 0.60)", "edm/rf", "edm/cos"}) {
    auto config = tiny_config(1, {{"formulation", name}});
    torch::manual_seed(0);
    TextToImage sys(config, tiny_conditioner());
    {
      torch::NoGradGuard g;  // a non-zero output layer, so the losses depend on the parameterisation
      for (auto& p : sys.backbone->final_layer->parameters()) p.normal_(0, 0.02);
    }
    auto l = validation_loss(sys, v, 5, 4);
    ASSERT_EQ(l.native.size(), 8u);
    for (int k = 0; k < 8; ++k) {
      EXPECT_TRUE(std::isfinite(l.native[k])) << name << " native level " << k;
      EXPECT_TRUE(std::isfinite(l.velocity[k])) << name << " velocity level " << k;
    }
    // For rf/* the two variants coincide (SPEC §5.1); elsewhere velocity scores ε̂ − x̂0
    // against ε − x0, which is not the family's own loss.
    if (sys.formulation.is_rf())
      EXPECT_EQ(l.native_mean, l.velocity_mean) << name;
    else
      EXPECT_NE(l.native_mean, l.velocity_mean) << name;
    // The same set, seed and weights give the same figures.
    EXPECT_EQ(validation_loss(sys, v, 5, 4).velocity_mean, l.velocity_mean) << name;
  }
}
