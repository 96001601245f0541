#include "core/model/backbone.h"

#include "core/model/cross_dit.h"
#include "core/model/dit.h"
#include "core/model/joint_block.h"
#include "core/model/mac_tally.h"
#include "core/model/mmdit.h"
#include "core/model/uvit.h"

namespace rflab::core {

namespace nn = torch::nn;

FinalLayerImpl::FinalLayerImpl(int64_t hidden, int64_t patch, int64_t out_channels) {
  linear = register_module("linear", nn::Linear(hidden, patch * patch * out_channels));
  adaLN_modulation = register_module("adaLN_modulation", nn::Sequential(nn::SiLU(), nn::Linear(hidden, 2 * hidden)));
}

torch::Tensor FinalLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& y) {
  MacTally::add(y.size(0) * adaLN_modulation[1]->as<nn::Linear>()->weight.numel());
  auto mods = adaLN_modulation->forward(y).chunk(2, 1);  // (shift, scale): P6
  const int64_t H = x.size(2);
  return linear_rows(linear, modulate(torch::layer_norm(x, {H}, {}, {}, 1e-6), mods[0], mods[1]));
}

BackboneImpl::BackboneImpl(const BackboneConfig& c) : config_(c) {
  c.validate();
  const int64_t H = c.hidden;
  x_embedder = register_module("x_embedder", PatchEmbed(c.in_channels, H, c.patch_size));
  t_embedder = register_module("t_embedder", EmbedderMLP(c.frequency_dim, H));
  if (c.pooled_dim > 0) y_embedder = register_module("y_embedder", EmbedderMLP(c.pooled_dim, H));
  context_embedder = register_module("context_embedder", nn::Linear(c.context_dim, H));
  pos_embed = register_buffer("pos_embed", sincos_2d_table(c.pos_embed_max_size, H).unsqueeze(0));
}

void BackboneImpl::finish() {
  final_layer = register_module("final_layer", FinalLayer(config_.hidden, config_.patch_size, config_.out_channels));
  initialize_weights();
}

void BackboneImpl::initialize_weights() {
  torch::NoGradGuard no_grad;
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* lin = m->as<nn::Linear>()) {
      nn::init::xavier_uniform_(lin->weight);
      if (lin->bias.defined()) lin->bias.zero_();
    }
  }
  // Patch embedding: xavier on the weight viewed as (H, C·p·p).
  auto w = x_embedder->proj->weight;
  auto flat = torch::empty({w.size(0), w.numel() / w.size(0)});
  nn::init::xavier_uniform_(flat);
  w.copy_(flat.view_as(w));
  x_embedder->proj->bias.zero_();
  // Timestep and pooled MLPs: N(0, 0.02).
  for (auto* e : {&t_embedder, &y_embedder}) {
    if (!*e) continue;
    for (int idx : {0, 2}) {
      auto lin = (*e)->mlp[idx]->as<nn::Linear>();
      nn::init::normal_(lin->weight, 0.0, 0.02);
      lin->bias.zero_();
    }
  }
  auto zero_linear = [](nn::LinearImpl* lin) {
    lin->weight.zero_();
    lin->bias.zero_();
  };
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* block = m->as<DismantledBlockImpl>()) {
      const bool zero = block->modulation == Modulation::adaln_zero || block->modulation == Modulation::pre_only;
      if (zero) zero_linear(block->modulation_linear().get());
      if (zero && block->cross_attn) zero_linear(block->cross_attn->proj.get());
    }
    if (auto* ln = m->as<nn::LayerNorm>()) {
      ln->weight.fill_(1.0);
      ln->bias.zero_();
    }
    if (auto* rms = m->as<RMSNormImpl>()) rms->weight.fill_(1.0);
  }
  zero_linear(final_layer->adaLN_modulation[1]->as<nn::Linear>());
  zero_linear(final_layer->linear.get());
  pos_embed.copy_(sincos_2d_table(config_.pos_embed_max_size, config_.hidden).unsqueeze(0));
}

torch::Tensor BackboneImpl::unpatchify(const torch::Tensor& tokens, int64_t h, int64_t w) const {
  // out[ch, r·p + pr, c·p + pc] = tok[r·(w/p) + c, (pr·p + pc)·C + ch]  ("nhwpqc->nchpwq")
  const int64_t p = config_.patch_size, C = config_.out_channels, B = tokens.size(0);
  auto t = tokens.reshape({B, h / p, w / p, p, p, C});
  return t.permute({0, 5, 1, 3, 2, 4}).reshape({B, C, h, w});
}

torch::Tensor BackboneImpl::forward(const torch::Tensor& x, const torch::Tensor& c_t, const torch::Tensor& pooled,
                                    const torch::Tensor& context) {
  const int64_t h = x.size(2), w = x.size(3), p = config_.patch_size;
  TORCH_CHECK(h % p == 0 && w % p == 0, "backbone: input ", h, "x", w, " is not a multiple of the patch size ", p);
  auto pos = crop_position_table(pos_embed[0], config_.pos_embed_max_size, h / p, w / p);
  Embedded e;
  e.image = x_embedder->forward(x) + pos.unsqueeze(0);
  e.t_emb = t_embedder->forward(timestep_frequencies(c_t, config_.frequency_dim));
  e.y = e.t_emb;
  if (y_embedder) {
    e.pooled = pooled;
    e.pooled_emb = y_embedder->forward(pooled);
    e.y = e.t_emb + e.pooled_emb;
  }
  e.context = linear_rows(context_embedder, context);
  return unpatchify(final_layer->forward(blocks(e), e.y), h, w);
}

Backbone make_backbone(const BackboneConfig& c) {
  std::shared_ptr<BackboneImpl> b;
  switch (c.backbone) {
    case BackboneKind::mmdit:
    case BackboneKind::mmdit3: b = std::make_shared<MMDiTImpl>(c); break;
    case BackboneKind::dit: b = std::make_shared<DiTImpl>(c); break;
    case BackboneKind::crossdit: b = std::make_shared<CrossDiTImpl>(c); break;
    case BackboneKind::uvit: b = std::make_shared<UViTImpl>(c); break;
  }
  return Backbone(b);
}

}  // namespace rflab::core
