// The run config: every knob of a run, parsed and validated once at the edge into typed parts
// (model, formulation, text, data, train, eval). The schema table (run_config.cpp) binds each
// dotted key (model.depth, train.lr, ...) to its field and gives it a type, a default, a range
// and a line of help; RunConfig::parse completes a partial JSON object with the defaults, checks
// every value and the rules that tie values together (the model shape), and fills the parts.
// Below the edge code takes the parts; nothing reads a config by string path.
//
// Identity: the complete config serialises one way (canonical_json), and the SHA-256 of that
// text is the run's config hash. A key added after runs were stored (`since_identity`) is left
// out of that text while it holds its default, so every earlier run keeps its hash. The typed parts are a view of that JSON, never its source, so
// hashes do not depend on how the structs are laid out.
#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace rflab::results {

// The backbones of SPEC §9.9 (model.backbone) and the DiT block designs of the DiT paper's
// Fig. 5 (model.conditioning, `dit` only); docs/architectures.md describes each.
inline const std::vector<std::string> kBackboneNames = {"mmdit", "mmdit3", "dit", "crossdit", "uvit"};
inline const std::vector<std::string> kConditioningNames = {"adaln_zero", "adaln", "cross_attention", "in_context"};
// How reports and `rflab model info` name an architecture: the backbone, with the block design
// beside it where the backbone has a choice ("mmdit", "dit (adaln_zero)").
inline std::string architecture_name(const std::string& backbone, const std::string& conditioning) {
  return backbone == "dit" || conditioning != "adaln_zero" ? backbone + " (" + conditioning + ")" : backbone;
}

// model.*: the backbone's shape (SPEC §9.1). width and heads 0 follow the sizing rule.
struct ModelConfig {
  std::string backbone;            // one of kBackboneNames
  std::string conditioning;        // one of kConditioningNames; other than adaln_zero only for dit
  int64_t depth = 0;               // blocks d
  int64_t width = 0;               // H as given; 0 = 64·d
  int64_t heads = 0;               // as given; 0 = d (head dim 64)
  int64_t patch_size = 0;          // p
  int64_t in_channels = 0;         // C
  int64_t context_dim = 0;         // T, the conditioner's text width
  int64_t pooled_dim = 0;          // P, 0 = no pooled vector
  int64_t mlp_ratio = 0;
  int64_t pos_embed_max_size = 0;  // G as given; 0 = the training patch grid
  bool qk_norm = true;

  int64_t hidden() const { return width > 0 ? width : 64 * depth; }
  int64_t num_heads() const { return heads > 0 ? heads : depth; }
  // G of the G×G position table for images of `image_size` pixels.
  int64_t position_grid(int64_t image_size) const {
    return pos_embed_max_size > 0 ? pos_embed_max_size : (image_size + patch_size - 1) / patch_size;
  }
};

// formulation and shift: the training objective (SPEC §2) by canonical name, and the timestep
// shift α (SPEC §4.6).
struct FormulationConfig {
  std::string name;
  double shift = 1;
};

// text.*: the frozen text encoder (SPEC §7.2), the text tower of the conditioner mini-CLIP.
struct TextConfig {
  std::string encoder;
  int64_t max_tokens = 0;  // M
  int64_t clip_steps = 0;
  uint64_t clip_seed = 0;
};

// The shape of a `shapes` run's data (docs/shapes.md): 32x32 RGB, captions of at most 28 words
// (four single-object phrases of four words joined by three four-word relations).
constexpr int64_t kShapesChannels = 3, kShapesImageSize = 32, kShapesCaptionWords = 28;

// data.*
struct DataConfig {
  std::string dataset;    // fashion-mnist | shapes
  std::string root;       // fashion-mnist's folder
  std::string captions;   // shapes: original | synthetic | mix(p) (results/caption_choice.h)
  uint64_t seed = 0;      // shapes: the dataset seed
  int64_t image_size = 0;
  double cond_dropout = 0;  // D17
};

// train.*
struct TrainConfig {
  int64_t steps = 0;
  int64_t batch_size = 0;
  double lr = 0;
  int64_t warmup_steps = 0;
  double beta1 = 0, beta2 = 0, adam_eps = 0, weight_decay = 0;
  double divergence_factor = 0;  // 0 = off
  double grad_clip = 0;          // 0 = no clipping
  double ema_decay = 0;
  int64_t ema_every = 1;
  uint64_t seed = 0;
  int64_t checkpoint_every = 0;
  int64_t log_every = 0;
  std::string device;     // cpu | cuda
  std::string precision;  // fp32 | bf16 (autocast of matrix products and attention; fp32 master weights)
};

// eval.*: what the trainer evaluates while it runs (validation loss, the end-of-run grid).
struct EvalConfig {
  int64_t every = 0;
  int64_t val_size = 0;  // |V|
  uint64_t val_seed = 0;
  uint64_t sample_seed = 0;
  int64_t sample_steps = 0;
  double sample_cfg = 0;
  int64_t samples_per_class = 0;
};

// The rules an MM-DiT shape must follow (SPEC §9.1, §9.3): heads divide the width, the width is
// a multiple of 4 (the 2-D sin-cos table), depth, patch and grid at least 1. The one home of the
// rule: RunConfig::parse and core::BackboneConfig::validate both ask it. `field` is the model.* key.
struct ShapeProblem {
  std::string field, expected, got;
};
std::optional<ShapeProblem> model_shape_problem(int64_t depth, int64_t hidden, int64_t heads, int64_t patch_size,
                                                int64_t grid);

class RunConfig {
 public:
  // Completes `partial` (nested objects or dotted keys) with the defaults and validates it:
  // unknown keys (with a "did you mean"), types, ranges, choices, the formulation name and the
  // model shape. UserError "SOURCE: FIELD: expected X, got Y" naming the first bad field.
  static RunConfig parse(const nlohmann::json& partial, const std::string& source);
  // The defaults alone.
  static RunConfig defaults() { return parse(nlohmann::json::object(), "(defaults)"); }

  ModelConfig model;
  FormulationConfig formulation;
  TextConfig text;
  DataConfig data;
  TrainConfig train;
  EvalConfig eval;

  const nlohmann::json& json() const { return json_; }  // complete and nested
  std::string canonical_json() const;
  std::string hash() const;  // sha256 hex of canonical_json()

 private:
  nlohmann::json json_;
};

// --- the schema and the JSON level, for the edge (flags, files, sweep axes, listings) -------

enum class ValueType { integer, number, boolean, string };

struct ConfigKey {
  std::string key;  // dotted path, e.g. "model.depth"
  ValueType type;
  nlohmann::json default_value;
  double min = -1e300;  // inclusive bounds for integer and number keys
  double max = 1e300;
  std::vector<std::string> choices;  // allowed strings, empty = any
  std::string help;
  std::function<void(RunConfig&, const nlohmann::json&)> assign;  // stores a checked value in its part
  // Added after configs were first hashed: at its default it is not part of canonical_json.
  bool since_identity = false;
};

const std::vector<ConfigKey>& config_schema();

// Validates `partial` (nested objects or dotted keys) against the schema, key by key, and
// returns the full, nested config with every default filled. `source` names the file or flag
// in errors. RunConfig::parse adds the rules between keys.
nlohmann::json complete_config(const nlohmann::json& partial, const std::string& source);

// Applies `key=value` (a --set flag) to a nested config; the value is parsed by the key's type.
void apply_set(nlohmann::json& config, const std::string& assignment);

// The dotted leaf keys of a (possibly nested) config object, with their values.
std::vector<std::pair<std::string, nlohmann::json>> flatten_config(const nlohmann::json& config);

// The schema key a misspelt key most likely meant (for "did you mean"), or "".
std::string nearest_config_key(const std::string& key);

// The one message for a key outside the schema: "SOURCE: FIELD: expected a known config key,
// got 'KEY' (did you mean model.depth?)"; `field` is where the key stands (its JSON path).
[[noreturn]] void throw_unknown_config_key(const std::string& source, const std::string& field, const std::string& key);

// The value of a schema key in a complete config, for code that handles keys generically (sweep
// axes, study listings); a key outside the schema is a logic_error.
const nlohmann::json& config_at(const nlohmann::json& config, const std::string& dotted_key);

std::string canonical_json(const nlohmann::json& config);
std::string config_hash(const nlohmann::json& config);  // sha256 hex of canonical_json

}  // namespace rflab::results
