// The golden forward passes of the SD3 reference MM-DiT (tests/data/golden/, README there).
#pragma once
#include <string>

namespace rflab::testing {

inline std::string golden_file(const std::string& name) {
  return std::string(RFLAB_SOURCE_DIR) + "/tests/data/golden/" + name;
}

// Both files, for parameterised tests.
inline const char* const kGoldenFiles[] = {"mmdit_ref_d2_qknorm_16x16.safetensors",
                                           "mmdit_ref_d3_plain_16x12.safetensors"};

}  // namespace rflab::testing
