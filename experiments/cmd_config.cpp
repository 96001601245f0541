// rflab config keys | show: the run config schema, and the completed config of a file.
#include <fmt/format.h>

#include <iostream>

#include "experiments/command.h"
#include "experiments/config_input.h"
#include "results/run_config.h"

namespace rflab::experiments {
namespace {

int config_keys(Args& args) {
  args.finish();
  for (const auto& k : results::config_schema())
    std::cout << fmt::format("{:<26} {:<10} {:<28} {}\n", k.key, k.default_value.type_name(), k.default_value.dump(), k.help);
  return 0;
}

int config_show(Args& args) {
  auto config = config_from_args(args);
  args.finish();
  std::cout << config.json().dump(2) << "\nhash: " << config.hash() << "\n";
  return 0;
}

RFLAB_COMMAND(Command{"config keys", "list every run config key with its type, default and meaning",
                      "usage: rflab config keys", config_keys});
RFLAB_COMMAND(Command{"config show", "print the completed config and its hash",
                      "usage: rflab config show [--config FILE.json] [--set key=value ...]", config_show});

}  // namespace
}  // namespace rflab::experiments
