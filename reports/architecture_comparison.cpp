#include "reports/architecture_comparison.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "reports/markdown_cell.h"
#include "reports/regression.h"
#include "results/control_setting.h"
#include "results/run_config.h"

namespace rflab::reports {
namespace {

// What the table prints for a figure nobody stored.
constexpr const char* kArchMissing = "—";

// The identity of the setting the sample figures are read at.
using ArchEvalKey = std::tuple<std::string, std::string, int64_t, double, int64_t>;  // sampler, weights, steps, cfg, n

// Whether `a` is preferred to `b`, given how many variants each covers.
bool arch_key_better(const ArchEvalKey& a, size_t variants_a, const ArchEvalKey& b, size_t variants_b) {
  const auto& [sa, wa, na, ca, ma] = a;
  const auto& [sb, wb, nb, cb, mb] = b;
  // More variants, EMA, more steps, higher CFG, larger N; then the first name.
  return std::make_tuple(variants_a, wa == "ema", na, ca, ma, sb, wb) > std::make_tuple(variants_b, wb == "ema", nb, cb, mb, sa, wa);
}

// 4 significant digits with an SI prefix: "1.5 M", "4.5 GFLOP", "512 FLOP".
std::string arch_si(double v, const std::string& unit) {
  if (!std::isfinite(v)) return kArchMissing;
  static const char* const kPrefixes[] = {"", "k", "M", "G", "T", "P", "E"};
  int p = 0;
  while (std::abs(v) >= 1000 && p < 6) v /= 1000, ++p;
  const std::string suffix = std::string(kPrefixes[p]) + unit;
  return fmt::format("{:.4g}", v) + (suffix.empty() ? "" : " " + suffix);
}

// The mean, and its interval over seeds where there is one.
std::string arch_mean_cell(const SeedMean& m, const char* spec) {
  if (m.k == 0 || !std::isfinite(m.mean)) return kArchMissing;
  std::string s = fmt::format(fmt::runtime(spec), m.mean);
  if (m.k >= 2 && std::isfinite(m.ci.lo) && std::isfinite(m.ci.hi))
    s += fmt::format(" [{}, {}]", fmt::format(fmt::runtime(spec), m.ci.lo), fmt::format(fmt::runtime(spec), m.ci.hi));
  return s;
}

// Seconds per step in ms below a second.
std::string arch_time_cell(const SeedMean& m) {
  if (m.k == 0 || !std::isfinite(m.mean)) return kArchMissing;
  const bool ms = m.mean < 1;
  SeedMean scaled = m;
  const double f = ms ? 1000 : 1;
  scaled.mean *= f, scaled.ci.lo *= f, scaled.ci.hi *= f;
  return arch_mean_cell(scaled, "{:.3g}") + (ms ? " ms" : " s");
}

std::string arch_signed(double v, const char* spec) {
  const std::string s = fmt::format(fmt::runtime(spec), v);
  return v > 0 ? "+" + s : s;
}

}  // namespace

std::string ArchitectureComparison::setting_label() const {
  if (!setting) return "";
  return fmt::format("{} ({} steps, CFG {:g}), N = {}", setting->name(), setting->steps, setting->cfg, n);
}

bool ArchitectureComparison::several_checkpoints() const {
  for (const auto& r : runs)
    if (r.checkpoints.size() >= 2) return true;
  return false;
}

bool differs_in_architecture(const std::vector<StudyRun>& runs) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& r : runs) seen.insert({r.backbone, r.conditioning});
  return seen.size() > 1;
}

std::optional<ArchitectureComparison> architecture_comparison(const results::Store& store, const std::vector<StudyRun>& runs,
                                                              const std::string& loss_key, const ScoreMetrics& metrics) {
  if (!differs_in_architecture(runs)) return std::nullopt;
  ArchitectureComparison a;
  a.loss_key = loss_key;
  a.fid_metric = metrics.fid;
  a.clip_metric = metrics.clip;
  a.variants = variants_of(runs);

  // The finished runs' curves and cost figures, and their sample rows for the choice of setting.
  std::vector<std::vector<results::EvaluationRow>> sample_rows;
  for (const auto& r : runs) {
    const std::string who = fmt::format("{} seed {}", r.variant, r.seed);
    if (!r.row) { a.notes.push_back(who + ": not started"); continue; }
    const std::string run = fmt::format("{} (run {})", who, r.row->id);
    if (r.row->status != results::RunStatus::done) {
      a.notes.push_back(fmt::format("{}: {}{}: left out", run, results::to_string(r.row->status),
                                    r.row->error.empty() ? "" : " (" + r.row->error + ")"));
      continue;
    }
    ArchitectureRun x;
    x.variant = r.variant;
    x.architecture = results::architecture_name(r.backbone, r.conditioning);
    x.seed = r.seed;
    x.run_id = r.row->id;
    x.depth = r.depth, x.width = r.width, x.batch_size = r.batch_size;
    std::map<int64_t, double> flops;
    for (const auto& m : store.metrics(x.run_id, kTrainFlopsMetric)) flops[m.step] = m.value;
    for (const auto& m : store.metrics(x.run_id, loss_key)) {
      const auto it = flops.find(m.step);
      x.curve.push_back({m.step, it == flops.end() ? kNaN : it->second, m.value});
    }
    if (x.curve.empty()) a.notes.push_back(run + ": no " + loss_key + " rows");
    else x.final_loss = x.curve.back().loss;
    for (auto p = x.curve.rbegin(); p != x.curve.rend(); ++p)
      if (std::isfinite(p->flops) && p->step > 0) {
        x.flops_per_step = p->flops / static_cast<double>(p->step);
        break;
      }
    if (!std::isfinite(x.flops_per_step)) a.notes.push_back(run + ": no train/flops at a validation step: FLOPs per step " + kArchMissing);
    for (const auto& m : store.metrics(x.run_id, kParametersMetric))
      if (std::isfinite(m.value)) x.parameters = m.value;  // by step: the last one stays
    if (!std::isfinite(x.parameters))
      a.notes.push_back(run + ": no model/parameters rows (trained before they were stored): parameters " + kArchMissing);
    // The training phase's own seconds (forward, backward, optimizer; no validation, checkpoints or
    // sampling) over the steps; runs stored without phase timings fall back to their throughput rows.
    const double training = store.phase_seconds_of_run(x.run_id, results::Phase::training);
    std::vector<double> rates;
    for (const auto& m : store.metrics(x.run_id, kSamplesPerSecondMetric)) rates.push_back(m.value);
    const double rate = finite_mean(rates);
    if (training > 0 && !x.curve.empty() && x.curve.back().step > 0)
      x.seconds_per_step = training / static_cast<double>(x.curve.back().step);
    else if (x.batch_size > 0 && rate > 0)
      x.seconds_per_step = static_cast<double>(x.batch_size) / rate;
    else
      a.notes.push_back(run + ": no training phase timings or train/samples_per_s rows: wall time per step " + kArchMissing);

    std::vector<results::EvaluationRow> rows;
    for (auto& e : store.evaluations(x.run_id))
      if (results::is_sampler_setting(e.setting) && (e.metric == a.fid_metric || e.metric == a.clip_metric)) rows.push_back(std::move(e));
    sample_rows.push_back(std::move(rows));
    a.runs.push_back(std::move(x));
  }

  // The setting: the key with both metrics at some checkpoint in the most variants.
  std::map<ArchEvalKey, std::set<std::string>> covered;
  for (size_t i = 0; i < a.runs.size(); ++i) {
    std::map<std::pair<ArchEvalKey, int64_t>, int> has;  // (key, step) -> bit 1 FID, bit 2 CLIP
    for (const auto& e : sample_rows[i])
      has[{ArchEvalKey{e.setting, e.weights, e.steps, e.cfg, e.n}, e.checkpoint_step}] |= e.metric == a.fid_metric ? 1 : 2;
    for (const auto& [ks, bits] : has)
      if (bits == 3) covered[ks.first].insert(a.runs[i].variant);
  }
  const ArchEvalKey* chosen = nullptr;
  for (const auto& [k, vs] : covered)
    if (!chosen || arch_key_better(k, vs.size(), *chosen, covered.at(*chosen).size())) chosen = &k;
  if (chosen) {
    const auto& [sampler, weights, steps, cfg, n] = *chosen;
    a.setting = SettingKey{sampler, weights, "", steps, cfg};
    a.n = n;
    for (size_t i = 0; i < a.runs.size(); ++i) {
      std::map<int64_t, CheckpointScore> at;
      for (const auto& e : sample_rows[i]) {
        if (ArchEvalKey{e.setting, e.weights, e.steps, e.cfg, e.n} != *chosen) continue;
        auto& c = at.try_emplace(e.checkpoint_step, CheckpointScore{e.checkpoint_step, kNaN, kNaN}).first->second;
        (e.metric == a.fid_metric ? c.fid : c.clip) = e.value;
      }
      for (const auto& [step, c] : at)
        if (!std::isnan(c.fid) && !std::isnan(c.clip)) a.runs[i].checkpoints.push_back(c);
      if (a.runs[i].checkpoints.empty())
        a.notes.push_back(fmt::format("{} seed {} (run {}): not evaluated at {}", a.runs[i].variant, a.runs[i].seed,
                                      a.runs[i].run_id, a.setting_label()));
    }
  }

  // Per variant: means over seeds.
  for (const auto& variant : a.variants) {
    std::vector<const ArchitectureRun*> mine;
    for (const auto& r : a.runs)
      if (r.variant == variant) mine.push_back(&r);
    if (mine.empty()) continue;
    ArchitectureVariant v;
    v.variant = variant;
    v.architecture = mine.front()->architecture;
    std::vector<std::string> shapes;
    std::vector<double> params, fps, sps, loss, clip, fid;
    std::map<int64_t, std::vector<double>> curve_loss, curve_flops, ck_clip, ck_fid;
    std::set<int64_t> finals;
    for (const auto* r : mine) {
      v.seeds.push_back(r->seed);
      const std::string shape = fmt::format("{} × {}", r->depth, r->width);
      if (std::find(shapes.begin(), shapes.end(), shape) == shapes.end()) shapes.push_back(shape);
      params.push_back(r->parameters), fps.push_back(r->flops_per_step), sps.push_back(r->seconds_per_step);
      loss.push_back(r->final_loss);
      for (const auto& p : r->curve) curve_loss[p.step].push_back(p.loss), curve_flops[p.step].push_back(p.flops);
      for (const auto& c : r->checkpoints) ck_clip[c.step].push_back(c.clip), ck_fid[c.step].push_back(c.fid);
      if (!r->checkpoints.empty()) {
        clip.push_back(r->checkpoints.back().clip), fid.push_back(r->checkpoints.back().fid);
        finals.insert(r->checkpoints.back().step);
      }
    }
    for (const auto& s : shapes) v.shape += (v.shape.empty() ? "" : ", ") + s;
    v.parameters = seed_mean(params), v.flops_per_step = seed_mean(fps), v.seconds_per_step = seed_mean(sps);
    v.final_loss = seed_mean(loss), v.clip = seed_mean(clip), v.fid = seed_mean(fid);
    v.final_checkpoints.assign(finals.begin(), finals.end());
    for (const auto& [step, ls] : curve_loss) v.curve.push_back({step, finite_mean(curve_flops[step]), seed_mean(ls)});
    for (const auto& [step, cs] : ck_clip) v.checkpoints.push_back({step, seed_mean(cs), seed_mean(ck_fid[step])});
    a.summary.push_back(std::move(v));
  }

  // Each variant against the best on each figure.
  // which: 0 the final loss, 1 the final CLIP score, 2 the final FID.
  auto per_seed = [&](const std::string& variant, int which) {
    std::vector<double> out;
    for (const auto& r : a.runs) {
      if (r.variant != variant) continue;
      double x = kNaN;
      if (which == 0) x = r.final_loss;
      else if (!r.checkpoints.empty()) x = which == 1 ? r.checkpoints.back().clip : r.checkpoints.back().fid;
      if (std::isfinite(x)) out.push_back(x);
    }
    return out;
  };
  const std::vector<std::tuple<std::string, bool, int>> figures = {
      {"final " + a.loss_key, true, 0}, {a.clip_metric, false, 1}, {a.fid_metric, true, 2}};
  for (const auto& [name, lower_better, which] : figures) {
    std::vector<std::pair<std::string, std::vector<double>>> have;
    for (const auto& v : a.summary)
      if (auto vals = per_seed(v.variant, which); !vals.empty()) have.push_back({v.variant, std::move(vals)});
    if (have.size() < 2) continue;
    size_t best = 0;
    for (size_t i = 1; i < have.size(); ++i) {
      const double m = finite_mean(have[i].second), m_best = finite_mean(have[best].second);
      if (lower_better ? m < m_best : m > m_best) best = i;
    }
    for (size_t i = 0; i < have.size(); ++i) {
      if (i == best) continue;
      ArchitectureDifference d{name, have[best].first, have[i].first, welch_difference(have[best].second, have[i].second), std::nullopt};
      if (std::isfinite(d.welch.ci.lo) && std::isfinite(d.welch.ci.hi)) d.inside_noise = d.welch.ci.contains(0);
      a.differences.push_back(std::move(d));
    }
  }
  return a;
}

std::string architecture_markdown(const ArchitectureComparison& a) {
  size_t runs = a.runs.size();
  bool several_seeds = false;
  for (const auto& v : a.summary) several_seeds |= v.seeds.size() > 1;
  std::string md = fmt::format(
      "The runs of this study differ in their backbone (`model.backbone`) or DiT block design (`model.conditioning`): "
      "{} architecture{} over {} finished run{}. The depth and width go with the backbone (a sweep sets them per "
      "backbone to match parameter counts), so each variant is named by its architecture. ",
      a.summary.size(), a.summary.size() == 1 ? "" : "s", runs, runs == 1 ? "" : "s");
  md += several_seeds ? "Each row is the mean over the variant's seeds (the seeds column), with the Student-t 95% interval "
                        "over seeds, mean ± t(0.975, k−1)·s/√k, where it has two or more; the curves below are the same "
                        "means at each step, their bands the same intervals. "
                      : "One seed per variant: the figures carry no interval over seeds. ";
  md += fmt::format(
      "Parameters: the trainable backbone parameters the trainer stores (`{}`); training FLOPs per step: `{}` ÷ step "
      "at the last validation row; wall time per step: the run's training-phase seconds (forward, backward and "
      "optimizer step, from its phase timings; no validation or checkpoints) ÷ its steps, or where it has no phase "
      "timings `train.batch_size` ÷ its mean `{}`; final loss: `{}` at the last validation row (EMA weights). ",
      kParametersMetric, kTrainFlopsMetric, kSamplesPerSecondMetric, a.loss_key);
  if (a.setting)
    md += fmt::format("{} and {}: at {}, at each run's last evaluated checkpoint (the checkpoint column). ", a.clip_metric,
                      a.fid_metric, a.setting_label());
  else
    md += fmt::format("No finished run has {} and {} evaluations yet (`rflab eval --sweep FILE`). ", a.clip_metric, a.fid_metric);
  md += std::string(kArchMissing) + ": the runs did not store the figure.\n\n";

  md += fmt::format("| architecture | seeds | depth × width | parameters | training FLOPs / step | wall time / step | final {} | {} | {} | checkpoint |\n"
                    "|---|---|---|---|---|---|---|---|---|---|\n",
                    markdown_cell(a.loss_key), markdown_cell(a.clip_metric), markdown_cell(a.fid_metric));
  for (const auto& v : a.summary) {
    std::string seeds, finals;
    for (int64_t s : v.seeds) seeds += (seeds.empty() ? "" : ", ") + std::to_string(s);
    for (int64_t s : v.final_checkpoints) finals += (finals.empty() ? "" : ", ") + std::to_string(s);
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", markdown_cell(v.variant), seeds, v.shape,
                      v.parameters.k ? arch_si(v.parameters.mean, "") : kArchMissing,
                      v.flops_per_step.k ? arch_si(v.flops_per_step.mean, "FLOP") : kArchMissing, arch_time_cell(v.seconds_per_step),
                      arch_mean_cell(v.final_loss, "{:.4f}"), arch_mean_cell(v.clip, "{:.4f}"), arch_mean_cell(v.fid, "{:.4g}"),
                      finals.empty() ? kArchMissing : finals);
  }

  if (a.several_checkpoints()) {
    md += fmt::format("\n{} and {} at each evaluated checkpoint ({}), mean over the seeds evaluated there{}:\n\n"
                      "| architecture | checkpoint step | seeds | {} | {} |\n|---|---|---|---|---|\n",
                      a.clip_metric, a.fid_metric, a.setting_label(), several_seeds ? " with the 95% interval over seeds" : "",
                      markdown_cell(a.clip_metric), markdown_cell(a.fid_metric));
    for (const auto& v : a.summary)
      for (const auto& c : v.checkpoints)
        md += fmt::format("| {} | {} | {} | {} | {} |\n", markdown_cell(v.variant), c.step, c.clip.k,
                          arch_mean_cell(c.clip, "{:.4f}"), arch_mean_cell(c.fid, "{:.4g}"));
  }

  if (!a.differences.empty()) {
    md += "\nEach architecture against the best on each figure (other − best, Welch's 95% interval over seeds):\n\n";
    for (const auto& d : a.differences) {
      const char* spec = d.figure == a.fid_metric ? "{:.4g}" : "{:.4f}";
      std::string line = fmt::format("- {}: {} − {} = {}", d.figure, d.other, d.best, arch_signed(d.welch.difference, spec));
      if (!d.inside_noise)
        line += ": one seed on a side, so no interval over seeds; the seed noise is unknown.";
      else
        line += fmt::format(" [{}, {}] (p = {:.2g}): {}.", arch_signed(d.welch.ci.lo, spec), arch_signed(d.welch.ci.hi, spec),
                            d.welch.p_value,
                            *d.inside_noise ? "inside the seed noise (the interval holds 0)" : "beyond the seed noise");
      md += line + "\n";
    }
  }
  if (!a.notes.empty()) {
    md += "\nLeft out or incomplete:\n\n";
    for (const auto& n : a.notes) md += "- " + n + "\n";
  }
  return md;
}

}  // namespace rflab::reports
