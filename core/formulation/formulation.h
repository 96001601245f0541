// One training formulation of the objective study (SPEC §2–§4): its forward path, level
// sampling, target, loss, conversions and sampling grid. Every one of the 61 canonical
// variants (plus off-grid customs, +minsnr(g) and +ztsnr) is a value of this class.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "results/formulation_name.h"

namespace rflab::core {

// Per-sample noise levels in a family's native terms; every tensor is [B] float32.
struct Levels {
  torch::Tensor t;      // native time in [0,1] (LDM: (k+1)/T; EDM: native t)
  torch::Tensor a, b;   // z = a*x0 + b*eps
  torch::Tensor sigma;  // b/a (inf where a = 0)
  torch::Tensor c_t;    // timestep-embedder input (SPEC §1.5: 1000t, integer k, or 250 ln sigma)
  torch::Tensor c_in;   // network input scale (1 except EDM)
  bool clean = false;   // the final clean level of a sampling grid (sigma = 0, a = 1, b = 0)
};

struct Prediction {
  torch::Tensor x0, eps;  // latent-shaped
};

enum class GridMode { native, shared };

// One level in double precision, for grids, `describe` and tests.
struct LevelValues {
  double t = 0, a = 1, b = 0, sigma = 0, c_t = 0, c_in = 1;
  bool clean = false;
};

// The families and their names live in the torch-free results/formulation_name, shared with the sweeps.
using Family = results::FormulationFamily;

class Formulation {
 public:
  // results::parse_formulation_name: canonical names, custom off-grid values, +minsnr(g), +ztsnr;
  // results::FormulationNameError (a UserError) on bad names.
  static Formulation parse(const std::string& name);
  static const std::vector<std::string>& registry();  // the 61 canonical names in SPEC §2.3 order
  std::string name() const;                            // canonical print (shift not included)
  double shift() const { return alpha_; }
  void set_shift(double alpha);  // SPEC §4.6, default 1; UserError unless alpha > 0 and finite

  Levels sample_levels(int64_t batch, torch::Generator gen) const;  // training draw (shift applied once)
  Levels at_time(const torch::Tensor& t) const;       // native time -> level (clamps of D4/D6), no shift
  Levels at_rf_time(const torch::Tensor& t_rf) const;  // RF time -> sigma -> level, shared-grid clipping, no shift
  torch::Tensor noised(const torch::Tensor& x0, const torch::Tensor& eps, const Levels& l) const;  // a*x0 + b*eps
  torch::Tensor net_input(const torch::Tensor& z, const Levels& l) const;                           // c_in * z
  torch::Tensor target(const torch::Tensor& x0, const torch::Tensor& eps, const Levels& l) const;
  // [B]: mean over elements of the family's weighted squared error (SPEC §1.4).
  torch::Tensor loss(const torch::Tensor& out, const torch::Tensor& x0, const torch::Tensor& eps, const Levels& l) const;
  // [B]: ||(eps_hat - x0_hat) - (eps - x0)||^2, mean over elements.
  torch::Tensor velocity_loss(const torch::Tensor& out, const torch::Tensor& z, const torch::Tensor& x0,
                              const torch::Tensor& eps, const Levels& l) const;
  Prediction convert(const torch::Tensor& out, const torch::Tensor& z, const Levels& l) const;  // SPEC §4.1
  // Levels l_0..l_K, each with [1]-shaped tensors; the last is clean; shift applied; in shared
  // mode consecutive identical levels are merged.
  std::vector<Levels> grid(int64_t steps, GridMode mode = GridMode::native) const;
  std::vector<LevelValues> grid_values(int64_t steps, GridMode mode = GridMode::native) const;

  // Double-precision views of the definitions at native time t (unshifted family).
  LevelValues level(double t) const;  // same mapping and clamps as at_time
  double log_snr(double t) const;
  double dlog_snr_dt(double t) const;
  double weight(double t) const;   // unified w_t of SPEC §1.3 with its exact constant
  double density(double t) const;  // pi(t) of the training draw in native time (alpha = 1)

  Family family() const { return family_; }
  double param1() const { return p1_; }  // s, m or Pm
  double param2() const { return p2_; }  // s or Ps
  double minsnr_gamma() const { return minsnr_; }  // 0 when off
  bool ztsnr() const { return ztsnr_; }
  bool is_edm() const { return family_ == Family::edm || family_ == Family::edm_rf || family_ == Family::edm_cos; }
  bool is_rf() const { return family_ == Family::rf_mode || family_ == Family::rf_lognorm || family_ == Family::rf_cosmap; }
  bool operator==(const Formulation& o) const;
  bool operator!=(const Formulation& o) const { return !(*this == o); }

 private:
  Family family_ = Family::rf_mode;
  double p1_ = 0, p2_ = 0;
  double minsnr_ = 0;
  bool ztsnr_ = false;
  double alpha_ = 1;

  LevelValues level_from_sigma(double sigma, bool clip) const;
  LevelValues shifted(const LevelValues& l) const;
  Levels pack(const std::vector<LevelValues>& v) const;
  torch::Tensor loss_weight(const Levels& l) const;  // element factor of +minsnr(g), [B]
};

}  // namespace rflab::core
