#include "reports/scaling.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

#include "reports/float_constants.h"
#include "reports/score.h"
#include "reports/score_source.h"
#include "results/error.h"
#include "results/metric_names.h"

namespace rflab::reports {
namespace {

std::string num(double v, const char* spec = "{:.4g}") {
  return std::isfinite(v) ? fmt::format(fmt::runtime(spec), v) : std::string("-");
}

nlohmann::json finite_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json interval_json(const Interval& i) { return {finite_or_null(i.lo), finite_or_null(i.hi)}; }

bool is_correlated_metric(const std::string& m) {
  for (const char* k : {results::metric::kClipFid, results::metric::kClipScore, results::metric::kClassifierFd,
                        results::metric::kClassAccuracy, results::metric::kInceptionFid,
                        results::metric::kPromptScore})
    if (m == k) return true;
  return false;
}

double final_loss(const ScalingRun& r) { return r.curve.empty() ? kNaN : r.curve.back().loss; }

NamedFit make_fit(std::string name, std::string x, std::vector<PowerLawPoint> points, const PowerLawOptions& o) {
  NamedFit f{std::move(name), std::move(x), {}, "", std::move(points)};
  try {
    f.fit = fit_power_law(f.points, o);
  } catch (const std::invalid_argument& e) {
    f.error = e.what();
  }
  return f;
}

}  // namespace

ScalingData scaling_from_store(const results::Store& store, const std::vector<StudyRun>& runs, const std::string& key) {
  ScalingData d;
  d.loss_key = key;
  d.source = store.path();
  for (const auto& r : runs) {
    const std::string who = fmt::format("{} (depth {}, seed {})", r.variant, r.depth, r.seed);
    if (!r.row) { d.notes.push_back(who + ": not started"); continue; }
    if (r.row->status == results::RunStatus::failed) { d.notes.push_back(who + ": run failed: " + r.row->error); continue; }
    ScalingRun s{r.depth, r.seed, r.row->id, {}, {}};
    std::map<int64_t, double> flops;
    for (const auto& m : store.metrics(r.row->id, "train/flops")) flops[m.step] = m.value;
    for (const auto& m : store.metrics(r.row->id, key)) {
      auto it = flops.find(m.step);
      s.curve.push_back({m.step, it == flops.end() ? kNaN : it->second, m.value});
    }
    if (s.curve.empty()) { d.notes.push_back(who + ": no " + key + " rows"); continue; }
    if (flops.empty()) d.notes.push_back(who + ": no train/flops rows (trained before they were logged): left out of the FLOPs axis");
    if (r.row->status != results::RunStatus::done)
      d.notes.push_back(who + ": " + results::to_string(r.row->status) + ", its curve is partial");
    for (const auto& e : latest_sampler_evaluations(store, r.row->id)) {
      const SettingKey k{e.setting, e.weights, "", e.steps, e.cfg};
      s.metrics.push_back({e.metric, k.name(), e.steps, e.cfg, e.weights, e.value});
    }
    d.runs.push_back(std::move(s));
  }
  return d;
}

ScalingData scaling_from_csv(const CsvTable& csv) {
  for (const char* c : {"depth", "step", "flops", "loss"})
    if (csv.column(c) < 0) throw UserError(csv.file + ": line 1: expected a column " + c + " (required: depth, step, flops, loss)");
  if (csv.rows.empty()) throw UserError(csv.file + ": expected at least one row of results, got only the header");
  const int cd = csv.column("depth"), cs = csv.column("step"), cf = csv.column("flops"), cl = csv.column("loss");
  const int cseed = csv.column("seed");
  ScalingData d;
  d.loss_key = "loss";
  d.source = csv.file;
  std::map<std::pair<int, int64_t>, size_t> index;
  for (size_t i = 0; i < csv.rows.size(); ++i) {
    const int64_t depth = csv.integer(i, cd);
    if (depth < 1) csv.fail(i, cd, "a positive depth");
    const int64_t seed = cseed >= 0 ? csv.integer(i, cseed) : 0;
    const int64_t step = csv.integer(i, cs);
    if (step < 0) csv.fail(i, cs, "a step >= 0");
    const double flops = csv.number(i, cf), loss = csv.number(i, cl);
    if (!(flops >= 0) || !std::isfinite(flops)) csv.fail(i, cf, "training FLOPs >= 0");
    auto [it, fresh] = index.try_emplace({static_cast<int>(depth), seed}, d.runs.size());
    if (fresh) d.runs.push_back({static_cast<int>(depth), seed, -1, {}, {}});
    auto& run = d.runs[it->second];
    if (!run.curve.empty() && step <= run.curve.back().step) csv.fail(i, cs, "steps increasing within a depth and seed");
    run.curve.push_back({step, flops, loss});
    run.metrics.clear();  // the last row's metrics are the run's final ones
    for (size_t c = 0; c < csv.header.size(); ++c) {
      const std::string& h = csv.header[c];
      if (h == "depth" || h == "step" || h == "flops" || h == "loss" || h == "seed") continue;
      if (csv.rows[i][c].empty()) continue;
      run.metrics.push_back({h, "", 0, 0, "", csv.number(i, static_cast<int>(c))});
    }
  }
  return d;
}

ScalingAnalysis analyse_scaling(ScalingData data, const PowerLawOptions& o) {
  ScalingAnalysis a;
  a.level = o.level;
  std::set<int> depths;
  for (const auto& r : data.runs) depths.insert(r.depth);
  a.depths.assign(depths.begin(), depths.end());

  // The frontier over every run's (FLOPs, loss) points; each depth's curve is the mean over seeds
  // would hide the seed noise, so every run is a curve of its own.
  std::vector<LossCurve> curves;
  for (const auto& r : data.runs) {
    LossCurve c{r.depth, {}};
    for (const auto& p : r.curve)
      if (std::isfinite(p.flops) && p.flops > 0 && std::isfinite(p.loss)) c.points.push_back({p.flops, p.loss});
    if (!c.points.empty()) curves.push_back(std::move(c));
  }
  a.frontier = compute_frontier(curves);
  std::vector<PowerLawPoint> fp;
  for (const auto& p : a.frontier) fp.push_back({p.flops, p.loss, -1});
  a.fits.push_back(make_fit("frontier", "training FLOPs", fp, o));
  for (int depth : a.depths) {
    std::vector<PowerLawPoint> pts;
    for (const auto& r : data.runs)
      if (r.depth == depth)
        for (const auto& p : r.curve)
          if (p.step > 0 && std::isfinite(p.loss) && p.loss > 0) pts.push_back({static_cast<double>(p.step), p.loss, r.seed});
    // One seed: every point its own bootstrap group; several: the seeds are the groups.
    std::set<int64_t> seeds;
    for (const auto& p : pts) seeds.insert(p.group);
    if (seeds.size() < 2)
      for (auto& p : pts) p.group = -1;
    a.fits.push_back(make_fit(fmt::format("depth {}", depth), "steps", pts, o));
  }

  // Correlations between final validation loss and each primary sample metric (the FIDs, the
  // CLIP score, class accuracy; a CSV's own metric columns) at each evaluated setting.
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<double, double>>> pairs;
  for (const auto& r : data.runs)
    for (const auto& m : r.metrics)
      if ((m.setting.empty() || is_correlated_metric(m.metric)) && std::isfinite(m.value) && std::isfinite(final_loss(r)))
        pairs[{m.metric, m.setting}].push_back({final_loss(r), m.value});
  for (const auto& [key, xy] : pairs) {
    if (xy.size() < 3) continue;
    std::vector<double> x, y;
    for (const auto& [l, v] : xy) x.push_back(l), y.push_back(v);
    a.correlations.push_back({key.first, key.second, pearson(x, y, o.level), spearman(x, y, o.level)});
  }

  // Sampling efficiency per depth (means over seeds).
  for (int depth : a.depths) {
    SamplingEfficiency e{depth, {}, 0, 0};
    std::map<int64_t, std::vector<double>> drops;
    std::vector<double> lengths;
    for (const auto& r : data.runs) {
      if (r.depth != depth) continue;
      const SampleMetric* ref = nullptr;
      for (const auto& m : r.metrics)
        if (m.metric == "clip_score" && m.steps == 50 && (!ref || m.cfg > ref->cfg)) ref = &m;
      if (!ref) continue;
      ++e.runs;
      for (const auto& m : r.metrics) {
        if (m.steps == 50 && m.cfg == ref->cfg && m.weights == ref->weights && m.metric == "path_length") lengths.push_back(m.value);
        if (m.metric == "clip_score" && m.cfg == ref->cfg && m.weights == ref->weights && m.steps < 50)
          drops[m.steps].push_back((ref->value - m.value) / ref->value);
      }
    }
    if (e.runs == 0) continue;
    for (int64_t n : {5, 10, 20}) {
      const auto& v = drops[n];
      double s = 0;
      for (double x : v) s += x;
      e.relative_drop[n] = v.empty() ? kNaN : s / static_cast<double>(v.size());
    }
    double s = 0;
    for (double x : lengths) s += x;
    e.path_length = lengths.empty() ? kNaN : s / static_cast<double>(lengths.size());
    a.efficiency.push_back(e);
  }
  a.data = std::move(data);
  return a;
}

std::string scaling_markdown(const ScalingAnalysis& a) {
  const int pct = static_cast<int>(std::lround(a.level * 100));
  std::string out = fmt::format("Scaling of {} over {} runs at depths", a.data.loss_key, a.data.runs.size());
  for (int d : a.depths) out += fmt::format(" {}", d);
  out += fmt::format(" (source {}).\n\n", a.data.source);
  out += "| depth | seed | steps | final loss | training FLOPs |\n|---|---|---|---|---|\n";
  for (const auto& r : a.data.runs) {
    const auto& last = r.curve.back();
    out += fmt::format("| {} | {} | {} | {} | {} |\n", r.depth, r.seed, last.step, num(last.loss, "{:.4f}"), num(last.flops, "{:.3e}"));
  }
  out += fmt::format("\nFits of L = a·x^(−b) + c (Huber on log residuals; {}% bootstrap intervals):\n\n", pct);
  out += "| fit | x | points | a | b | c | rmse (log) |\n|---|---|---|---|---|---|---|\n";
  for (const auto& f : a.fits) {
    if (!f.error.empty()) {
      out += fmt::format("| {} | {} | {} | not fitted: {} | | | |\n", f.name, f.x, f.points.size(), f.error);
      continue;
    }
    const auto& p = f.fit;
    out += fmt::format("| {} | {} | {} | {} [{}, {}] | {} [{}, {}] | {} [{}, {}] | {} |\n", f.name, f.x, p.n_points, num(p.a),
                       num(p.a_ci.lo), num(p.a_ci.hi), num(p.b, "{:.3f}"), num(p.b_ci.lo, "{:.3f}"), num(p.b_ci.hi, "{:.3f}"),
                       num(p.c, "{:.4f}"), num(p.c_ci.lo, "{:.4f}"), num(p.c_ci.hi, "{:.4f}"), num(p.rmse_log, "{:.4f}"));
  }
  if (!a.frontier.empty()) {
    out += "\nCompute-efficient frontier (the depth with the lowest loss at each compute):\n\n| training FLOPs | loss | depth |\n|---|---|---|\n";
    for (const auto& p : a.frontier) out += fmt::format("| {} | {} | {} |\n", num(p.flops, "{:.3e}"), num(p.loss, "{:.4f}"), p.depth);
  }
  if (!a.correlations.empty()) {
    out += fmt::format("\nCorrelation of final {} with the sample metrics across runs ({}% intervals, Fisher z):\n\n", a.data.loss_key, pct);
    out += "| metric | setting | n | Pearson r | Spearman ρ |\n|---|---|---|---|---|\n";
    for (const auto& c : a.correlations)
      out += fmt::format("| {} | {} | {} | {} [{}, {}] | {} [{}, {}] |\n", c.metric, c.setting.empty() ? "-" : c.setting, c.pearson.n,
                         num(c.pearson.r, "{:.3f}"), num(c.pearson.ci.lo, "{:.3f}"), num(c.pearson.ci.hi, "{:.3f}"),
                         num(c.spearman.r, "{:.3f}"), num(c.spearman.ci.lo, "{:.3f}"), num(c.spearman.ci.hi, "{:.3f}"));
  }
  if (!a.efficiency.empty()) {
    out += "\nSampling efficiency (the paper's Table 6 layout): relative CLIP-score drop against 50 steps, and the path "
           "length Σ‖v·dt‖ at 50 steps:\n\n| depth | 5 steps | 10 steps | 20 steps | path length |\n|---|---|---|---|---|\n";
    for (const auto& e : a.efficiency) {
      auto pct_of = [&](int64_t n) {
        const double v = e.relative_drop.at(n);
        return std::isfinite(v) ? fmt::format("{:.2f}%", 100 * v) : std::string("-");
      };
      out += fmt::format("| {} | {} | {} | {} | {} |\n", e.depth, pct_of(5), pct_of(10), pct_of(20), num(e.path_length, "{:.2f}"));
    }
  }
  if (!a.data.notes.empty()) {
    out += "\nLeft out or partial:\n\n";
    for (const auto& n : a.data.notes) out += "- " + n + "\n";
  }
  return out;
}

nlohmann::json scaling_json(const ScalingAnalysis& a) {
  nlohmann::json j;
  j["loss"] = a.data.loss_key;
  j["source"] = a.data.source;
  j["level"] = a.level;
  j["depths"] = a.depths;
  j["fits"] = nlohmann::json::array();
  for (const auto& f : a.fits) {
    nlohmann::json e = {{"name", f.name}, {"x", f.x}, {"points", f.points.size()}};
    if (!f.error.empty()) e["error"] = f.error;
    else
      e.update({{"a", f.fit.a}, {"b", f.fit.b}, {"c", f.fit.c}, {"a_interval", interval_json(f.fit.a_ci)},
                {"b_interval", interval_json(f.fit.b_ci)}, {"c_interval", interval_json(f.fit.c_ci)},
                {"rmse_log", f.fit.rmse_log}, {"converged", f.fit.converged}, {"resamples_used", f.fit.resamples_used},
                {"resamples_failed", f.fit.resamples_failed}});
    j["fits"].push_back(e);
  }
  j["frontier"] = nlohmann::json::array();
  for (const auto& p : a.frontier) j["frontier"].push_back({{"flops", p.flops}, {"loss", p.loss}, {"depth", p.depth}});
  j["correlations"] = nlohmann::json::array();
  for (const auto& c : a.correlations) {
    auto cj = [](const Correlation& k) {
      return nlohmann::json{{"r", finite_or_null(k.r)}, {"n", k.n}, {"interval", interval_json(k.ci)}, {"note", k.note}};
    };
    j["correlations"].push_back({{"metric", c.metric}, {"setting", c.setting}, {"pearson", cj(c.pearson)}, {"spearman", cj(c.spearman)}});
  }
  j["sampling_efficiency"] = nlohmann::json::array();
  for (const auto& e : a.efficiency) {
    nlohmann::json drops = nlohmann::json::object();
    for (const auto& [n, v] : e.relative_drop) drops[std::to_string(n)] = finite_or_null(v);
    j["sampling_efficiency"].push_back({{"depth", e.depth}, {"relative_clip_drop", drops}, {"path_length", finite_or_null(e.path_length)}});
  }
  j["runs"] = nlohmann::json::array();
  for (const auto& r : a.data.runs) {
    nlohmann::json curve = nlohmann::json::array();
    for (const auto& p : r.curve) curve.push_back({p.step, finite_or_null(p.flops), finite_or_null(p.loss)});
    j["runs"].push_back({{"depth", r.depth}, {"seed", r.seed}, {"run_id", r.run_id}, {"curve", curve}});
  }
  j["notes"] = a.data.notes;
  return j;
}

}  // namespace rflab::reports
