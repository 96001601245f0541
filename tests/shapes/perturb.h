// Deterministic perturbations of rendered images for the detector's robustness tests: Gaussian
// noise, a small blur and a small colour shift, each a pure function of the image and a seed.
// Also the accuracy bookkeeping the tests print.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/data/shapes/counter_rng.h"
#include "core/data/shapes/render.h"

namespace rflab::shapes::testing {

// Independent N(0, sigma^2) per value (Box-Muller on the counter stream), then clamped to [0,1].
inline std::vector<float> with_noise(std::vector<float> img, double sigma, uint64_t seed) {
  CounterRng rng(seed, 0, 100);
  for (size_t i = 0; i < img.size(); i += 2) {
    const double u1 = 1.0 - rng.unit(), u2 = rng.unit();
    const double r = sigma * std::sqrt(-2.0 * std::log(u1));
    img[i] = std::clamp(img[i] + float(r * std::cos(2 * M_PI * u2)), 0.0f, 1.0f);
    if (i + 1 < img.size()) img[i + 1] = std::clamp(img[i + 1] + float(r * std::sin(2 * M_PI * u2)), 0.0f, 1.0f);
  }
  return img;
}

// The separable binomial blur [1 2 1] / 4 in x and in y, edges replicated: a blur of about half
// a pixel's standard deviation, as a slightly soft generator would produce.
inline std::vector<float> blurred(const std::vector<float>& img) {
  const int n = kImageSize;
  auto at = [n](int x, int y, int c) { return (std::clamp(y, 0, n - 1) * n + std::clamp(x, 0, n - 1)) * 3 + c; };
  std::vector<float> tmp(img.size()), out(img.size());
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      for (int c = 0; c < 3; ++c)
        tmp[size_t(at(x, y, c))] =
            0.25f * img[size_t(at(x - 1, y, c))] + 0.5f * img[size_t(at(x, y, c))] + 0.25f * img[size_t(at(x + 1, y, c))];
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      for (int c = 0; c < 3; ++c)
        out[size_t(at(x, y, c))] =
            0.25f * tmp[size_t(at(x, y - 1, c))] + 0.5f * tmp[size_t(at(x, y, c))] + 0.25f * tmp[size_t(at(x, y + 1, c))];
  return out;
}

// Per channel v -> gain * v + offset, gain in [1 - 0.08, 1 + 0.08], offset in [-0.04, 0.04],
// drawn per image: the whole picture, objects and background, is slightly off-colour.
inline std::vector<float> colour_shifted(std::vector<float> img, uint64_t seed) {
  CounterRng rng(seed, 0, 101);
  float gain[3], offset[3];
  for (int c = 0; c < 3; ++c) gain[c] = float(rng.uniform(0.92, 1.08)), offset[c] = float(rng.uniform(-0.04, 0.04));
  for (size_t i = 0; i < img.size(); ++i) img[i] = std::clamp(gain[i % 3] * img[i] + offset[i % 3], 0.0f, 1.0f);
  return img;
}

// The stored 8-bit image read back: what `rflab shapes detect` sees of a PNG.
inline std::vector<float> quantised(const std::vector<float>& img) {
  const std::vector<uint8_t> u = to_uint8(img);
  return from_uint8(u.data(), u.size());
}

enum class Perturbation { none, noise, blur, colour_shift, all };
inline std::string perturbation_name(Perturbation p) {
  switch (p) {
    case Perturbation::none: return "clean";
    case Perturbation::noise: return "noise(0.03)";
    case Perturbation::blur: return "blur";
    case Perturbation::colour_shift: return "colour shift";
    case Perturbation::all: return "all three";
  }
  return "";
}
constexpr Perturbation kPerturbations[] = {Perturbation::none, Perturbation::noise, Perturbation::blur,
                                           Perturbation::colour_shift, Perturbation::all};

// Noise of standard deviation 0.03 (~8 of 255 levels), blur, colour shift, or all three, then
// the 8-bit quantisation of a PNG.
inline std::vector<float> perturbed(const std::vector<float>& img, Perturbation p, uint64_t seed) {
  switch (p) {
    case Perturbation::none: return quantised(img);
    case Perturbation::noise: return quantised(with_noise(img, 0.03, seed));
    case Perturbation::blur: return quantised(blurred(img));
    case Perturbation::colour_shift: return quantised(colour_shifted(img, seed));
    case Perturbation::all: return quantised(with_noise(colour_shifted(blurred(img), seed), 0.03, seed));
  }
  return img;
}

}  // namespace rflab::shapes::testing
