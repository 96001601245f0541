// rflab, the command line users run. This small torch-free program serves the commands that
// need no libtorch itself (fid, rank, scaling, report, results, regress compare, config), which
// so start in milliseconds instead of the second libtorch's loading and operator registration
// take. Every other command, and the overview of all commands, belongs to the torch binary
// rflab-torch beside it (experiments/main.cpp, which holds every command), which this process
// becomes by exec with the same arguments. Built without libtorch (RFLAB_WITH_TORCH=OFF), the
// front alone is rflab, and a torch command says which build it needs.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "core/util/blas.h"
#include "core/util/blas_environment.h"
#include "experiments/command.h"

namespace {

// rflab-torch in the folder of this executable.
std::string torch_binary() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  return (self.parent_path() / "rflab-torch").string();
}

}  // namespace

int main(int argc, char** argv) {
  // Set before the exec, so that the torch binary starts once with the right BLAS kernels.
  rflab::core::ensure_blas_environment(argv);
  const std::vector<std::string> words(argv + 1, argv + argc);
  const std::string torch = torch_binary();
  const bool have_torch = !torch.empty() && ::access(torch.c_str(), X_OK) == 0;
  if (!rflab::experiments::names_registered_command(words)) {
    if (have_torch) {
      std::vector<char*> args(argv, argv + argc + 1);  // argv[argc] is the terminating null
      args[0] = const_cast<char*>(torch.c_str());
      ::execv(torch.c_str(), args.data());
      std::cerr << fmt::format("rflab: cannot start {}: {}\n", torch, std::strerror(errno));
      return 3;
    }
    if (!words.empty() && words[0].rfind("--", 0) != 0)
      std::cerr << "rflab: this build has no libtorch (RFLAB_WITH_TORCH=OFF, or rflab-torch is missing beside "
                   "rflab): only the commands listed below run here\n\n";
  }
  return rflab::experiments::dispatch(
      "rflab",
      have_torch ? "Rectified-flow / MM-DiT research harness."
                 : "Rectified-flow / MM-DiT research harness: the analyses over a results database, without libtorch.",
      words, [](const rflab::experiments::GlobalFlags& global) {
        if (global.threads > 0) rflab::core::set_openblas_threads(global.threads);
      });
}
