#include "results/git.h"

#include <array>
#include <cstdio>
#include <sstream>

#include "results/sha256.h"

namespace rflab::results {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::optional<std::string> git_output(const std::string& repo_dir, const std::string& args) {
  const std::string cmd = "git -C " + shell_quote(repo_dir) + " " + args + " 2>/dev/null";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  if (pclose(pipe) != 0) return std::nullopt;
  return out;
}

namespace {
std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}
}  // namespace

std::optional<GitCommit> resolve_commit(const std::string& repo_dir, const std::string& name) {
  if (name.empty() || name[0] == '-') return std::nullopt;  // never an option to git
  auto sha = git_output(repo_dir, "rev-parse --verify --quiet " + shell_quote(name + "^{commit}"));
  if (!sha || trim(*sha).size() != 40) return std::nullopt;
  GitCommit c;
  c.sha = trim(*sha);
  if (auto info = git_output(repo_dir, "show -s --format=%ct%n%s " + c.sha)) {
    std::istringstream in(*info);
    std::string time;
    std::getline(in, time);
    std::getline(in, c.subject);
    try {
      c.time = std::stoll(time);
    } catch (const std::exception&) {
      c.time = 0;
    }
  }
  return c;
}

std::string uncommitted_changes_hash(const std::string& repo_dir) {
  std::string bytes = git_output(repo_dir, "diff HEAD --binary").value_or("");
  const std::string untracked = git_output(repo_dir, "ls-files --others --exclude-standard -z").value_or("");
  size_t start = 0;
  while (start < untracked.size()) {
    const size_t end = untracked.find('\0', start);
    const std::string name = untracked.substr(start, end - start);
    bytes += "\nuntracked " + name + " ";
    try {
      bytes += sha256_file(repo_dir + "/" + name);
    } catch (const std::exception&) {
      bytes += "unreadable";
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return sha256_hex(bytes);
}

std::vector<std::string> commits_in_git_order(const std::string& repo_dir) {
  std::vector<std::string> out;
  auto list = git_output(repo_dir, "rev-list --topo-order --reverse HEAD");
  if (!list) return out;
  std::istringstream in(*list);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

}  // namespace rflab::results
