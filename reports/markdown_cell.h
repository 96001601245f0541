// Text as one cell of a Markdown table: '|' escaped, line breaks as spaces.
#pragma once
#include <string>

namespace rflab::reports {

inline std::string markdown_cell(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return out;
}

}  // namespace rflab::reports
