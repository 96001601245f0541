#include "eval/inception_v3.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <vector>

#include "core/io/safetensors.h"
#include "results/error.h"
#include "results/sha256.h"

namespace rflab::eval {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

const std::string kBatchCounter = ".num_batches_tracked";

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string shape_string(at::IntArrayRef sizes) {
  std::string s = "[";
  for (size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
  return s + "]";
}

// The tensors a checkpoint must provide: parameters and running statistics, by state_dict name.
std::map<std::string, torch::Tensor> checkpoint_tensors(nn::Module& m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : m.named_parameters()) out.emplace(p.key(), p.value());
  for (const auto& b : m.named_buffers())
    if (!ends_with(b.key(), kBatchCounter)) out.emplace(b.key(), b.value());
  return out;
}

}  // namespace

torch::Tensor fid_inception_input(const torch::Tensor& images) {
  if (images.dim() != 4 || (images.size(1) != 1 && images.size(1) != 3) || images.size(2) < 1 || images.size(3) < 1)
    throw std::invalid_argument("fid_inception_input: expected images [N, 1 or 3, H, W], got " +
                                shape_string(images.sizes()));
  auto x = images.to(torch::kFloat32);
  // Repeated before the resize: the bilinear kernel rounds differently for one plane and for
  // three, and a gray image must give exactly the features of its RGB copy.
  if (x.size(1) == 1) x = x.expand({-1, 3, -1, -1});
  x = x.contiguous();
  if (x.size(2) != kInceptionInputSize || x.size(3) != kInceptionInputSize)
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{kInceptionInputSize, kInceptionInputSize})
                              .mode(torch::kBilinear)
                              .align_corners(false));
  return x;
}

InceptionV3FidImpl::InceptionV3FidImpl() {
  auto conv = [](int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad) {
    return BasicConv2d(InceptionConvOptions{in, out, k, k, stride, pad, pad});
  };
  Conv2d_1a_3x3 = register_module("Conv2d_1a_3x3", conv(3, 32, 3, 2, 0));
  Conv2d_2a_3x3 = register_module("Conv2d_2a_3x3", conv(32, 32, 3, 1, 0));
  Conv2d_2b_3x3 = register_module("Conv2d_2b_3x3", conv(32, 64, 3, 1, 1));
  Conv2d_3b_1x1 = register_module("Conv2d_3b_1x1", conv(64, 80, 1, 1, 0));
  Conv2d_4a_3x3 = register_module("Conv2d_4a_3x3", conv(80, 192, 3, 1, 0));
  Mixed_5b = register_module("Mixed_5b", FidInceptionA(192, 32));
  Mixed_5c = register_module("Mixed_5c", FidInceptionA(256, 64));
  Mixed_5d = register_module("Mixed_5d", FidInceptionA(288, 64));
  Mixed_6a = register_module("Mixed_6a", InceptionB(288));
  Mixed_6b = register_module("Mixed_6b", FidInceptionC(768, 128));
  Mixed_6c = register_module("Mixed_6c", FidInceptionC(768, 160));
  Mixed_6d = register_module("Mixed_6d", FidInceptionC(768, 160));
  Mixed_6e = register_module("Mixed_6e", FidInceptionC(768, 192));
  Mixed_7a = register_module("Mixed_7a", InceptionD(768));
  Mixed_7b = register_module("Mixed_7b", FidInceptionE(1280, InceptionEPool::AverageExcludingPad));
  Mixed_7c = register_module("Mixed_7c", FidInceptionE(2048, InceptionEPool::Max));
  fc = register_module("fc", nn::Linear(kInceptionFeatureDim, kInceptionClasses));
  train(false);
}

void InceptionV3FidImpl::train(bool /*on*/) { nn::Module::train(false); }

torch::Tensor InceptionV3FidImpl::features(const torch::Tensor& images, int64_t batch) {
  if (batch < 1) throw std::invalid_argument("InceptionV3Fid::features: batch must be >= 1");
  if (images.dim() != 4)
    throw std::invalid_argument("InceptionV3Fid::features: expected images [N, C, H, W], got " +
                                shape_string(images.sizes()));
  torch::NoGradGuard no_grad;
  const auto device = Conv2d_1a_3x3->conv->weight.device();
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < images.size(0); i += batch) {
    auto x = fid_inception_input(images.slice(0, i, std::min(i + batch, images.size(0))).to(device));
    x = Conv2d_2b_3x3(Conv2d_2a_3x3(Conv2d_1a_3x3(x)));   // 64 x 147 x 147
    x = F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2));
    x = Conv2d_4a_3x3(Conv2d_3b_1x1(x));                  // 192 x 71 x 71
    x = F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2));
    x = Mixed_6a(Mixed_5d(Mixed_5c(Mixed_5b(x))));        // 768 x 17 x 17
    x = Mixed_6e(Mixed_6d(Mixed_6c(Mixed_6b(x))));
    x = Mixed_7c(Mixed_7b(Mixed_7a(x)));                  // 2048 x 8 x 8
    out.push_back(x.mean({2, 3}).to(torch::kCPU));
  }
  if (out.empty()) return torch::zeros({0, kInceptionFeatureDim});
  return torch::cat(out, 0);
}

LoadedInception load_inception_v3(const std::string& path) {
  LoadedInception loaded{InceptionV3Fid(), path, ""};
  auto expected = checkpoint_tensors(*loaded.model);
  const auto file = core::read_safetensors(path);

  for (const auto& [name, t] : file.tensors) {
    if (expected.count(name)) continue;
    const bool batch_counter = ends_with(name, kBatchCounter) &&
                               expected.count(name.substr(0, name.size() - kBatchCounter.size()) + ".running_mean");
    if (!batch_counter)
      throw_input_error(path, "tensor '" + name + "'",
                        "only tensors of the FID Inception-v3 (pytorch-fid state_dict names)", "an unknown name");
  }

  torch::NoGradGuard no_grad;
  for (auto& [name, target] : expected) {
    const std::string field = "tensor '" + name + "'";
    auto it = file.tensors.find(name);
    if (it == file.tensors.end())
      throw_input_error(path, field, "present with shape " + shape_string(target.sizes()), "missing");
    const auto& t = it->second;
    const auto dtype = t.scalar_type();
    if (dtype != torch::kFloat32 && dtype != torch::kFloat16 && dtype != torch::kBFloat16)
      throw_input_error(path, field + ".dtype", "F32, F16 or BF16", std::string(c10::toString(dtype)));
    if (t.sizes() != target.sizes())
      throw_input_error(path, field + ".shape", shape_string(target.sizes()), shape_string(t.sizes()));
    auto value = t.to(torch::kFloat32);
    if (!torch::isfinite(value).all().item<bool>())
      throw_input_error(path, field, "finite values", "NaN or infinity");
    target.copy_(value);
  }
  loaded.sha256 = results::sha256_file(path);
  return loaded;
}

void save_inception_v3(InceptionV3Fid& model, const std::string& path) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& [name, t] : checkpoint_tensors(*model))
    tensors.emplace(name, t.detach().to(torch::kCPU, torch::kFloat32).contiguous());
  core::write_safetensors(path, tensors, {{"format", "pt"}, {"network", "inception_v3_fid"}});
}

}  // namespace rflab::eval
