#include "reports/plot.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "reports/float_constants.h"
#include "reports/label_placement.h"
#include "results/atomic_file.h"
#include "results/error.h"

extern char** environ;

namespace rflab::reports {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPalette[kPaletteSize] = {
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",  // Okabe–Ito
    "#000000", "#332288", "#999933", "#882255", "#44AA99", "#AA4499",  // black, Tol muted
};

// A gnuplot single-quoted string: no backslash escapes and no backquote command substitution
// inside, so only the quote itself needs doubling. Control characters would end the command.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) out += ' ';
    else out += c;
  }
  return out + "'";
}

// Shortest text that reads back as the same double: deterministic and locale-free.
std::string plot_num(double v) { return fmt::format("{}", v); }


bool drawable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

struct Column {
  const std::vector<double>& values;
  bool log;
};

// Appends `$name << EOD ... EOD` holding the rows whose every column is drawable; a blank line
// stands where rows were skipped, so gnuplot breaks the line there instead of joining across.
// Writes nothing when no row is drawable. Returns the number of rows written.
size_t datablock(std::string& s, const std::string& name, const std::vector<Column>& cols,
                 size_t& skipped) {
  std::string body;
  size_t written = 0;
  bool gap = false;
  for (size_t i = 0; i < cols[0].values.size(); ++i) {
    if (!std::all_of(cols.begin(), cols.end(), [&](const Column& c) { return drawable(c.values[i], c.log); })) {
      ++skipped;
      gap = written > 0;
      continue;
    }
    if (gap) body += '\n';
    gap = false;
    for (size_t c = 0; c < cols.size(); ++c) body += (c ? " " : "") + plot_num(cols[c].values[i]);
    body += '\n';
    ++written;
  }
  if (written > 0) s += "$" + name + " << EOD\n" + body + "EOD\n";
  return written;
}

void check(const Series& s, size_t i) {
  auto bad = [&](const std::string& what) {
    throw std::invalid_argument(fmt::format("plot: series {} ('{}'): {}", i, s.label, what));
  };
  const bool band_only = s.style == Series::Style::band;
  if (!band_only && s.y.size() != s.x.size()) bad("x and y differ in size");
  if (band_only && s.lo.empty()) bad("a band needs lo and hi");
  if ((!s.lo.empty() || !s.hi.empty()) && (s.lo.size() != s.x.size() || s.hi.size() != s.x.size()))
    bad("lo and hi must have the size of x");
  if (!s.point_labels.empty() && (band_only || s.point_labels.size() != s.x.size()))
    bad("point_labels must have the size of x and y");
}

std::string title_of(const std::string& label) {
  return label.empty() ? "notitle" : "title " + quoted(label) + " noenhanced";
}

// A log axis: one tic per decade where the data spans enough of them; otherwise a range near the
// data with tics at the coarsest of 1, {1, 2, 5}, 1..9, 1..9.5 or 1..9.9 times the powers of ten
// that gives three, so that a curve within one decade still has numbers beside it.
std::string log_axis(const char* axis, double lo, double hi) {
  const std::string s = fmt::format("set logscale {} 10\n", axis);
  const std::string decades = s + fmt::format("set format {} '10^{{%L}}'\n", axis);
  if (!(lo <= hi)) return decades;  // nothing drawable
  const double pad = std::max(std::pow(hi / lo, 0.05), 1.05);
  lo /= pad, hi *= pad;
  for (int per_decade : {1, 3, 9, 18, 90}) {  // mantissas: 1; 1, 2, 5; 1..9; 1..9.5; 1..9.9
    std::vector<double> tics;
    for (int e = static_cast<int>(std::floor(std::log10(lo))); e <= static_cast<int>(std::ceil(std::log10(hi))); ++e)
      for (int k = 0; k < per_decade; ++k) {
        const int tenths = per_decade == 3 ? (k == 0 ? 10 : k == 1 ? 20 : 50) : 10 + k * 90 / per_decade;
        // Divide by an exact power of ten, so 0.3 is the double nearest 0.3 and prints as such.
        const double t = e >= 1 ? tenths * std::pow(10.0, e - 1) : tenths / std::pow(10.0, 1 - e);
        if (t >= lo && t <= hi) tics.push_back(t);
      }
    if (tics.size() < 3) continue;
    if (per_decade == 1) return decades;
    std::string list;
    for (double t : tics) list += (list.empty() ? "" : ", ") + plot_num(t);
    return s + fmt::format("set {0}range [{1}:{2}]\nset {0}tics ({3})\nset format {0} '%g'\n", axis, plot_num(lo),
                           plot_num(hi), list);
  }
  return decades;
}

// Where notes_part writes a figure's notes: in a corner, a character in from the side, one line
// per note, the lines 1.2 characters apart and the first a line from the edge.
struct NoteLayout {
  explicit NoteLayout(Corner corner)
      : top(corner == Corner::top_left || corner == Corner::top_right),
        left(corner == Corner::top_left || corner == Corner::bottom_left) {}
  // Note i of n: its line's distance from the top or bottom edge, in characters.
  double lines_from_edge(size_t i, size_t n) const { return 1.2 * static_cast<double>(top ? i : n - 1 - i) + 1.0; }
  bool top, left;
};

struct PointLabel {
  double x, y;
  std::string text, color;
};

// The labels beside points. On linear axes the frame is fixed (ranges and margins), so that the
// points' pixels are known and crowded labels can be placed apart (reports/label_placement.h),
// each moved label with a leader line to its point; on a log axis each sits at its lone place.
void labels_part(std::string& s, const Figure& f, const std::vector<PointLabel>& labels, double x_lo, double x_hi,
                 double y_lo, double y_hi, bool titled) {
  if (labels.empty()) return;
  std::vector<LabelPlace> places(labels.size(), LabelPlace{false, kLabelRise, false});
  if (!f.logx && !f.logy) {
    // The offsets' margins as ranges: 5% of the span below, 5% above (25% right of x, for the text).
    const double sx = x_hi > x_lo ? x_hi - x_lo : 1, sy = y_hi > y_lo ? y_hi - y_lo : 1;
    const double a = x_lo - 0.05 * sx, b = x_hi + 0.25 * sx, c = y_lo - 0.06 * sy, d = y_hi + 0.06 * sy;
    s += fmt::format("set xrange [{}:{}]\nset yrange [{}:{}]\n", plot_num(a), plot_num(b), plot_num(c), plot_num(d));
    // Pixels: about 7.5 a character and 17 a line at the terminals' fonts; the key, when drawn,
    // right of the frame.
    constexpr double kCharWidth = 7.5, kLineHeight = 17;
    size_t key_chars = 0;
    for (const auto& se : f.series) key_chars = std::max(key_chars, se.label.size());
    const double W = f.width, H = f.height;
    const double left = 0.12, bottom = 0.14, top = f.title.empty() ? 0.93 : 0.88;
    const double right = titled ? std::max(0.5, 1 - (static_cast<double>(key_chars) + 12) * kCharWidth / W) : 0.95;
    s += fmt::format("set lmargin at screen {}\nset rmargin at screen {}\n", plot_num(left), plot_num(right));
    s += fmt::format("set bmargin at screen {}\nset tmargin at screen {}\n", plot_num(bottom), plot_num(top));
    const double Wp = W * (right - left), Hp = H * (top - bottom);  // the frame in pixels
    std::vector<LabelledPoint> points;
    for (const auto& l : labels) points.push_back({(l.x - a) / (b - a) * Wp, (l.y - c) / (d - c) * Hp, l.text.size()});
    // The notes' boxes, where notes_part writes them.
    const NoteLayout layout(f.notes_corner);
    std::vector<Reserved> reserved;
    for (size_t i = 0; i < f.notes.size(); ++i) {
      const double width = (static_cast<double>(f.notes[i].size()) + 2) * kCharWidth;
      const double lines = layout.lines_from_edge(i, f.notes.size());
      const double mid = layout.top ? Hp - lines * kLineHeight : lines * kLineHeight;
      reserved.push_back({layout.left ? 0 : Wp - width, layout.left ? width : Wp, mid - 0.7 * kLineHeight,
                          mid + 0.7 * kLineHeight});
    }
    places = place_labels(points, kCharWidth, kLineHeight, Wp, Hp, reserved);
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    const auto& l = labels[i];
    const auto& p = places[i];
    s += fmt::format("set label {} at first {}, first {} {} offset character {}, character {} noenhanced "
                     "textcolor rgb {} front\n",
                     quoted(l.text), plot_num(l.x), plot_num(l.y), p.left ? "right" : "left",
                     plot_num(p.left ? -kLabelGap : kLabelGap), plot_num(p.dy), l.color);
    if (p.moved)
      s += fmt::format("set arrow from first {}, first {} rto character {}, character {} nohead lw 0.8 "
                       "lc rgb {} front\n",
                       plot_num(l.x), plot_num(l.y), plot_num(p.left ? -0.5 : 0.5), plot_num(p.dy), l.color);
  }
}

// Sets ranges and plot elements of the series; returns the number of points skipped.
size_t series_part(std::string& s, const Figure& f, std::vector<std::string>& elements) {
  size_t skipped = 0;
  bool titled = false;  // any legend entry drawn
  std::vector<std::string> bands, marks;
  std::vector<PointLabel> labels;
  for (size_t i = 0; i < f.series.size(); ++i) {
    const Series& se = f.series[i];
    check(se, i);
    const std::string color = quoted(palette_color(se.color < 0 ? static_cast<int>(i) : se.color));
    const bool band_only = se.style == Series::Style::band;
    const std::string band = fmt::format("b{}", i);
    if (!se.lo.empty() && datablock(s, band, {{se.x, f.logx}, {se.lo, f.logy}, {se.hi, f.logy}}, skipped) > 0) {
      bands.push_back(fmt::format("${} using 1:2:3 with filledcurves fs transparent solid 0.25 noborder lc rgb {} {}",
                                  band, color, title_of(band_only ? se.label : "")));
      titled |= band_only && !se.label.empty();
    }
    const std::string name = fmt::format("d{}", i);
    if (band_only || datablock(s, name, {{se.x, f.logx}, {se.y, f.logy}}, skipped) == 0) continue;
    titled |= !se.label.empty();
    const char* with = se.style == Series::Style::lines   ? "lines lw 2"
                       : se.style == Series::Style::points ? "points pt 7 ps 1.1"
                                                           : "linespoints lw 2 pt 7 ps 0.9";
    marks.push_back(fmt::format("${} using 1:2 with {} lc rgb {} {}", name, with, color, title_of(se.label)));
    for (size_t p = 0; p < se.point_labels.size(); ++p)
      if (!se.point_labels[p].empty() && drawable(se.x[p], f.logx) && drawable(se.y[p], f.logy))
        labels.push_back({se.x[p], se.y[p], se.point_labels[p], color});
  }
  elements = bands;  // bands first, so lines and points are drawn over them
  elements.insert(elements.end(), marks.begin(), marks.end());
  double x_lo = kInf, x_hi = -kInf, y_lo = kInf, y_hi = -kInf;
  auto extend = [](double v, bool log, double& lo, double& hi) {
    if (drawable(v, log)) lo = std::min(lo, v), hi = std::max(hi, v);
  };
  for (const Series& se : f.series) {
    for (double v : se.x) extend(v, f.logx, x_lo, x_hi);
    for (const auto* ys : {&se.y, &se.lo, &se.hi})
      for (double v : *ys) extend(v, f.logy, y_lo, y_hi);
  }
  if (f.logx) s += log_axis("x", x_lo, x_hi);
  if (f.logy) s += log_axis("y", y_lo, y_hi);
  // A margin inside the frame, so no point sits on the border; a wider one right of labelled points.
  const bool labelled =
      std::any_of(f.series.begin(), f.series.end(), [](const Series& se) { return !se.point_labels.empty(); });
  s += fmt::format("set offsets graph 0.05, graph {}, graph 0.05, graph 0.05\n", labelled ? 0.2 : 0.05);
  s += "set grid xtics ytics back lt 1 lc rgb '#e3e3e3' lw 1\n";
  s += titled ? "set key outside right top Left reverse samplen 2\n" : "unset key\n";
  labels_part(s, f, labels, x_lo, x_hi, y_lo, y_hi, titled);
  return skipped;
}

void heat_map_part(std::string& s, const Figure& f, std::vector<std::string>& elements) {
  const size_t rows = f.cells.size(), cols = f.column_labels.size();
  if (f.row_labels.size() != rows) throw std::invalid_argument("plot: heat map: row_labels and cells differ in size");
  for (const auto& row : f.cells)
    if (row.size() != cols || cols == 0)
      throw std::invalid_argument("plot: heat map: every row of cells needs one value per column label");
  auto tics = [](const std::vector<std::string>& labels) {
    std::string t;
    for (size_t i = 0; i < labels.size(); ++i) t += fmt::format("{}{} {}", i ? ", " : "", quoted(labels[i]), i);
    return t;
  };
  size_t longest = 0;
  for (const auto& l : f.column_labels) longest = std::max(longest, l.size());
  // Column labels wider than their cells (about 7 px a character) are turned to stay apart.
  const bool turn = static_cast<double>(longest) * 7 > 0.7 * f.width / static_cast<double>(cols);
  s += fmt::format("set xrange [-0.5:{}]\nset yrange [{}:-0.5]\n", static_cast<double>(cols) - 0.5,
                   static_cast<double>(rows) - 0.5);
  s += "set xtics (" + tics(f.column_labels) + ") noenhanced" + (turn ? " rotate by 30 right\n" : "\n");
  s += "set ytics (" + tics(f.row_labels) + ") noenhanced\n";
  s += "set tics scale 0\nunset colorbox\nunset key\n";
  s += "set palette defined (0 '#eff3ff', 0.5 '#9ecae1', 1 '#4a8fc8')\n";
  std::vector<double> x, y, v, mx, my;
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) {
      const bool ok = std::isfinite(f.cells[r][c]);
      (ok ? x : mx).push_back(static_cast<double>(c));
      (ok ? y : my).push_back(static_cast<double>(r));
      if (ok) v.push_back(f.cells[r][c]);
    }
  size_t unused = 0;
  if (datablock(s, "heat", {{x, false}, {y, false}, {v, false}}, unused) > 0) {
    elements.push_back("$heat using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle");
    elements.push_back("$heat using 1:2:(sprintf(" + quoted(f.cell_format) +
                       ", $3)) with labels textcolor rgb '#000000' notitle");
  }
  if (datablock(s, "missing", {{mx, false}, {my, false}}, unused) > 0) {
    elements.push_back(
        "$missing using 1:2:(0.5):(0.5) with boxxyerror fs solid 1.0 noborder lc rgb '#dddddd' notitle");
    elements.push_back("$missing using 1:2:('–') with labels textcolor rgb '#555555' notitle");
  }
}

void notes_part(std::string& s, const std::vector<std::string>& notes, Corner corner) {
  const NoteLayout layout(corner);
  for (size_t i = 0; i < notes.size(); ++i) {
    const double from_edge = layout.lines_from_edge(i, notes.size());
    s += fmt::format("set label {} at graph {}, graph {} {} offset character {}, character {} front noenhanced boxed\n",
                     quoted(notes[i]), layout.left ? 0 : 1, layout.top ? 1 : 0, layout.left ? "left" : "right",
                     layout.left ? 1 : -1, layout.top ? -from_edge : from_edge);
  }
}

// A child process's exit and everything it wrote to stdout and stderr.
struct Exit {
  bool started = false;
  int status = -1;  // exit status, or 128 + signal
  std::string output;
};

Exit run_process(const std::vector<std::string>& args) {
  Exit e;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return e;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc == 0) {
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
      if (n > 0) e.output.append(buf, static_cast<size_t>(n));
      else if (errno != EINTR) break;
    }
    int ws = 0;
    while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {}
    e.started = true;
    e.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
  }
  ::close(fds[0]);
  return e;
}

// A private directory for gnuplot's script and output, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "rflab-plot-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
      throw UserError(tmpl + ": cannot create a temporary directory: " + std::strerror(errno));
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

// gnuplot names the failing line of its (by then removed) program file; quote that line.
std::string failing_line(const std::string& output, const std::string& program) {
  std::smatch m;
  if (!std::regex_search(output, m, std::regex(R"(" line (\d{1,9}):)"))) return "";
  std::istringstream in(program);
  std::string line;
  for (long n = std::stol(m[1]); n > 0 && std::getline(in, line);) --n;
  return "\nline " + m[1].str() + " of the gnuplot program: " + line;
}

}  // namespace

std::string palette_color(int index) { return kPalette[((index % kPaletteSize) + kPaletteSize) % kPaletteSize]; }

Plotter::Plotter(std::string gnuplot) : exe_(std::move(gnuplot)) {
  const Exit e = run_process({exe_, "--version"});
  if (e.started && e.status == 0 && e.output.rfind("gnuplot", 0) == 0) version_ = trimmed(e.output);
}

std::string Plotter::script(const Figure& f, Format format, const std::string& out_path) {
  if (f.width <= 0 || f.height <= 0) throw std::invalid_argument("plot: width and height must be positive");
  std::string s = "reset session\nset encoding utf8\n";
  s += format == Format::svg
           ? fmt::format("set terminal svg size {},{} dynamic enhanced font 'Sans,12' background '#ffffff'\n",
                         f.width, f.height)
           : fmt::format("set terminal pngcairo size {},{} enhanced font 'Sans,11' background '#ffffff'\n",
                         f.width, f.height);
  s += "set output " + quoted(out_path) + "\n";
  s += "set style textbox opaque noborder\n";
  if (!f.title.empty()) s += "set title " + quoted(f.title) + " noenhanced\n";
  if (!f.xlabel.empty()) s += "set xlabel " + quoted(f.xlabel) + " noenhanced\n";
  if (!f.ylabel.empty()) s += "set ylabel " + quoted(f.ylabel) + " noenhanced\n";

  std::vector<std::string> elements;
  std::vector<std::string> notes = f.notes;
  if (!f.cells.empty()) {
    heat_map_part(s, f, elements);
  } else if (size_t skipped = series_part(s, f, elements); skipped > 0) {
    notes.push_back(fmt::format("{} point{} not drawn (not finite, or not positive on a log axis)", skipped,
                                skipped == 1 ? "" : "s"));
  }
  if (elements.empty()) {  // an empty frame: gnuplot cannot autoscale without points
    s += fmt::format("set xrange [{}]\nset yrange [{}]\nunset key\n", f.logx ? "1:10" : "0:1",
                     f.logy ? "1:10" : "0:1");
    s += "set label 'no data' at graph 0.5, graph 0.5 center front\n";
    elements.push_back("NaN notitle");
  }
  notes_part(s, notes, f.notes_corner);
  s += "plot ";
  for (size_t i = 0; i < elements.size(); ++i) s += (i ? ", \\\n     " : "") + elements[i];
  s += "\nset output\n";
  return s;
}

void Plotter::render(const Figure& f, Format format, const std::string& path) const {
  if (!available())
    throw UserError(fmt::format("{}: cannot draw the figure: gnuplot is missing ('{}' could not be run); "
                                "install it with `apt-get install gnuplot-nox`",
                                path, exe_));
  const TempDir dir;
  const std::string out = (dir.path / (format == Format::svg ? "figure.svg" : "figure.png")).string();
  const std::string program = (dir.path / "figure.gp").string();
  const std::string text = script(f, format, out);
  {
    std::ofstream gp(program, std::ios::binary);
    gp << text;
    if (!gp.flush()) throw UserError(program + ": cannot write the gnuplot program");
  }
  const Exit e = run_process({exe_, program});
  std::error_code ec;
  if (!e.started || e.status != 0 || fs::file_size(out, ec) == 0 || ec)
    throw UserError(fmt::format("{}: gnuplot ('{}') failed{}:\n{}{}", path, exe_,
                                e.started ? fmt::format(" with exit status {}", e.status) : " to start",
                                trimmed(e.output).empty() ? "(no output; no figure written)" : trimmed(e.output),
                                failing_line(e.output, text)));
  results::write_file_atomic(path, results::read_file(out));
}

}  // namespace rflab::reports
