#include "results/caption_choice.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "results/error.h"

namespace rflab::results {

CaptionChoice parse_caption_choice(const std::string& text, const std::string& file, const std::string& field) {
  if (text == "original") return {CaptionChoice::Kind::original, 0.0};
  if (text == "synthetic") return {CaptionChoice::Kind::synthetic, 1.0};
  const std::string open = "mix(";
  if (text.size() > open.size() + 1 && text.compare(0, open.size(), open) == 0 && text.back() == ')') {
    const std::string number = text.substr(open.size(), text.size() - open.size() - 1);
    char* end = nullptr;
    errno = 0;
    const double p = std::strtod(number.c_str(), &end);
    const bool whole = !number.empty() && end == number.c_str() + number.size() && errno == 0;
    if (whole && number.find_first_of(" \t\n") == std::string::npos && std::isfinite(p) && p >= 0.0 && p <= 1.0)
      return {CaptionChoice::Kind::mix, p};
  }
  throw_input_error(file, field, "original, synthetic or mix(p) with p in [0, 1]", "'" + text + "'");
}

std::string to_string(const CaptionChoice& choice) {
  switch (choice.kind) {
    case CaptionChoice::Kind::original: return "original";
    case CaptionChoice::Kind::synthetic: return "synthetic";
    case CaptionChoice::Kind::mix: return fmt::format("mix({})", choice.p_synthetic);
  }
  return "";
}

}  // namespace rflab::results
