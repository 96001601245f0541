#include "reports/report.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <set>

#include "reports/markdown_cell.h"
#include "reports/rank_format.h"
#include "results/atomic_file.h"
#include "results/error.h"

namespace rflab::reports {
namespace fs = std::filesystem;
namespace {

struct Block {
  enum class Kind { text, figure, gallery } kind = Kind::text;
  std::string markdown;          // text
  NamedFigure figure;            // figure
  std::string title;             // gallery
  std::vector<SampleImage> images;
};

Block text(std::string md) { return {Block::Kind::text, std::move(md), {}, "", {}}; }

std::string escape_html(const std::string& s) {
  std::string out;
  for (char c : s) switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  return out;
}

// Inline Markdown of escaped text: `code`, **bold** and [links](target) (a target without spaces).
std::string inline_escaped(const std::string& e) {
  std::string out;
  bool code = false, bold = false;
  for (size_t i = 0; i < e.size(); ++i) {
    if (e[i] == '`') { out += code ? "</code>" : "<code>"; code = !code; continue; }
    if (!code && e.compare(i, 2, "**") == 0) { out += bold ? "</strong>" : "<strong>"; bold = !bold; ++i; continue; }
    if (!code && e[i] == '[') {
      const size_t mid = e.find("](", i), close = mid == std::string::npos ? mid : e.find(')', mid);
      if (close != std::string::npos && e.find_first_of(" \n", mid) > close) {
        out += "<a href=\"" + e.substr(mid + 2, close - mid - 2) + "\">" + inline_escaped(e.substr(i + 1, mid - i - 1)) + "</a>";
        i = close;
        continue;
      }
    }
    out += e[i];
  }
  if (code) out += "</code>";
  if (bold) out += "</strong>";
  return out;
}

std::string inline_html(const std::string& s) { return inline_escaped(escape_html(s)); }

std::vector<std::string> table_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cur;
  for (size_t i = 1; i < line.size(); ++i) {  // skip the leading pipe
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') { cur += '|'; ++i; continue; }
    if (line[i] == '|') {
      size_t a = cur.find_first_not_of(' '), b = cur.find_last_not_of(' ');
      cells.push_back(a == std::string::npos ? "" : cur.substr(a, b - a + 1));
      cur.clear();
      continue;
    }
    cur += line[i];
  }
  return cells;
}

std::string now_utc() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

const char* kStyle = R"css(
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f2f2f2; }
figure { display: inline-block; margin: 0.5em; vertical-align: top; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #555; max-width: 640px; }
.gallery img { image-rendering: pixelated; width: 320px; }
code { background: #f5f5f5; padding: 0 0.2em; }
)css";

}  // namespace

std::string base64(const std::string& bytes) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const uint32_t b0 = static_cast<unsigned char>(bytes[i]);
    const uint32_t b1 = i + 1 < bytes.size() ? static_cast<unsigned char>(bytes[i + 1]) : 0;
    const uint32_t b2 = i + 2 < bytes.size() ? static_cast<unsigned char>(bytes[i + 2]) : 0;
    const uint32_t v = (b0 << 16) | (b1 << 8) | b2;
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? k[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? k[v & 63] : '=';
  }
  return out;
}

std::string markdown_to_html(const std::string& md) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= md.size()) {
    size_t end = md.find('\n', start);
    if (end == std::string::npos) end = md.size();
    lines.push_back(md.substr(start, end - start));
    start = end + 1;
  }
  std::string out, para;
  auto flush = [&] {
    if (!para.empty()) out += "<p>" + inline_html(para) + "</p>\n";
    para.clear();
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.empty()) { flush(); continue; }
    if (l[0] == '#') {
      flush();
      size_t level = l.find_first_not_of('#');
      out += fmt::format("<h{0}>{1}</h{0}>\n", level, inline_html(l.substr(std::min(level + 1, l.size()))));
      continue;
    }
    if (l[0] == '|') {
      flush();
      out += "<table>\n";
      bool header = true;
      for (; i < lines.size() && !lines[i].empty() && lines[i][0] == '|'; ++i) {
        if (lines[i].rfind("|---", 0) == 0) continue;
        out += "<tr>";
        for (const auto& c : table_cells(lines[i])) out += (header ? "<th>" : "<td>") + inline_html(c) + (header ? "</th>" : "</td>");
        out += "</tr>\n";
        header = false;
      }
      --i;
      out += "</table>\n";
      continue;
    }
    if (l.rfind("- ", 0) == 0) {
      flush();
      out += "<ul>\n";
      for (; i < lines.size() && lines[i].rfind("- ", 0) == 0; ++i) out += "<li>" + inline_html(lines[i].substr(2)) + "</li>\n";
      --i;
      out += "</ul>\n";
      continue;
    }
    para += (para.empty() ? "" : " ") + l;
  }
  flush();
  return out;
}

std::vector<RunSummary> run_summaries(const results::Store& store, const std::vector<StudyRun>& runs, const std::string& key) {
  std::vector<RunSummary> out;
  for (const auto& r : runs) {
    RunSummary s;
    s.variant = r.variant;
    s.seed = r.seed;
    s.config_hash = r.config_hash;
    s.validation = {r.variant, r.seed, {}};
    if (!r.row) {
      s.status = "not started";
      out.push_back(std::move(s));
      continue;
    }
    s.run_id = r.row->id;
    s.status = results::to_string(r.row->status);
    s.error = r.row->error;
    s.provenance = r.row->record.provenance;
    for (const auto& m : store.metrics(r.row->id, key)) s.validation.points.push_back({static_cast<double>(m.step), m.value});
    for (const auto& a : store.artifacts(r.row->id)) {
      const std::string name = fs::path(a.path).stem().string();
      if (a.kind == "eval_grid") {
        // eval-<setting>-<weights>
        std::string caption = name.rfind("eval-", 0) == 0 ? name.substr(5) : name;
        for (auto& c : caption) if (c == '-') c = ' ';
        s.grids.push_back({caption, a.path});
      } else if (a.kind == "sample_grid") {
        s.grids.push_back({"training-end grid", a.path});
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

// Writes one page's blocks as Markdown and self-contained HTML; its figures go to out_dir/plots.
void write_page(const std::string& title, std::vector<Block> blocks, const std::string& out_dir, const std::string& md_path,
                const std::string& html_path, const Plotter& plotter, ReportFiles& files) {
  const fs::path plot_dir = fs::path(out_dir) / "plots";
  const size_t skipped_before = files.skipped_plots.size();
  // Figures first, so the documents can say which were skipped.
  std::set<std::string> drawn;
  std::string skip_reason;
  if (!plotter.available()) skip_reason = "gnuplot is not installed (apt-get install gnuplot-nox, or bash scripts/setup)";
  for (const auto& b : blocks) {
    if (b.kind != Block::Kind::figure) continue;
    if (!skip_reason.empty()) { files.skipped_plots.push_back(b.figure.name); continue; }
    try {
      const std::string svg = (plot_dir / (b.figure.name + ".svg")).string(), png = (plot_dir / (b.figure.name + ".png")).string();
      plotter.render_svg(b.figure.figure, svg);
      plotter.render_png(b.figure.figure, png);
      files.plots.push_back(svg), files.plots.push_back(png);
      drawn.insert(b.figure.name);
    } catch (const UserError& e) {
      files.skipped_plots.push_back(b.figure.name + " (" + e.what() + ")");
    }
  }
  if (files.skipped_plots.size() > skipped_before) {
    const size_t skipped = files.skipped_plots.size() - skipped_before;
    std::string md = fmt::format("## Plots not drawn\n\n{} plot{} could not be drawn{}; the tables above hold every figure:\n\n",
                                 skipped, skipped == 1 ? "" : "s", skip_reason.empty() ? "" : ": " + skip_reason);
    for (size_t i = skipped_before; i < files.skipped_plots.size(); ++i) md += "- " + files.skipped_plots[i] + "\n";
    blocks.push_back(text(md));
  }

  std::string md, html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape_html(title) +
                         " — rflab report</title><style>" + kStyle + "</style></head><body>\n";
  for (const auto& b : blocks) {
    switch (b.kind) {
      case Block::Kind::text:
        md += b.markdown + "\n\n";
        html += markdown_to_html(b.markdown);
        break;
      case Block::Kind::figure:
        if (!drawn.count(b.figure.name)) break;
        md += fmt::format("![{}](plots/{}.png)\n\n", b.figure.caption, b.figure.name);
        html += fmt::format("<figure><img alt=\"{0}\" src=\"data:image/svg+xml;base64,{1}\"><figcaption>{0}</figcaption></figure>\n",
                            escape_html(b.figure.caption),
                            base64(results::read_file((plot_dir / (b.figure.name + ".svg")).string())));
        break;
      case Block::Kind::gallery: {
        md += "### " + b.title + "\n\n";
        html += "<h3>" + escape_html(b.title) + "</h3>\n<div class=\"gallery\">\n";
        for (const auto& img : b.images) {
          if (!fs::exists(img.path)) {
            md += fmt::format("- {}: {} is missing\n", img.caption, img.path);
            html += fmt::format("<p>{}: {} is missing</p>\n", escape_html(img.caption), escape_html(img.path));
            continue;
          }
          md += fmt::format("![{}]({})\n", img.caption, fs::relative(fs::absolute(img.path), fs::absolute(out_dir)).string());
          html += fmt::format("<figure><img alt=\"{0}\" src=\"data:image/png;base64,{1}\"><figcaption>{0}</figcaption></figure>\n",
                              escape_html(img.caption), base64(results::read_file(img.path)));
        }
        md += "\n";
        html += "</div>\n";
        break;
      }
    }
  }
  html += "</body></html>\n";
  results::write_file_atomic(md_path, md);
  results::write_file_atomic(html_path, html);
}

// The regression page: the history table and one plot per figure.
std::vector<Block> regression_blocks(const RegressionHistory& h) {
  std::vector<Block> blocks;
  blocks.push_back(text("# Regression history\n\n[Back to the report](index.html)\n\n" + history_markdown(h)));
  for (const auto& m : h.metrics) {
    blocks.push_back({Block::Kind::figure, "",
                      {history_figure_name(m), fmt::format("{} across commits, mean ± SD over seeds", m.figure.name()), history_figure(h, m)},
                      "", {}});
  }
  return blocks;
}

}  // namespace

ReportFiles write_report(const ReportInput& in, const std::string& out_dir, const Plotter& plotter) {
  ReportFiles files;
  files.html = (fs::path(out_dir) / "index.html").string();
  files.markdown = (fs::path(out_dir) / "report.md").string();
  const fs::path plot_dir = fs::path(out_dir) / "plots";

  std::vector<Block> blocks;
  blocks.push_back(text(fmt::format("# {}\n\nMade by `{}` on {}.", in.title, in.command, now_utc())));
  if (in.ranking) {
    const auto& r = *in.ranking;
    blocks.push_back(text("## Ranking\n\n" + ranking_markdown(*in.scores, r)));
    files.ranking_markdown = ranking_summary(*in.scores, r) + "\n\n" + table1_markdown(r) + "\n" + r.verdict + "\n";
    for (auto& f : ranking_figures(*in.scores, r)) blocks.push_back({Block::Kind::figure, "", std::move(f), "", {}});
  } else {
    blocks.push_back(text("## Ranking\n\nNo run of this study has sampler-setting evaluations yet, so there is no "
                          "ranking: evaluate with `rflab eval --sweep FILE`."));
  }
  if (in.prompt_following)
    blocks.push_back(text("## Prompt following (Table 5 layout)\n\n" + prompt_following_markdown(*in.prompt_following)));
  std::vector<LossSeries> curves;
  for (const auto& r : in.runs)
    if (!r.validation.points.empty()) curves.push_back(r.validation);
  if (!curves.empty()) {
    blocks.push_back(text("## Training"));
    blocks.push_back({Block::Kind::figure, "", loss_curve_figure(in.variants, curves, in.loss_key), "", {}});
  }
  if (in.architecture) {
    blocks.push_back(text("## Architectures\n\n" + architecture_markdown(*in.architecture)));
    for (auto& f : architecture_figures(*in.architecture)) blocks.push_back({Block::Kind::figure, "", std::move(f), "", {}});
  }
  if (in.scaling) {
    blocks.push_back(text("## Scaling\n\n" + scaling_markdown(*in.scaling)));
    for (auto& f : scaling_figures(*in.scaling)) blocks.push_back({Block::Kind::figure, "", std::move(f), "", {}});
  }
  if (in.regression) {
    const auto& h = *in.regression;
    size_t steps = 0;
    for (const auto& m : h.metrics) steps += m.changes.size();
    blocks.push_back(text(fmt::format("## Regression history\n\n[The canary `{}` across {} commits](regression.html): "
                                      "{} figures, {} step change{}.",
                                      h.suite, h.commits.size(), h.metrics.size(), steps, steps == 1 ? "" : "s")));
  }
  blocks.push_back(text("## Sample grids\n\nOne row per class; the first samples of each class at the setting named."));
  for (const auto& r : in.runs)
    if (!r.grids.empty())
      blocks.push_back({Block::Kind::gallery, "", {}, fmt::format("{} (seed {}, run {})", r.variant, r.seed, r.run_id), r.grids});

  {  // Runs, failures and provenance.
    std::string md = "## Runs\n\n| run | variant | seed | status | commit | dirty | config hash | threads | device | error |\n"
                     "|---|---|---|---|---|---|---|---|---|---|\n";
    int failed = 0;
    for (const auto& r : in.runs) {
      failed += r.status != "done";
      md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", r.run_id < 0 ? "-" : std::to_string(r.run_id),
                        markdown_cell(r.variant), r.seed, r.status, r.provenance.git_commit.substr(0, 12),
                        r.provenance.git_dirty ? "yes" : "no", r.config_hash.substr(0, 12), r.provenance.threads,
                        markdown_cell(r.provenance.device), markdown_cell(r.error.empty() ? "" : r.error));
    }
    md += failed ? fmt::format("\n{} of {} runs are not done.\n", failed, in.runs.size()) : "\nEvery run is done.\n";
    blocks.push_back(text(md));
  }
  if (in.time && !in.time->phases.empty())
    blocks.push_back(text("## Where the time went\n\nThe phase timings the study's commands stored before this report "
                          "(`rflab report` prints them again at its end, with its own time).\n\n" +
                          time_summary_markdown(*in.time)));
  if (in.scores) {
    std::string md = "## Provenance of every ranked figure\n\n| variant | seed | setting | " + in.scores->fid_metric + " | " +
                     in.scores->clip_metric + " | N | run | checkpoint step | commit | dirty | config hash | evaluator |\n"
                     "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& s : in.scores->scores)
      md += fmt::format("| {} | {} | {} | {:.4g} | {:.4f} | {} | {} | {} | {} | {} | {} | {} |\n", markdown_cell(s.variant), s.seed,
                        s.setting.name(), s.fid, s.clip, s.n, s.source.run_id, s.source.checkpoint_step,
                        s.source.git_commit.substr(0, 12), s.source.git_dirty ? "yes" : "no", s.source.config_hash.substr(0, 12),
                        s.source.evaluator_hash.substr(0, 12));
    blocks.push_back(text(md));
  }

  write_page(in.title, blocks, out_dir, files.markdown, files.html, plotter, files);
  if (in.regression) {
    files.regression_markdown = (fs::path(out_dir) / "regression.md").string();
    files.regression_html = (fs::path(out_dir) / "regression.html").string();
    write_page(in.title + ": regression history", regression_blocks(*in.regression), out_dir, files.regression_markdown,
               files.regression_html, plotter, files);
  }
  return files;
}

}  // namespace rflab::reports
