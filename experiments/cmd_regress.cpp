// rflab regress run: the canary suite (sweeps/canary.json) trained and evaluated at the current
// commit, every figure stored under that commit with its provenance, so that `rflab regress
// compare` can judge a change by the distribution of its figures over seeds.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "results/evaluation_plan.h"
#include "experiments/command.h"
#include "experiments/run_evaluation.h"
#include "experiments/run_training.h"
#include "experiments/sweep_plan.h"
#include "experiments/study_source.h"
#include "reports/canary_figures.h"
#include "reports/regression.h"
#include "reports/regression_format.h"
#include "results/canary.h"
#include "results/error.h"
#include "results/git.h"
#include "results/provenance.h"
#include "results/store.h"
#include "sweeps/expand.h"
#include "sweeps/sweep_file.h"

namespace rflab::experiments {
namespace {

// The commit the canary measures, refused when the tree is dirty unless allowed.
results::CanaryRecord canary_record(const sweeps::SweepFile& suite, const std::string& repo, bool allow_dirty) {
  const auto head = results::resolve_commit(repo, "HEAD");
  if (!head)
    throw UserError(fmt::format("{}: expected a git checkout with a commit (a canary is stored under the commit it "
                                "measures), got none", std::filesystem::absolute(repo).lexically_normal().string()));
  const auto p = results::collect_provenance(repo);
  if (p.git_dirty && !allow_dirty)
    throw UserError(fmt::format("the working tree of {} has uncommitted changes (`git status`): expected a clean "
                                "checkout of the commit to measure; commit the changes, or pass --allow-dirty to "
                                "record a canary marked dirty", head->sha.substr(0, 12)));
  results::CanaryRecord c;
  c.suite = suite.name;
  c.suite_file = suite.file;
  c.suite_hash = suite.content_hash;
  c.git_commit = head->sha;
  c.git_dirty = p.git_dirty;
  c.commit_time = head->time;
  c.commit_subject = head->subject;
  c.code_version = results::code_version(head->sha, p.git_dirty,
                                         p.git_dirty ? results::uncommitted_changes_hash(repo) : "");
  return c;
}

std::string out_dir_name(const results::CanaryRecord& c) {
  std::string name = c.code_version.substr(0, 12);
  const auto dirty = c.code_version.find("+dirty.");
  if (dirty != std::string::npos) name += "-dirty-" + c.code_version.substr(dirty + 7);
  return name;
}

int run_cmd(Args& args) {
  const std::string suite_path = args.get_or("suite", "sweeps/canary.json");
  const std::string db = args.get_or("db", kDefaultDb);
  const std::string out_root = args.get_or("out-root", "runs/canary");
  const bool allow_dirty = args.has_switch("allow-dirty");
  const bool quiet = args.has_switch("quiet");
  EvalOptions eval_options;
  eval_options.cache = args.get_or("cache", eval_options.cache);
  eval_options.evaluator_steps = args.get_int("evaluator-steps", 0);
  if (eval_options.evaluator_steps < 0) throw UserError("--evaluator-steps: expected a positive integer");
  eval_options.quiet = quiet;
  eval_options.print_table = false;
  args.finish();
  if (!args.positional().empty()) throw UsageError("unexpected argument " + args.positional().front());

  // Everything is validated before the first write.
  const auto suite = sweeps::load_sweep(suite_path);
  const auto& plan = suite.evaluation;
  const auto specs = sweeps::expand(suite);
  if (suite.seeds.size() < 2)
    throw UserError(suite_path + ": seeds: expected 2 or more (the verdicts test differences against the seed noise), got " +
                    std::to_string(suite.seeds.size()));
  const auto record = canary_record(suite, ".", allow_dirty);

  results::Store store(db);
  const int64_t canary_id = store.register_canary(record);
  store.set_canary_status(canary_id, results::CanaryStatus::running);
  const std::string dir = (std::filesystem::path(out_root) / out_dir_name(record)).string();
  std::cout << fmt::format("canary {} at {}{} (\"{}\"): {} runs, database {}\n", suite.name, record.git_commit.substr(0, 12),
                           record.git_dirty ? " with uncommitted changes (recorded as dirty)" : "", record.commit_subject,
                           specs.size(), db);
  RunEvaluator evaluator(eval_options);
  size_t reused = 0, trained = 0, evaluated = 0;
  install_stop_handlers();
  try {
    for (const auto& spec : specs) {
      results::RunRecord rec;
      rec.config_json = spec.canonical_json;
      rec.config_hash = spec.config_hash;
      rec.code_version = record.code_version;
      rec.seed = spec.seed;
      rec.provenance.git_commit = record.git_commit;
      rec.provenance.git_dirty = record.git_dirty;
      const int64_t run_id = store.register_run(rec);
      store.link_canary_run(canary_id, run_id);
      const auto row = store.run(run_id);
      const bool was_done = row.status == results::RunStatus::done || row.status == results::RunStatus::diverged;
      const auto start = std::chrono::steady_clock::now();
      if (!was_done) {
        RunOptions o;
        o.db_path = db;
        o.out_dir = run_out_dir(dir, spec.config_hash);
        o.cache_dir = eval_options.cache;
        o.code_version = record.code_version;
        o.write_samples = false;
        o.quiet = true;
        o.command = "regress run";
        const auto outcome = run_training(spec.config, o);
        if (outcome.status == "stopped") {
          std::cerr << "stopped; run `rflab regress run` again to resume\n";
          return 130;
        }
        ++trained;
      }
      const bool done = store.run(run_id).status == results::RunStatus::done;
      const bool needs_eval = done && !already_evaluated(store, run_id, plan);
      if (needs_eval) {
        evaluator.evaluate(store, run_id, plan);
        ++evaluated;
      }
      if (was_done && !needs_eval) ++reused;
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cout << fmt::format("  run {} seed {}: {}{}\n", run_id, spec.seed,
                               was_done ? "stored under this commit, reused" : fmt::format("trained ({:.0f} s)", seconds),
                               store.run(run_id).status == results::RunStatus::diverged ? " (diverged)" : "");
    }
  } catch (...) {
    store.set_canary_status(canary_id, results::CanaryStatus::failed);
    throw;
  }
  store.set_canary_status(canary_id, results::CanaryStatus::done);
  if (reused == specs.size())
    std::cout << fmt::format("all {} runs were already stored under {}: nothing trained, the stored figures stand\n",
                             specs.size(), record.code_version.substr(0, 12));
  else
    std::cout << fmt::format("{} trained, {} evaluated, {} reused\n", trained, evaluated, reused);
  // The canary's own figures, as compare will read them.
  reports::CanaryFigures figures;
  for (const auto& c : store.canaries())
    if (c.id == canary_id) figures = reports::canary_figures(store, c);
  for (const auto& [figure, values] : figures.values)
    std::cout << fmt::format("  {:<28} {}\n", figure.name(), reports::mean_sd(reports::finite_mean(values),
                                                                              reports::finite_sd(values)));
  for (const auto& p : figures.problems) std::cout << "  problem: " << p << "\n";
  return 0;
}

RFLAB_COMMAND(Command{
    "regress run", "train and evaluate the canary suite at the current commit, stored under it",
    "usage: rflab regress run [--suite sweeps/canary.json] [--db PATH] [--allow-dirty] [--out-root DIR]\n"
    "                         [--cache DIR] [--evaluator-steps N] [--quiet]\n\n"
    "Trains every run of the suite (a sweep file with several seeds and an \"evaluation\" block) and\n"
    "evaluates it, in this process, and stores every figure under the commit of the checkout in the\n"
    "working directory, with its provenance (commit, dirty flag, host, libtorch, BLAS, threads).\n"
    "A dirty tree is refused unless --allow-dirty; its canary is then recorded as dirty, keyed by a\n"
    "hash of the uncommitted changes. Running again at the same commit reuses the stored runs and\n"
    "says so; an interrupted canary resumes. On a CPU at a fixed thread count one commit always\n"
    "gives the same figures. Run directories go under --out-root (default runs/canary).",
    run_cmd});

}  // namespace
}  // namespace rflab::experiments
