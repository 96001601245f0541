#include "reports/time_summary.h"

#include <gtest/gtest.h>

namespace rflab::reports {
namespace {

using results::Phase;
using results::PhaseTiming;

PhaseTiming timing(const std::string& invocation, const std::string& command, Phase p, double seconds) {
  PhaseTiming t;
  t.invocation = invocation;
  t.command = command;
  t.phase = p;
  t.seconds = seconds;
  return t;
}

TEST(TimeSummary, SumsEachPhaseInTheListedOrderWithItsShareAndCommands) {
  const std::vector<PhaseTiming> rows = {
      timing("a", "sweep run-one", Phase::training, 60), timing("a", "sweep run-one", Phase::other, 6),
      timing("b", "sweep run-one", Phase::training, 60), timing("c", "eval", Phase::sampling, 30),
      timing("c", "eval", Phase::other, 3),             timing("d", "sweep run", Phase::conditioner, 21),
      timing("e", "report", Phase::report, 60)};
  const auto s = summarise_time(rows);
  EXPECT_DOUBLE_EQ(s.total_seconds, 240);
  EXPECT_EQ(s.invocations, 5);
  ASSERT_EQ(s.phases.size(), 5u);
  EXPECT_EQ(s.phases[0].phase, Phase::conditioner);
  EXPECT_EQ(s.phases[1].phase, Phase::training);
  EXPECT_DOUBLE_EQ(s.phases[1].seconds, 120);
  EXPECT_EQ(s.phases[1].commands, std::vector<std::string>{"sweep run-one"});
  EXPECT_EQ(s.phases[4].phase, Phase::other);
  EXPECT_EQ(s.phases[4].commands, (std::vector<std::string>{"sweep run-one", "eval"}));

  const auto md = time_summary_markdown(s);
  EXPECT_NE(md.find("4.0 minutes in all"), std::string::npos) << md;
  EXPECT_NE(md.find("| training | 2.00 | 50.0% | sweep run-one |"), std::string::npos) << md;
  EXPECT_NE(md.find("| report | 1.00 | 25.0% | report |"), std::string::npos) << md;
  EXPECT_LT(md.find("| conditioner"), md.find("| training"));
}

results::MachineRate rate(const std::string& invocation, double gflops, const std::string& kernels) {
  return {invocation, "eval", gflops, 2, kernels, ""};
}

TEST(TimeSummary, TheMachinesRateByBlasSettingWithItsMedianAndRange) {
  const std::vector<PhaseTiming> rows = {timing("a", "eval", Phase::sampling, 60)};
  const auto s = summarise_time(rows, {rate("a", 64, "Haswell"), rate("b", 60, "Haswell"), rate("c", 140, "SkylakeX"),
                                       rate("d", 70, "Haswell"), rate("e", 62, "Haswell")});
  ASSERT_EQ(s.machine.size(), 2u);
  EXPECT_EQ(s.machine[0].blas_kernels, "Haswell");  // first seen first
  EXPECT_EQ(s.machine[0].measurements, 4);
  EXPECT_DOUBLE_EQ(s.machine[0].min_gflops, 60);
  EXPECT_DOUBLE_EQ(s.machine[0].median_gflops, 63);  // (62 + 64) / 2
  EXPECT_DOUBLE_EQ(s.machine[0].max_gflops, 70);
  EXPECT_EQ(s.machine[1].measurements, 1);
  EXPECT_DOUBLE_EQ(s.machine[1].median_gflops, 140);
  const auto md = time_summary_markdown(s);
  EXPECT_NE(md.find("OpenBLAS Haswell kernels, 2 thread(s)"), std::string::npos) << md;
  EXPECT_NE(md.find("median 63.0 GFLOP/s, 60.0–70.0 over 4 command(s)"), std::string::npos) << md;
  EXPECT_NE(md.find("median 140.0 GFLOP/s, 140.0–140.0 over 1 command(s)"), std::string::npos) << md;
  EXPECT_LT(md.find("| sampling"), md.find("sgemm rate"));
  EXPECT_EQ(time_summary_markdown(summarise_time(rows)).find("sgemm"), std::string::npos);  // no rates, no line
}

TEST(TimeSummary, NoRowsNoText) { EXPECT_EQ(time_summary_markdown(summarise_time({})), ""); }

}  // namespace
}  // namespace rflab::reports
