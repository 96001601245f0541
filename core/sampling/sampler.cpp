#include "core/sampling/sampler.h"

namespace rflab::core {

torch::Tensor sample(const Formulation& f, const Network& net, const torch::Tensor& eps, const Conditioning& cond,
                     const SamplerOptions& o, int64_t* network_evals, torch::Tensor* path_length) {
  const auto grid = f.grid(o.steps, o.grid);
  const auto values = f.grid_values(o.steps, o.grid);
  const int64_t batch = eps.size(0);
  torch::NoGradGuard no_grad;
  int64_t evals = 0;
  auto predict = [&](const torch::Tensor& z, const Levels& l) {
    auto out = guided_output(net, f.net_input(z, l), l.c_t.to(z.device()).expand({batch}), cond, o.cfg, &evals);
    return f.convert(out, z, l);
  };
  torch::Tensor z = f.is_edm() ? eps * values.front().sigma : eps;
  torch::Tensor length = torch::zeros({batch}, torch::TensorOptions().dtype(torch::kFloat64).device(eps.device()));
  for (size_t n = 0; n + 1 < grid.size(); ++n) {
    const auto& next = values[n + 1];
    Prediction p = predict(z, grid[n]);
    torch::Tensor z_next = next.a * p.x0 + next.b * p.eps;
    if (o.solver == Solver::heun && !next.clean) {
      // RF coordinates: z_rf = z/(a+b) at t = b/(a+b) moves with velocity ε̂ − x̂0.
      const auto& cur = values[n];
      const double r0 = cur.a + cur.b, r1 = next.a + next.b;
      const double dt = next.b / r1 - cur.b / r0;
      Prediction q = predict(z_next, grid[n + 1]);
      auto v = 0.5 * ((p.eps - p.x0) + (q.eps - q.x0));
      z_next = r1 * (z / r0 + dt * v);
    }
    if (path_length) {
      const auto& cur = values[n];
      auto step = z_next / (next.a + next.b) - z / (cur.a + cur.b);
      length += step.reshape({batch, -1}).to(torch::kFloat64).norm(2, 1);
    }
    z = z_next;
  }
  if (network_evals) *network_evals = evals;
  if (path_length) *path_length = length.cpu();
  return z;
}

}  // namespace rflab::core
