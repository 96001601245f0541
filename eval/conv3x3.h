// The evaluator towers' 3x3 convolution (stride 1, padding 1) on channels-last maps.
//
// Dimension letters: B images, H x W the map, C input and O output channels.
//
// On the CPU in fp32, where O is 16 (and C a multiple of 16 when the input needs a gradient),
// it runs directly: the map gets a zero border [B, H+2, W+2, C], and each tile of four output
// pixels by 16 output channels sums its 9·C products in registers (AVX2 + FMA where the CPU has
// them, core/model/vectorised.h), with no copy of the neighbourhoods. The input's gradient is the
// same convolution of the bordered output gradient with the kernel flipped and transposed; the
// weight's is one product per tap over the bordered pixels. Elsewhere on the CPU it is one matrix
// product: each output pixel's 3x3xC neighbourhood laid out as a row of `columns` [B·H·W, 9·C]
// (taps (dy, dx) in row-major order, channels innermost; zeros outside the map), times the kernel
// as an [O, 9·C] matrix, plus the bias; the columns are laid out by one loop with its own
// backward, which folds their gradient back onto the map (each image's pixels from that image's
// rows alone, in a fixed order), and the product is core::linear_rows. Both are pure functions,
// safe to run on two threads at once, as training in parts does (core/util/shards.h); ATen's CPU
// convolution backward gave wrong weight gradients when two threads ran it concurrently.
// conv3x3_composite is the same convolution from ATen's autograd operations (slices of the padded
// map, a concatenation, addmm): the reference both are tested against; the columns' slices
// are also the path elsewhere (--reference-kernels, other devices and dtypes).
#pragma once
#include <torch/torch.h>

namespace rflab::eval {

// x [B, H, W, C], weight [O, C, 3, 3] (Conv2d's layout), bias [O] -> [B, H, W, O].
torch::Tensor conv3x3_channels_last(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);
torch::Tensor conv3x3_composite(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);
// Whether conv3x3_channels_last takes the direct convolution for these operands.
bool conv3x3_direct_applies(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);
// Switches the direct convolution off (false: every shape takes the columns' product) or back
// on: for comparing the two in one benchmark run. A process setting, as core::set_avx2_fma.
void set_conv3x3_direct(bool on);

}  // namespace rflab::eval
