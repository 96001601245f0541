// The input of a ranking: every evaluated (CLIP score, FID) point of a study, one per variant,
// seed and control setting, with what it was computed from — read from the store or from a CSV
// at the edge, and typed here. A control setting is a sampler setting (steps, CFG) × weights ×
// dataset (SPEC §5.3).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rflab::reports {

struct SettingKey {
  std::string sampler;  // S1..S6, or a CSV's own name
  std::string weights;  // ema | raw | "" when not given
  std::string dataset;  // "" when not given
  int64_t steps = 0;    // sampling steps N (0: unknown)
  double cfg = 0;       // CFG scale w (0: unknown)

  std::string name() const;  // "S3 ema fashion-mnist", the parts that are set
  bool operator<(const SettingKey& o) const;
  bool operator==(const SettingKey& o) const;
};

// Provenance of one figure, as far as its source knows it (empty for CSV input).
struct ScoreSource {
  int64_t run_id = -1;
  std::string config_hash, git_commit, evaluator_hash;
  bool git_dirty = false;
  int64_t checkpoint_step = -1;
};

struct Score {
  std::string variant;
  int64_t seed = 0;
  SettingKey setting;
  double fid = 0, clip = 0;  // NaN when diverged
  int64_t n = 0;             // evaluation samples (0: unknown)
  ScoreSource source;
};

// An evaluation that a complete study would hold and this one does not: never dropped silently.
struct MissingEvaluation {
  std::string variant;
  int64_t seed = 0;
  int64_t run_id = -1;  // -1 outside the store
  std::string setting;  // SettingKey::name(), or "all" when the run has none
  std::string reason;   // "not evaluated", "run failed: ...", "no clip_fid row", ...
};

struct ScoreTable {
  std::vector<std::string> variants;  // the ranking set, in study order
  std::vector<Score> scores;
  std::vector<MissingEvaluation> missing;
  std::string fid_metric = "clip_fid", clip_metric = "clip_score";  // which figures are ranked
  std::string source;  // what the table was read from, for the output
};

}  // namespace rflab::reports
