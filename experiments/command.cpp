#include "experiments/command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "results/error.h"

namespace rflab::experiments {

namespace {
void print_overview(std::ostream& os, const std::string& program, const std::string& description) {
  os << "usage: " << program << " [--threads N] [--reference-kernels] COMMAND [ARGS...]\n\n" << description << "\n\ncommands:\n";
  for (const auto& c : commands()) os << fmt::format("  {:<22} {}\n", c.name, c.summary);
  os << "\n" << program << " COMMAND --help shows the flags of a command.\n";
}

// `--threads N`, the one parser of it: a positive integer, capped at the hardware threads this
// machine has (more only oversubscribes the cores and costs memory per thread), with a note.
// Returns 0 after printing the error for a bad value.
int parse_threads(const std::string& program, const std::string& text) {
  char* end = nullptr;
  const long long n = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || n < 1) {
    std::cerr << program << ": error: --threads: expected a positive integer, got '" << text << "'\n";
    return 0;
  }
  const long long cores = std::max(1u, std::thread::hardware_concurrency());
  if (n > cores) {
    std::cerr << program << ": --threads " << n << " is more than the " << cores
              << " hardware threads of this machine; using " << cores << "\n";
    return static_cast<int>(cores);
  }
  return static_cast<int>(n);
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

std::vector<Command>& registry() {
  static std::vector<Command> r;
  return r;
}
}  // namespace

int register_command(Command c) {
  registry().push_back(std::move(c));
  return static_cast<int>(registry().size());
}

const std::vector<Command>& commands() { return registry(); }

Args::Args(std::string command, std::vector<std::string> argv) : command_(std::move(command)) {
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.rfind("--", 0) == 0 && a.size() > 2) {
      Flag f;
      auto eq = a.find('=');
      if (eq != std::string::npos) {
        f.name = a.substr(2, eq - 2);
        f.value = a.substr(eq + 1);
      } else {
        f.name = a.substr(2);
        // The value is taken lazily: a following non-flag token is this flag's value unless the
        // command asks for it as a switch.
        if (i + 1 < argv.size() && !(argv[i + 1].rfind("--", 0) == 0 && argv[i + 1].size() > 2)) {
          f.value = argv[i + 1];
          f.value_index = i + 1;
          ++i;
        }
      }
      flags_.push_back(std::move(f));
    } else {
      positional_.emplace_back(i, a);
    }
  }
}

std::optional<std::string> Args::get(const std::string& flag) {
  std::optional<std::string> out;
  for (auto& f : flags_) {
    if (f.name != flag) continue;
    f.used = true;
    if (!f.value) throw UsageError("--" + flag + " expects a value");
    out = f.value;
  }
  return out;
}

std::string Args::get_or(const std::string& flag, const std::string& fallback) {
  auto v = get(flag);
  return v ? *v : fallback;
}

std::vector<std::string> Args::get_all(const std::string& flag) {
  std::vector<std::string> out;
  for (auto& f : flags_) {
    if (f.name != flag) continue;
    f.used = true;
    if (!f.value) throw UsageError("--" + flag + " expects a value");
    out.push_back(*f.value);
  }
  return out;
}

bool Args::has_switch(const std::string& flag) {
  bool found = false;
  for (size_t i = 0; i < flags_.size(); ++i) {
    auto& f = flags_[i];
    if (f.name != flag) continue;
    f.used = true;
    found = true;
    // A value swallowed by a switch was really a positional argument.
    if (f.value && f.value_index > 0) {
      positional_.emplace_back(f.value_index, *f.value);
      f.value.reset();
    }
  }
  return found;
}

std::vector<std::string> Args::positional() const {
  auto sorted = positional_;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> out;
  for (auto& p : sorted) out.push_back(p.second);
  return out;
}

int64_t Args::get_int(const std::string& flag, int64_t fallback) {
  auto v = get(flag);
  if (!v) return fallback;
  char* end = nullptr;
  long long x = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0') throw_input_error("", "--" + flag, "an integer", "'" + *v + "'");
  return x;
}

double Args::get_double(const std::string& flag, double fallback) {
  auto v = get(flag);
  if (!v) return fallback;
  char* end = nullptr;
  double x = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0') throw_input_error("", "--" + flag, "a number", "'" + *v + "'");
  return x;
}

void Args::finish() {
  for (const auto& f : flags_)
    if (!f.used) throw UsageError("unknown flag --" + f.name + " for '" + command_ + "'");
}

bool names_registered_command(const std::vector<std::string>& words) {
  size_t first = 0;
  while (first < words.size() && words[first].rfind("--", 0) == 0) {
    if (words[first] == "--threads") ++first;  // and its value
    else if (words[first] != "--reference-kernels") return false;  // --help, or a flag dispatch refuses
    ++first;
  }
  if (first >= words.size()) return false;
  size_t consumed = 0;
  return find_command({words.begin() + static_cast<std::ptrdiff_t>(first), words.end()}, consumed) != nullptr;
}

int dispatch(const std::string& program, const std::string& description, std::vector<std::string> words,
             const std::function<void(const GlobalFlags&)>& configure) {
  GlobalFlags global;
  // Global flags come before the command.
  while (!words.empty() && words[0].rfind("--", 0) == 0) {
    if (words[0] == "--help" || words[0] == "-h") {
      print_overview(std::cout, program, description);
      return 0;
    }
    if (words[0] == "--threads" && words.size() >= 2) {
      global.threads = parse_threads(program, words[1]);
      if (global.threads < 1) return 1;
      words.erase(words.begin(), words.begin() + 2);
      continue;
    }
    if (words[0] == "--reference-kernels") {
      global.reference_kernels = true;
      words.erase(words.begin());
      continue;
    }
    std::cerr << program + ": unknown global flag " << words[0] << "\n\n";
    print_overview(std::cerr, program, description);
    return 2;
  }
  if (words.empty()) {
    print_overview(std::cerr, program, description);
    return 2;
  }
  size_t consumed = 0;
  const Command* cmd = find_command(words, consumed);
  if (!cmd) {
    // A command group ("clip", "sweep"): its --help lists the subcommands; without a known
    // subcommand the listing goes to stderr with the usage status.
    std::vector<const Command*> group;
    for (const auto& c : commands())
      if (c.name.rfind(words[0] + " ", 0) == 0) group.push_back(&c);
    if (!group.empty()) {
      const bool help = words.size() >= 2 && (words[1] == "--help" || words[1] == "-h");
      std::ostream& os = help ? std::cout : std::cerr;
      if (!help)
        os << program << ": " << (words.size() < 2 ? "'" + words[0] + "' needs a subcommand"
                                                   : "unknown command '" + words[0] + " " + words[1] + "'")
           << "\n\n";
      os << "usage: " << program << " " << words[0] << " SUBCOMMAND [ARGS...]\n\nsubcommands:\n";
      for (const auto* c : group) os << fmt::format("  {:<22} {}\n", c->name, c->summary);
      os << "\n" << program << " " << words[0] << " SUBCOMMAND --help shows the flags of a subcommand.\n";
      return help ? 0 : 2;
    }
    std::cerr << program + ": unknown command '" << words[0] << (words.size() > 1 ? " " + words[1] : "")
              << "'\n\n";
    print_overview(std::cerr, program, description);
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
      global.threads = parse_threads(program, rest[i + 1]);
      if (global.threads < 1) return 1;
      rest.erase(rest.begin() + i, rest.begin() + i + 2);
      break;
    }
  for (size_t i = 0; i < rest.size(); ++i)
    if (rest[i] == "--reference-kernels") {
      global.reference_kernels = true;
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  configure(global);
  try {
    Args args(cmd->name, rest);
    return cmd->run(args);
  } catch (const UsageError& e) {
    std::cerr << program << " " << cmd->name << ": " << e.what() << "\n\n" << cmd->usage << "\n";
    return 2;
  } catch (const UserError& e) {
    std::cerr << program << " " << cmd->name << ": error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << program << " " << cmd->name << ": internal error: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace rflab::experiments
