#include "experiments/command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "results/error.h"

namespace rflab::experiments {

namespace {
void print_overview(std::ostream& os, const std::string& program, const std::string& description) {
  os << "usage: " << program << " [--threads N] COMMAND [ARGS...]\n\n" << description << "\n\ncommands:\n";
  for (const auto& c : commands()) os << fmt::format("  {:<22} {}\n", c.name, c.summary);
  os << "\n" << program << " COMMAND --help shows the flags of a command.\n";
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
  if (v->empty() || *end != '\0') throw UsageError("--" + flag + ": expected an integer, got '" + *v + "'");
  return x;
}

double Args::get_double(const std::string& flag, double fallback) {
  auto v = get(flag);
  if (!v) return fallback;
  char* end = nullptr;
  double x = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0') throw UsageError("--" + flag + ": expected a number, got '" + *v + "'");
  return x;
}

void Args::finish() {
  for (const auto& f : flags_)
    if (!f.used) throw UsageError("unknown flag --" + f.name + " for '" + command_ + "'");
}

int dispatch(const std::string& program, const std::string& description, std::vector<std::string> words,
             const std::function<void(int threads)>& configure) {
  int threads = 0;
  // Global flags come before the command.
  while (!words.empty() && words[0].rfind("--", 0) == 0) {
    if (words[0] == "--help" || words[0] == "-h") {
      print_overview(std::cout, program, description);
      return 0;
    }
    if (words[0] == "--threads" && words.size() >= 2) {
      threads = std::atoi(words[1].c_str());
      if (threads < 1) {
        std::cerr << program + ": --threads: expected a positive integer, got '" << words[1] << "'\n";
        return 2;
      }
      words.erase(words.begin(), words.begin() + 2);
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
      threads = std::atoi(rest[i + 1].c_str());
      if (threads < 1) {
        std::cerr << program + ": --threads: expected a positive integer, got '" << rest[i + 1] << "'\n";
        return 2;
      }
      rest.erase(rest.begin() + i, rest.begin() + i + 2);
      break;
    }
  configure(threads);
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
