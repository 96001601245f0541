#include "core/train/validation.h"

#include <fmt/format.h>

#include "core/train/seeds.h"

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
  ValidationLoss out;
  const auto& f = sys.formulation;
  for (int k = 0; k < kValidationLevels; ++k) {
    const double tau = k / static_cast<double>(kValidationLevels);
    auto gen = make_cpu_generator(seed, Stream::validation, static_cast<uint64_t>(k));
    auto eps_all = torch::randn(v.images.sizes(), gen);
    double native_sum = 0, velocity_sum = 0;
    for (int64_t s = 0; s < N; s += batch) {
      const int64_t n = std::min(batch, N - s);
      auto x0 = v.images.narrow(0, s, n).to(sys.device);
      auto eps = eps_all.narrow(0, s, n).to(sys.device);
      std::vector<std::string> caps(v.captions.begin() + s, v.captions.begin() + s + n);
      auto cond = sys.encode(caps);
      auto t = torch::full({n}, tau, torch::kFloat32);
      auto net = sys.network();
      Levels ln = f.at_time(t);
      auto zn = f.noised(x0, eps, ln);
      auto outn = net(f.net_input(zn, ln), ln.c_t.to(sys.device), cond);
      native_sum += f.loss(outn, x0, eps, ln).sum().item<double>();
      if (f.is_rf()) continue;  // for every rf/* variant, native equals velocity (SPEC §5.1)
      Levels lv = f.at_rf_time(t);
      auto zv = f.noised(x0, eps, lv);
      auto outv = net(f.net_input(zv, lv), lv.c_t.to(sys.device), cond);
      velocity_sum += f.velocity_loss(outv, zv, x0, eps, lv).sum().item<double>();
    }
    out.native.push_back(native_sum / N);
    out.velocity.push_back(f.is_rf() ? native_sum / N : velocity_sum / N);
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
