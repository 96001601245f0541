#include "core/model/reference_checkpoint.h"

#include <cmath>
#include <set>

#include "core/io/safetensors.h"
#include "results/error.h"

namespace rflab::core {

namespace {
const torch::Tensor& need(const std::map<std::string, torch::Tensor>& t, const std::string& key, const std::string& source) {
  auto it = t.find(key);
  if (it == t.end()) throw_input_error(source, key, "this tensor to be present", "it is missing");
  return it->second;
}
}  // namespace

std::string reference_prefix(const std::map<std::string, torch::Tensor>& tensors, const std::string& source) {
  for (const char* prefix : {"model.diffusion_model.", "model.", ""})
    if (tensors.count(std::string(prefix) + "x_embedder.proj.weight")) return prefix;
  throw_input_error(source, "x_embedder.proj.weight", "an MM-DiT checkpoint with reference parameter names",
                    "no x_embedder.proj.weight under model.diffusion_model., model. or the root");
}

BackboneConfig infer_reference_config(const std::map<std::string, torch::Tensor>& t, const std::string& prefix,
                                   const std::string& source) {
  BackboneConfig c;
  const auto& patch = need(t, prefix + "x_embedder.proj.weight", source);  // [H, C, p, p]
  c.hidden = patch.size(0);
  c.in_channels = patch.size(1);
  c.patch_size = patch.size(2);
  int64_t depth = 0;
  while (t.count(prefix + "joint_blocks." + std::to_string(depth) + ".x_block.attn.qkv.weight")) ++depth;
  if (depth == 0) throw_input_error(source, prefix + "joint_blocks.0", "at least one joint block", "none");
  c.depth = depth;
  // The reference sizes H = 64·depth with depth heads; otherwise assume head dimension 64.
  c.heads = c.hidden == 64 * depth ? depth : std::max<int64_t>(1, c.hidden / 64);
  c.context_dim = need(t, prefix + "context_embedder.weight", source).size(1);
  auto y = t.find(prefix + "y_embedder.mlp.0.weight");
  c.pooled_dim = y == t.end() ? 0 : y->second.size(1);
  c.qk_norm = t.count(prefix + "joint_blocks.0.x_block.attn.ln_q.weight") > 0;
  c.mlp_ratio = need(t, prefix + "joint_blocks.0.x_block.mlp.fc1.weight", source).size(0) / c.hidden;
  c.out_channels = need(t, prefix + "final_layer.linear.weight", source).size(0) / (c.patch_size * c.patch_size);
  auto pe = t.find(prefix + "pos_embed");
  if (pe != t.end()) {
    auto g = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(pe->second.size(1)))));
    if (g * g != pe->second.size(1)) throw_input_error(source, prefix + "pos_embed", "a square G*G table", "another size");
    c.pos_embed_max_size = g;
  }
  try {
    c.validate();
  } catch (const std::invalid_argument& e) {
    throw UserError(source + ": inferred model shape is inconsistent: " + e.what());
  }
  return c;
}

void load_reference_weights(MMDiT& model, const std::map<std::string, torch::Tensor>& t, const std::string& prefix,
                            const std::string& source) {
  torch::NoGradGuard no_grad;
  std::set<std::string> used;
  auto copy = [&](const std::string& name, torch::Tensor dst) {
    const auto& src = need(t, prefix + name, source);
    if (src.sizes() != dst.sizes())
      throw_input_error(source, prefix + name, "shape " + c10::str(dst.sizes()), "shape " + c10::str(src.sizes()));
    dst.copy_(src.to(dst.dtype()));
    used.insert(prefix + name);
  };
  for (auto& p : model->named_parameters()) copy(p.key(), p.value());
  if (t.count(prefix + "pos_embed")) copy("pos_embed", model->pos_embed);
  for (const auto& [key, value] : t) {
    if (key.rfind(prefix, 0) != 0 || used.count(key)) continue;
    if (prefix.empty() && (key.rfind("input.", 0) == 0 || key == "output")) continue;
    throw_input_error(source, key, "only MM-DiT parameters under " + (prefix.empty() ? std::string("the root") : prefix),
                      "an unexpected tensor");
  }
}

VerifyResult verify_reference_file(const std::string& path, torch::Device device, Precision precision) {
  auto st = read_safetensors(path);
  std::string prefix = reference_prefix(st.tensors, path);
  VerifyResult r;
  r.config = infer_reference_config(st.tensors, prefix, path);
  MMDiT model(r.config);
  load_reference_weights(model, st.tensors, prefix, path);
  model->eval();
  model->to(device);
  torch::NoGradGuard no_grad;
  const auto& x = need(st.tensors, "input.x", path);
  const auto& tt = need(st.tensors, "input.t", path);
  const auto& ctx = need(st.tensors, "input.context", path);
  torch::Tensor y;
  if (r.config.pooled_dim > 0) y = need(st.tensors, "input.y", path).to(device, torch::kFloat32);
  torch::Tensor out;
  {
    AutocastScope autocast(device, precision);
    out = model->forward(x.to(device, torch::kFloat32), tt.to(device, torch::kFloat32), y,
                         ctx.to(device, torch::kFloat32));
  }
  out = out.to(torch::kCPU, torch::kFloat32);
  const auto& expected = need(st.tensors, "output", path);
  if (expected.sizes() != out.sizes())
    throw_input_error(path, "output", "shape " + c10::str(out.sizes()), "shape " + c10::str(expected.sizes()));
  r.max_abs_diff = (out - expected.to(torch::kFloat32)).abs().max().item<double>();
  r.max_abs_output = expected.abs().max().item<double>();
  return r;
}

}  // namespace rflab::core
