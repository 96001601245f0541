// The frozen text conditioner inside training: the tower gets no gradient, is not optimised or
// EMA-averaged, is shared by the live and EMA systems, travels in the checkpoint (a reloaded
// checkpoint samples as the trainer did), and a checkpoint of another conditioner is refused.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/train/trainer.h"
#include "results/error.h"
#include "tests/core/train/trainer_test_util.h"

using namespace rflab::core;
using namespace rflab::core::testing;
namespace fs = std::filesystem;

namespace {

std::map<std::string, torch::Tensor> snapshot(torch::nn::Module& m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : m.named_parameters()) out[p.key()] = p.value().detach().clone();
  return out;
}

int64_t count(const std::vector<torch::Tensor>& ps) {
  int64_t n = 0;
  for (const auto& p : ps) n += p.numel();
  return n;
}

}  // namespace

TEST(Conditioner, TowerGetsNoGradientAndTrainingLeavesItUnchanged) {
  TempDir tmp;
  auto dir = tmp.path("frozen");
  CountingSink s;
  auto cond = tiny_conditioner();
  const auto before = snapshot(*cond.tower);
  Trainer t(tiny_config(3), cond, dir, s);
  const auto mmdit_before = snapshot(*t.live().backbone);
  t.step();
  t.step();
  for (const auto& p : t.live().conditioner.tower->named_parameters()) {
    EXPECT_FALSE(p.value().requires_grad()) << p.key();
    EXPECT_FALSE(p.value().grad().defined()) << p.key();
    EXPECT_TRUE(torch::equal(p.value(), before.at(p.key()))) << p.key();
  }
  EXPECT_FALSE(t.live().conditioner.tower->is_training());
  // Only the MM-DiT is optimised, and it did move.
  EXPECT_EQ(count(t.live().parameters()), count(t.live().backbone->parameters()));
  bool moved = false;
  for (const auto& p : t.live().backbone->named_parameters()) moved = moved || !torch::equal(p.value(), mmdit_before.at(p.key()));
  EXPECT_TRUE(moved);
}

TEST(Conditioner, LiveAndEmaHaveIdenticalTowerWeights) {
  TempDir tmp;
  auto dir = tmp.path("shared");
  CountingSink s;
  Trainer t(tiny_config(3), tiny_conditioner(), dir, s);
  t.step();
  t.step();
  expect_identical(*t.live().conditioner.tower, *t.ema().conditioner.tower, "tower");
  EXPECT_EQ(t.live().conditioner.key, t.ema().conditioner.key);
}

TEST(Conditioner, ReloadedCheckpointSamplesAsTheTrainer) {
  TempDir tmp;
  auto dir = tmp.path("roundtrip");
  CountingSink s;
  Trainer t(tiny_config(2), tiny_conditioner(), dir, s);
  t.run();
  const std::vector<std::string> prompts = {"a photo of a bag", "a photo of a sneaker", "a photo of a coat"};
  SamplerOptions o;
  o.steps = 3;
  o.cfg = 2.0;
  t.ema().backbone->eval();
  auto before = t.ema().generate(prompts, o, 11);

  auto ck = read_checkpoint(t.checkpoint_path());
  EXPECT_EQ(ck.meta.conditioner_key, "test-conditioner-a");
  // One copy of the tower: no EMA tower, no optimiser state for it.
  for (const auto& [name, tensor] : ck.tensors) EXPECT_EQ(name.find("ema.conditioner."), std::string::npos) << name;
  auto system = load_text_to_image(ck, "ema", t.checkpoint_path());
  expect_identical(*t.ema().conditioner.tower, *system->conditioner.tower, "tower");
  EXPECT_EQ(system->conditioner.tokenizer.vocabulary(), t.ema().conditioner.tokenizer.vocabulary());
  EXPECT_TRUE(torch::equal(system->generate(prompts, o, 11), before));
}

TEST(Conditioner, ResumeWithAnotherConditionerIsRefusedNamingTheFile) {
  TempDir tmp;
  auto dir = tmp.path("other_conditioner");
  {
    CountingSink s;
    Trainer t(tiny_config(3), tiny_conditioner(), dir, s);
    t.run();
  }
  CountingSink s;
  Trainer t(tiny_config(3), tiny_conditioner(32, 8, "test-conditioner-b", 8), dir, s);
  try {
    t.resume();
    FAIL() << "a checkpoint of another conditioner was resumed";
  } catch (const rflab::UserError& e) {
    EXPECT_NE(std::string(e.what()).find(t.checkpoint_path()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("conditioner"), std::string::npos) << e.what();
  }
}

TEST(Conditioner, ContextWidthOtherThanTheTowersIsAnErrorNamingTheField) {
  auto config = tiny_config(1, {{"model.context_dim", 48}});
  try {
    TextToImage sys(config, tiny_conditioner());
    FAIL() << "a context width unlike the tower's was accepted";
  } catch (const rflab::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("model.context_dim"), std::string::npos) << e.what();
  }
}

TEST(Conditioner, NoPooledVectorWhenPooledDimIsZero) {
  auto config = tiny_config(1, {{"model.pooled_dim", 0}});
  TextToImage sys(config, tiny_conditioner());
  auto c = sys.encode({"a photo of a bag"});
  EXPECT_FALSE(c.pooled.defined());
  EXPECT_EQ(c.context.sizes(), (std::vector<int64_t>{1, 8, 32}));
}
