// git, as rflab asks it about the checkout whose code produced a figure: the commit a name
// means (SHA, short SHA, branch, tag, HEAD~3: whatever `git rev-parse` accepts), its time and
// subject, the order of commits, and a hash of uncommitted changes. Every query runs the git
// command line in `repo_dir`; none throws when git or the checkout is missing, it answers empty.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rflab::results {

// stdout of `git -C repo_dir <args>`, or nullopt when git cannot start or exits non-zero.
// `args` are passed through the shell: callers quote anything that is not a fixed word.
std::optional<std::string> git_output(const std::string& repo_dir, const std::string& args);

// Quotes a word for a POSIX shell.
std::string shell_quote(const std::string& s);

struct GitCommit {
  std::string sha;      // 40 hex digits
  int64_t time = 0;     // committer time, Unix seconds
  std::string subject;  // first line of the message
};

// The commit `name` names in repo_dir, or nullopt when it names none (or there is no checkout).
std::optional<GitCommit> resolve_commit(const std::string& repo_dir, const std::string& name);

// sha256 of the uncommitted changes: `git diff HEAD --binary` plus the name and content of
// every untracked, not ignored file. Two dirty trees with the same changes hash alike.
std::string uncommitted_changes_hash(const std::string& repo_dir);

// The commits reachable from HEAD, oldest first (topological order); empty without a checkout.
std::vector<std::string> commits_in_git_order(const std::string& repo_dir);

}  // namespace rflab::results
