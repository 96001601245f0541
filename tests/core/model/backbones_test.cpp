// Every backbone and DiT block design (SPEC §9.9, docs/architectures.md): output shape, the
// closed forms of size and cost against the built modules, the stated output at
// initialisation, gradients reaching every parameter, a few optimizer steps lowering the loss,
// and DiT as the one-weight-set special case of MM-DiT.
#include <gtest/gtest.h>

#include <set>

#include "core/model/backbone.h"
#include "core/model/dit.h"
#include "core/model/mac_tally.h"
#include "core/model/mmdit.h"
#include "core/model/shape/model_size.h"

using namespace rflab::core;

namespace {

constexpr int64_t kBatch = 2, kChannels = 3, kImage = 8, kContextTokens = 5, kPooled = 16, kContextDim = 24;

struct Case {
  BackboneKind backbone;
  BlockConditioning conditioning;
  int64_t depth;
  bool qk_norm;
  int64_t pooled_dim;
};

BackboneConfig shape_of(const Case& k) {
  BackboneConfig c;
  c.backbone = k.backbone;
  c.conditioning = k.conditioning;
  c.depth = k.depth;
  c.hidden = 32;
  c.heads = 2;
  c.patch_size = 2;
  c.in_channels = c.out_channels = kChannels;
  c.context_dim = kContextDim;
  c.pooled_dim = k.pooled_dim;
  c.qk_norm = k.qk_norm;
  c.pos_embed_max_size = kImage / 2;
  return c;
}

std::vector<Case> every_case() {
  std::vector<Case> cases;
  auto add = [&](BackboneKind b, BlockConditioning d) {
    cases.push_back({b, d, 2, true, kPooled});
    cases.push_back({b, d, 3, false, b == BackboneKind::mmdit3 ? kPooled : 0});  // odd depth: UViT's middle block
  };
  for (auto b : {BackboneKind::mmdit, BackboneKind::mmdit3, BackboneKind::crossdit, BackboneKind::uvit})
    add(b, BlockConditioning::adaln_zero);
  for (auto d : {BlockConditioning::adaln_zero, BlockConditioning::adaln, BlockConditioning::cross_attention,
                 BlockConditioning::in_context})
    add(BackboneKind::dit, d);
  return cases;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string n = name_of(info.param.backbone);
  if (info.param.backbone == BackboneKind::dit) n += "_" + name_of(info.param.conditioning);
  return n + "_d" + std::to_string(info.param.depth) + (info.param.qk_norm ? "_qk" : "") +
         (info.param.pooled_dim ? "_pooled" : "");
}

struct Inputs {
  torch::Tensor x, c_t, pooled, context;
};
Inputs random_inputs(const BackboneConfig& c) {
  return {torch::randn({kBatch, kChannels, kImage, kImage}), torch::rand({kBatch}) * 1000,
          torch::randn({kBatch, c.pooled_dim}), torch::randn({kBatch, kContextTokens, kContextDim})};
}
torch::Tensor run(Backbone& m, const Inputs& in) { return m->forward(in.x, in.c_t, in.pooled, in.context); }

int64_t counted_parameters(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

}  // namespace

class EveryBackbone : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override { torch::manual_seed(7); }
  BackboneConfig c = shape_of(GetParam());
};

TEST_P(EveryBackbone, OutputHasTheInputShapeAndIsZeroAtInitialisation) {
  auto m = make_backbone(c);
  auto in = random_inputs(c);
  auto out = run(m, in);
  EXPECT_EQ(out.sizes(), in.x.sizes());
  EXPECT_EQ(out.abs().max().item<float>(), 0.0f);  // the final adaLN and Linear start at zero
}

TEST_P(EveryBackbone, ParameterCountIsItsClosedForm) {
  auto m = make_backbone(c);
  EXPECT_EQ(counted_parameters(*m), parameter_count(c));
}

TEST_P(EveryBackbone, ForwardMacsAreItsClosedForm) {
  auto m = make_backbone(c);
  torch::NoGradGuard g;
  MacTally tally;
  run(m, random_inputs(c));
  const int64_t n = image_tokens(c, kImage);
  EXPECT_EQ(tally.macs(), kBatch * forward_macs(c, n, kContextTokens));
}

TEST_P(EveryBackbone, AdaLNZeroBlocksAreTheIdentityAtInitialisation) {
  auto m = make_backbone(c);
  torch::NoGradGuard g;
  auto x = torch::randn({kBatch, 7, c.hidden}), y = torch::randn({kBatch, c.hidden});
  auto tokens = torch::randn({kBatch, 3, c.hidden});
  int64_t checked = 0;
  for (const auto& item : m->named_modules("", /*include_self=*/false)) {
    auto* block = item.value()->as<DismantledBlockImpl>();
    if (!block || block->modulation != Modulation::adaln_zero) continue;
    EXPECT_TRUE(torch::equal(block->forward(x, y, tokens), x)) << item.key();
    ++checked;
  }
  // Every backbone but DiT's standard-initialised designs has adaLN-Zero blocks throughout.
  const bool standard = c.backbone == BackboneKind::dit && c.conditioning != BlockConditioning::adaln_zero;
  EXPECT_EQ(checked > 0, !standard);
  if (standard) {  // ... and those are not the identity, as their designs state
    auto* first = m->named_modules("", false)["blocks.0"]->as<DismantledBlockImpl>();
    ASSERT_NE(first, nullptr);
    EXPECT_FALSE(torch::equal(first->forward(x, y, tokens), x));
  }
}

TEST_P(EveryBackbone, EveryParameterReceivesAGradient) {
  auto m = make_backbone(c);
  {
    torch::NoGradGuard g;
    for (auto& p : m->parameters()) p.normal_(0.0, 0.05);  // away from the zero initialisation
  }
  auto in = random_inputs(c);
  (run(m, in) - in.x).pow(2).mean().backward();
  // The last joint block's text queries only feed its discarded text outputs (SPEC §9.4): their
  // ln_q never receives a gradient, as in the reference.
  std::set<std::string> dead;
  if (c.qk_norm && (c.backbone == BackboneKind::mmdit || c.backbone == BackboneKind::mmdit3)) {
    const std::string last = "joint_blocks." + std::to_string(c.depth - 1);
    dead = {last + ".context_block.attn.ln_q.weight", last + ".pooled_block.attn.ln_q.weight"};
  }
  // Cross-attention to a single conditioning token (no pooled vector) weighs it by softmax of one
  // score, always 1: the queries, and the norm that only feeds them, cannot matter.
  if (c.conditioning == BlockConditioning::cross_attention && conditioning_tokens(c) == 1)
    for (int64_t i = 0; i < c.depth; ++i)
      for (const char* name : {"cross_attn.q.weight", "cross_attn.q.bias", "cross_attn.ln_q.weight",
                               "cross_attn.ln_k.weight", "norm_cross.weight", "norm_cross.bias"})
        dead.insert("blocks." + std::to_string(i) + "." + name);
  for (const auto& p : m->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    const double g = p.value().grad().abs().sum().item<double>();
    if (dead.count(p.key()))
      EXPECT_EQ(g, 0.0) << p.key();
    else
      EXPECT_GT(g, 0.0) << p.key();
  }
}

TEST_P(EveryBackbone, AFewStepsOfTrainingLowerTheLoss) {
  // The rectified-flow loss on one fixed batch: velocity ε − x0 at z_t = (1 − t)·x0 + t·ε.
  auto m = make_backbone(c);
  auto in = random_inputs(c);
  auto eps = torch::randn_like(in.x), t = torch::rand({kBatch});
  auto z = (1 - t).view({-1, 1, 1, 1}) * in.x + t.view({-1, 1, 1, 1}) * eps;
  auto target = eps - in.x;
  torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(3e-3));
  auto loss_now = [&] { return (m->forward(z, 1000 * t, in.pooled, in.context) - target).pow(2).mean(); };
  const double first = loss_now().item<double>();
  for (int i = 0; i < 40; ++i) {
    opt.zero_grad();
    loss_now().backward();
    opt.step();
  }
  EXPECT_LT(loss_now().item<double>(), 0.7 * first);
}

INSTANTIATE_TEST_SUITE_P(Backbones, EveryBackbone, ::testing::ValuesIn(every_case()), case_name);

TEST(DiT, WithTheSameWeightsInBothStreamsComputesWhatMMDiTComputes) {
  // SPEC §9.9: DiT is MM-DiT's one-weight-set special case. Give both MM-DiT streams DiT's
  // weights; the last block's pre-only context stream takes the qkv, QK-norm and the first two
  // modulation chunks (shift, scale) of DiT's last block.
  torch::manual_seed(3);
  auto c = shape_of({BackboneKind::dit, BlockConditioning::adaln_zero, 3, true, kPooled});
  auto dit = make_backbone(c);
  c.backbone = BackboneKind::mmdit;
  auto mmdit = make_backbone(c);
  torch::NoGradGuard g;
  for (auto& p : dit->parameters()) p.normal_(0.0, 0.1);
  auto from = dit->named_parameters();
  int64_t assigned = 0;
  for (auto& p : mmdit->named_parameters()) {
    std::string key = p.key();
    const auto stream = key.find("_block.");
    if (key.rfind("joint_blocks.", 0) == 0) {
      const std::string index = key.substr(13, key.find('.', 13) - 13);
      key = "blocks." + index + "." + key.substr(stream + 7);
    }
    ASSERT_TRUE(from.contains(key)) << p.key();
    auto source = from[key];
    if (source.size(0) != p.value().size(0)) source = source.narrow(0, 0, p.value().size(0));  // 2 of 6 chunks
    p.value().copy_(source);
    ++assigned;
  }
  EXPECT_EQ(assigned, static_cast<int64_t>(mmdit->parameters().size()));
  auto in = random_inputs(c);
  auto a = run(dit, in), b = run(mmdit, in);
  EXPECT_GT(a.abs().max().item<double>(), 1e-2);
  EXPECT_LT((a - b).abs().max().item<double>(), 1e-5);
}

TEST(BackboneConfig, DesignsBelongToDiTAndMMDiT3NeedsAPooledVector) {
  auto c = shape_of({BackboneKind::crossdit, BlockConditioning::adaln, 2, true, kPooled});
  EXPECT_THROW(c.validate(), std::invalid_argument);
  c = shape_of({BackboneKind::mmdit3, BlockConditioning::adaln_zero, 2, true, 0});
  EXPECT_THROW(c.validate(), std::invalid_argument);
  EXPECT_EQ(shape_of({BackboneKind::dit, BlockConditioning::in_context, 2, true, 0}).name(), "dit (in_context)");
}
