#include "results/control_setting.h"

namespace rflab::results {

const std::vector<ControlSetting>& control_settings() {
  static const std::vector<ControlSetting> s = {{"S1", 50, 1.0}, {"S2", 50, 2.5}, {"S3", 50, 5.0},
                                                {"S4", 5, 5.0},  {"S5", 10, 5.0}, {"S6", 25, 5.0}};
  return s;
}

bool is_sampler_setting(const std::string& setting) { return setting != kRealSetting && setting != kValSetting; }

const ControlSetting* find_control_setting(const std::string& name) {
  for (const auto& s : control_settings())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace rflab::results
