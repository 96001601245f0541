#include "experiments/study_source.h"

#include <filesystem>
#include <iostream>

#include "experiments/sweep_plan.h"
#include "results/atomic_file.h"
#include "results/error.h"

namespace rflab::experiments {

Study study_from_args(Args& args, bool csv_allowed) {
  const auto sweep_file = args.get("sweep");
  const auto db = args.get("db");
  const bool csv = csv_allowed && args.get("csv").has_value();
  if (!sweep_file && !db && !csv) throw UsageError(csv_allowed ? "expected --sweep FILE, --db PATH or --csv FILE" : "expected --sweep FILE or --db PATH");
  if (csv && (sweep_file || db)) throw UsageError("--csv reads results computed elsewhere: give it without --sweep and --db");
  Study s;
  if (csv) return s;
  s.db_path = db.value_or(kDefaultDb);
  s.out_root = args.get_or("out-root", kDefaultOutRoot);
  if (!std::filesystem::exists(s.db_path))
    throw UserError(s.db_path + ": expected a results database, got no file (train and evaluate first, or give --db)");
  if (sweep_file) {
    s.sweep = sweeps::load_sweep(*sweep_file);
    s.name = s.sweep->name;
    const auto plan = plan_sweep(*s.sweep, s.db_path, s.out_root);
    std::vector<std::string> configs;
    std::vector<std::optional<results::RunRow>> rows;
    for (const auto& r : plan.runs) {
      configs.push_back(r.spec.canonical_json);
      rows.push_back(r.row);
    }
    s.runs = reports::study_runs(configs, rows);
  } else {
    s.name = std::filesystem::path(s.db_path).stem().string();
    results::Store store(s.db_path);
    s.runs = reports::study_runs_of_database(store);
  }
  return s;
}

void write_output(const std::string& text, const std::optional<std::string>& out) {
  if (!out) {
    std::cout << text;
    return;
  }
  results::write_file_atomic(*out, text);
  std::cerr << "wrote " << *out << "\n";
}

}  // namespace rflab::experiments
