#include "reports/report_figures.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "reports/rank_format.h"

namespace rflab::reports {
namespace {

int index_of(const std::vector<std::string>& v, const std::string& x) {
  return static_cast<int>(std::find(v.begin(), v.end(), x) - v.begin());
}

std::string file_stem(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return out;
}

}  // namespace

std::vector<NamedFigure> ranking_figures(const ScoreTable& t, const Ranking& r) {
  std::vector<NamedFigure> out;
  const std::string n = sample_counts_short(t);
  // Pareto front of each setting (seed = the first seed; the ranks of the others are in the tables).
  for (const auto& f : r.fronts) {
    if (f.seed != r.seeds.front()) continue;
    Figure fig;
    fig.title = "Pareto fronts, " + f.setting.name() + (r.seeds.size() > 1 ? fmt::format(", seed {}", f.seed) : "");
    fig.xlabel = t.clip_metric + " (higher is better)";
    fig.ylabel = t.fid_metric + " (" + n + ", lower is better)";
    fig.width = 640, fig.height = 440;
    int max_front = 0;
    for (int x : f.front) max_front = std::max(max_front, x);
    for (const auto& s : t.scores) {
      if (!(s.setting == f.setting) || s.seed != f.seed) continue;
      const int v = index_of(t.variants, s.variant);
      Series p;
      p.label = s.variant;
      p.x = {s.clip}, p.y = {s.fid};
      p.point_labels = {fmt::format("{} ({})", s.variant, f.front[static_cast<size_t>(v)])};
      p.style = Series::Style::points;
      p.color = v;
      fig.series.push_back(std::move(p));
    }
    // The first front joined, in CLIP order.
    std::vector<std::pair<double, double>> first;
    for (const auto& s : t.scores)
      if (s.setting == f.setting && s.seed == f.seed && f.front[static_cast<size_t>(index_of(t.variants, s.variant))] == 1)
        first.push_back({s.clip, s.fid});
    std::sort(first.begin(), first.end());
    if (first.size() > 1) {
      Series line;
      line.label = "front 1";
      for (const auto& [x, y] : first) line.x.push_back(x), line.y.push_back(y);
      line.style = Series::Style::lines;
      line.color = kPaletteSize - 1;
      fig.series.push_back(std::move(line));
    }
    fig.notes = {"label: variant (front)"};
    fig.notes_corner = Corner::top_right;  // high CLIP with high FID is the rarely occupied corner
    out.push_back({"pareto-" + file_stem(f.setting.name()), "Pareto fronts of " + f.setting.name() + ".", std::move(fig)});
  }
  // Heat map: mean front (over seeds) by variant and setting, variants in rank order.
  {
    Figure fig;
    fig.title = "Front index by control setting (mean over seeds; 1 = Pareto front)";
    for (size_t v : r.order) fig.row_labels.push_back(r.variants[v].variant);
    for (const auto& s : r.settings) fig.column_labels.push_back(s.name());
    for (size_t v : r.order) {
      std::vector<double> row;
      for (const auto& s : r.settings) {
        double sum = 0;
        int cnt = 0;
        for (const auto& f : r.fronts)
          if (f.setting == s && f.front[v] > 0) sum += f.front[v], ++cnt;
        row.push_back(cnt ? sum / cnt : std::nan(""));
      }
      fig.cells.push_back(std::move(row));
    }
    fig.width = std::max(560, 120 + 90 * static_cast<int>(r.settings.size()));
    fig.height = std::max(300, 120 + 34 * static_cast<int>(r.variants.size()));
    out.push_back({"rank-heatmap", "Front index of each variant in each control setting.", std::move(fig)});
  }
  // FID and CLIP score against sampling steps per variant (the paper's Fig. 3), per weights kind and CFG.
  std::set<std::pair<std::string, double>> groups;
  for (const auto& s : t.scores) groups.insert({s.setting.weights, s.setting.cfg});
  for (const auto& [weights, cfg] : groups) {
    std::set<int64_t> steps;
    for (const auto& s : t.scores)
      if (s.setting.weights == weights && s.setting.cfg == cfg) steps.insert(s.setting.steps);
    if (steps.size() < 2) continue;
    for (int which = 0; which < 2; ++which) {
      Figure fig;
      const std::string metric = which == 0 ? t.fid_metric : t.clip_metric;
      fig.title = fmt::format("{} against sampling steps ({} weights, CFG {})", metric, weights.empty() ? "-" : weights, cfg);
      fig.xlabel = "sampling steps (Euler)";
      fig.ylabel = metric + (which == 0 ? " (" + n + ")" : "");
      fig.logx = true;
      for (size_t v = 0; v < t.variants.size(); ++v) {
        std::map<int64_t, std::pair<double, int>> by_steps;
        for (const auto& s : t.scores)
          if (s.variant == t.variants[v] && s.setting.weights == weights && s.setting.cfg == cfg) {
            auto& a = by_steps[s.setting.steps];
            a.first += which == 0 ? s.fid : s.clip, a.second += 1;
          }
        Series line;
        line.label = t.variants[v];
        line.color = static_cast<int>(v);
        for (const auto& [k, a] : by_steps) line.x.push_back(static_cast<double>(k)), line.y.push_back(a.first / a.second);
        fig.series.push_back(std::move(line));
      }
      const std::string stem = fmt::format("{}-vs-steps-{}-cfg{}", which == 0 ? "fid" : "clip", weights.empty() ? "all" : weights,
                                           file_stem(fmt::format("{}", cfg)));
      out.push_back({stem, fmt::format("{} against the number of sampling steps, mean over seeds.", metric), std::move(fig)});
    }
  }
  return out;
}

NamedFigure loss_curve_figure(const std::vector<std::string>& variants, const std::vector<LossSeries>& curves,
                              const std::string& loss_key) {
  Figure fig;
  fig.title = "Validation loss (" + loss_key + ", EMA weights)";
  fig.xlabel = "training step";
  fig.ylabel = loss_key + " (mean over the 8 levels of SPEC §5.1)";
  for (const auto& c : curves) {
    Series s;
    const int v = index_of(variants, c.variant);
    s.label = c.variant + (std::count_if(curves.begin(), curves.end(), [&](const LossSeries& o) { return o.variant == c.variant; }) > 1
                               ? fmt::format(" seed {}", c.seed)
                               : "");
    s.color = v;
    for (const auto& [x, y] : c.points) s.x.push_back(x), s.y.push_back(y);
    fig.series.push_back(std::move(s));
  }
  return {"validation-loss", "Validation loss against training steps, one curve per run.", std::move(fig)};
}

std::vector<NamedFigure> scaling_figures(const ScalingAnalysis& a) {
  std::vector<NamedFigure> out;
  auto depth_color = [&](int d) { return static_cast<int>(std::find(a.depths.begin(), a.depths.end(), d) - a.depths.begin()); };
  for (int axis = 0; axis < 2; ++axis) {
    Figure fig;
    fig.title = axis == 0 ? "Validation loss against training steps, by depth" : "Validation loss against training compute";
    fig.xlabel = axis == 0 ? "training step" : "training FLOPs (6·MACs·batch·steps, SPEC §9.8)";
    fig.ylabel = a.data.loss_key + " (EMA)";
    fig.logx = fig.logy = true;
    for (const auto& r : a.data.runs) {
      Series s;
      s.label = fmt::format("depth {}{}", r.depth, a.data.runs.size() > a.depths.size() ? fmt::format(" seed {}", r.seed) : "");
      s.color = depth_color(r.depth);
      s.style = Series::Style::lines;
      for (const auto& p : r.curve) s.x.push_back(axis == 0 ? static_cast<double>(p.step) : p.flops), s.y.push_back(p.loss);
      fig.series.push_back(std::move(s));
    }
    if (axis == 1 && !a.fits.empty() && a.fits.front().error.empty()) {
      const auto& f = a.fits.front().fit;
      double lo = 1e300, hi = 0;
      for (const auto& p : a.frontier) lo = std::min(lo, p.flops), hi = std::max(hi, p.flops);
      Series law;
      law.label = fmt::format("fit on the frontier, {}% band", static_cast<int>(std::lround(a.level * 100)));
      law.color = kPaletteSize - 1;
      law.style = Series::Style::lines;
      for (int k = 0; k <= 40; ++k) {
        const double x = lo * std::pow(hi / lo, k / 40.0);
        law.x.push_back(x), law.y.push_back(f.predict(x));
        const auto b = f.band(x);
        law.lo.push_back(b.lo), law.hi.push_back(b.hi);
      }
      fig.series.push_back(std::move(law));
      fig.notes = {fmt::format("L = {:.3g}·C^(-{:.3f}) + {:.4f}", f.a, f.b, f.c),
                   fmt::format("b in [{:.3f}, {:.3f}]", f.b_ci.lo, f.b_ci.hi)};
      fig.notes_corner = Corner::bottom_left;
    }
    out.push_back({axis == 0 ? "scaling-loss-vs-steps" : "scaling-loss-vs-flops",
                   axis == 0 ? "Validation loss against steps, one curve per depth (log–log)."
                             : "Validation loss against training FLOPs (log–log) with the power law fitted to the "
                               "compute-efficient frontier and its bootstrap band.",
                   std::move(fig)});
  }
  // One scatter per metric, at the most-steps setting evaluated (the paper's Fig. 8 uses its final metrics).
  int64_t most_steps = 0;
  for (const auto& r : a.data.runs)
    for (const auto& m : r.metrics) most_steps = std::max(most_steps, m.steps);
  for (const auto& c : a.correlations) {
    bool at_most = false;
    for (const auto& r : a.data.runs)
      for (const auto& m : r.metrics) at_most |= m.setting == c.setting && m.steps == most_steps;
    if (!at_most) continue;
    Figure fig;
    fig.title = c.metric + (c.setting.empty() ? "" : " (" + c.setting + ")") + " against final validation loss";
    fig.xlabel = "final " + a.data.loss_key;
    fig.ylabel = c.metric;
    for (int d : a.depths) {
      Series s;
      s.label = fmt::format("depth {}", d);
      s.color = depth_color(d);
      s.style = Series::Style::points;
      for (const auto& r : a.data.runs) {
        if (r.depth != d || r.curve.empty()) continue;
        for (const auto& m : r.metrics)
          if (m.metric == c.metric && m.setting == c.setting) s.x.push_back(r.curve.back().loss), s.y.push_back(m.value);
      }
      fig.series.push_back(std::move(s));
    }
    fig.notes = {fmt::format("Pearson r = {:.3f} [{:.3f}, {:.3f}]", c.pearson.r, c.pearson.ci.lo, c.pearson.ci.hi),
                 fmt::format("Spearman rho = {:.3f} [{:.3f}, {:.3f}]", c.spearman.r, c.spearman.ci.lo, c.spearman.ci.hi)};
    out.push_back({"corr-" + file_stem(c.metric + "-" + c.setting),
                   "Sample metric against final validation loss across runs, with the correlations.", std::move(fig)});
  }
  return out;
}

namespace {

// A variant's mean at each x, with the band of its interval over seeds where every point has one.
Series architecture_series(const std::string& label, int color, const std::vector<double>& x, const std::vector<SeedMean>& y) {
  Series s;
  s.label = label;
  s.color = color;
  bool band = !x.empty();
  for (size_t i = 0; i < x.size(); ++i) {
    s.x.push_back(x[i]), s.y.push_back(y[i].mean);
    s.lo.push_back(y[i].ci.lo), s.hi.push_back(y[i].ci.hi);
    band &= y[i].k >= 2 && std::isfinite(y[i].ci.lo) && std::isfinite(y[i].ci.hi);
  }
  if (!band) s.lo.clear(), s.hi.clear();
  return s;
}

}  // namespace

std::vector<NamedFigure> architecture_figures(const ArchitectureComparison& a) {
  std::vector<NamedFigure> out;
  bool several_seeds = false;
  double max_flops = 0;
  for (const auto& v : a.summary) {
    several_seeds |= v.seeds.size() > 1;
    for (const auto& p : v.curve)
      if (std::isfinite(p.flops)) max_flops = std::max(max_flops, p.flops);
  }
  const bool any_flops = max_flops > 0;
  // FLOPs in the SI unit of the largest (gnuplot's own labels of 1e11-sized tics overlap).
  static const char* const kFlopUnits[] = {"FLOP", "kFLOP", "MFLOP", "GFLOP", "TFLOP", "PFLOP", "EFLOP"};
  int unit = 0;
  double scale = 1;
  while (unit < 6 && max_flops / scale >= 1000) scale *= 1000, ++unit;
  const std::string over = several_seeds ? "mean over seeds, band: 95% interval over seeds" : "one seed each";
  for (int axis = 0; axis < 2; ++axis) {
    if (axis == 1 && !any_flops) continue;
    Figure fig;
    fig.title = fmt::format("Validation loss against training {}, by architecture ({})", axis == 0 ? "steps" : "compute",
                            several_seeds ? "mean over seeds" : "one seed");
    fig.xlabel = axis == 0 ? "training step" : fmt::format("training compute, {} (train/flops, cumulative)", kFlopUnits[unit]);
    fig.ylabel = a.loss_key + " (EMA)";
    for (const auto& v : a.summary) {
      std::vector<double> x;
      std::vector<SeedMean> y;
      for (const auto& p : v.curve) x.push_back(axis == 0 ? static_cast<double>(p.step) : p.flops / scale), y.push_back(p.loss);
      fig.series.push_back(architecture_series(v.variant, index_of(a.variants, v.variant), x, y));
    }
    out.push_back({axis == 0 ? "architecture-loss-vs-steps" : "architecture-loss-vs-flops",
                   fmt::format("Validation loss against training {}, one curve per architecture ({}).",
                               axis == 0 ? "steps" : "FLOPs", over),
                   std::move(fig)});
  }
  if (!a.several_checkpoints()) return out;
  for (int which = 0; which < 2; ++which) {
    const std::string metric = which == 0 ? a.clip_metric : a.fid_metric;
    Figure fig;
    fig.title = fmt::format("{} at each evaluated checkpoint, by architecture ({})", metric, several_seeds ? "mean over seeds" : "one seed");
    fig.xlabel = "training step of the checkpoint";
    fig.ylabel = metric;
    fig.notes = {a.setting_label()};
    fig.notes_corner = which == 0 ? Corner::bottom_right : Corner::top_right;
    for (const auto& v : a.summary) {
      std::vector<double> x;
      std::vector<SeedMean> y;
      for (const auto& c : v.checkpoints) x.push_back(static_cast<double>(c.step)), y.push_back(which == 0 ? c.clip : c.fid);
      fig.series.push_back(architecture_series(v.variant, index_of(a.variants, v.variant), x, y));
    }
    out.push_back({which == 0 ? "architecture-clip-vs-step" : "architecture-fid-vs-step",
                   fmt::format("{} against the checkpoint's training step, one curve per architecture ({}).", metric, over),
                   std::move(fig)});
  }
  return out;
}

}  // namespace rflab::reports
