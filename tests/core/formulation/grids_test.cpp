// Sampling grids: shared RF grid with clipping and merging, and the timestep shift (SPEC §4.3, §4.6).
#include <gtest/gtest.h>

#include <cmath>

#include "core/formulation/formulation.h"

using rflab::core::Formulation;
using rflab::core::GridMode;

TEST(FormulationGrids, RfGridIsUniformAndEndsClean) {
  auto g = Formulation::parse("rf").grid(4);
  ASSERT_EQ(g.size(), 5u);
  EXPECT_FLOAT_EQ(g[0].t.item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(g[1].t.item<float>(), 0.75f);
  EXPECT_EQ(g[0].t.sizes(), torch::IntArrayRef({1}));
  EXPECT_TRUE(g[4].clean);
  EXPECT_FALSE(g[3].clean);
  EXPECT_FLOAT_EQ(g[4].a.item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(g[4].b.item<float>(), 0.0f);
}

TEST(FormulationGrids, SharedGridClipsAndMergesDuplicates) {
  // LDM: σ_i = t_i/(1−t_i) snapped to the nearest index in ln σ; the first two points (σ = ∞, 999)
  // both clip to k = 999 for N = 1000 -> merged.
  auto g = Formulation::parse("eps/linear").grid_values(1000, GridMode::shared);
  EXPECT_LT(g.size(), 1001u);
  for (size_t i = 1; i < g.size(); ++i) EXPECT_TRUE(g[i].clean || g[i].t != g[i - 1].t);
  EXPECT_EQ(g[0].c_t, 999.0);
  // EDM: σ clipped to [0.002, 80], final σ = 0 kept.
  auto e = Formulation::parse("edm/cos").grid_values(10, GridMode::shared);
  EXPECT_NEAR(e[0].sigma, 80.0, 1e-9);
  EXPECT_NEAR(e[1].sigma, 9.0, 1e-9);
  EXPECT_EQ(e.back().sigma, 0.0);
  EXPECT_TRUE(e.back().clean);
  // Cosine: t = (2/π)·atan σ.
  auto c = Formulation::parse("v/cos").grid_values(4, GridMode::shared);
  EXPECT_NEAR(c[2].t, 0.5, 1e-12);
}

TEST(FormulationGrids, ShiftScalesSigmaOnceOnEveryGrid) {
  auto rf = Formulation::parse("rf");
  rf.set_shift(3.0);
  auto g = rf.grid_values(4);
  // σ_m = α·σ: t = 0.25 has σ = 1/3, shifted σ = 1 -> t = 0.5.
  EXPECT_NEAR(g[3].t, 0.5, 1e-12);
  EXPECT_NEAR(g[3].sigma, 1.0, 1e-12);
  auto e = Formulation::parse("edm(0.00, 1.20)");
  auto plain = e.grid_values(5);
  e.set_shift(2.0);
  auto shifted = e.grid_values(5);
  EXPECT_NEAR(shifted[2].sigma, 2 * plain[2].sigma, 1e-9);
  EXPECT_NEAR(shifted[0].sigma, 80.0, 1e-9);  // clipped after the shift
}
