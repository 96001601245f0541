// rflab model info | verify: closed-form size and cost of a model config, and the reference
// forward check of a reference-format MM-DiT file.
#include <fmt/format.h>

#include <iostream>

#include "core/model/backbone.h"
#include "core/model/mac_tally.h"
#include "core/model/shape/model_size.h"
#include "core/model/reference_checkpoint.h"
#include "core/util/device.h"
#include "experiments/command.h"
#include "experiments/config_input.h"
#include "results/error.h"

namespace rflab::experiments {
namespace {

// Every backbone, and every dit block design, at the config's other settings.
std::vector<core::BackboneConfig> every_backbone(const core::BackboneConfig& c) {
  std::vector<core::BackboneConfig> out;
  for (const auto& name : results::kBackboneNames) {
    auto b = c;
    b.backbone = core::backbone_kind(name);
    b.conditioning = core::BlockConditioning::adaln_zero;
    if (b.backbone == core::BackboneKind::mmdit3 && b.pooled_dim == 0) continue;
    if (b.backbone != core::BackboneKind::dit) {
      out.push_back(b);
      continue;
    }
    for (const auto& design : results::kConditioningNames) {
      b.conditioning = core::block_conditioning(design);
      out.push_back(b);
    }
  }
  return out;
}

// Builds the backbone, counts its parameters and the MACs of one forward pass of one sample.
std::pair<int64_t, int64_t> measured_size(const core::BackboneConfig& c, int64_t image, int64_t m) {
  torch::NoGradGuard no_grad;
  auto model = core::make_backbone(c);
  int64_t params = 0;
  for (const auto& p : model->parameters()) params += p.numel();
  core::MacTally tally;
  model->forward(torch::zeros({1, c.in_channels, image, image}), torch::zeros({1}), torch::zeros({1, c.pooled_dim}),
                 torch::zeros({1, m, c.context_dim}));
  return {params, tally.macs()};
}

int model_info(Args& args) {
  auto config = config_from_args(args);
  const bool as_json = args.has_switch("json"), compare = args.has_switch("compare"),
             measure = args.has_switch("measure");
  args.finish();
  const auto shape = core::BackboneConfig::from_run_config(config);  // validated by config_from_args
  const int64_t image = config.data.image_size;
  const int64_t n = core::image_tokens(shape, image);
  const int64_t m = config.text.max_tokens;
  const auto shapes = compare ? every_backbone(shape) : std::vector<core::BackboneConfig>{shape};
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : shapes) {
    nlohmann::json j = c.to_json();
    j["name"] = c.name();
    j["image_tokens"] = n;
    j["context_tokens"] = m;
    j["parameters"] = core::parameter_count(c);
    const int64_t macs = core::forward_macs(c, n, m);
    j["forward_macs_per_sample"] = macs;
    j["forward_flops_per_sample"] = 2 * macs;
    j["train_flops_per_sample"] = 6 * macs;
    if (measure) {
      auto [params, measured] = measured_size(c, image, m);
      j["measured_parameters"] = params;
      j["measured_forward_macs_per_sample"] = measured;
    }
    rows.push_back(j);
  }
  if (as_json) {
    std::cout << (compare ? rows : rows[0]).dump(2) << "\n";
    return 0;
  }
  std::cout << fmt::format(
      "depth {}  hidden {}  heads {}  patch {}  channels {}  QK-norm {}\n"
      "tokens: {} image ({}x{} / patch {}) + {} context\n",
      shape.depth, shape.hidden, shape.heads, shape.patch_size, shape.in_channels, shape.qk_norm ? "on" : "off", n,
      image, image, shape.patch_size, m);
  std::cout << fmt::format("{:<22} {:>14} {:>18} {:>18}{}\n", "backbone", "parameters", "forward MACs",
                           "training FLOPs", measure ? "   measured (params, MACs)" : "");
  for (const auto& j : rows) {
    std::string measured;
    if (measure)
      measured = fmt::format("   {:L}, {:L}", j["measured_parameters"].get<int64_t>(),
                             j["measured_forward_macs_per_sample"].get<int64_t>());
    std::cout << fmt::format("{:<22} {:>14L} {:>18L} {:>18L}{}\n", j["name"].get<std::string>(),
                             j["parameters"].get<int64_t>(), j["forward_macs_per_sample"].get<int64_t>(),
                             j["train_flops_per_sample"].get<int64_t>(), measured);
  }
  std::cout << "per sample; training FLOPs = 6 x forward MACs (SPEC §9.8)\n";
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
                      "usage: rflab model info [--config FILE.json] [--set key=value ...] [--compare] [--measure] [--json]\n\n"
                      "Prints the parameter count (SPEC §9.7) and the forward MACs and training FLOPs per sample\n"
                      "(SPEC §9.8) of the config's backbone (model.backbone, model.conditioning) from closed forms,\n"
                      "without building it. --compare: every backbone and dit block design at the same size.\n"
                      "--measure: also build each one and count its parameters and one forward pass's MACs.",
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
