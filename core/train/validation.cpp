#include "core/train/validation.h"

#include <fmt/format.h>

#include "core/train/seeds.h"
#include "core/util/shards.h"

namespace rflab::core {

ValidationSet validation_set(const Dataset& data, const results::EvalConfig& eval) {
  const int64_t n = std::min<int64_t>(eval.val_size, data.validation.images.size(0));
  ValidationSet v;
  v.images = data.validation.images.narrow(0, 0, n);
  v.captions.assign(data.validation_captions.begin(), data.validation_captions.begin() + n);
  return v;
}

ValidationLoss validation_loss(TextToImage& sys, const ValidationSet& v, uint64_t seed, int64_t batch) {
  torch::NoGradGuard g;
  const int64_t N = v.images.size(0);
  const auto& f = sys.formulation;
  // Level k's noise for the whole set, from its own generator, in the set's order.
  std::vector<torch::Tensor> eps_of(kValidationLevels);
  for (int k = 0; k < kValidationLevels; ++k)
    eps_of[k] = torch::randn(v.images.sizes(), make_cpu_generator(seed, Stream::validation, static_cast<uint64_t>(k)));
  // Per-sample losses, computed in chunks of the set at every level; on the CPU the chunks run as
  // parts, one core each (core/util/shards.h). A sample's loss depends on its own image, noise and
  // caption only, and the sums below run in sample order, so no figure depends on the chunking.
  const bool cpu = sys.device.is_cpu();
  const auto bounds = part_bounds(N, cpu ? inference_parts(N, f.is_rf() ? 1 : 2) : (N + batch - 1) / batch);
  const int64_t chunks = static_cast<int64_t>(bounds.size()) - 1;
  std::vector<torch::Tensor> native(kValidationLevels * chunks), velocity(kValidationLevels * chunks);
  auto part = [&](int64_t p) {
    const int k = static_cast<int>(p / chunks);
    const int64_t from = bounds[p % chunks], n = bounds[p % chunks + 1] - from;
    const double tau = k / static_cast<double>(kValidationLevels);
    auto x0 = v.images.narrow(0, from, n).to(sys.device);
    auto eps = eps_of[k].narrow(0, from, n).to(sys.device);
    auto cond = sys.encode({v.captions.begin() + from, v.captions.begin() + from + n});
    auto t = torch::full({n}, tau, torch::kFloat32);
    auto net = sys.network();
    Levels ln = f.at_time(t);
    auto zn = f.noised(x0, eps, ln);
    auto outn = net(f.net_input(zn, ln), ln.c_t.to(sys.device), cond);
    native[p] = f.loss(outn, x0, eps, ln).to(torch::kCPU);
    if (f.is_rf()) return;  // for every rf/* variant, native equals velocity (SPEC §5.1)
    Levels lv = f.at_rf_time(t);
    auto zv = f.noised(x0, eps, lv);
    auto outv = net(f.net_input(zv, lv), lv.c_t.to(sys.device), cond);
    velocity[p] = f.velocity_loss(outv, zv, x0, eps, lv).to(torch::kCPU);
  };
  const int64_t parts = kValidationLevels * chunks;
  if (cpu) {
    run_shards(parts, part);
  } else {
    for (int64_t p = 0; p < parts; ++p) part(p);
  }
  // The mean over the set in double, summed in sample order.
  auto level_mean = [&](const std::vector<torch::Tensor>& losses, int k) {
    std::vector<torch::Tensor> level(losses.begin() + k * chunks, losses.begin() + (k + 1) * chunks);
    const auto x = torch::cat(level).to(torch::kFloat64).contiguous();
    const double* d = x.data_ptr<double>();
    double sum = 0;
    for (int64_t i = 0; i < N; ++i) sum += d[i];
    return sum / N;
  };
  ValidationLoss out;
  for (int k = 0; k < kValidationLevels; ++k) {
    out.native.push_back(level_mean(native, k));
    out.velocity.push_back(f.is_rf() ? out.native.back() : level_mean(velocity, k));
  }
  for (int k = 0; k < kValidationLevels; ++k) {
    out.native_mean += out.native[k] / kValidationLevels;
    out.velocity_mean += out.velocity[k] / kValidationLevels;
  }
  return out;
}

std::vector<std::pair<std::string, double>> validation_metrics(const ValidationLoss& l, const std::string& prefix) {
  std::vector<std::pair<std::string, double>> m = {{prefix + "native", l.native_mean},
                                                   {prefix + "velocity", l.velocity_mean}};
  for (int k = 0; k < kValidationLevels; ++k) {
    std::string t = fmt::format("{:.3f}", k / static_cast<double>(kValidationLevels));
    m.emplace_back(prefix + "native/t=" + t, l.native[k]);
    m.emplace_back(prefix + "velocity/t=" + t, l.velocity[k]);
  }
  return m;
}

}  // namespace rflab::core
