#include "sweeps/formulation_names.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

namespace rflab::sweeps {
namespace {

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

TEST(CanonicalName, EveryPaperNameIsCanonical) {
  for (const auto& name : paper61_names()) EXPECT_EQ(canonical_formulation_name(name), name);
}

TEST(CanonicalName, AliasesAndSpellingsNormalise) {
  EXPECT_EQ(canonical_formulation_name("rf/mode(0.00)"), "rf");
  EXPECT_EQ(canonical_formulation_name("rf/mode(-0.00)"), "rf");
  EXPECT_EQ(canonical_formulation_name("rf/lognorm(-0.00, 01.00)"), "rf/lognorm(0.00, 1.00)");
  EXPECT_EQ(canonical_formulation_name("edm(00.60, 1.20)"), "edm(0.60, 1.20)");
  EXPECT_EQ(canonical_formulation_name("rf/mode(0.40)"), "rf/mode(0.40)");  // off-grid is kept
}

TEST(CanonicalName, RejectsOffGrammarAndOutOfRange) {
  for (const char* bad :
       {"", "RF", "rf/", "rf/mode(0.5)", "rf/mode(1.290)", "rf/mode(+1.00)", "rf/mode(.50)",
        "rf/mode(1.76)", "rf/mode(-1.01)", "rf/lognorm(0.00,1.00)", "rf/lognorm(0.00, 1.00",
        "rf/lognorm(0.00, 0.00)", "edm(0.00, -0.60)", "edm(1.00)", "eps/linear ", "v/lin"})
    EXPECT_THROW(canonical_formulation_name(bad), std::invalid_argument) << "'" << bad << "'";
}

TEST(CanonicalName, ModeRangeEndsAreInclusive) {
  EXPECT_EQ(canonical_formulation_name("rf/mode(-1.00)"), "rf/mode(-1.00)");
  EXPECT_EQ(canonical_formulation_name("rf/mode(1.75)"), "rf/mode(1.75)");
}

}  // namespace
}  // namespace rflab::sweeps
