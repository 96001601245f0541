#include "reports/regression_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace rflab::reports {

RegressFormat regress_format_from_string(const std::string& s) {
  if (s == "md") return RegressFormat::md;
  if (s == "junit") return RegressFormat::junit;
  if (s == "json") return RegressFormat::json;
  throw std::invalid_argument("expected md, junit or json, got '" + s + "'");
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += (c < 0x20 && ch != '\n' && ch != '\t') ? '?' : ch;
    }
  }
  return out;
}

std::string subject_cell(const std::string& subject, size_t width) {
  size_t cut = std::min(width, subject.size());
  while (cut > 0 && cut < subject.size() && (static_cast<unsigned char>(subject[cut]) & 0xC0) == 0x80) --cut;
  std::string out;
  for (char c : subject.substr(0, cut)) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return cut < subject.size() ? out + "…" : out;
}

std::string mean_sd(double mean, double sd) {
  if (!std::isfinite(mean)) return "–";
  return fmt::format("{:.4g} ± {:.2g}", mean, sd);
}

namespace {

std::string commit_line(const CanaryFigures& f) {
  const auto& r = f.canary.record;
  return fmt::format("`{}` {} ({} seeds)", short_code_version(r), subject_cell(r.commit_subject), f.seeds.size());
}

std::string difference_cell(const MetricComparison& m) {
  if (m.difference.n_base == 0) return m.verdict == Verdict::unchanged ? "0 (identical)" : "–";
  const auto& d = m.difference;
  if (std::isnan(d.ci.lo)) return fmt::format("{:+.4g}", d.difference);
  return fmt::format("{:+.4g} [{:+.4g}, {:+.4g}]", d.difference, d.ci.lo, d.ci.hi);
}

std::string verdict_cell(Verdict v) {
  switch (v) {
    case Verdict::worse: return "**worse**";
    case Verdict::better: return "better";
    default: return to_string(v);
  }
}

}  // namespace

std::string regression_markdown(const RegressionComparison& c) {
  std::string out = fmt::format("### Canary `{}`: {}\n\n", c.head.canary.record.suite, c.summary());
  out += fmt::format("- base: {}\n- head: {}\n", commit_line(c.base), commit_line(c.head));
  out += fmt::format("- difference = head − base with its {:.0f}% Welch interval over seeds; a verdict of better or worse "
                     "needs the interval to exclude 0 and the difference to reach the minimum effect\n\n",
                     100 * c.options.level);
  out += "| figure | better | base (mean ± SD) | head (mean ± SD) | difference [interval] | min effect | verdict |\n";
  out += "|---|---|---|---|---|---|---|\n";
  for (const auto& m : c.metrics)
    out += fmt::format("| {} | {} | {} | {} | {} | {:.3g} | {} |\n", m.figure.name(), to_string(m.rule.better),
                       mean_sd(m.base_mean, m.base_sd), mean_sd(m.head_mean, m.head_sd), difference_cell(m), m.min_effect,
                       verdict_cell(m.verdict));
  bool any_reason = false;
  for (const auto& m : c.metrics)
    if (m.verdict == Verdict::worse || m.verdict == Verdict::better || m.verdict == Verdict::incomparable) {
      if (!any_reason) out += "\n";
      any_reason = true;
      out += fmt::format("- {} is {}: {}.\n", m.figure.name(), to_string(m.verdict), m.reason);
    }
  if (!c.notes.empty()) {
    out += "\nNotes:\n";
    for (const auto& n : c.notes) out += "- " + n + "\n";
  }
  return out;
}

std::string regression_junit(const RegressionComparison& c) {
  const size_t failures = c.count(Verdict::worse), skipped = c.count(Verdict::incomparable);
  const std::string suite = fmt::format("canary {}: {} vs {}", c.head.canary.record.suite,
                                        short_code_version(c.head.canary.record), short_code_version(c.base.canary.record));
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"rflab regress\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n",
                     c.metrics.size(), failures, skipped);
  out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"0\">\n",
                     xml_escape(suite), c.metrics.size(), failures, skipped);
  out += "    <properties>\n";
  out += fmt::format("      <property name=\"base\" value=\"{}\"/>\n", xml_escape(c.base.canary.record.code_version));
  out += fmt::format("      <property name=\"head\" value=\"{}\"/>\n", xml_escape(c.head.canary.record.code_version));
  out += fmt::format("      <property name=\"verdict\" value=\"{}\"/>\n", xml_escape(c.summary()));
  out += "    </properties>\n";
  for (const auto& m : c.metrics) {
    const std::string detail =
        fmt::format("{}: base {}, head {}, difference {}, minimum effect {:.3g}, {} is better; {}", to_string(m.verdict),
                    mean_sd(m.base_mean, m.base_sd), mean_sd(m.head_mean, m.head_sd), difference_cell(m), m.min_effect,
                    to_string(m.rule.better), m.reason);
    out += fmt::format("    <testcase classname=\"rflab.regress.{}\" name=\"{}\" time=\"0\"", xml_escape(c.head.canary.record.suite),
                       xml_escape(m.figure.name()));
    if (m.verdict == Verdict::worse)
      out += fmt::format(">\n      <failure type=\"regression\" message=\"{}\">{}</failure>\n    </testcase>\n",
                         xml_escape(m.figure.name() + " is worse"), xml_escape(detail));
    else if (m.verdict == Verdict::incomparable)
      out += fmt::format(">\n      <skipped message=\"{}\"/>\n    </testcase>\n", xml_escape(detail));
    else
      out += fmt::format(">\n      <system-out>{}</system-out>\n    </testcase>\n", xml_escape(detail));
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

nlohmann::json regression_json(const RegressionComparison& c) {
  auto side = [](const CanaryFigures& f) {
    const auto& r = f.canary.record;
    return nlohmann::json{{"commit", r.git_commit}, {"dirty", r.git_dirty}, {"code_version", r.code_version},
                          {"subject", r.commit_subject}, {"canary_id", f.canary.id}, {"seeds", f.seeds},
                          {"problems", f.problems}};
  };
  auto values = [](const std::vector<double>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (double x : v) a.push_back(std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr));
    return a;
  };
  nlohmann::json metrics = nlohmann::json::array();
  for (const auto& m : c.metrics) {
    nlohmann::json j{{"figure", m.figure.name()}, {"metric", m.figure.metric}, {"setting", m.figure.setting},
                     {"weights", m.figure.weights}, {"n", m.figure.n}, {"better", to_string(m.rule.better)},
                     {"base", values(m.base)}, {"head", values(m.head)}, {"min_effect", m.min_effect},
                     {"verdict", to_string(m.verdict)}, {"reason", m.reason}};
    if (m.difference.n_base > 0) {
      const auto& d = m.difference;
      j["difference"] = {{"value", d.difference}, {"se", d.se}, {"df", std::isfinite(d.df) ? nlohmann::json(d.df) : nullptr},
                         {"ci", {std::isfinite(d.ci.lo) ? nlohmann::json(d.ci.lo) : nullptr,
                                 std::isfinite(d.ci.hi) ? nlohmann::json(d.ci.hi) : nullptr}},
                         {"level", d.level}, {"p_value", std::isfinite(d.p_value) ? nlohmann::json(d.p_value) : nullptr}};
    }
    metrics.push_back(std::move(j));
  }
  return {{"suite", c.head.canary.record.suite}, {"base", side(c.base)}, {"head", side(c.head)},
          {"regressed", c.regressed()}, {"summary", c.summary()}, {"metrics", metrics}, {"notes", c.notes}};
}

std::string render(RegressFormat f, const RegressionComparison& c) {
  switch (f) {
    case RegressFormat::md: return regression_markdown(c);
    case RegressFormat::junit: return regression_junit(c);
    case RegressFormat::json: return regression_json(c).dump(2) + "\n";
  }
  return "";
}

}  // namespace rflab::reports
