// Fashion-MNIST from the Debian package dataset-fashion-mnist, scaled to [-1,1] and padded to
// a square of side image_size, with captions "a photo of a <name>" whose class name is drawn
// from a few synonyms per class (SPEC D22: re-drawn on each use). The t10k split is the fixed
// held-out set.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace rflab::core {

struct ImageSet {
  torch::Tensor images;  // [N,1,S,S] float32 in [-1,1]; 28x28 centred, border -1 (black)
  torch::Tensor labels;  // [N] int64 in [0,10)
};

class FashionMnist {
 public:
  // The Debian package's folder; tests and callers may pass a copy elsewhere.
  static constexpr const char* kDefaultRoot = "/usr/share/datasets/fashion-mnist";

  // root: the folder of {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz. image_size >= 28.
  // Throws UserError naming the missing or corrupt file and the fix.
  static FashionMnist load(const std::string& root, int64_t image_size = 32);
  // The cheap check load() starts with: the folder and its four files exist (UserError naming
  // the missing one and the fix). Commands call it before they write anything.
  static void require_files(const std::string& root);

  const ImageSet& train() const { return train_; }      // the 60000 training images
  const ImageSet& heldout() const { return heldout_; }  // the 10000 t10k images

  // T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot.
  static const std::vector<std::string>& class_names();
  // A few lower-case names per class; the first is the canonical one.
  static const std::vector<std::vector<std::string>>& synonyms();
  // "a photo of a <name>", name drawn uniformly from the class's synonyms.
  static std::string caption(int64_t label, std::mt19937_64& rng);
  static std::string canonical_caption(int64_t label);

 private:
  ImageSet train_, heldout_;
};

}  // namespace rflab::core
