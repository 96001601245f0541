#include "reports/rank_format.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

namespace rflab::reports {
namespace {

std::string num(double v, const char* spec = "{:.2f}") {
  return std::isfinite(v) ? fmt::format(fmt::runtime(spec), v) : (std::isnan(v) ? "-" : (v > 0 ? "inf" : "-inf"));
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// A Markdown table cell must not break the row: pipes are escaped.
std::string md(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

nlohmann::json finite_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

TextFormat text_format_from_string(const std::string& s) {
  if (s == "md") return TextFormat::md;
  if (s == "csv") return TextFormat::csv;
  if (s == "json") return TextFormat::json;
  throw std::invalid_argument("expected md, csv or json, got '" + s + "'");
}

std::string sample_counts(const ScoreTable& table) {
  std::set<int64_t> ns;
  for (const auto& s : table.scores) ns.insert(s.n);
  std::string out;
  for (int64_t n : ns) out += (out.empty() ? "" : ", ") + (n > 0 ? std::to_string(n) : std::string("unknown"));
  return "N = " + out + (ns.size() > 1 ? " (mixed: FID is biased at small N, so these settings are not comparable)" : "");
}

std::string sample_counts_short(const ScoreTable& table) {
  std::set<int64_t> ns;
  for (const auto& s : table.scores) ns.insert(s.n);
  if (ns.size() != 1) return "N mixed";
  return *ns.begin() > 0 ? "N = " + std::to_string(*ns.begin()) : "N unknown";
}

std::string ranking_summary(const ScoreTable& table, const Ranking& r) {
  return fmt::format(
      "{} variants ranked by non-dominated sorting of ({} up, {} down) within each of {} control settings × {} seed{} "
      "({}; source {}). Ranks are mean front indices, lower is better; \"50 steps\" is w = 5.0 (SPEC §6, D15).",
      r.variants.size(), table.clip_metric, table.fid_metric, r.settings.size(), r.seeds.size(),
      r.seeds.size() == 1 ? "" : "s", sample_counts(table), table.source);
}

std::string rank_cell(const VariantRanks& v, size_t c, bool with_interval) {
  if (std::isnan(v.mean[c])) return "-";
  if (!with_interval) return num(v.mean[c]);
  return fmt::format("{} [{}, {}]", num(v.mean[c]), num(v.interval[c].lo), num(v.interval[c].hi));
}

std::string table1_markdown(const Ranking& r) {
  const bool intervals = !r.interval_source.empty();
  std::string out = "| variant |";
  for (const auto& c : r.columns) out += " " + c + " |";
  out += "\n|---|";
  for (size_t c = 0; c < r.columns.size(); ++c) out += "---|";
  out += "\n";
  for (size_t v : r.order) {
    out += "| " + md(r.variants[v].variant) + " |";
    for (size_t c = 0; c < r.columns.size(); ++c) out += " " + rank_cell(r.variants[v], c, intervals) + " |";
    out += "\n";
  }
  return out;
}

std::string table2_markdown(const ScoreTable& table, const Ranking& r) {
  // (dataset, weights) -> variant -> (sum clip, sum fid, count) over seeds at 25 steps.
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::array<double, 3>>> cells;
  for (const auto& s : table.scores)
    if (s.setting.steps == 25) {
      auto& c = cells[{s.setting.dataset, s.setting.weights}][s.variant];
      c[0] += s.clip, c[1] += s.fid, c[2] += 1;
    }
  if (cells.empty()) return "";
  std::string out = "| variant |";
  for (const auto& [key, _] : cells) {
    std::string group = key.first;
    if (!key.second.empty()) group += (group.empty() ? "" : " ") + key.second;
    out += " " + (group.empty() ? "" : group + " ") + "CLIP | " + (group.empty() ? "" : group + " ") + "FID |";
  }
  out += "\n|---|";
  for (size_t k = 0; k < cells.size(); ++k) out += "---|---|";
  out += "\n";
  for (size_t v : r.order) {
    const std::string& name = r.variants[v].variant;
    out += "| " + md(name) + " |";
    for (const auto& [key, byv] : cells) {
      auto it = byv.find(name);
      if (it == byv.end()) out += " - | - |";
      else out += " " + num(it->second[0] / it->second[2], "{:.4f}") + " | " + num(it->second[1] / it->second[2], "{:.2f}") + " |";
    }
    out += "\n";
  }
  return out;
}

std::string missing_markdown(const Ranking& r) {
  if (r.missing.empty()) return "No evaluation is missing.\n";
  std::string out = fmt::format("{} evaluation{} missing:\n\n", r.missing.size(), r.missing.size() == 1 ? " is" : "s are");
  out += "| variant | seed | run | setting | why |\n|---|---|---|---|---|\n";
  for (const auto& m : r.missing)
    out += fmt::format("| {} | {} | {} | {} | {} |\n", md(m.variant), m.seed, m.run_id < 0 ? std::string("-") : std::to_string(m.run_id),
                       md(m.setting), md(m.reason));
  return out;
}

std::string ranking_markdown(const ScoreTable& table, const Ranking& r) {
  std::string out = ranking_summary(table, r) + "\n\n" + table1_markdown(r) + "\n" + r.verdict + "\n";
  for (const auto& n : r.notes) out += "\n" + n + "\n";
  if (!r.interval_source.empty())
    out += fmt::format("\nIntervals: {}% percentile bootstrap {} ({} resamples).\n", static_cast<int>(std::lround(r.level * 100)),
                       r.interval_source, r.resamples);
  if (r.seeds.size() > 1) {
    out += "\nR_all per seed:\n\n| variant |";
    for (int64_t s : r.seeds) out += fmt::format(" seed {} |", s);
    out += "\n|---|";
    for (size_t k = 0; k < r.seeds.size(); ++k) out += "---|";
    out += "\n";
    for (size_t v : r.order) {
      out += "| " + md(r.variants[v].variant) + " |";
      for (double x : r.variants[v].per_seed[0]) out += " " + num(x) + " |";
      out += "\n";
    }
  }
  const std::string t2 = table2_markdown(table, r);
  if (!t2.empty()) out += "\nAt 25 steps (mean over seeds; the paper's Table 2 layout):\n\n" + t2;
  out += "\n" + missing_markdown(r);
  return out;
}

std::string ranking_csv(const Ranking& r) {
  std::string out = "variant";
  for (const auto& c : r.columns) out += "," + csv_field(c) + "," + csv_field(c + " lo") + "," + csv_field(c + " hi");
  out += "\n";
  for (size_t v : r.order) {
    const auto& vr = r.variants[v];
    out += csv_field(vr.variant);
    for (size_t c = 0; c < r.columns.size(); ++c)
      out += "," + num(vr.mean[c], "{:.6g}") + "," + num(vr.interval[c].lo, "{:.6g}") + "," + num(vr.interval[c].hi, "{:.6g}");
    out += "\n";
  }
  return out;
}

nlohmann::json ranking_json(const ScoreTable& table, const Ranking& r) {
  nlohmann::json j;
  j["fid_metric"] = table.fid_metric;
  j["clip_metric"] = table.clip_metric;
  j["samples"] = sample_counts(table);
  j["source"] = table.source;
  j["columns"] = r.columns;
  j["seeds"] = r.seeds;
  j["level"] = r.level;
  j["resamples"] = r.resamples;
  j["interval_source"] = r.interval_source;
  j["verdict"] = r.verdict;
  j["leaders_overlap"] = r.leaders_overlap;
  j["settings"] = nlohmann::json::array();
  for (const auto& f : r.fronts) {
    nlohmann::json fronts = nlohmann::json::object();
    for (size_t v = 0; v < f.front.size(); ++v)
      if (f.front[v] > 0) fronts[r.variants[v].variant] = f.front[v];
    j["settings"].push_back({{"setting", f.setting.name()}, {"steps", f.setting.steps}, {"cfg", f.setting.cfg},
                             {"seed", f.seed}, {"fronts", fronts}});
  }
  j["variants"] = nlohmann::json::array();
  for (size_t v : r.order) {
    const auto& vr = r.variants[v];
    nlohmann::json ranks = nlohmann::json::object();
    for (size_t c = 0; c < r.columns.size(); ++c) {
      nlohmann::json per_seed = nlohmann::json::array();
      for (double x : vr.per_seed[c]) per_seed.push_back(finite_or_null(x));
      ranks[r.columns[c]] = {{"mean", finite_or_null(vr.mean[c])},
                             {"interval", {finite_or_null(vr.interval[c].lo), finite_or_null(vr.interval[c].hi)}},
                             {"per_seed", per_seed}};
    }
    j["variants"].push_back({{"variant", vr.variant}, {"ranks", ranks}});
  }
  j["missing"] = nlohmann::json::array();
  for (const auto& m : r.missing)
    j["missing"].push_back({{"variant", m.variant}, {"seed", m.seed}, {"run_id", m.run_id}, {"setting", m.setting}, {"reason", m.reason}});
  return j;
}

std::string render(TextFormat f, const ScoreTable& table, const Ranking& r) {
  switch (f) {
    case TextFormat::md: return ranking_markdown(table, r);
    case TextFormat::csv: return ranking_csv(r);
    case TextFormat::json: return ranking_json(table, r).dump(2) + "\n";
  }
  throw std::logic_error("render: format out of range");
}

}  // namespace rflab::reports
