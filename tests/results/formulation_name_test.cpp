// The one formulation-name grammar (SPEC §2.2, §2.3, D25), as core and the sweep files use it.
#include "results/formulation_name.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <utility>
#include <vector>

namespace rflab::results {
namespace {

using Family = FormulationFamily;

TEST(FormatValue, SpecExamples) {
  EXPECT_EQ(format_value(31.0 / 24.0), "1.29");
  EXPECT_EQ(format_value(3.0 / 8.0), "0.38");  // the tie rounds away from zero
  EXPECT_EQ(format_value(-3.0 / 8.0), "-0.38");
  EXPECT_EQ(format_value(-1.2), "-1.20");
  EXPECT_EQ(format_value(12.3), "12.30");
}

TEST(FormatValue, NeverPrintsNegativeZero) {
  EXPECT_EQ(format_value(-0.0), "0.00");
  EXPECT_EQ(format_value(-0.001), "0.00");
  EXPECT_EQ(format_value(-0.004), "0.00");
}

TEST(ModeScaleMax, IsTwoOverPiMinusTwo) {
  EXPECT_DOUBLE_EQ(mode_scale_max(), 2.0 / (M_PI - 2.0));
  EXPECT_GT(mode_scale_max(), 1.75);  // the largest grid value lies just inside
  EXPECT_LT(mode_scale_max(), 1.76);
}

TEST(Paper61, SixtyOnePairwiseDistinctNames) {
  const auto& n = paper61_names();
  ASSERT_EQ(n.size(), 61u);
  EXPECT_EQ(std::set<std::string>(n.begin(), n.end()).size(), 61u);
}

// Index -> name pairs printed in SPEC §2.3.
TEST(Paper61, RegistryOrderMatchesSpec) {
  const auto& n = paper61_names();
  const std::vector<std::pair<size_t, std::string>> spec = {
      {0, "eps/linear"}, {1, "v/linear"}, {2, "eps/cos"}, {3, "v/cos"},
      {4, "rf/mode(-1.00)"}, {5, "rf/mode(-0.54)"}, {6, "rf/mode(-0.08)"}, {7, "rf/mode(0.38)"},
      {8, "rf/mode(0.83)"}, {9, "rf/mode(1.29)"}, {10, "rf/mode(1.75)"}, {11, "rf/mode(1.00)"},
      {12, "rf"}, {13, "rf/lognorm(-1.00, 0.20)"}, {18, "rf/lognorm(-1.00, 2.20)"},
      {19, "rf/lognorm(-0.50, 0.20)"}, {27, "rf/lognorm(0.00, 1.00)"},
      {42, "rf/lognorm(1.00, 2.20)"}, {43, "rf/cosmap"}, {44, "edm(-1.20, 0.60)"},
      {45, "edm(-1.20, 1.20)"}, {58, "edm(1.20, 1.80)"}, {59, "edm/rf"}, {60, "edm/cos"}};
  for (const auto& [i, name] : spec) EXPECT_EQ(n[i], name) << "index " << i;
}

TEST(Paper61, EveryNameRoundTripsThroughParseAndPrint) {
  for (const auto& name : paper61_names()) {
    const FormulationName f = parse_formulation_name(name);
    EXPECT_EQ(formulation_name(f), name);
    EXPECT_EQ(canonical_formulation_name(name), name);
    const FormulationName g = parse_formulation_name(formulation_name(f));
    EXPECT_EQ(g.family, f.family) << name;
    EXPECT_EQ(std::signbit(g.p1), std::signbit(f.p1)) << name;  // no -0.0 sneaks in
    EXPECT_EQ(g.p1, f.p1) << name;
    EXPECT_EQ(g.p2, f.p2) << name;
    EXPECT_EQ(g.minsnr_gamma, 0.0) << name;
    EXPECT_FALSE(g.ztsnr) << name;
  }
}

TEST(Parse, FamiliesAndParameters) {
  const FormulationName ln = parse_formulation_name("rf/lognorm(0.30, 0.80)");
  EXPECT_EQ(ln.family, Family::rf_lognorm);
  EXPECT_DOUBLE_EQ(ln.p1, 0.3);
  EXPECT_DOUBLE_EQ(ln.p2, 0.8);
  const FormulationName e = parse_formulation_name("edm(-1.20, 1.20)");
  EXPECT_EQ(e.family, Family::edm);
  EXPECT_EQ(e.p1, -1.2);
  EXPECT_EQ(e.p2, 1.2);
  EXPECT_EQ(parse_formulation_name("rf").family, Family::rf_mode);
  EXPECT_EQ(parse_formulation_name("rf").p1, 0.0);
  EXPECT_EQ(parse_formulation_name("edm/cos").family, Family::edm_cos);
}

// D25: a number resolves to the grid value that prints as the same text, not to its own value.
TEST(Parse, GridValuesAreExactRationals) {
  EXPECT_EQ(parse_formulation_name("rf/mode(0.38)").p1, 0.375);
  EXPECT_EQ(parse_formulation_name("rf/mode(1.29)").p1, 31.0 / 24.0);
  EXPECT_EQ(parse_formulation_name("rf/mode(-0.54)").p1, -13.0 / 24.0);
  EXPECT_EQ(parse_formulation_name("rf/mode(-0.08)").p1, -1.0 / 12.0);
  // A spelling with leading zeros is the same number, so it resolves to the same grid value.
  EXPECT_EQ(parse_formulation_name("rf/mode(00.38)").p1, 0.375);
  EXPECT_EQ(parse_formulation_name("rf/mode(-00.54)").p1, -13.0 / 24.0);
}

TEST(Parse, NegativeZeroBecomesZero) {
  const FormulationName f = parse_formulation_name("rf/lognorm(-0.00, 1.00)");
  EXPECT_EQ(f.p1, 0.0);
  EXPECT_FALSE(std::signbit(f.p1));
  EXPECT_FALSE(std::signbit(parse_formulation_name("edm(-0.00, 0.70)").p1));
}

TEST(CanonicalName, AliasesAndSpellingsNormalise) {
  EXPECT_EQ(canonical_formulation_name("rf/mode(0.00)"), "rf");
  EXPECT_EQ(canonical_formulation_name("rf/mode(-0.00)"), "rf");
  EXPECT_EQ(canonical_formulation_name("rf/lognorm(-0.00, 01.00)"), "rf/lognorm(0.00, 1.00)");
  EXPECT_EQ(canonical_formulation_name("edm(00.60, 1.20)"), "edm(0.60, 1.20)");
  EXPECT_EQ(canonical_formulation_name("rf/mode(0.40)"), "rf/mode(0.40)");  // off-grid is kept
}

TEST(CanonicalName, ModifiersPrintMinsnrThenZtsnr) {
  EXPECT_EQ(canonical_formulation_name("v/linear+ztsnr"), "v/linear+ztsnr");
  EXPECT_EQ(canonical_formulation_name("eps/cos+minsnr(5.00)"), "eps/cos+minsnr(5.00)");
  EXPECT_EQ(canonical_formulation_name("v/linear+ztsnr+minsnr(5.00)"), "v/linear+minsnr(5.00)+ztsnr");
  EXPECT_EQ(canonical_formulation_name("v/linear+minsnr(05.00)+ztsnr"), "v/linear+minsnr(5.00)+ztsnr");
  const FormulationName f = parse_formulation_name("v/linear+ztsnr+minsnr(5.00)");
  EXPECT_EQ(f.family, Family::v_linear);
  EXPECT_EQ(f.minsnr_gamma, 5.0);
  EXPECT_TRUE(f.ztsnr);
}

TEST(CanonicalName, RejectsOffGrammarAndOutOfRange) {
  for (const char* bad :
       {"", "RF", "rf/", "rf/mode", "rf/mode(0.5)", "rf/mode(1.290)", "rf/mode(+1.00)", "rf/mode(.50)",
        "rf/mode(1.76)", "rf/mode(-1.01)", "rf/lognorm(0.00,1.00)", "rf/lognorm(0.00, 1.00",
        "rf/lognorm(0.00, 0.00)", "edm(0.00, -0.60)", "edm(1.00)", "eps/linear ", "v/lin",
        "edm(1234567890.00, 1.00)", "rf+minsnr(5.00)", "eps/linear+ztsnr", "v/cos+ztsnr",
        "eps/cos+minsnr(0.00)", "eps/cos+minsnr(5.0)", "v/linear+ztsnr+ztsnr",
        "v/linear+minsnr(5.00)+minsnr(5.00)", "+ztsnr", "v/linear+ztsnr "})
    EXPECT_THROW(canonical_formulation_name(bad), FormulationNameError) << "'" << bad << "'";
}

TEST(CanonicalName, ModeRangeEndsAreInclusive) {
  EXPECT_EQ(canonical_formulation_name("rf/mode(-1.00)"), "rf/mode(-1.00)");
  EXPECT_EQ(canonical_formulation_name("rf/mode(1.75)"), "rf/mode(1.75)");
}

// The message shape of every input error, and the parts a sweep file restates with its own path.
TEST(FormulationNameError, SaysWhatWasExpectedAndNamesTheName) {
  try {
    parse_formulation_name("rf/mode(1.80)");
    FAIL();
  } catch (const FormulationNameError& e) {
    EXPECT_EQ(std::string(e.what()), "formulation: expected " + e.expected + ", got 'rf/mode(1.80)'");
    EXPECT_EQ(e.name, "rf/mode(1.80)");
    EXPECT_NE(e.expected.find("mode scale"), std::string::npos) << e.expected;
    EXPECT_NE(e.expected.find("2/(pi-2) = 1.7519"), std::string::npos) << e.expected;
  }
  try {
    parse_formulation_name("nonsense");
    FAIL();
  } catch (const UserError& e) {  // a FormulationNameError is a UserError: the CLI exits 1
    EXPECT_EQ(std::string(e.what()).rfind("formulation: expected a formulation name", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace rflab::results
