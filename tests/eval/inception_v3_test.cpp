// Tests of the FID Inception-v3 on weights written here (the real pt_inception-2015-12-05 weights
// cannot be downloaded): the architecture against an independent table of its convolutions, the
// input convention, the features, and the checkpoint reader's refusals.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "core/io/safetensors.h"
#include "eval/inception_v3.h"
#include "results/error.h"
#include "results/sha256.h"
#include "tests/util/temp_dir.h"

namespace {

using rflab::eval::InceptionV3Fid;
namespace fs = std::filesystem;

// This process's folder, removed when the process exits.
fs::path temp_dir() {
  static const rflab::testing::TempDir dir("inception");
  return dir.path();
}

// He-normal convolutions keep activations of order one through the ~50 layers; BatchNorm
// statistics near, but not at, the identity, so a statistic that fails to load changes features.
void randomize_convs(torch::nn::Module& module, uint64_t seed) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  for (const auto& m : module.modules(/*include_self=*/false)) {
    auto block = std::dynamic_pointer_cast<rflab::eval::BasicConv2dImpl>(m);
    if (!block) continue;
    auto& w = block->conv->weight;
    w.normal_(0, std::sqrt(2.0 / (w.size(1) * w.size(2) * w.size(3))));
    block->bn->weight.uniform_(0.8, 1.2);
    block->bn->bias.uniform_(-0.1, 0.1);
    block->bn->running_mean.uniform_(-0.1, 0.1);
    block->bn->running_var.uniform_(0.8, 1.2);
  }
}

void randomize(InceptionV3Fid& model, uint64_t seed) {
  randomize_convs(*model, seed);
  torch::NoGradGuard no_grad;
  model->fc->weight.normal_(0, 0.01);
  model->fc->bias.uniform_(-0.1, 0.1);
}

InceptionV3Fid& reference_model() {
  static InceptionV3Fid m = [] {
    InceptionV3Fid r;
    randomize(r, 7);
    return r;
  }();
  return m;
}

// Written on first use: under ctest every test is its own process, and most need no file.
const std::string& reference_path() {
  static const std::string path = [] {
    const std::string p = (temp_dir() / "reference.safetensors").string();
    rflab::eval::save_inception_v3(reference_model(), p);
    return p;
  }();
  return path;
}

const std::map<std::string, torch::Tensor>& reference_file_tensors() {
  static const auto t = rflab::core::read_safetensors(reference_path()).tensors;
  return t;
}

torch::Tensor images(int64_t n, int64_t c, int64_t side, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::rand({n, c, side, side}) * 2 - 1;
}

std::string write_variant(const std::string& name, const std::map<std::string, torch::Tensor>& tensors) {
  const std::string path = (temp_dir() / (name + ".safetensors")).string();
  rflab::core::write_safetensors(path, tensors);
  return path;
}

// The load fails with a UserError whose message names the file and every one of `parts`.
void expect_rejected(const std::string& path, const std::vector<std::string>& parts) {
  try {
    rflab::eval::load_inception_v3(path);
    ADD_FAILURE() << "expected " << path << " to be rejected";
  } catch (const rflab::UserError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
  }
}

// --- architecture ------------------------------------------------------------------------------

struct ConvRow {
  std::string name;
  int64_t in, out, kh, kw;
};

// torchvision's Inception3 table (the FID blocks only change pooling, not shapes), written out
// independently of eval/inception_blocks.cpp.
std::vector<ConvRow> conv_table() {
  std::vector<ConvRow> t = {{"Conv2d_1a_3x3", 3, 32, 3, 3},
                            {"Conv2d_2a_3x3", 32, 32, 3, 3},
                            {"Conv2d_2b_3x3", 32, 64, 3, 3},
                            {"Conv2d_3b_1x1", 64, 80, 1, 1},
                            {"Conv2d_4a_3x3", 80, 192, 3, 3}};
  auto add = [&](const std::string& block, const std::vector<ConvRow>& rows) {
    for (const auto& r : rows) t.push_back({block + "." + r.name, r.in, r.out, r.kh, r.kw});
  };
  auto a = [&](const std::string& b, int64_t in, int64_t pool) {
    add(b, {{"branch1x1", in, 64, 1, 1},
            {"branch5x5_1", in, 48, 1, 1},
            {"branch5x5_2", 48, 64, 5, 5},
            {"branch3x3dbl_1", in, 64, 1, 1},
            {"branch3x3dbl_2", 64, 96, 3, 3},
            {"branch3x3dbl_3", 96, 96, 3, 3},
            {"branch_pool", in, pool, 1, 1}});
  };
  auto c = [&](const std::string& b, int64_t c7) {
    add(b, {{"branch1x1", 768, 192, 1, 1},
            {"branch7x7_1", 768, c7, 1, 1},
            {"branch7x7_2", c7, c7, 1, 7},
            {"branch7x7_3", c7, 192, 7, 1},
            {"branch7x7dbl_1", 768, c7, 1, 1},
            {"branch7x7dbl_2", c7, c7, 7, 1},
            {"branch7x7dbl_3", c7, c7, 1, 7},
            {"branch7x7dbl_4", c7, c7, 7, 1},
            {"branch7x7dbl_5", c7, 192, 1, 7},
            {"branch_pool", 768, 192, 1, 1}});
  };
  auto e = [&](const std::string& b, int64_t in) {
    add(b, {{"branch1x1", in, 320, 1, 1},
            {"branch3x3_1", in, 384, 1, 1},
            {"branch3x3_2a", 384, 384, 1, 3},
            {"branch3x3_2b", 384, 384, 3, 1},
            {"branch3x3dbl_1", in, 448, 1, 1},
            {"branch3x3dbl_2", 448, 384, 3, 3},
            {"branch3x3dbl_3a", 384, 384, 1, 3},
            {"branch3x3dbl_3b", 384, 384, 3, 1},
            {"branch_pool", in, 192, 1, 1}});
  };
  a("Mixed_5b", 192, 32);
  a("Mixed_5c", 256, 64);
  a("Mixed_5d", 288, 64);
  add("Mixed_6a", {{"branch3x3", 288, 384, 3, 3},
                   {"branch3x3dbl_1", 288, 64, 1, 1},
                   {"branch3x3dbl_2", 64, 96, 3, 3},
                   {"branch3x3dbl_3", 96, 96, 3, 3}});
  c("Mixed_6b", 128);
  c("Mixed_6c", 160);
  c("Mixed_6d", 160);
  c("Mixed_6e", 192);
  add("Mixed_7a", {{"branch3x3_1", 768, 192, 1, 1},
                   {"branch3x3_2", 192, 320, 3, 3},
                   {"branch7x7x3_1", 768, 192, 1, 1},
                   {"branch7x7x3_2", 192, 192, 1, 7},
                   {"branch7x7x3_3", 192, 192, 7, 1},
                   {"branch7x7x3_4", 192, 192, 3, 3}});
  e("Mixed_7b", 1280);
  e("Mixed_7c", 2048);
  return t;
}

// Conv weights plus BatchNorm weight and bias (no conv bias in BasicConv2d).
int64_t table_conv_parameters() {
  int64_t n = 0;
  for (const auto& r : conv_table()) n += r.in * r.out * r.kh * r.kw + 2 * r.out;
  return n;
}

TEST(InceptionArchitecture, TableReproducesTorchvisionsPublishedParameterCount) {
  // torchvision documents 27,161,264 parameters for inception_v3 (1000 classes, aux head on). The
  // aux head is conv0 768->128 1x1 + BN, conv1 128->768 5x5 + BN, fc 768->1000.
  const int64_t aux = 768 * 128 + 2 * 128 + 128 * 768 * 25 + 2 * 768 + 768 * 1000 + 1000;
  EXPECT_EQ(conv_table().size(), 94u);
  EXPECT_EQ(table_conv_parameters() + 2048 * 1000 + 1000 + aux, 27161264);
}

TEST(InceptionArchitecture, ParameterCountIsTheTablesWithA1008WayHead) {
  InceptionV3Fid m;
  int64_t params = 0, running = 0;
  for (const auto& p : m->parameters()) params += p.numel();
  for (const auto& b : m->named_buffers())
    if (b.key().find("running_") != std::string::npos) running += b.value().numel();
  EXPECT_EQ(params, table_conv_parameters() + 2048 * 1008 + 1008);
  EXPECT_EQ(params, 23850960);
  // The floats of a full checkpoint: parameters plus running mean and variance of 94 BatchNorms.
  EXPECT_EQ(params + running, 23885392);
}

TEST(InceptionArchitecture, StateDictNamesAndShapesFollowPytorchFid) {
  InceptionV3Fid m;
  const auto params = m->named_parameters();
  const auto buffers = m->named_buffers();
  for (const auto& r : conv_table()) {
    const auto* w = params.find(r.name + ".conv.weight");
    ASSERT_NE(w, nullptr) << r.name;
    EXPECT_EQ(w->sizes(), (std::vector<int64_t>{r.out, r.in, r.kh, r.kw})) << r.name;
    EXPECT_EQ(params.find(r.name + ".conv.bias"), nullptr) << r.name;
    for (const char* p : {".bn.weight", ".bn.bias"}) ASSERT_NE(params.find(r.name + p), nullptr) << r.name << p;
    for (const char* b : {".bn.running_mean", ".bn.running_var"}) {
      const auto* t = buffers.find(r.name + b);
      ASSERT_NE(t, nullptr) << r.name << b;
      EXPECT_EQ(t->sizes(), (std::vector<int64_t>{r.out})) << r.name << b;
    }
    auto bn = m->named_modules()[r.name + ".bn"]->as<torch::nn::BatchNorm2d>();
    ASSERT_NE(bn, nullptr) << r.name;
    EXPECT_DOUBLE_EQ(bn->options.eps(), 1e-3) << r.name;
  }
  ASSERT_NE(params.find("fc.weight"), nullptr);
  EXPECT_EQ(params["fc.weight"].sizes(), (std::vector<int64_t>{1008, 2048}));
  EXPECT_EQ(params["fc.bias"].sizes(), (std::vector<int64_t>{1008}));
  // 94 convs x (conv.weight, bn.weight, bn.bias) + fc.weight + fc.bias: nothing else.
  EXPECT_EQ(params.size(), 94u * 3 + 2);
}

TEST(InceptionArchitecture, StaysInEvalModeWhenAskedToTrain) {
  InceptionV3Fid m;
  m->train();
  EXPECT_FALSE(m->is_training());
  EXPECT_FALSE(m->Mixed_6b->branch7x7_2->bn->is_training());
}

// --- the FID blocks' pooling branches -----------------------------------------------------------

// 3x3, stride 1, padding 1, computed by shifting a padded copy: the mean over the pixels inside
// the image (TF's SAME average pool), or the max.
torch::Tensor reference_pool(const torch::Tensor& x, bool max) {
  namespace F = torch::nn::functional;
  const int64_t h = x.size(2), w = x.size(3);
  const auto padded = F::pad(x, F::PadFuncOptions({1, 1, 1, 1}).value(max ? -INFINITY : 0.0));
  const auto inside = F::pad(torch::ones_like(x), F::PadFuncOptions({1, 1, 1, 1}));
  auto acc = max ? torch::full_like(x, -INFINITY) : torch::zeros_like(x);
  auto count = torch::zeros_like(x);
  for (int64_t dy = 0; dy < 3; ++dy)
    for (int64_t dx = 0; dx < 3; ++dx) {
      const auto win = padded.slice(2, dy, dy + h).slice(3, dx, dx + w);
      acc = max ? torch::maximum(acc, win) : acc + win;
      count = count + inside.slice(2, dy, dy + h).slice(3, dx, dx + w);
    }
  return max ? acc : acc / count;
}

// The block's last 192 (or pool_features) channels are branch_pool applied to the pooled input.
template <class Block>
void expect_pool_branch(Block& block, int64_t in, bool max) {
  randomize_convs(*block, 11);
  block->eval();
  torch::NoGradGuard no_grad;
  torch::manual_seed(12);
  const auto x = torch::rand({1, in, 6, 5}) * 2 - 1;
  const auto out = block->forward(x);
  const int64_t pool_channels = block->branch_pool->conv->weight.size(0);
  const auto got = out.slice(1, out.size(1) - pool_channels);
  const auto want = block->branch_pool->forward(reference_pool(x, max));
  EXPECT_GT(want.abs().max().template item<double>(), 0.0);
  EXPECT_TRUE(torch::allclose(got, want, 1e-4, 1e-5)) << (got - want).abs().max().template item<double>();
}

TEST(InceptionBlocks, MixedAAveragesOverRealPixelsOnly) {
  rflab::eval::FidInceptionA block(192, 32);
  expect_pool_branch(block, 192, false);
}

TEST(InceptionBlocks, MixedCAveragesOverRealPixelsOnly) {
  rflab::eval::FidInceptionC block(768, 128);
  expect_pool_branch(block, 768, false);
}

TEST(InceptionBlocks, Mixed7bAveragesAndMixed7cTakesTheMax) {
  rflab::eval::FidInceptionE b(1280, rflab::eval::InceptionEPool::AverageExcludingPad);
  expect_pool_branch(b, 1280, false);
  rflab::eval::FidInceptionE c(2048, rflab::eval::InceptionEPool::Max);
  expect_pool_branch(c, 2048, true);
}

TEST(InceptionBlocks, TheNetworkUsesTheFidPoolingInMixed7bAnd7c) {
  InceptionV3Fid m;
  EXPECT_EQ(m->Mixed_7b->pool, rflab::eval::InceptionEPool::AverageExcludingPad);
  EXPECT_EQ(m->Mixed_7c->pool, rflab::eval::InceptionEPool::Max);
}

// --- input convention --------------------------------------------------------------------------

// PyTorch's bilinear, align_corners=false: source coordinate (i + 0.5) * in / out - 0.5,
// clamped at 0 below; the right neighbour is clamped to the last pixel.
double reference_resize(const torch::Tensor& img, int64_t oy, int64_t ox, int64_t out) {
  auto coord = [&](int64_t o, int64_t in, int64_t& i0, int64_t& i1, double& frac) {
    double s = (o + 0.5) * static_cast<double>(in) / out - 0.5;
    if (s < 0) s = 0;
    i0 = static_cast<int64_t>(std::floor(s));
    i1 = std::min(i0 + 1, in - 1);
    frac = s - i0;
  };
  int64_t y0, y1, x0, x1;
  double fy, fx;
  coord(oy, img.size(0), y0, y1, fy);
  coord(ox, img.size(1), x0, x1, fx);
  auto v = [&](int64_t y, int64_t x) { return img[y][x].item<double>(); };
  return (1 - fy) * ((1 - fx) * v(y0, x0) + fx * v(y0, x1)) + fy * ((1 - fx) * v(y1, x0) + fx * v(y1, x1));
}

TEST(InceptionInput, BilinearResizeTo299MatchesAHandReference) {
  const auto img = torch::tensor({0.9, -0.4, 0.1, -1.0, 0.6, 0.2, -0.7, 0.3, 1.0, -0.2, 0.5, -0.9},
                                 torch::kFloat32)
                       .reshape({1, 1, 3, 4});
  const auto x = rflab::eval::fid_inception_input(img);
  ASSERT_EQ(x.sizes(), (std::vector<int64_t>{1, 3, 299, 299}));
  const auto src = img[0][0];
  for (int64_t oy : {0, 1, 49, 50, 100, 149, 150, 151, 250, 298})
    for (int64_t ox : {0, 2, 37, 74, 75, 112, 150, 224, 225, 298})
      EXPECT_NEAR(x[0][0][oy][ox].item<double>(), reference_resize(src, oy, ox, 299), 1e-5) << oy << "," << ox;
}

TEST(InceptionInput, MinusOneToOneIsFedUnscaled) {
  // pytorch-fid maps [0, 1] to 2x - 1 after resizing; rflab's [-1, 1] is already that range.
  for (double v : {-1.0, 1.0, 0.25}) {
    const auto x = rflab::eval::fid_inception_input(torch::full({1, 3, 28, 28}, v));
    EXPECT_NEAR(x.min().item<double>(), v, 1e-6);
    EXPECT_NEAR(x.max().item<double>(), v, 1e-6);
  }
}

TEST(InceptionInput, GrayIsRepeatedToThreeChannels) {
  const auto x = rflab::eval::fid_inception_input(images(2, 1, 32, 1));
  ASSERT_EQ(x.sizes(), (std::vector<int64_t>{2, 3, 299, 299}));
  EXPECT_TRUE(torch::equal(x.select(1, 0), x.select(1, 1)));
  EXPECT_TRUE(torch::equal(x.select(1, 0), x.select(1, 2)));
}

TEST(InceptionInput, An299ImageIsPassedThrough) {
  const auto img = images(1, 3, 299, 2);
  EXPECT_TRUE(torch::equal(rflab::eval::fid_inception_input(img), img));
}

TEST(InceptionInput, OtherChannelCountsAndRanksAreRefused) {
  EXPECT_THROW(rflab::eval::fid_inception_input(torch::zeros({1, 2, 8, 8})), std::invalid_argument);
  EXPECT_THROW(rflab::eval::fid_inception_input(torch::zeros({3, 8, 8})), std::invalid_argument);
  EXPECT_THROW(reference_model()->features(torch::zeros({1, 4, 8, 8})), std::invalid_argument);
}

// --- features ----------------------------------------------------------------------------------

TEST(InceptionFeatures, AreNBy2048NonNegativeAndDistinguishImages) {
  const auto f = reference_model()->features(images(2, 1, 32, 3));
  ASSERT_EQ(f.sizes(), (std::vector<int64_t>{2, 2048}));
  EXPECT_EQ(f.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(f.device().is_cpu());
  EXPECT_TRUE(torch::isfinite(f).all().item<bool>());
  EXPECT_GE(f.min().item<double>(), 0.0);  // averages of ReLU outputs
  EXPECT_GT(f.max().item<double>(), 0.0);
  EXPECT_GT((f[0] - f[1]).abs().max().item<double>(), 1e-4);
}

TEST(InceptionFeatures, AreDeterministic) {
  const auto img = images(1, 3, 40, 4);
  EXPECT_TRUE(torch::equal(reference_model()->features(img), reference_model()->features(img)));
}

TEST(InceptionFeatures, GrayEqualsTheSameImageRepeatedToRgb) {
  const auto gray = images(1, 1, 32, 5);
  EXPECT_TRUE(torch::equal(reference_model()->features(gray), reference_model()->features(gray.repeat({1, 3, 1, 1}))));
}

TEST(InceptionFeatures, ConstantImageGivesTheSameFeaturesAtAnySize) {
  // Bilinear resizing of a constant is that constant (up to float rounding of the weights).
  const auto small = reference_model()->features(torch::full({1, 1, 28, 28}, -0.3));
  const auto full = reference_model()->features(torch::full({1, 3, 299, 299}, -0.3));
  EXPECT_TRUE(torch::allclose(small, full, 1e-4, 1e-5)) << (small - full).abs().max().item<double>();
}

TEST(InceptionFeatures, BatchSizeDoesNotChangeThem) {
  const auto img = images(3, 1, 32, 6);
  const auto one = reference_model()->features(img, 1);
  const auto two = reference_model()->features(img, 2);
  ASSERT_EQ(two.sizes(), (std::vector<int64_t>{3, 2048}));
  EXPECT_TRUE(torch::allclose(one, two, 1e-4, 1e-5)) << (one - two).abs().max().item<double>();
}

TEST(InceptionFeatures, NoImagesGiveNoRows) {
  EXPECT_EQ(reference_model()->features(torch::zeros({0, 1, 32, 32})).sizes(), (std::vector<int64_t>{0, 2048}));
}

// --- checkpoint --------------------------------------------------------------------------------

TEST(InceptionCheckpoint, SaveThenLoadGivesIdenticalFeaturesAndTheFileHash) {
  auto loaded = rflab::eval::load_inception_v3(reference_path());
  EXPECT_EQ(loaded.path, reference_path());
  EXPECT_EQ(loaded.sha256, rflab::results::sha256_file(reference_path()));
  EXPECT_EQ(loaded.sha256.size(), 64u);
  const auto img = images(2, 1, 32, 8);
  EXPECT_TRUE(torch::equal(loaded.model->features(img), reference_model()->features(img)));
}

TEST(InceptionCheckpoint, FileHoldsParametersAndRunningStatisticsOnly) {
  const auto& t = reference_file_tensors();
  EXPECT_EQ(t.size(), 94u * 5 + 2);
  EXPECT_EQ(t.count("Conv2d_1a_3x3.bn.num_batches_tracked"), 0u);
  EXPECT_EQ(t.at("Mixed_7c.branch_pool.bn.running_var").scalar_type(), torch::kFloat32);
}

TEST(InceptionCheckpoint, HalfPrecisionFileLoadsWithinHalfRounding) {
  std::map<std::string, torch::Tensor> half;
  for (const auto& [name, t] : reference_file_tensors()) half.emplace(name, t.to(torch::kFloat16));
  auto loaded = rflab::eval::load_inception_v3(write_variant("half", half));
  const auto params = loaded.model->named_parameters();
  const auto buffers = loaded.model->named_buffers();
  for (const auto& [name, t] : reference_file_tensors()) {
    const auto* got = params.find(name) ? params.find(name) : buffers.find(name);
    ASSERT_NE(got, nullptr) << name;
    EXPECT_EQ(got->scalar_type(), torch::kFloat32);
    EXPECT_TRUE(torch::equal(*got, t.to(torch::kFloat16).to(torch::kFloat32))) << name;
  }
}

TEST(InceptionCheckpoint, Bfloat16FileLoadsWithinBfloat16Rounding) {
  std::map<std::string, torch::Tensor> bf;
  for (const auto& [name, t] : reference_file_tensors()) bf.emplace(name, t.to(torch::kBFloat16));
  auto loaded = rflab::eval::load_inception_v3(write_variant("bf16", bf));
  const auto& w = reference_file_tensors().at("Mixed_6e.branch7x7dbl_3.conv.weight");
  EXPECT_TRUE(torch::equal(loaded.model->Mixed_6e->branch7x7dbl_3->conv->weight,
                           w.to(torch::kBFloat16).to(torch::kFloat32)));
}

TEST(InceptionCheckpoint, BatchCountersOfPyTorchStateDictsAreIgnored) {
  auto t = reference_file_tensors();
  for (const auto& r : conv_table())
    t.emplace(r.name + ".bn.num_batches_tracked", torch::tensor(int64_t{1000}, torch::kInt64));
  auto loaded = rflab::eval::load_inception_v3(write_variant("counters", t));
  const auto img = images(1, 1, 32, 9);
  EXPECT_TRUE(torch::equal(loaded.model->features(img), reference_model()->features(img)));
}

TEST(InceptionCheckpoint, TruncatedFileIsRejected) {
  std::ifstream in(reference_path(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string path = (temp_dir() / "truncated.safetensors").string();
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  expect_rejected(path, {"tensor '", "truncated"});
}

TEST(InceptionCheckpoint, MissingTensorIsRejectedByName) {
  auto t = reference_file_tensors();
  t.erase("Mixed_5b.branch1x1.conv.weight");
  expect_rejected(write_variant("missing", t), {"Mixed_5b.branch1x1.conv.weight", "missing", "[64, 192, 1, 1]"});
}

TEST(InceptionCheckpoint, MissingRunningStatisticIsRejectedByName) {
  auto t = reference_file_tensors();
  t.erase("Mixed_7b.branch3x3dbl_3a.bn.running_var");
  expect_rejected(write_variant("missing_stat", t), {"Mixed_7b.branch3x3dbl_3a.bn.running_var", "missing"});
}

TEST(InceptionCheckpoint, WrongShapeIsRejectedWithBothShapes) {
  auto t = reference_file_tensors();
  t["Conv2d_4a_3x3.conv.weight"] = torch::zeros({192, 64, 3, 3});
  expect_rejected(write_variant("shape", t), {"Conv2d_4a_3x3.conv.weight", "[192, 80, 3, 3]", "[192, 64, 3, 3]"});
}

TEST(InceptionCheckpoint, UnknownTensorIsRejected) {
  auto t = reference_file_tensors();
  t["AuxLogits.fc.weight"] = torch::zeros({1008, 768});
  expect_rejected(write_variant("unknown", t), {"AuxLogits.fc.weight"});
}

TEST(InceptionCheckpoint, IntegerWeightsAreRejected) {
  auto t = reference_file_tensors();
  t["fc.bias"] = torch::zeros({1008}, torch::kInt32);
  expect_rejected(write_variant("int", t), {"fc.bias", "F32, F16 or BF16"});
}

TEST(InceptionCheckpoint, NonFiniteWeightsAreRejected) {
  auto t = reference_file_tensors();
  auto w = t.at("Mixed_6c.branch_pool.bn.weight").clone();
  w[3] = std::nan("");
  t["Mixed_6c.branch_pool.bn.weight"] = w;
  expect_rejected(write_variant("nan", t), {"Mixed_6c.branch_pool.bn.weight", "finite"});
}

TEST(InceptionCheckpoint, MissingFileIsAnError) {
  EXPECT_THROW(rflab::eval::load_inception_v3((temp_dir() / "absent.safetensors").string()), std::exception);
}

}  // namespace
