#include "reports/regression.h"

#include <fmt/format.h>

#include <cmath>
#include <algorithm>
#include <set>
#include <tuple>

namespace rflab::reports {

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::better: return "better";
    case Verdict::worse: return "worse";
    case Verdict::unchanged: return "unchanged";
    case Verdict::numerics_only: return "numerics-only";
    case Verdict::incomparable: return "incomparable";
  }
  return "?";
}

double finite_mean(const std::vector<double>& v) {
  double s = 0;
  int n = 0;
  for (double x : v)
    if (std::isfinite(x)) s += x, ++n;
  return n ? s / n : std::nan("");
}

double finite_sd(const std::vector<double>& v) {
  const double m = finite_mean(v);
  double s = 0;
  int n = 0;
  for (double x : v)
    if (std::isfinite(x)) s += (x - m) * (x - m), ++n;
  return n > 1 ? std::sqrt(s / (n - 1)) : 0.0;
}

namespace {

bool bit_identical(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i]) && !(std::isnan(a[i]) && std::isnan(b[i]))) return false;
  return true;
}

std::vector<double> finite(const std::vector<double>& v) {
  std::vector<double> out;
  for (double x : v)
    if (std::isfinite(x)) out.push_back(x);
  return out;
}

MetricComparison compare_metric(const CanaryFigure& figure, const RegressionRule& rule, const std::vector<double>& base,
                                const std::vector<double>& head, bool same_seeds, const RegressionOptions& o) {
  MetricComparison m;
  m.figure = figure;
  m.rule = rule;
  m.base = base;
  m.head = head;
  m.base_mean = finite_mean(base);
  m.head_mean = finite_mean(head);
  m.base_sd = finite_sd(base);
  m.head_sd = finite_sd(head);
  m.min_effect = min_effect(rule, m.base_mean, o.min_effect_scale);
  const auto fb = finite(base), fh = finite(head);
  if (same_seeds && bit_identical(base, head)) {
    m.verdict = Verdict::unchanged;
    m.reason = "every seed's figure is identical at both commits";
    return m;
  }
  if (fh.size() < head.size() && fb.size() == base.size()) {
    m.verdict = Verdict::worse;
    m.reason = fmt::format("{} of {} head runs gave no finite figure (diverged or not evaluated)",
                           head.size() - fh.size(), head.size());
    return m;
  }
  if (fb.size() < 2 || fh.size() < 2) {
    m.verdict = Verdict::incomparable;
    m.reason = fmt::format("needs 2 finite seeds at each commit, has {} at base and {} at head", fb.size(), fh.size());
    return m;
  }
  m.difference = welch_difference(fb, fh, o.level);
  const double d = m.difference.difference;
  const bool significant = !m.difference.ci.contains(0.0);
  const bool large = std::abs(d) >= m.min_effect;
  const bool improved = rule.better == Better::lower ? d < 0 : d > 0;
  if (significant && large) {
    m.verdict = improved ? Verdict::better : Verdict::worse;
    m.reason = fmt::format("the {:.0f}% interval excludes 0 and |difference| {:.4g} reaches the minimum effect {:.4g}",
                           100 * o.level, std::abs(d), m.min_effect);
  } else {
    m.verdict = Verdict::numerics_only;
    m.reason = significant ? fmt::format("the difference {:.4g} is below the minimum effect {:.4g}", std::abs(d), m.min_effect)
                           : fmt::format("the {:.0f}% interval holds 0: inside the seed noise", 100 * o.level);
  }
  return m;
}

}  // namespace

bool RegressionComparison::regressed() const { return count(Verdict::worse) > 0; }

size_t RegressionComparison::count(Verdict v) const {
  size_t n = 0;
  for (const auto& m : metrics) n += m.verdict == v;
  return n;
}

std::string RegressionComparison::summary() const {
  std::vector<std::string> worse;
  for (const auto& m : metrics)
    if (m.verdict == Verdict::worse) worse.push_back(m.figure.name());
  std::vector<std::string> counts;
  for (auto v : {Verdict::worse, Verdict::better, Verdict::numerics_only, Verdict::unchanged, Verdict::incomparable})
    if (count(v)) counts.push_back(fmt::format("{} {}", count(v), to_string(v)));
  const std::string tally = fmt::format("{}", fmt::join(counts, ", "));
  if (!worse.empty()) return fmt::format("REGRESSION in {} ({})", fmt::join(worse, ", "), tally);
  return fmt::format("no regression ({})", tally.empty() ? "no figures" : tally);
}

RegressionComparison compare_canaries(const CanaryFigures& base, const CanaryFigures& head, const RegressionOptions& o) {
  RegressionComparison out;
  out.base = base;
  out.head = head;
  out.options = o;
  for (const auto& p : base.problems) out.notes.push_back("base: " + p);
  for (const auto& p : head.problems) out.notes.push_back("head: " + p);
  const bool same_seeds = base.seeds == head.seeds;
  if (!same_seeds)
    out.notes.push_back(fmt::format("the commits ran different seeds (base {}, head {}): figures are compared as "
                                    "distributions, never as identical",
                                    fmt::join(base.seeds, ","), fmt::join(head.seeds, ",")));
  // Figures keyed without N, so that a change of N is reported rather than silently split.
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  auto key = [](const CanaryFigure& f) { return std::make_tuple(f.setting, f.weights, f.metric); };
  auto find = [&key](const CanaryFigures& c, const CanaryFigure& f) -> const std::pair<const CanaryFigure, std::vector<double>>* {
    for (const auto& kv : c.values)
      if (key(kv.first) == key(f)) return &kv;
    return nullptr;
  };
  std::vector<CanaryFigure> order;
  for (const auto* side : {&base, &head})
    for (const auto& kv : side->values)
      if (seen.insert(key(kv.first)).second) order.push_back(kv.first);
  std::sort(order.begin(), order.end());
  for (const auto& f : order) {
    const RegressionRule* rule = regression_rule(f.metric);
    if (!rule) continue;
    const auto* b = find(base, f);
    const auto* h = find(head, f);
    if (b && h && b->first.n == h->first.n) {
      out.metrics.push_back(compare_metric(f, *rule, b->second, h->second, same_seeds, o));
      continue;
    }
    MetricComparison m;
    m.figure = f;
    m.rule = *rule;
    if (b) m.base = b->second, m.base_mean = finite_mean(b->second), m.base_sd = finite_sd(b->second);
    if (h) m.head = h->second, m.head_mean = finite_mean(h->second), m.head_sd = finite_sd(h->second);
    m.verdict = Verdict::incomparable;
    m.reason = !b ? "not measured at base" : !h ? "not measured at head"
                  : fmt::format("measured at N = {} at base and N = {} at head", b->first.n, h->first.n);
    out.metrics.push_back(std::move(m));
  }
  return out;
}

}  // namespace rflab::reports
