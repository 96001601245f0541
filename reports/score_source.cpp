#include "reports/score_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "reports/float_constants.h"
#include "results/control_setting.h"
#include "results/error.h"
#include "results/metric_names.h"

namespace rflab::reports {
namespace {


}  // namespace

std::vector<results::EvaluationRow> latest_sampler_evaluations(const results::Store& store, int64_t run_id) {
  auto rows = store.evaluations(run_id);
  int64_t latest = -1;
  for (const auto& e : rows)
    if (results::is_sampler_setting(e.setting)) latest = std::max(latest, e.checkpoint_step);
  std::vector<results::EvaluationRow> out;
  for (auto& e : rows)
    if (results::is_sampler_setting(e.setting) && e.checkpoint_step == latest) out.push_back(std::move(e));
  return out;
}

const std::vector<std::string>& fid_metric_names() {
  static const std::vector<std::string> v = {results::metric::kClipFid, results::metric::kClassifierFd,
                                             results::metric::kInceptionFid};
  return v;
}

const std::vector<std::string>& clip_metric_names() {
  static const std::vector<std::string> v = {results::metric::kClipScore, results::metric::kClipScore100};
  return v;
}

ScoreTable scores_from_store(const results::Store& store, const std::vector<StudyRun>& runs, const ScoreMetrics& m) {
  ScoreTable t;
  t.fid_metric = m.fid;
  t.clip_metric = m.clip;
  t.source = store.path();
  t.variants = variants_of(runs);

  struct Found {
    const StudyRun* run;
    std::vector<results::EvaluationRow> rows;  // sampler settings of the latest checkpoint
  };
  std::vector<Found> evaluated;
  std::vector<const StudyRun*> diverged;
  std::map<int64_t, int> n_count;  // N -> (run, setting) pairs evaluated at it
  for (const auto& r : runs) {
    auto miss = [&](const std::string& why) {
      t.missing.push_back({r.variant, r.seed, r.row ? r.row->id : -1, "all", why});
    };
    if (!r.row) { miss("not started"); continue; }
    switch (r.row->status) {
      case results::RunStatus::diverged: diverged.push_back(&r); continue;
      case results::RunStatus::failed: miss("run failed: " + r.row->error); continue;
      case results::RunStatus::pending: miss("run pending"); continue;
      case results::RunStatus::running: miss("run not finished"); continue;
      case results::RunStatus::done: break;
    }
    Found f{&r, latest_sampler_evaluations(store, r.row->id)};
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& e : f.rows)
      if (e.metric == m.fid && seen.insert({e.setting + "/" + e.weights, std::to_string(e.n)}).second) ++n_count[e.n];
    if (f.rows.empty()) { miss("not evaluated"); continue; }
    evaluated.push_back(std::move(f));
  }
  // The dataset is part of a control setting only when the study spans several.
  std::set<std::string> datasets;
  for (const auto& r : runs) datasets.insert(r.dataset);
  auto dataset_of = [&](const StudyRun& r) { return datasets.size() > 1 ? r.dataset : std::string(); };
  int64_t n = m.n;
  if (n == 0 && !n_count.empty())
    n = std::max_element(n_count.begin(), n_count.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;

  std::set<SettingKey> settings;
  for (const auto& f : evaluated) {
    const StudyRun& r = *f.run;
    struct Point {
      double fid = kNaN, clip = kNaN;
      bool has_fid = false, has_clip = false;  // a stored NaN (diverged) differs from an absent row
      std::string evaluator_hash;
      int64_t step = -1;
    };
    std::map<SettingKey, Point> points;
    std::map<SettingKey, std::set<int64_t>> other_n;
    for (const auto& e : f.rows) {
      if (e.metric != m.fid && e.metric != m.clip) continue;
      const SettingKey key{e.setting, e.weights, dataset_of(r), e.steps, e.cfg};
      if (e.n != n) { other_n[key].insert(e.n); continue; }
      Point& p = points[key];
      p.step = e.checkpoint_step;
      if (e.metric == m.fid) p.fid = e.value, p.has_fid = true, p.evaluator_hash = e.evaluator_hash;
      else p.clip = e.value, p.has_clip = true;
    }
    for (const auto& [key, ns] : other_n)
      if (!points.count(key)) {
        std::string list;
        for (int64_t x : ns) list += (list.empty() ? "" : ", ") + std::to_string(x);
        t.missing.push_back({r.variant, r.seed, r.row->id, key.name(), fmt::format("evaluated at N = {}, not N = {}", list, n)});
      }
    for (const auto& [key, p] : points) {
      if (!p.has_fid || !p.has_clip) {
        t.missing.push_back({r.variant, r.seed, r.row->id, key.name(), "no " + (p.has_fid ? m.clip : m.fid) + " row"});
        continue;
      }
      settings.insert(key);
      Score s{r.variant, r.seed, key, p.fid, p.clip, n, {}};
      s.source = {r.row->id, r.config_hash, r.row->record.provenance.git_commit, p.evaluator_hash,
                  r.row->record.provenance.git_dirty, p.step};
      t.scores.push_back(std::move(s));
    }
  }
  for (const auto* r : diverged)
    for (const auto& key : settings) {
      if (key.dataset != dataset_of(*r)) continue;
      Score s{r->variant, r->seed, key, kNaN, kNaN, n, {}};
      s.source = {r->row->id, r->config_hash, r->row->record.provenance.git_commit, "", r->row->record.provenance.git_dirty, -1};
      t.scores.push_back(std::move(s));
    }
  return t;
}

ScoreTable scores_from_csv(const CsvTable& csv) {
  check_columns(csv, {"variant", "setting", "fid", "clip"}, {"seed", "weights", "dataset", "steps", "cfg", "n"});
  ScoreTable t;
  t.fid_metric = "fid";
  t.clip_metric = "clip";
  t.source = csv.file;
  const int cv = csv.column("variant"), cs = csv.column("setting"), cf = csv.column("fid"), cc = csv.column("clip");
  const int cseed = csv.column("seed"), cw = csv.column("weights"), cd = csv.column("dataset");
  const int csteps = csv.column("steps"), ccfg = csv.column("cfg"), cn = csv.column("n");
  std::map<std::tuple<std::string, int64_t, SettingKey>, size_t> seen;
  for (size_t i = 0; i < csv.rows.size(); ++i) {
    const auto& row = csv.rows[i];
    Score s;
    s.variant = row[static_cast<size_t>(cv)];
    if (s.variant.empty()) csv.fail(i, cv, "a variant name");
    s.setting.sampler = row[static_cast<size_t>(cs)];
    if (s.setting.sampler.empty()) csv.fail(i, cs, "a setting name");
    if (cw >= 0) s.setting.weights = row[static_cast<size_t>(cw)];
    if (cd >= 0) s.setting.dataset = row[static_cast<size_t>(cd)];
    if (const auto* known = results::find_control_setting(s.setting.sampler))
      s.setting.steps = known->steps, s.setting.cfg = known->cfg;
    if (csteps >= 0) {
      s.setting.steps = csv.integer(i, csteps);
      if (s.setting.steps <= 0) csv.fail(i, csteps, "a positive number of sampling steps");
    }
    if (ccfg >= 0) {
      s.setting.cfg = csv.number(i, ccfg);
      if (!std::isfinite(s.setting.cfg)) csv.fail(i, ccfg, "a finite CFG scale");
    }
    s.fid = csv.number(i, cf);
    s.clip = csv.number(i, cc);
    if (cseed >= 0) s.seed = csv.integer(i, cseed);
    if (cn >= 0) {
      s.n = csv.integer(i, cn);
      if (s.n <= 0) csv.fail(i, cn, "a positive number of samples");
    }
    auto [it, fresh] = seen.try_emplace({s.variant, s.seed, s.setting}, i);
    if (!fresh)
      throw UserError(fmt::format("{}, column setting: expected one row per variant, seed and setting, got a repeat of line {}",
                                  csv.fmt_line(i), csv.lines[it->second]));
    if (std::find(t.variants.begin(), t.variants.end(), s.variant) == t.variants.end()) t.variants.push_back(s.variant);
    t.scores.push_back(std::move(s));
  }
  if (t.scores.empty()) throw UserError(csv.file + ": expected at least one row of results, got only the header");
  return t;
}

}  // namespace rflab::reports
