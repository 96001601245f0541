// The study a report command reads: the runs of a sweep file (--sweep FILE, with --db PATH or the
// default database) or every run of a database (--db PATH alone), labelled by variant. Parsed
// once here, at the edge; the reports take the typed runs.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "experiments/command.h"
#include "reports/study_runs.h"
#include "results/store.h"
#include "sweeps/sweep_file.h"

namespace rflab::experiments {

struct Study {
  std::string name;      // the sweep's name, or the database file's stem
  std::string db_path;
  std::string out_root;  // run directories (sample grids live there)
  std::optional<sweeps::SweepFile> sweep;
  std::vector<reports::StudyRun> runs;
};

inline constexpr const char* kDefaultDb = results::kDefaultDatabase;

// Reads --sweep and --db (exactly one source; --db alone means every run of that database).
// UserError when the database does not exist: a report never creates one.
Study study_from_args(Args& args, bool csv_allowed);

// A command's text output: to `out` atomically when given (saying so on stderr), else stdout.
void write_output(const std::string& text, const std::optional<std::string>& out);

}  // namespace rflab::experiments
