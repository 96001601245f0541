#include "results/provenance.h"

#include <unistd.h>

#include <array>

#include "results/git.h"

namespace rflab::results {

Provenance collect_provenance(const std::string& repo_dir) {
  Provenance p;
  p.git_commit = "unknown";
  if (auto head = resolve_commit(repo_dir, "HEAD")) {
    p.git_commit = head->sha;
    if (auto status = git_output(repo_dir, "status --porcelain")) p.git_dirty = !status->empty();
  }
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) == 0) p.host = host.data();
  return p;
}

}  // namespace rflab::results
