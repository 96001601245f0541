// MM-DiT against the SD3 reference (golden forward passes), closed forms and invariants.
#include <gtest/gtest.h>

#include <cmath>

#include "core/io/safetensors.h"
#include "core/model/mmdit.h"
#include "core/model/shape/model_size.h"
#include "core/model/reference_checkpoint.h"
#include "tests/util/golden.h"

using namespace rflab::core;

namespace {
using rflab::testing::golden_file;

BackboneConfig small(int64_t depth, bool qk, int64_t C = 4, int64_t p = 2, int64_t P = 64, int64_t T = 64) {
  BackboneConfig c;
  c.depth = depth;
  c.hidden = 64 * depth;
  c.heads = depth;
  c.in_channels = c.out_channels = C;
  c.patch_size = p;
  c.pooled_dim = P;
  c.context_dim = T;
  c.qk_norm = qk;
  c.pos_embed_max_size = 8;
  return c;
}

int64_t counted_parameters(MMDiT& m) {
  int64_t n = 0;
  for (const auto& p : m->parameters()) n += p.numel();
  return n;
}
}  // namespace

class GoldenForward : public ::testing::TestWithParam<const char*> {};

TEST_P(GoldenForward, ReproducesReferenceOutput) {
  auto r = verify_reference_file(golden_file(GetParam()));
  EXPECT_LT(r.max_abs_diff, 1e-5) << "max |output| = " << r.max_abs_output;
  EXPECT_GT(r.max_abs_output, 0.1);  // the golden output is not trivially small
}

INSTANTIATE_TEST_SUITE_P(Reference, GoldenForward, ::testing::ValuesIn(rflab::testing::kGoldenFiles));

TEST(ReferenceCheckpoint, InfersShapeFromTensors) {
  auto st = read_safetensors(golden_file("mmdit_ref_d3_plain_16x12.safetensors"));
  auto c = infer_reference_config(st.tensors, "model.", "golden");
  EXPECT_EQ(c.depth, 3);
  EXPECT_EQ(c.hidden, 192);
  EXPECT_EQ(c.heads, 3);
  EXPECT_EQ(c.context_dim, 48);
  EXPECT_EQ(c.pooled_dim, 32);
  EXPECT_FALSE(c.qk_norm);
  EXPECT_EQ(c.pos_embed_max_size, 12);
}

TEST(ReferenceCheckpoint, MisshapedTensorIsRejectedByName) {
  auto st = read_safetensors(golden_file("mmdit_ref_d2_qknorm_16x16.safetensors"));
  auto c = infer_reference_config(st.tensors, "model.", "golden");
  st.tensors["model.final_layer.linear.bias"] = torch::zeros({3});
  MMDiT m(c);
  try {
    load_reference_weights(m, st.tensors, "model.", "golden");
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("final_layer.linear.bias"), std::string::npos) << e.what();
  }
}

TEST(PositionTable, EqualsReferenceTable) {
  auto st = read_safetensors(golden_file("mmdit_ref_d2_qknorm_16x16.safetensors"));
  auto ref = st.tensors.at("model.pos_embed")[0];
  auto ours = sincos_2d_table(12, 128);
  EXPECT_LT((ours - ref).abs().max().item<double>(), 1e-6);
}

TEST(PositionTable, EqualsDirectComputation) {
  const int64_t G = 5, H = 16;
  auto table = sincos_2d_table(G, H);
  const int64_t D = H / 2, half = D / 2;
  for (int64_t r = 0; r < G; ++r)
    for (int64_t c = 0; c < G; ++c)
      for (int64_t i = 0; i < half; ++i) {
        double w = std::pow(10000.0, -static_cast<double>(i) / half);
        auto row = table[r * G + c];
        EXPECT_NEAR(row[i].item<double>(), std::sin(c * w), 1e-6);             // column first
        EXPECT_NEAR(row[half + i].item<double>(), std::cos(c * w), 1e-6);
        EXPECT_NEAR(row[D + i].item<double>(), std::sin(r * w), 1e-6);         // then row
        EXPECT_NEAR(row[D + half + i].item<double>(), std::cos(r * w), 1e-6);
      }
}

TEST(PositionTable, CentreCropTakesTheMiddle) {
  auto table = sincos_2d_table(6, 8);
  auto crop = crop_position_table(table, 6, 2, 4);  // top = 2, left = 1
  EXPECT_TRUE(torch::equal(crop[0], table[2 * 6 + 1]));
  EXPECT_TRUE(torch::equal(crop[7], table[3 * 6 + 4]));
  EXPECT_THROW(crop_position_table(table, 6, 7, 1), std::invalid_argument);
}

TEST(ParameterCount, ClosedFormMatchesModule) {
  for (auto [d, qk] : std::vector<std::pair<int64_t, bool>>{{1, true}, {2, false}, {3, true}}) {
    auto c = small(d, qk);
    MMDiT m(c);
    EXPECT_EQ(parameter_count(c), counted_parameters(m)) << "d=" << d;
  }
  auto c = small(2, true, 1, 4, 0, 32);  // no pooled vector, width override
  c.hidden = 96;
  c.heads = 3;
  MMDiT m(c);
  EXPECT_EQ(parameter_count(c), counted_parameters(m));
}

TEST(ParameterCount, SpecTestVectors) {
  // SPEC §9.7, small configurations (C = 4, p = 2, P = T = 64, no QK-norm).
  std::vector<std::pair<int64_t, int64_t>> small_vectors = {
      {2, 1092880}, {3, 3746320}, {4, 8984080}, {6, 30751504}, {8, 73473040}};
  for (auto [d, n] : small_vectors) EXPECT_EQ(parameter_count(small(d, false)), n) << "d=" << d;
  // The paper instance: C = 16, P = 2048, T = 4096.
  auto sd3 = [](int64_t d, bool qk) { return small(d, qk, 16, 2, 2048, 4096); };
  EXPECT_EQ(parameter_count(sd3(24, false)), 2028328000);
  EXPECT_EQ(parameter_count(sd3(24, true)), 2028334144);
  EXPECT_EQ(parameter_count(sd3(15, false)), 496066624);
  EXPECT_EQ(parameter_count(sd3(38, true)), 8056627520);
}

TEST(ForwardMacs, SpecTestVectors) {
  BackboneConfig c = small(24, true, 16, 2, 2048, 4096);
  EXPECT_EQ(forward_macs(c, 4096, 154), 4218677526528LL);
  EXPECT_EQ(forward_macs(c, 256, 154), 289411596288LL);
}

TEST(AdaLNZero, OutputIsZeroAtInitialisation) {
  auto c = small(3, true);
  MMDiT m(c);
  auto x = torch::randn({2, 4, 8, 6});
  auto out = m->forward(x, torch::tensor({10.f, 900.f}), torch::randn({2, 64}), torch::randn({2, 5, 64}));
  EXPECT_EQ(out.sizes(), x.sizes());
  EXPECT_EQ(out.abs().max().item<float>(), 0.0f);
}

TEST(AdaLNZero, EveryBlockIsIdentityOnImageStream) {
  auto c = small(3, true);
  MMDiT m(c);
  torch::NoGradGuard g;
  auto img = torch::randn({2, 12, c.hidden});
  auto ctx = torch::randn({2, 5, c.hidden});
  auto cvec = torch::randn({2, c.hidden});
  for (size_t i = 0; i < m->joint_blocks->size(); ++i) {
    auto [ctx2, img2] = m->joint_blocks[i]->as<JointBlockImpl>()->forward(ctx, img, cvec);
    EXPECT_TRUE(torch::equal(img2, img)) << "block " << i;
    if (ctx2.defined()) EXPECT_TRUE(torch::equal(ctx2, ctx)) << "block " << i;
  }
}

TEST(MMDiT, EveryParameterReceivesGradient) {
  // With random (non-zero) weights, a dead parameter — one not wired into the output — would
  // keep a zero gradient.
  auto c = small(2, true);
  MMDiT m(c);
  {
    torch::NoGradGuard g;
    for (auto& p : m->parameters()) p.normal_(0.0, 0.05);
  }
  auto x = torch::randn({4, 4, 8, 8});
  auto out = m->forward(x, torch::rand({4}) * 1000, torch::randn({4, 64}), torch::randn({4, 3, 64}));
  (out - x).pow(2).mean().backward();
  // The one exception: the last block's context queries only feed its discarded context
  // output, so that ln_q (present in the reference too) never receives a gradient.
  const std::string dead = "joint_blocks.1.context_block.attn.ln_q.weight";
  for (const auto& p : m->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    double g = p.value().grad().abs().sum().item<double>();
    if (p.key() == dead)
      EXPECT_EQ(g, 0.0);
    else
      EXPECT_GT(g, 0.0) << p.key();
  }
}
