// DiT with text (SPEC §9.9, paper §5.2.3): the context and image tokens concatenated into one
// sequence through d blocks of one weight set — MM-DiT's one-weight-set special case — the output
// read from the image tokens. How a block takes the conditioning vector is model.conditioning,
// the four designs of the DiT paper (Fig. 5, §3.2):
//
//   adaln_zero       adaLN with gates, zero-initialised: each block starts as the identity
//   adaln            adaLN shift and scale only, standard initialisation
//   cross_attention  affine LayerNorms; each block cross-attends to the conditioning tokens
//                    [t_emb, pooled_emb] after its self-attention
//   in_context       affine LayerNorms; the conditioning tokens join the sequence, and are
//                    dropped after the last block
//
// Every design keeps the adaLN final layer, zero-initialised as DiT's.
#pragma once
#include <torch/torch.h>

#include "core/model/backbone.h"
#include "core/model/joint_block.h"

namespace rflab::core {

// The Modulation of a dit block for a design.
Modulation block_modulation(BlockConditioning conditioning);

// [B, K, H]: the timestep embedding and, with a pooled vector, its embedding, as tokens.
torch::Tensor conditioning_sequence(const Embedded& e);

struct DiTImpl : BackboneImpl {
  explicit DiTImpl(const BackboneConfig& config);
  torch::nn::ModuleList blocks_{nullptr};  // registered as "blocks"

 protected:
  torch::Tensor blocks(const Embedded& e) override;
};
TORCH_MODULE(DiT);

}  // namespace rflab::core
