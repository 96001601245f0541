#include "results/provenance.h"

#include <unistd.h>

#include <array>
#include <cstdio>

namespace rflab::results {
namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Puts cmd's stdout in out; false when cmd cannot start or exits non-zero.
bool run_capture(const std::string& cmd, std::string& out) {
  out.clear();
  FILE* pipe = popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!pipe) return false;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  return pclose(pipe) == 0;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Provenance collect_provenance(const std::string& repo_dir) {
  Provenance p;
  p.git_commit = "unknown";
  const std::string git = "git -C " + shell_quote(repo_dir) + " ";
  std::string out;
  if (run_capture(git + "rev-parse HEAD", out) && !trim(out).empty()) {
    p.git_commit = trim(out);
    if (run_capture(git + "status --porcelain", out)) p.git_dirty = !trim(out).empty();
  }
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) == 0) p.host = host.data();
  return p;
}

}  // namespace rflab::results
