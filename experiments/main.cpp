// rflab: one binary, subcommands registered by experiments/cmd_*.cpp.
#include <fmt/format.h>

#include <cstring>
#include <iostream>

#include "core/util/threads.h"
#include "experiments/command.h"
#include "results/error.h"

using rflab::experiments::Args;
using rflab::experiments::Command;
using rflab::experiments::commands;

namespace {

void print_overview(std::ostream& os) {
  os << "usage: rflab [--threads N] COMMAND [ARGS...]\n\n"
        "Rectified-flow / MM-DiT research harness.\n\ncommands:\n";
  for (const auto& c : commands()) os << fmt::format("  {:<22} {}\n", c.name, c.summary);
  os << "\nrflab COMMAND --help shows the flags of a command.\n";
}

const Command* find_command(const std::vector<std::string>& words, size_t& consumed) {
  // Longest match first: "model info" before "model".
  for (size_t n = std::min<size_t>(2, words.size()); n >= 1; --n) {
    std::string name = words[0];
    for (size_t i = 1; i < n; ++i) name += " " + words[i];
    for (const auto& c : commands())
      if (c.name == name) {
        consumed = n;
        return &c;
      }
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  rflab::core::ensure_passive_waiting(argv);
  std::vector<std::string> words(argv + 1, argv + argc);
  int threads = 0;
  // Global flags come before the command.
  while (!words.empty() && words[0].rfind("--", 0) == 0) {
    if (words[0] == "--help" || words[0] == "-h") {
      print_overview(std::cout);
      return 0;
    }
    if (words[0] == "--threads" && words.size() >= 2) {
      threads = std::atoi(words[1].c_str());
      if (threads < 1) {
        std::cerr << "rflab: --threads: expected a positive integer, got '" << words[1] << "'\n";
        return 2;
      }
      words.erase(words.begin(), words.begin() + 2);
      continue;
    }
    std::cerr << "rflab: unknown global flag " << words[0] << "\n\n";
    print_overview(std::cerr);
    return 2;
  }
  if (words.empty()) {
    print_overview(std::cerr);
    return 2;
  }
  size_t consumed = 0;
  const Command* cmd = find_command(words, consumed);
  if (!cmd) {
    std::cerr << "rflab: unknown command '" << words[0] << (words.size() > 1 ? " " + words[1] : "")
              << "'\n\n";
    print_overview(std::cerr);
    return 2;
  }
  std::vector<std::string> rest(words.begin() + consumed, words.end());
  for (const auto& w : rest)
    if (w == "--help" || w == "-h") {
      std::cout << cmd->usage << "\n";
      return 0;
    }
  // --threads may also follow the command.
  for (size_t i = 0; i + 1 < rest.size(); ++i)
    if (rest[i] == "--threads") {
      threads = std::atoi(rest[i + 1].c_str());
      if (threads < 1) {
        std::cerr << "rflab: --threads: expected a positive integer, got '" << rest[i + 1] << "'\n";
        return 2;
      }
      rest.erase(rest.begin() + i, rest.begin() + i + 2);
      break;
    }
  rflab::core::configure_threads(threads > 0 ? rflab::core::threads_for(threads)
                                             : rflab::core::default_threads());
  std::string warn = rflab::core::reference_blas_warning();
  if (!warn.empty()) std::cerr << warn << "\n";
  try {
    Args args(cmd->name, rest);
    return cmd->run(args);
  } catch (const rflab::UsageError& e) {
    std::cerr << "rflab " << cmd->name << ": " << e.what() << "\n\n" << cmd->usage << "\n";
    return 2;
  } catch (const rflab::UserError& e) {
    std::cerr << "rflab " << cmd->name << ": error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "rflab " << cmd->name << ": internal error: " << e.what() << "\n";
    return 3;
  }
}
