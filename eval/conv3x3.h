// The evaluator towers' 3x3 convolution (stride 1, padding 1) on channels-last maps, as one
// matrix product: each output pixel's 3x3xC neighbourhood laid out as a row of `columns`
// [B·H·W, 9·C] (taps (dy, dx) in row-major order, channels innermost; zeros outside the map),
// times the kernel as an [O, 9·C] matrix, plus the bias.
//
// Dimension letters: B images, H x W the map, C input and O output channels.
//
// On the CPU in fp32 the columns are laid out by one loop with its own backward, which folds
// their gradient back onto the map (each image's pixels from that image's rows alone, in a fixed
// order), and the product is core::linear_rows (one sgemm per pass). Both are pure functions, safe
// to run on two threads at once, as training in parts does (core/util/shards.h); ATen's CPU
// convolution backward gave wrong weight gradients when two threads ran it concurrently.
// conv3x3_composite is the same convolution from ATen's autograd operations (slices of the padded
// map, a concatenation, addmm): the reference the kernel is tested against; the columns' slices
// are also the path elsewhere (--reference-kernels, other devices and dtypes).
#pragma once
#include <torch/torch.h>

namespace rflab::eval {

// x [B, H, W, C], weight [O, C, 3, 3] (Conv2d's layout), bias [O] -> [B, H, W, O].
torch::Tensor conv3x3_channels_last(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);
torch::Tensor conv3x3_composite(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

}  // namespace rflab::eval
