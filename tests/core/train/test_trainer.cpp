// Training: a tiny model overfits one batch; an interrupted and resumed run ends bit-identical
// to an uninterrupted one; a checkpoint of another config is refused.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/train/trainer.h"
#include "results/error.h"
#include "tests/core/train/tiny_model.h"
#include "tests/core/train/trainer_test_util.h"

using namespace rflab::core;
using namespace rflab::core::testing;
namespace fs = std::filesystem;

TEST(Trainer, TinyModelOverfitsOneBatch) {
  torch::manual_seed(0);
  MMDiT m(tiny_mmdit_config());
  auto x0 = torch::rand({4, 1, 16, 16}) * 2 - 1;
  auto eps = torch::randn({4, 1, 16, 16});
  auto t = torch::rand({4});
  auto z = (1 - t).view({-1, 1, 1, 1}) * x0 + t.view({-1, 1, 1, 1}) * eps;
  auto pooled = torch::randn({4, 16});
  auto ctx = torch::randn({4, 3, 16});
  torch::optim::Adam opt(m->parameters(), 3e-3);
  double first = 0, last = 0;
  for (int i = 0; i < 300; ++i) {
    opt.zero_grad();
    auto loss = (m->forward(z, 1000 * t, pooled, ctx) - (eps - x0)).pow(2).mean();
    loss.backward();
    opt.step();
    if (i == 0) first = loss.item<double>();
    last = loss.item<double>();
  }
  EXPECT_LT(last, first / 20) << "first " << first << " last " << last;
}

TEST(Trainer, ResumedRunIsBitIdenticalToUninterrupted) {
  auto config = tiny_config(6);
  auto dir_a = temp_dir("a"), dir_b = temp_dir("b");

  CountingSink sink_a;
  Trainer a(config, tiny_conditioner(), dir_a, sink_a);
  ASSERT_EQ(a.resume(), 0);
  auto ra = a.run();
  ASSERT_EQ(ra.outcome, TrainOutcome::done);
  ASSERT_EQ(ra.step, 6);

  {
    CountingSink stop_early(2);  // asks to stop once step 2 is logged: checkpoint at step 2 or 3
    Trainer b(config, tiny_conditioner(), dir_b, stop_early);
    auto rb = b.run();
    ASSERT_EQ(rb.outcome, TrainOutcome::stopped);
    ASSERT_LT(rb.step, 6);
  }
  CountingSink sink_c;
  Trainer c(config, tiny_conditioner(), dir_b, sink_c);
  int64_t from = c.resume();
  EXPECT_GT(from, 0);
  EXPECT_LT(from, 6);
  auto rc = c.run();
  ASSERT_EQ(rc.outcome, TrainOutcome::done);
  EXPECT_EQ(rc.step, 6);
  expect_identical(*a.live().mmdit, *c.live().mmdit, "live mmdit");
  expect_identical(*a.live().conditioner.tower, *c.live().conditioner.tower, "text tower");
  expect_identical(*a.ema().mmdit, *c.ema().mmdit, "ema mmdit");
  EXPECT_EQ(ra.best_val, rc.best_val);
  fs::remove_all(dir_a);
  fs::remove_all(dir_b);
}

TEST(Trainer, RefusesCheckpointOfAnotherConfig) {
  auto dir = temp_dir("other");
  {
    CountingSink s;
    Trainer t(tiny_config(3), tiny_conditioner(), dir, s);
    t.run();
  }
  CountingSink s;
  Trainer t(tiny_config(4), tiny_conditioner(), dir, s);
  EXPECT_THROW(t.resume(), rflab::UserError);
  fs::remove_all(dir);
}

TEST(Trainer, MissingDatasetIsAClearError) {
  auto config = tiny_config(1);
  config["data"]["root"] = "/nonexistent/fashion";
  CountingSink s;
  try {
    Trainer t(config, tiny_conditioner(), temp_dir("missing"), s);
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
    auto config = tiny_config(1);
    config["formulation"] = name;
    torch::manual_seed(0);
    TextToImage sys(config, tiny_conditioner());
    {
      torch::NoGradGuard g;  // a non-zero output layer, so the losses depend on the parameterisation
      for (auto& p : sys.mmdit->final_layer->parameters()) p.normal_(0, 0.02);
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
