// The sampler settings of the paper's control settings (SPEC §5.3): S1–S6, each a number of
// Euler steps and a CFG scale. Shared by the evaluator (which samples them) and the reports
// (which group ranks by them), so the table lives here, in the torch-free half.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rflab::results {

struct ControlSetting {
  std::string name;  // "S1"
  int64_t steps = 50;
  double cfg = 1.0;
  bool operator==(const ControlSetting& o) const { return name == o.name && steps == o.steps && cfg == o.cfg; }
};

// S1 (50, 1.0), S2 (50, 2.5), S3 (50, 5.0), S4 (5, 5.0), S5 (10, 5.0), S6 (25, 5.0).
const std::vector<ControlSetting>& control_settings();

// The setting of that name among S1–S6, or nullptr.
const ControlSetting* find_control_setting(const std::string& name);

// Setting names of the store's evaluation rows that are not a sampler setting: reserved, so a
// sweep file cannot name a setting after them.
inline constexpr const char* kRealSetting = "real";  // the noise floor (train vs held-out images)
inline constexpr const char* kValSetting = "val";    // validation loss (SPEC §5.1)
// Whether a stored row's setting is a sampler setting (neither of the two above).
bool is_sampler_setting(const std::string& setting);

}  // namespace rflab::results
