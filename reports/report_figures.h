// The figures of a study report, built from its analyses as typed plot descriptions (plot.h):
// the Pareto front of each control setting, the heat map of ranks by setting, FID and CLIP score
// against sampling steps per variant (the paper's Fig. 3 analogue), validation-loss curves, and
// for a depth ladder the loss against steps and against FLOPs (log–log, with the fitted law and
// its band) and each sample metric against validation loss, and for an architecture study the
// per-architecture means over seeds of the loss against steps and FLOPs and of CLIP score and FID
// against the checkpoint's step. A variant keeps its colour (its index in the study) in every
// figure.
#pragma once
#include <string>
#include <vector>

#include "reports/architecture_comparison.h"
#include "reports/plot.h"
#include "reports/ranking.h"
#include "reports/scaling.h"
#include "reports/score.h"

namespace rflab::reports {

struct NamedFigure {
  std::string name;     // file stem: "pareto-S3-ema"
  std::string caption;  // one sentence under the figure
  Figure figure;
};

// A run's validation curve for the loss-curve figure.
struct LossSeries {
  std::string variant;
  int64_t seed = 0;
  std::vector<std::pair<double, double>> points;  // (step, loss)
};

std::vector<NamedFigure> ranking_figures(const ScoreTable& table, const Ranking& ranking);
NamedFigure loss_curve_figure(const std::vector<std::string>& variants, const std::vector<LossSeries>& curves,
                              const std::string& loss_key);
std::vector<NamedFigure> scaling_figures(const ScalingAnalysis& a);
// Loss against steps and against training FLOPs (when stored), and CLIP score and FID against
// the checkpoint step when some architecture was evaluated at two or more checkpoints.
std::vector<NamedFigure> architecture_figures(const ArchitectureComparison& a);

}  // namespace rflab::reports
