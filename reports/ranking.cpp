#include "reports/ranking.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

#include "reports/float_constants.h"
#include "reports/non_dominated_sort.h"

namespace rflab::reports {
namespace {

double mean_of_finite(const std::vector<double>& v) {
  double sum = 0;
  int n = 0;
  for (double x : v)
    if (!std::isnan(x)) sum += x, ++n;
  return n ? sum / n : kNaN;
}

std::string steps_name(int64_t steps) { return fmt::format("{} steps", steps); }

// Distinct values of one part of the settings, in their natural order.
template <class T, class F>
std::vector<T> distinct(const ScoreTable& t, F part) {
  std::set<T> s;
  for (const auto& x : t.scores) s.insert(part(x.setting));
  return {s.begin(), s.end()};
}

// Mean front per [variant][column][seed] (NaN where the variant has no point), and the fronts of
// every (setting, seed) when `fronts` is given. One function serves the ranking and each of its
// bootstrap draws, so a draw is ranked exactly as the data are.
using SeedRanks = std::vector<std::vector<std::vector<double>>>;
SeedRanks seed_ranks(const ScoreTable& table, const std::map<std::string, size_t>& variant_index,
                     const std::vector<SettingKey>& settings, const std::vector<int64_t>& seeds,
                     const std::vector<RankColumn>& columns, std::vector<SettingFronts>* fronts) {
  const size_t V = table.variants.size(), C = columns.size(), S = seeds.size();
  std::map<std::pair<SettingKey, int64_t>, std::map<size_t, ParetoPoint>> cells;
  for (const auto& s : table.scores) cells[{s.setting, s.seed}][variant_index.at(s.variant)] = {s.clip, s.fid};
  SeedRanks sum(V, std::vector<std::vector<double>>(C, std::vector<double>(S, 0)));
  auto count = sum;
  for (const auto& setting : settings)
    for (size_t si = 0; si < S; ++si) {
      auto it = cells.find({setting, seeds[si]});
      if (it == cells.end()) continue;
      std::vector<size_t> who;
      std::vector<ParetoPoint> pts;
      for (const auto& [v, p] : it->second) who.push_back(v), pts.push_back(p);
      const auto front = non_dominated_sort(pts);
      SettingFronts sf{setting, seeds[si], std::vector<int>(V, 0)};
      for (size_t k = 0; k < who.size(); ++k) {
        sf.front[who[k]] = front[k];
        for (size_t c = 0; c < C; ++c)
          if (columns[c].includes(setting)) sum[who[k]][c][si] += front[k], count[who[k]][c][si] += 1;
      }
      if (fronts) fronts->push_back(std::move(sf));
    }
  for (size_t v = 0; v < V; ++v)
    for (size_t c = 0; c < C; ++c)
      for (size_t si = 0; si < S; ++si) sum[v][c][si] = count[v][c][si] > 0 ? sum[v][c][si] / count[v][c][si] : kNaN;
  return sum;
}

}  // namespace

std::string SettingKey::name() const {
  std::string out = sampler;
  for (const auto* part : {&weights, &dataset})
    if (!part->empty()) out += (out.empty() ? "" : " ") + *part;
  return out;
}

// Settings read in sampling order within a dataset and weights kind: fewer steps first, then CFG.
bool SettingKey::operator<(const SettingKey& o) const {
  return std::tie(dataset, weights, steps, cfg, sampler) < std::tie(o.dataset, o.weights, o.steps, o.cfg, o.sampler);
}

bool SettingKey::operator==(const SettingKey& o) const {
  return std::tie(dataset, weights, sampler, steps, cfg) == std::tie(o.dataset, o.weights, o.sampler, o.steps, o.cfg);
}

RankBy rank_by_from_string(const std::string& s) {
  if (s == "all") return RankBy::all;
  if (s == "steps") return RankBy::steps;
  if (s == "weights") return RankBy::weights;
  if (s == "dataset") return RankBy::dataset;
  throw std::invalid_argument("expected all, steps, weights or dataset, got '" + s + "'");
}

std::vector<RankColumn> rank_columns(RankBy by, const ScoreTable& table) {
  std::vector<RankColumn> cols = {{"all", [](const SettingKey&) { return true; }}};
  switch (by) {
    case RankBy::all:
      cols.push_back({"5 steps", [](const SettingKey& s) { return s.steps == 5; }});
      cols.push_back({"50 steps", [](const SettingKey& s) { return s.steps == 50 && s.cfg == 5.0; }});
      cols.push_back({"50 steps, all CFG", [](const SettingKey& s) { return s.steps == 50; }});
      break;
    case RankBy::steps:
      for (int64_t n : distinct<int64_t>(table, [](const SettingKey& s) { return s.steps; }))
        cols.push_back({steps_name(n), [n](const SettingKey& s) { return s.steps == n; }});
      break;
    case RankBy::weights:
      for (const auto& w : distinct<std::string>(table, [](const SettingKey& s) { return s.weights; }))
        cols.push_back({w.empty() ? "weights unset" : w, [w](const SettingKey& s) { return s.weights == w; }});
      break;
    case RankBy::dataset:
      for (const auto& d : distinct<std::string>(table, [](const SettingKey& s) { return s.dataset; }))
        cols.push_back({d.empty() ? "dataset unset" : d, [d](const SettingKey& s) { return s.dataset == d; }});
      break;
  }
  return cols;
}

Ranking rank_variants(const ScoreTable& table, const RankOptions& options) {
  if (table.scores.empty()) throw std::invalid_argument("no evaluated points to rank");
  Ranking r;
  r.level = options.level;
  const size_t V = table.variants.size();
  std::map<std::string, size_t> variant_index;
  for (size_t v = 0; v < V; ++v) variant_index[table.variants[v]] = v;

  // (setting, seed) -> variant -> point
  std::map<std::pair<SettingKey, int64_t>, std::map<size_t, ParetoPoint>> cells;
  std::set<SettingKey> settings;
  std::set<int64_t> seeds;
  for (const auto& s : table.scores) {
    auto it = variant_index.find(s.variant);
    if (it == variant_index.end()) throw std::invalid_argument("score of variant '" + s.variant + "' outside the ranking set");
    auto& cell = cells[{s.setting, s.seed}];
    if (!cell.emplace(it->second, ParetoPoint{s.clip, s.fid}).second)
      throw std::invalid_argument(fmt::format("two points for variant '{}', seed {}, setting {}", s.variant, s.seed,
                                              s.setting.name()));
    settings.insert(s.setting);
    seeds.insert(s.seed);
  }
  r.settings.assign(settings.begin(), settings.end());
  r.seeds.assign(seeds.begin(), seeds.end());
  const size_t S = r.seeds.size();

  // Missing: every (variant, seed, setting) without a point, unless the source already said why.
  r.missing = table.missing;
  std::set<std::tuple<std::string, int64_t, std::string>> said;
  for (const auto& m : table.missing) said.insert({m.variant, m.seed, m.setting});
  for (const auto& [key, cell] : cells)
    for (size_t v = 0; v < V; ++v)
      if (!cell.count(v) && !said.count({table.variants[v], key.second, key.first.name()}) &&
          !said.count({table.variants[v], key.second, "all"}))
        r.missing.push_back({table.variants[v], key.second, -1, key.first.name(), "no evaluation"});

  const auto columns = rank_columns(options.by, table);
  for (const auto& c : columns) r.columns.push_back(c.name);
  const size_t C = columns.size();

  r.variants.resize(V);
  const SeedRanks ranks = seed_ranks(table, variant_index, r.settings, r.seeds, columns, &r.fronts);
  for (const auto& f : r.fronts)
    for (size_t v = 0; v < V; ++v) r.variants[v].settings_ranked += f.front[v] > 0;
  for (size_t v = 0; v < V; ++v) {
    auto& vr = r.variants[v];
    vr.variant = table.variants[v];
    vr.per_seed = ranks[v];
    for (size_t c = 0; c < C; ++c) vr.mean.push_back(mean_of_finite(vr.per_seed[c]));
  }

  // Bootstrap: one draw of seeds serves every variant (the seeds are paired, D26), and with a
  // sample resampler one draw of evaluation samples serves every point (sample i has caption i
  // and noise i everywhere, D9); each draw is ranked afresh.
  std::vector<std::vector<std::vector<double>>> draws(V, std::vector<std::vector<double>>(C));
  const bool over_samples = static_cast<bool>(options.resample_scores);
  if (S > 1 || over_samples) {
    r.resamples = options.resamples;
    Resampler rng(options.seed);
    std::vector<double> picked(S);
    for (int b = 0; b < options.resamples; ++b) {
      const SeedRanks drawn =
          over_samples ? seed_ranks(options.resample_scores(rng), variant_index, r.settings, r.seeds, columns, nullptr) : ranks;
      const auto idx = S > 1 ? rng.resample(S) : std::vector<size_t>{0};
      for (size_t v = 0; v < V; ++v)
        for (size_t c = 0; c < C; ++c) {
          for (size_t k = 0; k < S; ++k) picked[k] = drawn[v][c][idx[k]];
          const double m = mean_of_finite(picked);
          if (!std::isnan(m)) draws[v][c].push_back(m);
        }
    }
  }
  for (size_t v = 0; v < V; ++v)
    for (size_t c = 0; c < C; ++c) {
      const double m = r.variants[v].mean[c];
      r.variants[v].interval.push_back(draws[v][c].empty() ? Interval{m, m}
                                                           : percentile_interval(draws[v][c], options.level));
    }

  r.order.resize(V);
  for (size_t v = 0; v < V; ++v) r.order[v] = v;
  std::stable_sort(r.order.begin(), r.order.end(), [&](size_t a, size_t b) {
    const double x = r.variants[a].mean[0], y = r.variants[b].mean[0];
    if (std::isnan(x) || std::isnan(y)) return !std::isnan(x) && std::isnan(y);
    return x < y;
  });

  const auto& lead = r.variants[r.order.front()];
  const int pct = static_cast<int>(std::lround(options.level * 100));
  r.interval_source = S > 1 && over_samples ? fmt::format("over {} seeds and the evaluation samples", S)
                      : S > 1                 ? fmt::format("over {} seeds", S)
                      : over_samples          ? std::string("over the evaluation samples")
                                              : std::string();
  if (r.interval_source.empty()) {
    r.verdict =
        "One seed per variant and no per-sample figures stored: the ranks have no interval, so an order that rests "
        "on a fraction of a front is not evidence; train two or more seeds (or re-evaluate to store per-sample "
        "figures) to resolve it.";
    r.leaders_overlap = true;
  } else {
    std::vector<std::string> overlapping;
    for (size_t k = 1; k < r.order.size(); ++k) {
      const auto& o = r.variants[r.order[k]];
      if (!std::isnan(o.mean[0]) && o.interval[0].overlaps(lead.interval[0])) overlapping.push_back(o.variant);
    }
    r.leaders_overlap = !overlapping.empty();
    std::string names;
    for (size_t k = 0; k < overlapping.size(); ++k)
      names += (k ? (k + 1 == overlapping.size() ? " and " : ", ") : "") + overlapping[k];
    r.verdict = overlapping.empty()
                    ? fmt::format("{} leads: its {}% interval of R_all {} ({:.2f}–{:.2f}) is clear of every "
                                  "other variant's.",
                                  lead.variant, pct, r.interval_source, lead.interval[0].lo, lead.interval[0].hi)
                    : fmt::format("The {}% intervals of R_all {} of {} ({:.2f}–{:.2f}) and {} overlap: "
                                  "their order is inside the noise.",
                                  pct, r.interval_source, lead.variant, lead.interval[0].lo, lead.interval[0].hi, names);
  }
  return r;
}

}  // namespace rflab::reports
