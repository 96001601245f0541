// rflab sample: a PNG grid from a training checkpoint, one row per prompt.
#include <fmt/format.h>

#include <iostream>

#include "core/io/png.h"
#include "core/train/checkpoint.h"
#include "core/train/text_to_image.h"
#include "core/util/device.h"
#include "experiments/command.h"
#include "results/error.h"

namespace rflab::experiments {
namespace {

core::SamplerOptions sampler_options(Args& args) {
  core::SamplerOptions o;
  o.steps = args.get_int("steps", 50);
  o.cfg = args.get_double("cfg", 2.5);
  std::string solver = args.get_or("solver", "euler");
  if (solver == "euler")
    o.solver = core::Solver::euler;
  else if (solver == "heun")
    o.solver = core::Solver::heun;
  else
    throw_input_error("", "--solver", "euler or heun", "'" + solver + "'");
  std::string grid = args.get_or("grid", "native");
  if (grid == "native")
    o.grid = core::GridMode::native;
  else if (grid == "shared")
    o.grid = core::GridMode::shared;
  else
    throw_input_error("", "--grid", "native or shared", "'" + grid + "'");
  if (o.steps < 1) throw_input_error("", "--steps", "a positive integer", std::to_string(o.steps));
  if (o.cfg < 0) throw_input_error("", "--cfg", "a number >= 0", std::to_string(o.cfg));
  return o;
}

int sample(Args& args) {
  auto checkpoint = args.get("checkpoint");
  if (!checkpoint) throw UsageError("--checkpoint PATH is required");
  auto prompts = args.get_all("prompt");
  if (prompts.empty()) throw UsageError("at least one --prompt TEXT is required");
  auto o = sampler_options(args);
  const int64_t n = args.get_int("n", 8);
  const uint64_t seed = static_cast<uint64_t>(args.get_int("seed", 0));
  std::string out = args.get_or("out", "samples.png");
  std::string weights = args.get_or("weights", "ema");
  std::string device = args.get_or("device", "cpu");
  args.finish();
  const torch::Device dev = core::device_named(device, "--device");
  if (weights != "ema" && weights != "raw") throw_input_error("", "--weights", "ema or raw", "'" + weights + "'");
  if (n < 1) throw_input_error("", "--n", "a positive integer", std::to_string(n));

  auto ck = core::read_checkpoint(*checkpoint);
  auto system = core::load_text_to_image(ck, weights, *checkpoint);
  auto& sys = *system;
  sys.to(dev);
  std::vector<std::string> all;
  for (const auto& p : prompts)
    for (int64_t i = 0; i < n; ++i) all.push_back(p);
  int64_t evals = 0;
  auto images = sys.generate(all, o, seed, 0, &evals);
  core::write_png(out, core::make_grid(images, n));
  std::cout << fmt::format("{}: {} prompts x {} samples, {} steps, CFG {}, {} weights of step {} ({} network evaluations)\n",
                           out, prompts.size(), n, o.steps, o.cfg, weights, ck.meta.step, evals);
  return 0;
}

RFLAB_COMMAND(Command{"sample", "write a PNG grid of samples from a checkpoint",
                      "usage: rflab sample --checkpoint PATH --prompt TEXT [--prompt TEXT ...] [--n N]\n"
                      "                    [--steps N] [--cfg W] [--seed S] [--solver euler|heun]\n"
                      "                    [--grid native|shared] [--weights ema|raw] [--device cpu|cuda] [--out FILE.png]\n\n"
                      "One row per prompt, N samples each (default 8). Sample i of the grid uses noise seeded\n"
                      "by (seed, i) (SPEC D9). Defaults: 50 Euler steps, CFG 2.5, EMA weights, samples.png.",
                      sample});

}  // namespace
}  // namespace rflab::experiments
