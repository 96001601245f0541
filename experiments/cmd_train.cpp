// rflab train: one run from a config file and --set overrides.
#include <iostream>

#include "experiments/command.h"
#include "experiments/config_input.h"
#include "experiments/run_training.h"

namespace rflab::experiments {
namespace {

int train(Args& args) {
  RunOptions o;
  std::vector<std::string> device_set;
  if (auto device = args.get("device")) device_set.push_back("train.device=" + *device);
  const auto config = config_from_args(args, device_set);
  o.db_path = args.get_or("db", o.db_path);
  o.out_dir = args.get_or("out", "");
  o.cache_dir = args.get_or("cache", o.cache_dir);
  o.write_samples = !args.has_switch("no-samples");
  args.finish();
  install_stop_handlers();
  return run_training(config, o).exit_code;
}

RFLAB_COMMAND(Command{
    "train", "train one run (resumes it when its checkpoint exists)",
    "usage: rflab train [--config FILE.json] [--set key=value ...] [--device cpu|cuda] [--db PATH]\n"
    "                   [--out DIR] [--cache DIR] [--no-samples]\n\n"
    "Trains one run. The config is the file's JSON with --set overrides applied (dotted keys:\n"
    "model.depth, train.steps, formulation, ...; `rflab config keys` lists them). The run's\n"
    "identity is the SHA-256 of its canonical config: running the same config again resumes it\n"
    "from its last checkpoint, or reports it done. The text encoder is the frozen text tower of\n"
    "the conditioner mini-CLIP (text.clip_steps, text.clip_seed), loaded from the model cache or\n"
    "trained into it first.\n\n"
    "  --device D    cpu or cuda (the same as --set train.device=D)\n"
    "  --db PATH     results database (default results/rflab.db)\n"
    "  --out DIR     checkpoints and samples (default runs/<hash prefix>)\n"
    "  --cache DIR   model cache of the conditioner mini-CLIP (default cache, as rflab clip train)\n"
    "  --no-samples  skip the end-of-run sample grid",
    train});

}  // namespace
}  // namespace rflab::experiments
