// `rflab fid A B`: the Fréchet distance between two feature sets or their saved statistics,
// optionally KID, and A's statistics saved in the pytorch-fid .npz format. All computation
// lives in eval/stats; this file only parses flags and prints.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "eval/stats/fid_operand.h"
#include "eval/stats/kid.h"
#include "eval/stats/npz.h"
#include "experiments/command.h"
#include "results/error.h"

namespace rflab::experiments {
namespace {

nlohmann::json describe(const eval::FidOperand& op) {
  nlohmann::json j = {{"path", op.path},
                      {"kind", op.features ? "features" : "statistics"},
                      {"dim", op.stats.mu.size()}};
  j["n"] = op.stats.n > 0 ? nlohmann::json(op.stats.n) : nlohmann::json(nullptr);
  return j;
}

std::string describe_text(const eval::FidOperand& op) {
  return fmt::format("{} ({}, n = {}, d = {})", op.path, op.features ? "features" : "statistics",
                     op.stats.n > 0 ? std::to_string(op.stats.n) : "unknown", op.stats.mu.size());
}

int run_fid(Args& args) {
  const bool json = args.has_switch("json");
  const bool with_kid = args.has_switch("kid");
  const auto save = args.get("save-stats");
  const int64_t subsets = args.get_int("kid-subsets", 100);
  const int64_t subset_size = args.get_int("kid-subset-size", 1000);
  const int64_t seed = args.get_int("seed", 0);
  args.finish();
  if (args.positional().size() != 2)
    throw UsageError(fmt::format("expected two inputs A and B, got {}", args.positional().size()));

  const eval::FidOperand a = eval::load_fid_operand(args.positional()[0]);
  const eval::FidOperand b = eval::load_fid_operand(args.positional()[1]);
  if (save && !a.features)
    throw UsageError("--save-stats needs A to be a .npy feature matrix, not statistics");
  if (with_kid && !(a.features && b.features))
    throw UsageError("--kid needs feature matrices (.npy) on both sides");
  const double fid = eval::fid_between(a, b);
  std::optional<eval::KidResult> kid;
  if (with_kid) kid = eval::kid(*a.features, *b.features, subsets, subset_size, uint64_t(seed));
  if (save) eval::write_stats_npz(*save, a.stats);

  if (json) {
    nlohmann::json out = {{"fid", fid}, {"a", describe(a)}, {"b", describe(b)}};
    if (kid)
      out["kid"] = {{"mean", kid->mean},       {"stderr", kid->stderr_},
                    {"stddev", kid->stddev},   {"subsets", kid->subsets},
                    {"subset_size", kid->subset_size}, {"seed", seed}};
    if (save) out["saved_stats"] = *save;
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << fmt::format("FID {:.6f}\n  A: {}\n  B: {}\n", fid, describe_text(a),
                             describe_text(b));
    if (kid)
      std::cout << fmt::format("KID {:.6g} ± {:.2g} (standard error; {} subsets of {}, seed {})\n",
                               kid->mean, kid->stderr_, kid->subsets, kid->subset_size, seed);
    if (save) std::cout << fmt::format("statistics of A written to {}\n", *save);
  }
  return 0;
}

RFLAB_COMMAND(Command{
    "fid", "Fréchet distance between feature sets (.npy) or statistics (.npz)",
    "usage: rflab fid A B [--json] [--save-stats OUT.npz] [--kid [--kid-subsets 100]\n"
    "                 [--kid-subset-size 1000] [--seed 0]]\n\n"
    "A and B are each a feature matrix .npy (n x d, one sample per row, float32/float64) or\n"
    "Gaussian statistics .npz with members mu (d,) and sigma (d, d) as pytorch-fid writes them.\n"
    "Prints the FID and each side's sample count and dimension. With two feature matrices the\n"
    "distance is computed from the features themselves, exact also when n <= d.\n\n"
    "  --json              print a JSON object instead of text (a non-finite FID is null)\n"
    "  --save-stats OUT    write A's statistics (mu, sigma, n) to OUT.npz; A must be a .npy\n"
    "  --kid               also the Kernel Inception Distance (both sides .npy): unbiased MMD^2,\n"
    "                      cubic polynomial kernel, mean and standard error over subsets\n"
    "  --kid-subsets N     number of subsets (default 100)\n"
    "  --kid-subset-size M rows per subset, clipped to the smaller side (default 1000)\n"
    "  --seed S            subset sampling seed (default 0)",
    run_fid});

}  // namespace
}  // namespace rflab::experiments
