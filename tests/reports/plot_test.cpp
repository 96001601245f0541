#include "reports/plot.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <set>
#include <stdexcept>

#include "reports/float_constants.h"
#include "results/atomic_file.h"
#include "results/error.h"
#include "tests/util/temp_dir.h"

namespace fs = std::filesystem;
using rflab::UserError;
using rflab::reports::Corner;
using rflab::reports::Figure;
using rflab::reports::Format;
using rflab::reports::palette_color;
using rflab::reports::Plotter;
using rflab::reports::Series;
using rflab::results::read_file;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string script(const Figure& f) { return Plotter::script(f, Format::svg, "/tmp/out.svg"); }

// The five kinds of figure the reports draw.
Figure loss_curves() {
  Figure f;
  f.title = "validation loss by depth";
  f.xlabel = "training FLOPs";
  f.ylabel = "validation loss";
  f.logx = true;
  for (int d = 0; d < 3; ++d) {
    Series s;
    s.label = "depth " + std::to_string(2 * d + 2);
    s.style = Series::Style::lines;
    for (int i = 0; i < 20; ++i) {
      s.x.push_back(std::pow(10.0, 12 + 0.2 * i + d));
      s.y.push_back(1.0 / (1 + 0.1 * i) + 0.1 * (2 - d));
    }
    f.series.push_back(s);
  }
  return f;
}

Figure pareto_front() {
  Figure f;
  f.title = "Pareto front, 25 steps, EMA";
  f.xlabel = "CLIP score";
  f.ylabel = "CLIP-FID (N = 100)";
  Series points;
  points.label = "variants";
  points.style = Series::Style::points;
  points.x = {0.24, 0.25, 0.26, 0.27};
  points.y = {30, 28, 33, 31};
  points.point_labels = {"rf/lognorm(0.00, 1.00)", "eps_linear", "v_cos", "rf/mode(1.29)"};
  Series front;
  front.label = "first front";
  front.style = Series::Style::lines;
  front.x = {0.25, 0.27};
  front.y = {28, 31};
  f.series = {points, front};
  return f;
}

Figure power_law_band() {
  Figure f;
  f.title = "scaling of validation loss";
  f.xlabel = "training FLOPs";
  f.ylabel = "validation loss";
  f.logx = f.logy = true;
  Series fit, data;
  fit.label = "fit L = 3.1 C^-0.05";
  fit.style = Series::Style::lines;
  data.label = "runs";
  data.style = Series::Style::points;
  for (int i = 0; i <= 10; ++i) {
    const double c = std::pow(10.0, 14 + 0.5 * i);
    fit.x.push_back(c);
    fit.y.push_back(3.1 * std::pow(c, -0.05));
    fit.lo.push_back(0.9 * fit.y.back());
    fit.hi.push_back(1.1 * fit.y.back());
    data.x.push_back(c);
    data.y.push_back(fit.y.back() * (1 + 0.04 * std::sin(i)));
  }
  f.series = {fit, data};
  f.notes = {"L = 3.1 C^-0.05 (90% band: bootstrap)"};
  f.notes_corner = Corner::bottom_left;
  return f;
}

Figure correlation_scatter() {
  Figure f;
  f.title = "FID against validation loss";
  f.xlabel = "validation loss";
  f.ylabel = "FID";
  Series s;
  s.label = "runs";
  s.style = Series::Style::points;
  s.x = {0.5, 0.52, 0.55, 0.6, 0.61};
  s.y = {20, 22, 25, 31, 30};
  f.series = {s};
  f.notes = {"Pearson r = 0.98", "Spearman ρ = 0.90"};
  f.notes_corner = Corner::bottom_right;
  return f;
}

Figure rank_heat_map() {
  Figure f;
  f.title = "rank by setting";
  f.xlabel = "sampler setting";
  f.ylabel = "variant";
  f.row_labels = {"rf/lognorm(0.00, 1.00)", "eps_linear", "v_cos"};
  f.column_labels = {"25 steps, EMA", "25 steps, raw", "50 steps, EMA"};
  f.cells = {{1, 2, 1}, {3, 1, rflab::reports::kNaN}, {2, 3, 2}};
  f.cell_format = "%.0f";
  return f;
}

}  // namespace

// A directory of its own per test, removed afterwards. Outside the anonymous namespace: tests
// outside it derive from it.
class PlotRender : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  size_t entries() const { return static_cast<size_t>(std::distance(fs::directory_iterator(dir_), {})); }

  void expect_svg(const Figure& f, const std::vector<std::string>& texts) {
    const std::string out = path("figure.svg");
    plotter_.render_svg(f, out);
    const std::string svg = read_file(out);
    EXPECT_TRUE(svg.rfind("<?xml", 0) == 0 || contains(svg, "<svg")) << svg.substr(0, 200);
    EXPECT_TRUE(contains(svg, "</svg>"));
    EXPECT_FALSE(contains(svg, "href='http") || contains(svg, "href=\"http")) << "external reference";
    for (const auto& t : texts) EXPECT_TRUE(contains(svg, t)) << t;
  }
  void expect_png(const Figure& f) {
    const std::string out = path("figure.png");
    plotter_.render_png(f, out);
    EXPECT_EQ(read_file(out).substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  }

  Plotter plotter_;
  rflab::testing::TempDir tmp_;
  fs::path dir_{tmp_.path()};
};

#define SKIP_WITHOUT_GNUPLOT() \
  if (!plotter_.available()) GTEST_SKIP() << "gnuplot is not installed"

// --- the script ----------------------------------------------------------------------------------

TEST(PlotScript, DatablockHoldsFinitePointsAndBreaksTheLineAtSkippedOnes) {
  Figure f;
  Series s;
  s.x = {1, 2, 3, 4, 5};
  s.y = {10, rflab::reports::kNaN, 30, rflab::reports::kInf, 50};
  f.series = {s};
  const std::string text = script(f);
  EXPECT_TRUE(contains(text, "$d0 << EOD\n1 10\n\n3 30\n\n5 50\nEOD\n")) << text;
  EXPECT_FALSE(contains(text, "nan"));
  EXPECT_FALSE(contains(text, "inf"));
  EXPECT_TRUE(contains(text, "2 points not drawn")) << text;
}

TEST(PlotScript, LogAxesAreSetWhenAskedAndSkipNonPositiveValues) {
  Figure f;
  Series s;
  s.x = {-1, 0, 10, 1e6};
  s.y = {1, 2, 0, 1e5};
  f.series = {s};
  EXPECT_FALSE(contains(script(f), "logscale"));
  f.logx = true;
  std::string text = script(f);
  EXPECT_TRUE(contains(text, "set logscale x 10\n"));
  EXPECT_TRUE(contains(text, "set format x '10^{%L}'\n"));  // five decades: one tic each
  EXPECT_FALSE(contains(text, "set logscale y"));
  EXPECT_TRUE(contains(text, "$d0 << EOD\n10 0\n1000000 100000\nEOD\n")) << text;
  f.logy = true;
  text = script(f);
  EXPECT_TRUE(contains(text, "set logscale y 10\n"));
  EXPECT_TRUE(contains(text, "$d0 << EOD\n1000000 100000\nEOD\n")) << text;
  EXPECT_TRUE(contains(text, "3 points not drawn"));
}

TEST(PlotScript, LogAxisWithinOneDecadeGetsNumberedTicsNearTheData) {
  Figure f;
  f.logy = true;
  Series s;
  s.x = {1, 2, 3};
  s.y = {0.68, 0.5, 0.34};  // the range is padded 5% either side: 0.324 to 0.714
  f.series = {s};
  const std::string text = script(f);
  EXPECT_TRUE(contains(text, "set ytics (0.4, 0.5, 0.6, 0.7)\n")) << text;
  EXPECT_TRUE(contains(text, "set format y '%g'\n"));
  EXPECT_FALSE(contains(text, "set format y '10^"));
}

TEST(PlotScript, EscapesQuotesBackslashesAndEnhancedTextCharacters) {
  Figure f;
  f.title = "it's \"quoted\" \\ back `date` a_b^{c}@d&e~f";
  f.xlabel = "rf/lognorm(0.00, 1.00)";
  Series s;
  s.label = "eps_linear";
  s.x = {1};
  s.y = {2};
  s.point_labels = {"v'cos\nnext"};
  f.series = {s};
  const std::string text = script(f);
  // Single-quoted: no backslash escapes and no backquote substitution; the quote is doubled.
  EXPECT_TRUE(contains(text, "set title 'it''s \"quoted\" \\ back `date` a_b^{c}@d&e~f' noenhanced\n")) << text;
  EXPECT_TRUE(contains(text, "set xlabel 'rf/lognorm(0.00, 1.00)' noenhanced\n"));
  EXPECT_TRUE(contains(text, "title 'eps_linear' noenhanced"));
  EXPECT_TRUE(contains(text, "set label 'v''cos next' at first 1, first 2")) << text;
}

TEST(PlotScript, UsesThePaletteColourGivenOrTheSeriesPosition) {
  Figure f;
  Series a, b;
  a.x = b.x = {1, 2};
  a.y = b.y = {1, 2};
  a.color = 7;
  f.series = {a, b};
  const std::string text = script(f);
  EXPECT_TRUE(contains(text, "$d0 using 1:2 with linespoints lw 2 pt 7 ps 0.9 lc rgb '" + palette_color(7) + "'"))
      << text;
  EXPECT_TRUE(contains(text, "$d1 using 1:2 with linespoints lw 2 pt 7 ps 0.9 lc rgb '" + palette_color(1) + "'"));
}

TEST(PlotScript, PaletteHasTwelveDistinctColoursAndWraps) {
  std::set<std::string> colours;
  for (int i = 0; i < 12; ++i) colours.insert(palette_color(i));
  EXPECT_EQ(colours.size(), 12u);
  EXPECT_EQ(palette_color(12), palette_color(0));
  EXPECT_EQ(palette_color(-1), palette_color(11));
  EXPECT_EQ(palette_color(0).size(), 7u);
}

TEST(PlotScript, BandIsDrawnBeforeItsLineInTheSameColour) {
  const Figure f = power_law_band();
  const std::string text = script(f);
  const size_t band = text.find("$b0 using 1:2:3 with filledcurves");
  const size_t line = text.find("$d0 using 1:2 with lines");
  ASSERT_NE(band, std::string::npos) << text;
  ASSERT_NE(line, std::string::npos);
  EXPECT_LT(band, line);
  EXPECT_TRUE(contains(text.substr(band, line - band), palette_color(0)));
}

TEST(PlotScript, HeatMapHasRowAndColumnLabelsAndMarksMissingCells) {
  const std::string text = script(rank_heat_map());
  EXPECT_TRUE(contains(text, "set xtics ('25 steps, EMA' 0, '25 steps, raw' 1, '50 steps, EMA' 2) noenhanced"))
      << text;
  EXPECT_TRUE(contains(text, "set ytics ('rf/lognorm(0.00, 1.00)' 0, 'eps_linear' 1, 'v_cos' 2) noenhanced\n"));
  EXPECT_TRUE(contains(text, "set yrange [2.5:-0.5]"));  // row 0 at the top
  EXPECT_TRUE(contains(text, "$missing << EOD\n2 1\nEOD\n")) << text;
  EXPECT_TRUE(contains(text, "sprintf('%.0f', $3)"));
}

TEST(PlotScript, EmptyFigureIsAFrameWithANote) {
  Figure f;
  f.logy = true;
  f.series.push_back(Series{});
  const std::string text = script(f);
  EXPECT_TRUE(contains(text, "set yrange [1:10]"));
  EXPECT_TRUE(contains(text, "'no data'"));
  EXPECT_TRUE(contains(text, "plot NaN notitle"));
}

TEST(PlotScript, IsDeterministic) {
  EXPECT_EQ(script(power_law_band()), script(power_law_band()));
  EXPECT_EQ(script(rank_heat_map()), script(rank_heat_map()));
}

// Labels of crowded points on linear axes: a fixed frame, and the labels moved apart with leader
// lines (reports/label_placement.h); on a log axis the lone places.
TEST(PlotScript, CrowdedLabelsAreMovedApartWithLeaderLines) {
  Figure crowded = pareto_front();  // three points within 0.004 of CLIP score and 1 of FID, one far
  crowded.series[0].x = {0.801, 0.803, 0.805, 0.57};
  crowded.series[0].y = {18, 19, 18.5, 80};
  const std::string text = script(crowded);
  EXPECT_TRUE(contains(text, "set xrange [")) << text;
  EXPECT_TRUE(contains(text, "set rmargin at screen ")) << text;
  EXPECT_TRUE(contains(text, "set arrow from first ")) << text;
  for (const char* label : {"'rf/lognorm(0.00, 1.00)' at", "'eps_linear' at", "'v_cos' at", "'rf/mode(1.29)' at"})
    EXPECT_TRUE(contains(text, std::string("set label ") + label)) << label;
  Figure lone = crowded;
  lone.logy = true;
  const std::string log_text = script(lone);
  EXPECT_FALSE(contains(log_text, "set arrow")) << log_text;
  EXPECT_TRUE(contains(log_text, "left offset character 0.6, character 0.4")) << log_text;
}

TEST(PlotScript, RejectsMismatchedSizes) {
  Figure f;
  Series s;
  s.x = {1, 2};
  s.y = {1};
  f.series = {s};
  EXPECT_THROW(script(f), std::invalid_argument);
  Figure h = rank_heat_map();
  h.cells[1].pop_back();
  EXPECT_THROW(script(h), std::invalid_argument);
}

// --- rendering -----------------------------------------------------------------------------------

TEST_F(PlotRender, LinesOnALogAxis) {
  SKIP_WITHOUT_GNUPLOT();
  expect_svg(loss_curves(), {"depth 2", "depth 6", "training FLOPs"});
  expect_png(loss_curves());
}

TEST_F(PlotRender, PointsWithLabels) {
  SKIP_WITHOUT_GNUPLOT();
  expect_svg(pareto_front(), {"variants", "first front", "rf/lognorm(0.00, 1.00)", "eps_linear"});
  expect_png(pareto_front());
}

TEST_F(PlotRender, BandOnLogLogAxes) {
  SKIP_WITHOUT_GNUPLOT();
  expect_svg(power_law_band(), {"fit L = 3.1 C^-0.05", "runs", "90% band"});
  expect_png(power_law_band());
}

TEST_F(PlotRender, ScatterWithANote) {
  SKIP_WITHOUT_GNUPLOT();
  expect_svg(correlation_scatter(), {"runs", "Pearson r = 0.98", "Spearman ρ = 0.90"});
  expect_png(correlation_scatter());
}

TEST_F(PlotRender, HeatMap) {
  SKIP_WITHOUT_GNUPLOT();
  expect_svg(rank_heat_map(), {"rf/lognorm(0.00, 1.00)", "25 steps, raw", "–"});
  expect_png(rank_heat_map());
  Figure one = rank_heat_map();  // one value only: an empty colour range
  one.row_labels = {"a"};
  one.column_labels = {"b"};
  one.cells = {{1}};
  expect_png(one);
}

TEST_F(PlotRender, TextIsPrintedAsWritten) {
  SKIP_WITHOUT_GNUPLOT();
  Figure f = correlation_scatter();
  f.series[0].label = "it's `echo substituted` a_b^{c}";
  expect_svg(f, {"it's `echo substituted` a_b^{c}"});
}

TEST_F(PlotRender, EmptyFigureRenders) {
  SKIP_WITHOUT_GNUPLOT();
  Figure f;
  f.title = "nothing yet";
  f.logx = true;
  expect_svg(f, {"no data"});
  expect_png(f);
  Series nan;
  nan.label = "diverged";
  nan.x = {1, 2};
  nan.y = {rflab::reports::kNaN, rflab::reports::kInf};
  f.series = {nan};
  expect_svg(f, {"no data", "2 points not drawn"});
}

TEST_F(PlotRender, MissingGnuplotIsAUserErrorSayingHowToInstallIt) {
  const Plotter missing("/nonexistent/gnuplot");
  EXPECT_FALSE(missing.available());
  EXPECT_EQ(missing.version(), "");
  const std::string out = path("figure.svg");
  try {
    missing.render_svg(loss_curves(), out);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_TRUE(contains(e.what(), "gnuplot is missing")) << e.what();
    EXPECT_TRUE(contains(e.what(), "apt-get install gnuplot-nox")) << e.what();
  }
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(Plotter("/bin/false").available());  // runs, but is no gnuplot
}

TEST_F(PlotRender, GnuplotFailureKeepsTheOldFileAndReportsItsMessages) {
  // A stand-in that passes the probe and then fails the way gnuplot does.
  const std::string fake = path("fake-gnuplot");
  rflab::results::write_file_atomic(
      fake, "#!/bin/sh\n[ \"$1\" = --version ] && { echo 'gnuplot 9.9 patchlevel 0'; exit 0; }\n"
            "echo 'line 3: undefined variable: boom' >&2\nexit 1\n");
  ::chmod(fake.c_str(), 0755);
  const Plotter failing(fake);
  ASSERT_TRUE(failing.available());
  EXPECT_EQ(failing.version(), "gnuplot 9.9 patchlevel 0");
  const std::string out = path("figure.svg");
  rflab::results::write_file_atomic(out, "old");
  try {
    failing.render_svg(loss_curves(), out);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_TRUE(contains(e.what(), "exit status 1")) << e.what();
    EXPECT_TRUE(contains(e.what(), "undefined variable: boom")) << e.what();
  }
  EXPECT_EQ(read_file(out), "old");
  EXPECT_EQ(entries(), 2u);  // the fake and the old figure: nothing partial beside them
}

TEST_F(PlotRender, ScriptErrorInRealGnuplotThrowsAndWritesNothing) {
  SKIP_WITHOUT_GNUPLOT();
  Figure f = rank_heat_map();
  f.cell_format = "%s";  // gnuplot refuses to print a number with a string format
  const std::string out = path("figure.png");
  try {
    plotter_.render_png(f, out);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_TRUE(contains(e.what(), "gnuplot")) << e.what();
    EXPECT_TRUE(contains(e.what(), "sprintf") || contains(e.what(), "format")) << e.what();
    EXPECT_TRUE(contains(e.what(), "of the gnuplot program:")) << e.what();  // the failing line, quoted
  }
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(entries(), 0u);
}
