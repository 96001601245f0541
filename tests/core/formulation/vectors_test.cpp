// SPEC test vectors: the LDM ᾱ table, the Karras grid, the mode density and the LDM trailing indices.
#include <gtest/gtest.h>

#include <cmath>

#include "core/formulation/formulation.h"
#include "core/formulation/schedules.h"

using rflab::core::Formulation;
using rflab::core::GridMode;
namespace sched = rflab::core::sched;

TEST(FormulationVectors, LdmAlphabarTable) {
  const auto& ab = sched::ldm_alphabar(false);
  ASSERT_EQ(ab.size(), 1000u);
  EXPECT_NEAR(ab[0], 0.99915, 1e-12);
  EXPECT_NEAR(ab[499], 0.277670, 5e-6);
  EXPECT_NEAR(ab[999], 0.0046601, 5e-7);
  auto f = Formulation::parse("eps/linear");
  auto l0 = f.level(0.001), l999 = f.level(1.0);
  EXPECT_NEAR(l0.sigma, 0.029167, 1e-5);
  EXPECT_NEAR(f.log_snr(0.001), 7.069, 1e-3);
  EXPECT_NEAR(l999.sigma, 14.6146, 1e-3);
  EXPECT_NEAR(f.log_snr(1.0), -5.364, 1e-3);
  EXPECT_EQ(l999.c_t, 999.0);
}

TEST(FormulationVectors, LdmIndexFromTime) {
  EXPECT_EQ(sched::ldm_index_of_time(0.0), 0);
  EXPECT_EQ(sched::ldm_index_of_time(0.001), 0);
  EXPECT_EQ(sched::ldm_index_of_time(0.0011), 1);
  EXPECT_EQ(sched::ldm_index_of_time(double(0.3f)), 299);  // float32 round-off of a grid time
  EXPECT_EQ(sched::ldm_index_of_time(0.125), 124);
  EXPECT_EQ(sched::ldm_index_of_time(1.0), 999);
}

TEST(FormulationVectors, ZeroTerminalSnrRescaling) {
  const auto& ab = sched::ldm_alphabar(true);
  EXPECT_EQ(ab[999], 0.0);
  EXPECT_NEAR(ab[0], 0.99915, 1e-12);
  auto f = Formulation::parse("v/linear+ztsnr");
  EXPECT_EQ(f.level(1.0).a, 0.0);
  EXPECT_EQ(f.level(1.0).b, 1.0);
}

TEST(FormulationVectors, KarrasGridFiveSteps) {
  auto g = Formulation::parse("edm(-1.20, 1.20)").grid_values(5);
  ASSERT_EQ(g.size(), 6u);
  const double want[] = {80.0, 17.528, 2.5152, 0.16975, 0.002};
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(g[i].sigma / want[i], 1.0, 2e-4) << i;
  EXPECT_TRUE(g[5].clean);
  EXPECT_EQ(g[5].sigma, 0.0);
}

TEST(FormulationVectors, LdmTrailingIndicesFiveSteps) {
  auto g = Formulation::parse("v/linear").grid_values(5, GridMode::native);
  ASSERT_EQ(g.size(), 6u);
  const double k[] = {999, 799, 599, 399, 199};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(g[i].c_t, k[i]) << i;
  EXPECT_TRUE(g[5].clean);
  EXPECT_EQ(g[5].a, 1.0);
}

TEST(FormulationVectors, ModeDensity) {
  EXPECT_NEAR(sched::mode_density(0.0, 31.0 / 24.0), 0.43636, 1e-5);
  EXPECT_NEAR(sched::mode_density(1.0, 31.0 / 24.0), 0.43636, 1e-5);
  EXPECT_NEAR(sched::mode_density(0.5, 31.0 / 24.0), 3.8063, 1e-4);
  EXPECT_NEAR(sched::mode_density(0.0, 1.75), 0.36364, 1e-5);
  EXPECT_NEAR(sched::mode_density(0.5, 1.75), 903.8, 0.5);
  auto f = Formulation::parse("rf/mode(1.29)");
  EXPECT_NEAR(f.density(0.5), 3.8063, 1e-4);
}

TEST(FormulationVectors, ModeMapIsSymmetric) {
  for (double s : {-1.0, 0.375, 1.75})
    for (double u : {0.1, 0.3, 0.45}) EXPECT_NEAR(sched::mode_map(1 - u, s), 1 - sched::mode_map(u, s), 1e-14);
}

TEST(FormulationVectors, CosineGridStopsAtSigma80) {
  auto g = Formulation::parse("eps/cos").grid_values(10);
  ASSERT_EQ(g.size(), 11u);
  EXPECT_NEAR(g[0].sigma, 80.0, 1e-9);
  EXPECT_NEAR(g[0].t, 0.992043, 1e-6);
  EXPECT_NEAR(g[5].t, 0.992043 / 2, 1e-6);
}

TEST(FormulationVectors, InverseNormalCdf) {
  for (double p : {1e-5, 0.01, 0.3, 0.5, 0.9, 1 - 1e-5}) EXPECT_NEAR(sched::normal_cdf(sched::normal_icdf(p)), p, 1e-14);
  EXPECT_NEAR(sched::normal_icdf(0.975), 1.959963984540054, 1e-12);
}
