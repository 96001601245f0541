// Canonical names, the registry and parsing rules (SPEC §2.2, §2.3, D25).
#include <gtest/gtest.h>

#include <set>

#include "core/formulation/formulation.h"
#include "results/error.h"
#include "results/formulation_name.h"

using rflab::core::Family;
using rflab::core::Formulation;

TEST(FormulationNames, RegistryHasExactly61DistinctNamesInSpecOrder) {
  const auto& r = Formulation::registry();
  ASSERT_EQ(r.size(), 61u);
  EXPECT_EQ(std::set<std::string>(r.begin(), r.end()).size(), 61u);
  EXPECT_EQ(r[0], "eps/linear");
  EXPECT_EQ(r[3], "v/cos");
  EXPECT_EQ(r[4], "rf/mode(-1.00)");
  EXPECT_EQ(r[5], "rf/mode(-0.54)");
  EXPECT_EQ(r[6], "rf/mode(-0.08)");
  EXPECT_EQ(r[7], "rf/mode(0.38)");
  EXPECT_EQ(r[8], "rf/mode(0.83)");
  EXPECT_EQ(r[9], "rf/mode(1.29)");
  EXPECT_EQ(r[10], "rf/mode(1.75)");
  EXPECT_EQ(r[11], "rf/mode(1.00)");
  EXPECT_EQ(r[12], "rf");
  EXPECT_EQ(r[13], "rf/lognorm(-1.00, 0.20)");
  EXPECT_EQ(r[18], "rf/lognorm(-1.00, 2.20)");
  EXPECT_EQ(r[19], "rf/lognorm(-0.50, 0.20)");
  EXPECT_EQ(r[27], "rf/lognorm(0.00, 1.00)");
  EXPECT_EQ(r[42], "rf/lognorm(1.00, 2.20)");
  EXPECT_EQ(r[43], "rf/cosmap");
  EXPECT_EQ(r[44], "edm(-1.20, 0.60)");
  EXPECT_EQ(r[45], "edm(-1.20, 1.20)");
  EXPECT_EQ(r[58], "edm(1.20, 1.80)");
  EXPECT_EQ(r[59], "edm/rf");
  EXPECT_EQ(r[60], "edm/cos");
}

TEST(FormulationNames, PrintParseRoundTripsForAllCanonicalNames) {
  for (const auto& n : Formulation::registry()) {
    Formulation f = Formulation::parse(n);
    EXPECT_EQ(f.name(), n);
    EXPECT_TRUE(Formulation::parse(f.name()) == f) << n;  // bit-exact parameters
  }
}

TEST(FormulationNames, ModeValuesAreExactRationals) {
  EXPECT_EQ(Formulation::parse("rf/mode(0.38)").param1(), 0.375);
  EXPECT_EQ(Formulation::parse("rf/mode(1.29)").param1(), 31.0 / 24.0);
  EXPECT_EQ(Formulation::parse("rf/mode(-0.54)").param1(), -13.0 / 24.0);
  EXPECT_EQ(Formulation::parse("rf/mode(1.75)").param1(), 1.75);
}

TEST(FormulationNames, RfIsModeZero) {
  EXPECT_TRUE(Formulation::parse("rf") == Formulation::parse("rf/mode(0.00)"));
  EXPECT_EQ(Formulation::parse("rf/mode(0.00)").name(), "rf");
  EXPECT_EQ(Formulation::parse("rf/mode(-0.00)").name(), "rf");
}

TEST(FormulationNames, OffGridValuesAreCustomVariants) {
  auto f = Formulation::parse("rf/lognorm(0.30, 0.80)");
  EXPECT_EQ(f.family(), Family::rf_lognorm);
  EXPECT_DOUBLE_EQ(f.param1(), 0.3);
  EXPECT_DOUBLE_EQ(f.param2(), 0.8);
  EXPECT_EQ(f.name(), "rf/lognorm(0.30, 0.80)");
  EXPECT_EQ(Formulation::parse("rf/mode(0.70)").name(), "rf/mode(0.70)");
  EXPECT_EQ(Formulation::parse("edm(0.00, 0.60)").name(), "edm(0.00, 0.60)");
}

TEST(FormulationNames, ModifiersParseAndPrint) {
  EXPECT_EQ(Formulation::parse("eps/linear+minsnr(5.00)").name(), "eps/linear+minsnr(5.00)");
  EXPECT_EQ(Formulation::parse("v/linear+ztsnr").name(), "v/linear+ztsnr");
  EXPECT_EQ(Formulation::parse("v/linear+ztsnr+minsnr(5.00)").name(), "v/linear+minsnr(5.00)+ztsnr");
  EXPECT_DOUBLE_EQ(Formulation::parse("v/cos+minsnr(5.00)").minsnr_gamma(), 5.0);
}

TEST(FormulationNames, BadNamesAndParametersAreUserErrors) {
  for (const char* n : {"rf/mode(1.80)", "rf/mode(-1.01)", "rf/lognorm(0.00, 0.00)", "rf/lognorm(0.00, -1.00)",
                        "edm(0.00, 0.00)", "garbage", "", "rf/mode(1.8)", "rf/lognorm(0.00,1.00)",
                        "edm(0.0, 1.20)", "RF", "rf/mode(+1.00)", "rf+minsnr(5.00)", "eps/linear+ztsnr",
                        "v/cos+ztsnr", "eps/cos+minsnr(0.00)", "v/linear+ztsnr+ztsnr", "rf/cosmap "})
    EXPECT_THROW(Formulation::parse(n), rflab::UserError) << n;
}

TEST(FormulationNames, ErrorSaysWhatIsWrong) {
  try {
    Formulation::parse("rf/mode(1.80)");
    FAIL();
  } catch (const rflab::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("mode scale"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("rf/mode(1.80)"), std::string::npos) << e.what();
  }
}

// Core and the sweep files share one grammar: core prints exactly the name a sweep stores.
TEST(FormulationNames, CorePrintsTheSharedCanonicalName) {
  for (const char* n : {"rf/mode(0.00)", "rf/mode(-0.00)", "rf/lognorm(-0.00, 1.00)", "rf/lognorm(00.50, 01.40)",
                        "edm(00.60, 1.20)", "edm(-00.60, 1.80)", "rf/mode(00.38)", "rf/mode(0.40)",
                        "v/linear+ztsnr+minsnr(5.00)", "v/linear+minsnr(5.00)+ztsnr", "eps/cos+minsnr(05.00)",
                        "v/cos+minsnr(0.50)", "v/linear+ztsnr"}) {
    EXPECT_EQ(Formulation::parse(n).name(), rflab::results::canonical_formulation_name(n)) << n;
    EXPECT_TRUE(Formulation::parse(n) == Formulation::parse(Formulation::parse(n).name())) << n;
  }
  EXPECT_EQ(Formulation::parse("rf/lognorm(00.50, 01.40)").name(), "rf/lognorm(0.50, 1.40)");
  EXPECT_EQ(Formulation::parse("v/linear+ztsnr+minsnr(5.00)").name(), "v/linear+minsnr(5.00)+ztsnr");
}

TEST(FormulationNames, ParametersAreTheSharedParse) {
  for (const auto& n : Formulation::registry()) {
    const Formulation f = Formulation::parse(n);
    const rflab::results::FormulationName r = rflab::results::parse_formulation_name(n);
    EXPECT_EQ(f.family(), r.family) << n;
    EXPECT_EQ(f.param1(), r.p1) << n;
    EXPECT_EQ(f.param2(), r.p2) << n;
  }
}

TEST(FormulationNames, BadNameGivesTheSameMessageOnBothSides) {
  for (const char* n : {"rf/mode(1.80)", "garbage", "rf/lognorm(0.00, 0.00)", "edm(0.00, 0.00)",
                        "rf+minsnr(5.00)", "eps/linear+ztsnr", "v/linear+ztsnr+ztsnr", "eps/cos+minsnr(0.00)"}) {
    std::string core, shared;
    try {
      Formulation::parse(n);
    } catch (const rflab::UserError& e) {
      core = e.what();
    }
    try {
      rflab::results::parse_formulation_name(n);
    } catch (const rflab::UserError& e) {
      shared = e.what();
    }
    EXPECT_FALSE(core.empty()) << n;
    EXPECT_EQ(core, shared) << n;
    EXPECT_EQ(core.rfind("formulation: expected ", 0), 0u) << core;
    EXPECT_NE(core.find(std::string(", got '") + n + "'"), std::string::npos) << core;
  }
}

TEST(FormulationNames, ShiftMustBePositive) {
  auto f = Formulation::parse("rf");
  EXPECT_EQ(f.shift(), 1.0);
  f.set_shift(3.0);
  EXPECT_EQ(f.shift(), 3.0);
  EXPECT_THROW(f.set_shift(0.0), rflab::UserError);
}
