// A ranking written out: Markdown (the paper's Table 1 and Table 2 layouts, the verdict on the
// intervals, the per-seed ranks, the missing evaluations), CSV (one line per variant) and JSON
// (everything, for scripts). Every output says which figures were ranked and at which N.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "reports/ranking.h"
#include "reports/score.h"

namespace rflab::reports {

enum class TextFormat { md, csv, json };
TextFormat text_format_from_string(const std::string& s);  // throws std::invalid_argument

// "N = 100" or "N = 100, 1000 (mixed)": the sample counts behind the figures.
std::string sample_counts(const ScoreTable& table);

// "N = 100", or "N mixed" when the figures were computed at several N: for axis labels.
std::string sample_counts_short(const ScoreTable& table);

// One sentence: what was ranked, with which figures, over which settings and seeds.
std::string ranking_summary(const ScoreTable& table, const Ranking& ranking);

// "2.33 [1.50, 3.00]" with an interval over seeds, "2.33" without, "-" when no setting.
std::string rank_cell(const VariantRanks& v, size_t column, bool with_interval);

std::string ranking_markdown(const ScoreTable& table, const Ranking& ranking);
std::string table1_markdown(const Ranking& ranking);
// CLIP score and FID of each variant at 25 steps, per dataset and weights (mean over seeds), or
// "" when no 25-step setting was evaluated.
std::string table2_markdown(const ScoreTable& table, const Ranking& ranking);
std::string missing_markdown(const Ranking& ranking);
std::string ranking_csv(const Ranking& ranking);
nlohmann::json ranking_json(const ScoreTable& table, const Ranking& ranking);

std::string render(TextFormat f, const ScoreTable& table, const Ranking& ranking);

}  // namespace rflab::reports
