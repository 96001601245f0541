#include "reports/prompt_following.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "reports/markdown_cell.h"
#include "reports/score_source.h"
#include "reports/seed_mean.h"
#include "results/metric_names.h"

namespace rflab::reports {
namespace {

// Which figure of the table a stored metric is: its column (-1 the overall score, else the index
// in geneval_categories()) and whether it is the rate or an end of its interval.
enum class PromptPart { rate, low, high };
struct PromptCellId {
  int column = -1;
  PromptPart part = PromptPart::rate;
};

std::optional<PromptPart> prompt_part_of_suffix(const std::string& suffix) {
  if (suffix.empty()) return PromptPart::rate;
  if (suffix == results::metric::kIntervalLowSuffix) return PromptPart::low;
  if (suffix == results::metric::kIntervalHighSuffix) return PromptPart::high;
  return std::nullopt;
}

// "prompt_score", "prompt/counting/low", ...; nullopt for any other metric (an unknown tag too).
std::optional<PromptCellId> prompt_cell_id(const std::string& metric) {
  const std::string overall = results::metric::kPromptScore, prefix = results::metric::kPromptCategoryPrefix;
  if (metric.rfind(overall, 0) == 0) {
    const auto part = prompt_part_of_suffix(metric.substr(overall.size()));
    if (part) return PromptCellId{-1, *part};
    return std::nullopt;
  }
  if (metric.rfind(prefix, 0) != 0) return std::nullopt;
  const std::string rest = metric.substr(prefix.size());
  const size_t slash = std::min(rest.find('/'), rest.size());
  const auto& tags = geneval_categories();
  const auto tag = std::find(tags.begin(), tags.end(), rest.substr(0, slash));
  const auto part = prompt_part_of_suffix(rest.substr(slash));
  if (tag == tags.end() || !part) return std::nullopt;
  return PromptCellId{static_cast<int>(tag - tags.begin()), *part};
}

bool is_prompt_row(const results::EvaluationRow& e) {
  return e.feature_space == kPromptFeatureSpace && prompt_cell_id(e.metric).has_value();
}

SettingKey prompt_setting_key(const results::EvaluationRow& e) { return {e.setting, e.weights, "", e.steps, e.cfg}; }

// Sorts the preferred reference setting last: EMA, then more steps, then higher CFG; the name
// breaks the remaining ties (the earlier name wins), so the choice never depends on row order.
bool prompt_setting_less(const SettingKey& a, const SettingKey& b) {
  return std::make_tuple(a.weights == "ema", a.steps, a.cfg, b.sampler, b.weights) <
         std::make_tuple(b.weights == "ema", b.steps, b.cfg, a.sampler, a.weights);
}

std::string prompt_setting_label(const SettingKey& k) {
  return fmt::format("{} ({} steps, CFG {:g})", k.name(), k.steps, k.cfg);
}

// One run's row: its prompt figures at `key`.
PromptFollowingRow prompt_run_row(const StudyRun& r, const std::vector<results::EvaluationRow>& rows, const SettingKey& key) {
  PromptFollowingRow out{r.variant, r.seed, 1, r.row->id, prompt_setting_label(key), std::nullopt, {}};
  out.categories.resize(geneval_categories().size());
  // The rate row creates the figure; its interval ends stay NaN when they were not stored.
  for (const auto& e : rows) {
    const auto id = prompt_cell_id(e.metric);
    if (!id || id->part != PromptPart::rate || !is_prompt_row(e) || !(prompt_setting_key(e) == key)) continue;
    auto& cell = id->column < 0 ? out.overall : out.categories[static_cast<size_t>(id->column)];
    cell = PromptRate{e.value, {kNaN, kNaN}, e.n};
  }
  for (const auto& e : rows) {
    const auto id = prompt_cell_id(e.metric);
    if (!id || id->part == PromptPart::rate || !is_prompt_row(e) || !(prompt_setting_key(e) == key)) continue;
    auto& cell = id->column < 0 ? out.overall : out.categories[static_cast<size_t>(id->column)];
    if (cell) (id->part == PromptPart::low ? cell->ci.lo : cell->ci.hi) = e.value;
  }
  return out;
}

// The mean over seeds of one column, with the Student-t interval over seeds clipped to the rates'
// range [0, 1]; a column one seed has alone keeps its mean and gets no interval.
std::optional<PromptRate> prompt_mean_over_seeds(const std::vector<PromptRate>& per_seed) {
  if (per_seed.empty()) return std::nullopt;
  std::vector<double> rates;
  PromptRate out{0, {kNaN, kNaN}, 0};
  for (const auto& p : per_seed) rates.push_back(p.rate), out.n += p.n;
  const SeedMean m = seed_mean(rates);
  out.rate = m.mean;
  if (m.k >= 2) out.ci = {std::max(0.0, m.ci.lo), std::min(1.0, m.ci.hi)};
  return out;
}

// The mean row of a variant's run rows (two or more).
PromptFollowingRow prompt_variant_mean_row(const std::vector<PromptFollowingRow>& runs) {
  PromptFollowingRow out{runs.front().variant, std::nullopt, static_cast<int>(runs.size()), -1, runs.front().setting, {}, {}};
  for (const auto& r : runs)
    if (r.setting != out.setting) out.setting = "per seed";
  auto column = [&](auto pick) {
    std::vector<PromptRate> v;
    for (const auto& r : runs)
      if (const auto& c = pick(r)) v.push_back(*c);
    return prompt_mean_over_seeds(v);
  };
  out.overall = column([](const PromptFollowingRow& r) -> const std::optional<PromptRate>& { return r.overall; });
  for (size_t c = 0; c < geneval_categories().size(); ++c)
    out.categories.push_back(column([c](const PromptFollowingRow& r) -> const std::optional<PromptRate>& { return r.categories[c]; }));
  return out;
}

const char* kPromptFollowingCaption =
    "Prompt following of each run at its latest evaluated checkpoint, with EMA weights (raw where a run has no EMA "
    "evaluation) at the run's sampler setting with the most steps, then the highest CFG scale (named in the setting "
    "column). Percent of prompts whose image satisfies its prompt, 95% interval in brackets. The shapes detector reads "
    "each generated image, one per prompt of the fixed GenEval-style prompt set; per category the rate carries Wilson's "
    "interval, and overall is the mean of the six category rates with the normal interval of a mean of independent "
    "rates. A variant's `mean of k` row is the mean of its k seeds' rates with the Student-t interval over seeds, "
    "mean ± t(0.975, k−1)·s/√k, clipped to [0, 100].";

}  // namespace

const std::vector<std::string>& geneval_categories() {
  static const std::vector<std::string> v = {"single_object", "two_object", "counting", "colors", "position", "color_attr"};
  return v;
}

std::optional<SettingKey> reference_prompt_setting(const std::vector<results::EvaluationRow>& rows) {
  std::optional<SettingKey> best;
  for (const auto& e : rows)
    if (is_prompt_row(e) && (!best || prompt_setting_less(*best, prompt_setting_key(e)))) best = prompt_setting_key(e);
  return best;
}

std::optional<PromptFollowingTable> prompt_following_table(const results::Store& store, const std::vector<StudyRun>& runs) {
  PromptFollowingTable t;
  t.caption = kPromptFollowingCaption;
  for (const auto& variant : variants_of(runs)) {
    std::vector<PromptFollowingRow> rows;
    for (const auto& r : runs) {
      if (r.variant != variant || !r.row) continue;
      const auto evaluations = latest_sampler_evaluations(store, r.row->id);
      if (const auto key = reference_prompt_setting(evaluations)) rows.push_back(prompt_run_row(r, evaluations, *key));
    }
    if (rows.size() >= 2) rows.push_back(prompt_variant_mean_row(rows));
    for (auto& row : rows) t.rows.push_back(std::move(row));
  }
  if (t.rows.empty()) return std::nullopt;
  return t;
}

std::string prompt_rate_cell(const std::optional<PromptRate>& r) {
  if (!r || !std::isfinite(r->rate)) return "-";
  const std::string rate = fmt::format("{:.1f}", 100 * r->rate);
  if (!std::isfinite(r->ci.lo) || !std::isfinite(r->ci.hi)) return rate;
  return fmt::format("{} [{:.1f}, {:.1f}]", rate, 100 * r->ci.lo, 100 * r->ci.hi);
}

std::string prompt_following_markdown(const PromptFollowingTable& t) {
  // Table 5's columns, named as GenEval's categories.
  std::string md = t.caption +
                   "\n\n| variant | seed | setting | overall | single object | two objects | counting | colors | position | "
                   "color attribution |\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : t.rows) {
    md += fmt::format("| {} | {} | {} | {} |", markdown_cell(r.variant), r.seed ? std::to_string(*r.seed) : fmt::format("mean of {}", r.seeds),
                      r.setting, prompt_rate_cell(r.overall));
    for (const auto& c : r.categories) md += " " + prompt_rate_cell(c) + " |";
    md += "\n";
  }
  return md;
}

}  // namespace rflab::reports
