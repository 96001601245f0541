#include "reports/welch.h"
#include "reports/float_constants.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace rflab::reports {
namespace {

const double kPi = std::acos(-1.0);

TEST(StudentT, CauchyClosedForm) {
  for (double t : {-1e6, -30.0, -3.0, -1.0, -0.25, 0.0, 0.5, 1.0, 2.0, 7.5, 1e3})
    EXPECT_NEAR(student_t_cdf(t, 1), 0.5 + std::atan(t) / kPi, 1e-14) << t;
  // Far out the lower tail is 1/(π|t|); relative accuracy must survive t² overflowing.
  EXPECT_NEAR(student_t_cdf(-1e200, 1) / (1 / (kPi * 1e200)), 1, 1e-12);
  // The quantile is tan(π(p − ½)) = −1/tan(πp); the second form keeps the digits of a small p.
  for (double p : {1e-9, 0.01, 0.2, 0.5, 0.75, 0.99}) {
    const double expected = p < 0.5 ? -1 / std::tan(kPi * p) : std::tan(kPi * (p - 0.5));
    EXPECT_NEAR(student_t_quantile(p, 1), expected, 1e-12 * (1 + std::abs(expected))) << p;
  }
}

TEST(StudentT, TwoDegreesClosedForm) {
  for (double t : {-100.0, -4.0, -1.5, -0.1, 0.0, 0.3, 1.0, 3.0, 50.0})
    EXPECT_NEAR(student_t_cdf(t, 2), 0.5 + t / (2 * std::sqrt(2 + t * t)), 1e-14) << t;
  // Inverting F = ½ + t/(2·sqrt(2 + t²)): t = (2p − 1)/sqrt(2p(1 − p)).
  for (double p : {1e-6, 0.05, 0.4, 0.6, 0.975})
    EXPECT_NEAR(student_t_quantile(p, 2), (2 * p - 1) / std::sqrt(2 * p * (1 - p)), 1e-11) << p;
}

TEST(StudentT, ThreeDegreesClosedForm) {
  // F(t; 3) = ½ + (1/π)·(u/(1 + u²) + atan u), u = t/√3.
  for (double t : {-20.0, -2.0, -0.5, 0.7, 3.182446305284263}) {
    const double u = t / std::sqrt(3.0);
    EXPECT_NEAR(student_t_cdf(t, 3), 0.5 + (u / (1 + u * u) + std::atan(u)) / kPi, 1e-14) << t;
  }
}

TEST(StudentT, TableQuantiles) {
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.7062047362, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.30265272975, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.77644510520, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.975, 10), 2.22813885196, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.04227245630, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.025, 10), -2.22813885196, 1e-8);
}

TEST(StudentT, InfiniteDfIsTheNormal) {
  EXPECT_NEAR(student_t_quantile(0.975, kInf), 1.95996398454, 1e-10);
  EXPECT_NEAR(student_t_cdf(1.959963984540054, kInf), 0.975, 1e-15);
  EXPECT_NEAR(student_t_cdf(-1, kInf), 0.15865525393145707, 1e-15);
}

TEST(StudentT, LargeDfMatchesTheCornishFisherExpansion) {
  // t_p ≈ z + (z³ + z)/(4ν) + (5z⁵ + 16z³ + 3z)/(96ν²); the next term is below 1e-14 here.
  const double z = 1.959963984540054;
  for (double df : {1e5, 1e6}) {
    const double z3 = z * z * z, z5 = z3 * z * z;
    const double expected = z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df);
    EXPECT_NEAR(student_t_quantile(0.975, df), expected, 1e-12) << df;
    EXPECT_NEAR(student_t_cdf(expected, df), 0.975, 1e-13) << df;
  }
  // Between the normal and t on 1e5 degrees of freedom, strictly.
  EXPECT_GT(student_t_quantile(0.975, 1e6), z);
  EXPECT_LT(student_t_quantile(0.975, 1e6), student_t_quantile(0.975, 1e5));
}

TEST(StudentT, QuantileInvertsTheCdf) {
  for (double df : {0.3, 1.0, 1.5, 2.0, 3.7, 10.0, 42.5, 1000.0, 12345.6, 1e6}) {
    for (double p : {1e-12, 1e-6, 0.001, 0.025, 0.1, 0.3, 0.49, 0.5, 0.51, 0.7, 0.9, 0.975, 0.999, 1 - 1e-9}) {
      const double t = student_t_quantile(p, df);
      ASSERT_TRUE(std::isfinite(t)) << p << " " << df;
      // The lower tail keeps its relative accuracy; above ½ the CDF is 1 − tail.
      const double tol = p < 0.5 ? 1e-12 * p : 1e-12 * (1 - p) + 3e-16;
      EXPECT_NEAR(student_t_cdf(t, df), p, tol) << "p = " << p << ", df = " << df;
    }
  }
}

TEST(StudentT, IsSymmetric) {
  for (double df : {0.7, 1.0, 4.0, 9.5, 200.0, 1e6, kInf}) {
    for (double t : {0.01, 0.5, 1.0, 2.5, 8.0, 100.0})
      EXPECT_NEAR(student_t_cdf(-t, df), 1 - student_t_cdf(t, df), 1e-15) << t << " " << df;
    // Dyadic offsets, so that ½ ± δ and 1 − (½ + δ) are exact.
    for (double delta : {0x1p-30, 0x1p-10, 0.015625, 0.125, 0.375, 0.4375})
      EXPECT_EQ(student_t_quantile(0.5 - delta, df), -student_t_quantile(0.5 + delta, df)) << delta << " " << df;
  }
  EXPECT_EQ(student_t_cdf(0, 3), 0.5);
  EXPECT_EQ(student_t_quantile(0.5, 3), 0.0);
}

TEST(StudentT, EndsAndErrors) {
  EXPECT_EQ(student_t_quantile(0, 5), -kInf);
  EXPECT_EQ(student_t_quantile(1, 5), kInf);
  EXPECT_EQ(student_t_cdf(-kInf, 5), 0.0);
  EXPECT_EQ(student_t_cdf(kInf, 5), 1.0);
  EXPECT_THROW(student_t_quantile(-0.1, 5), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(1.5, 5), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(0.5, 0), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(0.5, -2), std::invalid_argument);
  EXPECT_THROW(student_t_cdf(1, 0), std::invalid_argument);
  EXPECT_THROW(student_t_cdf(1, std::nan("")), std::invalid_argument);
}

// base: mean 2.5, s² = 5/3; head: mean 5, s² = 2.5. se² = 5/12 + 1/2 = 11/12 and
// df = (11/12)² / ((5/12)²/3 + (1/2)²/4) = 363/52.
const std::vector<double> kBase = {1, 2, 3, 4};
const std::vector<double> kHead = {3, 5, 4, 6, 7};

TEST(WelchDifference, MatchesAHandWorkedExample) {
  const double mb = (1.0 + 2 + 3 + 4) / 4, mh = (3.0 + 5 + 4 + 6 + 7) / 5;
  const double sb2 = ((1 - mb) * (1 - mb) + (2 - mb) * (2 - mb) + (3 - mb) * (3 - mb) + (4 - mb) * (4 - mb)) / 3;
  const double sh2 =
      ((3 - mh) * (3 - mh) + (5 - mh) * (5 - mh) + (4 - mh) * (4 - mh) + (6 - mh) * (6 - mh) + (7 - mh) * (7 - mh)) / 4;
  const double vb = sb2 / 4, vh = sh2 / 5;
  const double df = (vb + vh) * (vb + vh) / (vb * vb / 3 + vh * vh / 4);
  ASSERT_NEAR(df, 363.0 / 52, 1e-12);

  const WelchDifference w = welch_difference(kBase, kHead);
  EXPECT_DOUBLE_EQ(w.difference, 2.5);
  EXPECT_NEAR(w.se, std::sqrt(11.0 / 12), 1e-15);
  EXPECT_NEAR(w.df, df, 1e-12);
  EXPECT_EQ(w.n_base, 4);
  EXPECT_EQ(w.n_head, 5);
  EXPECT_EQ(w.level, 0.95);
  EXPECT_TRUE(w.note.empty());
  const double half = student_t_quantile(0.975, df) * std::sqrt(11.0 / 12);
  EXPECT_NEAR(w.ci.lo, 2.5 - half, 1e-12);
  EXPECT_NEAR(w.ci.hi, 2.5 + half, 1e-12);
  // t on 6.98 df lies between the table's 2.447 (6 df) and 2.365 (7 df).
  EXPECT_GT(half / w.se, 2.365);
  EXPECT_LT(half / w.se, 2.447);
  EXPECT_NEAR(w.p_value, 2 * (1 - student_t_cdf(2.5 / std::sqrt(11.0 / 12), df)), 1e-14);
  EXPECT_GT(w.p_value, 0.01);
  EXPECT_LT(w.p_value, 0.05);  // 0 lies outside the 95% interval

  // The difference is antisymmetric, the rest symmetric.
  const WelchDifference r = welch_difference(kHead, kBase);
  EXPECT_DOUBLE_EQ(r.difference, -2.5);
  EXPECT_DOUBLE_EQ(r.p_value, w.p_value);
  EXPECT_NEAR(r.ci.lo, -w.ci.hi, 1e-12);
}

TEST(WelchDifference, PValueAtTheIntervalBoundIsOneMinusLevel) {
  for (double level : {0.8, 0.9, 0.95, 0.99}) {
    const WelchDifference w = welch_difference(kBase, kHead, level);
    // Shifting head moves the difference and leaves se and df alone: put it on the bound.
    const double half = w.ci.hi - w.difference;
    std::vector<double> shifted = kHead;
    for (double& x : shifted) x += half - w.difference;
    const WelchDifference at = welch_difference(kBase, shifted, level);
    ASSERT_NEAR(at.difference, half, 1e-12);
    EXPECT_NEAR(at.p_value, 1 - level, 1e-10) << level;
    EXPECT_NEAR(at.ci.lo, 0, 1e-12) << level;
  }
}

TEST(WelchDifference, SingleValueGroupHasNoInterval) {
  const WelchDifference w = welch_difference({2.0}, kHead);
  EXPECT_DOUBLE_EQ(w.difference, 3.0);
  EXPECT_TRUE(std::isnan(w.ci.lo));
  EXPECT_TRUE(std::isnan(w.ci.hi));
  EXPECT_TRUE(std::isnan(w.p_value));
  EXPECT_NE(w.note.find("base"), std::string::npos);
  EXPECT_NE(welch_difference(kBase, {9.0}).note.find("head"), std::string::npos);
}

TEST(WelchDifference, ConstantGroups) {
  const WelchDifference same = welch_difference({1.5, 1.5, 1.5}, {1.5, 1.5});
  EXPECT_EQ(same.difference, 0.0);
  EXPECT_EQ(same.se, 0.0);
  EXPECT_EQ(same.df, kInf);
  EXPECT_EQ(same.ci.lo, 0.0);
  EXPECT_EQ(same.ci.hi, 0.0);
  EXPECT_EQ(same.p_value, 1.0);

  const WelchDifference moved = welch_difference({1.0, 1.0, 1.0}, {1.25, 1.25});
  EXPECT_EQ(moved.difference, 0.25);
  EXPECT_EQ(moved.ci.lo, 0.25);
  EXPECT_EQ(moved.ci.hi, 0.25);
  EXPECT_EQ(moved.p_value, 0.0);
  EXPECT_NE(moved.note.find("no spread"), std::string::npos);
}

TEST(WelchDifference, OneConstantGroupUsesTheOthersDegreesOfFreedom) {
  // With s_b = 0 the Satterthwaite df is exactly n_h − 1.
  const WelchDifference w = welch_difference({2.0, 2.0, 2.0}, kHead);
  EXPECT_NEAR(w.df, 4, 1e-12);
  EXPECT_NEAR(w.se, std::sqrt(0.5), 1e-15);
}

TEST(WelchDifference, RejectsBadInput) {
  EXPECT_THROW(welch_difference({}, kHead), std::invalid_argument);
  EXPECT_THROW(welch_difference(kBase, {}), std::invalid_argument);
  EXPECT_THROW(welch_difference({1.0, std::nan("")}, kHead), std::invalid_argument);
  EXPECT_THROW(welch_difference(kBase, {1.0, kInf}), std::invalid_argument);
  EXPECT_THROW(welch_difference(kBase, kHead, 1.0), std::invalid_argument);
  EXPECT_THROW(welch_difference(kBase, kHead, 0.0), std::invalid_argument);
}

}  // namespace
}  // namespace rflab::reports
