// A regression comparison written out: Markdown for a pull request, JUnit XML for CI systems
// (one testcase per figure, a failure for each regression, skipped for an incomparable one) and
// JSON with every per-seed figure, for scripts.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "reports/regression.h"

namespace rflab::reports {

enum class RegressFormat { md, junit, json };
RegressFormat regress_format_from_string(const std::string& s);  // throws std::invalid_argument

std::string regression_markdown(const RegressionComparison& c);
std::string regression_junit(const RegressionComparison& c);
nlohmann::json regression_json(const RegressionComparison& c);
std::string render(RegressFormat f, const RegressionComparison& c);

// Text with &, <, >, " and ' as XML entities, and control characters other than tab and newline
// (which XML 1.0 cannot hold) as '?'.
std::string xml_escape(const std::string& s);

// A commit subject for a Markdown table cell: cut to `width` bytes at a UTF-8 boundary (with "…")
// and its '|' escaped.
std::string subject_cell(const std::string& subject, size_t width = 72);

// "0.6931 ± 0.0123" (mean ± sample SD over the seeds), 4 significant digits.
std::string mean_sd(double mean, double sd);

}  // namespace rflab::reports
