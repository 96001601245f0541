// Figures for the reports: a typed description of a plot, and a renderer that turns it into SVG
// (inlined in the HTML report) or PNG (for the README) by generating a gnuplot program with the
// data inline and running gnuplot on it. The same Figure always gives the same program text.
#pragma once
#include <string>
#include <vector>

namespace rflab::reports {

// One curve, point set or band. Points that cannot be drawn (NaN, inf, or <= 0 on a log axis) are
// skipped, a line is broken where they were, and the figure's notes say how many were skipped.
struct Series {
  enum class Style { lines, linespoints, points, band };

  std::string label;                      // legend entry; "" = none
  std::vector<double> x, y;               // y may be empty for Style::band
  std::vector<double> lo, hi;             // when non-empty (size of x): a filled band under the line
  std::vector<std::string> point_labels;  // when non-empty (size of x): text beside each point
  Style style = Style::linespoints;       // band: the band alone, titled with `label`
  int color = -1;                         // index into the palette; negative: the series' position
};

enum class Corner { top_left, top_right, bottom_left, bottom_right };

struct Figure {
  std::string title, xlabel, ylabel;  // axis labels carry units: "training FLOPs", "CLIP-FID (N = 100)"
  bool logx = false, logy = false;
  std::vector<Series> series;
  std::vector<std::string> notes;  // text lines in a corner: a fitted law, correlations
  Corner notes_corner = Corner::top_left;

  // A heat map instead of series when `cells` is non-empty: cells[row][column], row 0 at the top,
  // each cell coloured by its value and showing it in cell_format (a printf format of one number).
  // NaN cells are drawn empty and marked "–".
  std::vector<std::string> row_labels, column_labels;
  std::vector<std::vector<double>> cells;
  std::string cell_format = "%.1f";

  int width = 720, height = 480;  // pixels
};

// A fixed list of 12 distinct colours, colour-blind friendly (Okabe–Ito, then Paul Tol's muted
// scheme), as "#RRGGBB". Wraps around: palette_color(12) == palette_color(0).
std::string palette_color(int index);
inline constexpr int kPaletteSize = 12;

enum class Format { svg, png };

class Plotter {
 public:
  // `gnuplot`: a name looked up on PATH, or a path. Probes it once, here (`gnuplot --version`).
  explicit Plotter(std::string gnuplot = "gnuplot");

  bool available() const { return !version_.empty(); }
  const std::string& version() const { return version_; }  // "gnuplot 5.4 patchlevel 4"; "" if absent

  // The gnuplot program that draws `f` into `out_path`, for tests and debugging. Throws
  // std::invalid_argument on a malformed figure (series or cell sizes that do not match).
  static std::string script(const Figure& f, Format format, const std::string& out_path);

  // Writes the figure to `path` atomically: the old file or the complete new one, never a partial
  // one. Throws UserError when gnuplot is missing (with how to install it) or fails (with its
  // messages).
  void render(const Figure& f, Format format, const std::string& path) const;
  void render_svg(const Figure& f, const std::string& path) const { render(f, Format::svg, path); }
  void render_png(const Figure& f, const std::string& path) const { render(f, Format::png, path); }

 private:
  std::string exe_;
  std::string version_;
};

}  // namespace rflab::reports
