// Training: a tiny model overfits one batch; an interrupted and resumed run ends bit-identical
// to an uninterrupted one; a checkpoint of another config is refused.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/train/trainer.h"
#include "tests/core/train/tiny_model.h"
#include "results/error.h"
#include "results/run_config.h"

using namespace rflab::core;
namespace fs = std::filesystem;

namespace {

nlohmann::json tiny_config(int64_t steps) {
  nlohmann::json partial = {
      {"model", {{"depth", 1}, {"width", 64}, {"heads", 1}, {"context_dim", 32}, {"pooled_dim", 32}}},
      {"text", {{"layers", 0}}},
      {"train", {{"steps", steps}, {"batch_size", 8}, {"warmup_steps", 2}, {"checkpoint_every", 3}, {"log_every", 1},
                 {"ema_every", 1}, {"ema_decay", 0.9}}},
      {"eval", {{"every", 3}, {"val_size", 16}, {"samples_per_class", 0}}},
  };
  return rflab::results::complete_config(partial, "test");
}

struct CountingSink : MetricSink {
  explicit CountingSink(int64_t stop_at = -1) : stop_at(stop_at) {}
  void metrics(int64_t step, const std::vector<std::pair<std::string, double>>& v) override {
    last_step = step;
    rows += static_cast<int64_t>(v.size());
  }
  void log(const std::string&) override {}
  bool stop_requested() override { return stop_at >= 0 && last_step >= stop_at; }
  int64_t stop_at;
  int64_t last_step = 0;
  int64_t rows = 0;
};

std::string temp_dir(const std::string& name) {
  auto d = fs::temp_directory_path() / ("rflab_trainer_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d.string();
}

void expect_identical(torch::nn::Module& a, torch::nn::Module& b, const std::string& what) {
  auto pb = b.named_parameters();
  for (const auto& p : a.named_parameters())
    EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << what << " " << p.key();
}

}  // namespace

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
  Trainer a(config, dir_a, sink_a);
  ASSERT_EQ(a.resume(), 0);
  auto ra = a.run();
  ASSERT_EQ(ra.outcome, TrainOutcome::done);
  ASSERT_EQ(ra.step, 6);

  {
    CountingSink stop_early(2);  // asks to stop once step 2 is logged: checkpoint at step 2 or 3
    Trainer b(config, dir_b, stop_early);
    auto rb = b.run();
    ASSERT_EQ(rb.outcome, TrainOutcome::stopped);
    ASSERT_LT(rb.step, 6);
  }
  CountingSink sink_c;
  Trainer c(config, dir_b, sink_c);
  int64_t from = c.resume();
  EXPECT_GT(from, 0);
  EXPECT_LT(from, 6);
  auto rc = c.run();
  ASSERT_EQ(rc.outcome, TrainOutcome::done);
  EXPECT_EQ(rc.step, 6);
  expect_identical(*a.live().mmdit, *c.live().mmdit, "live mmdit");
  expect_identical(*a.live().text, *c.live().text, "live text");
  expect_identical(*a.ema().mmdit, *c.ema().mmdit, "ema mmdit");
  EXPECT_EQ(ra.best_val, rc.best_val);
  fs::remove_all(dir_a);
  fs::remove_all(dir_b);
}

TEST(Trainer, RefusesCheckpointOfAnotherConfig) {
  auto dir = temp_dir("other");
  {
    CountingSink s;
    Trainer t(tiny_config(3), dir, s);
    t.run();
  }
  CountingSink s;
  Trainer t(tiny_config(4), dir, s);
  EXPECT_THROW(t.resume(), rflab::UserError);
  fs::remove_all(dir);
}

TEST(Trainer, MissingDatasetIsAClearError) {
  auto config = tiny_config(1);
  config["data"]["root"] = "/nonexistent/fashion";
  CountingSink s;
  try {
    Trainer t(config, temp_dir("missing"), s);
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
    TextToImage sys(config, dataset_tokenizer(config));
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
