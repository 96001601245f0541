// rflab model info | verify: closed-form size and cost of a model config, and the reference
// forward check of a reference-format MM-DiT file.
#include <fmt/format.h>

#include <iostream>

#include "core/model/model_size.h"
#include "core/model/reference_checkpoint.h"
#include "core/util/device.h"
#include "experiments/command.h"
#include "experiments/config_input.h"
#include "results/error.h"

namespace rflab::experiments {
namespace {

int model_info(Args& args) {
  auto config = config_from_args(args);
  bool as_json = args.has_switch("json");
  args.finish();
  const auto c = core::MMDiTConfig::from_run_config(config);  // the shape was validated by config_from_args
  const int64_t image = config.data.image_size;
  const int64_t n = core::image_tokens(c, image);
  const int64_t m = config.text.max_tokens;
  const int64_t params = core::parameter_count(c);
  const int64_t macs = core::forward_macs(c, n, m);
  if (as_json) {
    nlohmann::json j = c.to_json();
    j["image_tokens"] = n;
    j["context_tokens"] = m;
    j["parameters"] = params;
    j["forward_macs_per_sample"] = macs;
    j["forward_flops_per_sample"] = 2 * macs;
    j["train_flops_per_sample"] = 6 * macs;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << fmt::format(
      "MM-DiT depth {}  hidden {}  heads {}  patch {}  channels {}  QK-norm {}\n"
      "tokens: {} image ({}x{} latent / patch {}) + {} context\n"
      "parameters:                 {:>16L}\n"
      "forward MACs per sample:    {:>16L}\n"
      "forward FLOPs per sample:   {:>16L}\n"
      "training FLOPs per sample:  {:>16L}  (6 x MACs, SPEC §9.8)\n",
      c.depth, c.hidden, c.heads, c.patch_size, c.in_channels, c.qk_norm ? "on" : "off", n, image, image,
      c.patch_size, m, params, macs, 2 * macs, 6 * macs);
  return 0;
}

int model_verify(Args& args) {
  double tol = args.get_double("tolerance", 1e-4);
  const std::string precision = args.get_or("precision", "fp32");
  const torch::Device device = core::device_named(args.get_or("device", "cpu"), "--device");
  args.finish();
  if (args.positional().size() != 1) throw UsageError("expected exactly one FILE.safetensors");
  if (precision != "fp32" && precision != "bf16") throw_input_error("", "--precision", "fp32 or bf16", "'" + precision + "'");
  const std::string path = args.positional()[0];
  auto r = core::verify_reference_file(path, device, core::precision_named(precision));
  std::cout << fmt::format("{}: depth {} hidden {} heads {} QK-norm {} ({}, {}): max |diff| = {:.3e} (max |output| = {:.3f}) -> {}\n",
                           path, r.config.depth, r.config.hidden, r.config.heads, r.config.qk_norm ? "on" : "off",
                           device.str(), precision, r.max_abs_diff, r.max_abs_output, r.max_abs_diff <= tol ? "OK" : "MISMATCH");
  return r.max_abs_diff <= tol ? 0 : 1;
}

RFLAB_COMMAND(Command{"model info", "parameter count and FLOPs of a model config (closed forms)",
                      "usage: rflab model info [--config FILE.json] [--set key=value ...] [--json]\n\n"
                      "Prints the parameter count (SPEC §9.7) and the forward and training FLOPs per sample\n"
                      "(SPEC §9.8) of the config's MM-DiT without building it.",
                      model_info});

RFLAB_COMMAND(Command{"model verify", "run a reference-format MM-DiT file's inputs and compare with its output",
                      "usage: rflab model verify FILE.safetensors [--tolerance T] [--device cpu|cuda] [--precision fp32|bf16]\n\n"
                      "Loads the MM-DiT weights of FILE (reference parameter names, under model. or\n"
                      "model.diffusion_model.; the shape is read off the tensors), runs its input.x, input.t,\n"
                      "input.y and input.context on the device (bf16: under autocast), and prints the largest\n"
                      "absolute difference to its output. Exit 0 when within the tolerance (default 1e-4).",
                      model_verify});

}  // namespace
}  // namespace rflab::experiments
