// The `formulations describe` output carries the definitions it claims to (SPEC §1.3, §4.3).
#include <gtest/gtest.h>

#include "core/formulation/describe.h"

using rflab::core::Formulation;

TEST(FormulationDescribe, JsonHasTableAndGrids) {
  auto f = Formulation::parse("rf/lognorm(0.00, 1.00)");
  auto j = rflab::core::describe_json(f, 5);
  EXPECT_EQ(j["name"], "rf/lognorm(0.00, 1.00)");
  ASSERT_EQ(j["table"].size(), 19u);
  const auto& r = j["table"][4];  // t = 0.25
  EXPECT_DOUBLE_EQ(r["t"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(r["a"].get<double>(), 0.75);
  EXPECT_NEAR(r["lambda"].get<double>(), 2 * std::log(3.0), 1e-12);
  EXPECT_NEAR(r["w"].get<double>(), f.density(0.25) / 3, 1e-12);
  ASSERT_EQ(j["grid"]["native"].size(), 6u);
  EXPECT_TRUE(j["grid"]["native"][0]["sigma"].is_null());  // t = 1, σ = ∞
  EXPECT_DOUBLE_EQ(j["grid"]["native"][1]["t"].get<double>(), 0.8);
}

TEST(FormulationDescribe, TextNamesEveryColumn) {
  auto s = rflab::core::describe_text(Formulation::parse("edm(-1.20, 1.20)"), 5);
  for (const char* col : {"a_t", "b_t", "lambda_t", "w_t", "pi(t)", "sampler grid (native, 5 steps)", "17.52"})
    EXPECT_NE(s.find(col), std::string::npos) << col;
}
