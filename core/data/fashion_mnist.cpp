#include "core/data/fashion_mnist.h"

#include <filesystem>
#include <stdexcept>

#include "core/io/idx.h"
#include "results/error.h"

namespace rflab::core {
namespace {

constexpr int64_t kSide = 28;
constexpr int64_t kClasses = 10;
const char* kFix = " (install it with: apt-get install dataset-fashion-mnist)";

[[noreturn]] void corrupt(const std::string& file, const std::string& what) {
  throw UserError(file + ": corrupt Fashion-MNIST file: " + what + kFix);
}

torch::Tensor read_part(const std::string& file) {
  try {
    return read_idx(file);
  } catch (const UserError& e) {
    throw UserError(std::string(e.what()) + kFix);
  }
}

ImageSet load_split(const std::string& root, const std::string& prefix, int64_t size) {
  const std::string images_file = root + "/" + prefix + "-images-idx3-ubyte.gz";
  const std::string labels_file = root + "/" + prefix + "-labels-idx1-ubyte.gz";
  torch::Tensor images = read_part(images_file);
  torch::Tensor labels = read_part(labels_file);
  if (images.dim() != 3 || images.size(1) != kSide || images.size(2) != kSide)
    corrupt(images_file, "expected images of shape [N,28,28], got " + c10::str(images.sizes()));
  if (labels.dim() != 1 || labels.size(0) != images.size(0))
    corrupt(labels_file, "expected " + std::to_string(images.size(0)) + " labels, got shape " +
                             c10::str(labels.sizes()));
  if (labels.numel() > 0 && labels.max().item<int64_t>() >= kClasses)
    corrupt(labels_file, "expected labels in [0,9], got " + std::to_string(labels.max().item<int64_t>()));

  // Pixel p maps to p/127.5 - 1; the border is -1, the images' own black background.
  const int64_t n = images.size(0), off = (size - kSide) / 2;
  ImageSet set;
  set.images = torch::full({n, 1, size, size}, -1.0f);
  set.images.narrow(2, off, kSide).narrow(3, off, kSide).select(1, 0).copy_(
      images.to(torch::kFloat32).div_(127.5f).sub_(1.0f));
  set.labels = labels.to(torch::kInt64);
  return set;
}

}  // namespace

void FashionMnist::require_files(const std::string& root) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec))
    throw UserError(root + ": Fashion-MNIST folder not found" + kFix);
  for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                           "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
    const std::string file = root + "/" + name;
    if (!std::filesystem::is_regular_file(file, ec))
      throw UserError(file + ": Fashion-MNIST file not found" + kFix);
  }
}

FashionMnist FashionMnist::load(const std::string& root, int64_t image_size) {
  if (image_size < kSide)
    throw_input_error("", "image_size", "at least 28 (Fashion-MNIST is 28x28)", std::to_string(image_size));
  require_files(root);
  FashionMnist data;
  data.train_ = load_split(root, "train", image_size);
  data.heldout_ = load_split(root, "t10k", image_size);
  return data;
}

const std::vector<std::string>& FashionMnist::class_names() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

const std::vector<std::vector<std::string>>& FashionMnist::synonyms() {
  static const std::vector<std::vector<std::string>> names = {
      {"t-shirt", "top", "tee"},
      {"trouser", "pants", "jeans"},
      {"pullover", "sweater", "jumper"},
      {"dress", "gown", "frock"},
      {"coat", "jacket", "overcoat"},
      {"sandal", "flip-flop", "open shoe"},
      {"shirt", "blouse", "button-up shirt"},
      {"sneaker", "trainer", "running shoe"},
      {"bag", "handbag", "purse"},
      {"ankle boot", "boot", "bootie"}};
  return names;
}

namespace {
const std::vector<std::string>& synonyms_of(int64_t label) {
  if (label < 0 || label >= kClasses)
    throw std::out_of_range("Fashion-MNIST label " + std::to_string(label) + " outside [0,9]");
  return FashionMnist::synonyms()[label];
}
}  // namespace

std::string FashionMnist::caption(int64_t label, std::mt19937_64& rng) {
  const auto& names = synonyms_of(label);
  // A plain modulus rather than uniform_int_distribution: its draws are the same under every
  // standard library, so captions are reproducible from the seed alone (bias ~1e-19).
  return "a photo of a " + names[rng() % names.size()];
}

std::string FashionMnist::canonical_caption(int64_t label) { return "a photo of a " + synonyms_of(label)[0]; }

}  // namespace rflab::core
