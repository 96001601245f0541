// The `rflab` subcommand registry and its flag parser. Each command lives in its own
// cmd_*.cpp and registers itself with RFLAB_COMMAND; main() dispatches on the first one or
// two words ("train", "model info").
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rflab::experiments {

class Args;

struct Command {
  std::string name;     // "train" or a two-word group command such as "model info"
  std::string summary;  // one line for `rflab --help`
  std::string usage;    // full help text for `rflab NAME --help`
  std::function<int(Args&)> run;
};

int register_command(Command c);
const std::vector<Command>& commands();

// The flags every command takes, before or after the command's words.
struct GlobalFlags {
  int threads = 0;                 // --threads N; 0 = not given
  bool reference_kernels = false;  // --reference-kernels: ATen composites instead of the fused CPU kernels
};

// The command line of a program built from registered commands: the global flags and --help,
// the command (one or two words), --help of a command or a command group, and the error
// contract (usage error 2, bad input 1 naming the field, internal error 3). `configure` runs
// before the command.
int dispatch(const std::string& program, const std::string& description, std::vector<std::string> words,
             const std::function<void(const GlobalFlags&)>& configure);

// Whether `words` (a command line after the program name, global flags first) names one of the
// registered commands; false for the overview (--help, nothing), a group's listing and unknown
// words. The `rflab` front serves what this says and hands the rest to the torch binary.
bool names_registered_command(const std::vector<std::string>& words);

// Flags are `--name value`, `--name=value` or a bare `--switch`; everything else is positional.
// Every lookup marks the flag as known; finish() rejects the rest with a UsageError.
class Args {
 public:
  Args(std::string command, std::vector<std::string> argv);

  std::optional<std::string> get(const std::string& flag);
  std::string get_or(const std::string& flag, const std::string& fallback);
  std::vector<std::string> get_all(const std::string& flag);  // repeated flag, in order
  bool has_switch(const std::string& flag);
  int64_t get_int(const std::string& flag, int64_t fallback);
  double get_double(const std::string& flag, double fallback);
  // Call after every flag lookup: a switch's swallowed token is positional again, in place.
  std::vector<std::string> positional() const;
  // Throws UsageError naming the first unknown flag.
  void finish();
  const std::string& command() const { return command_; }

 private:
  struct Flag {
    std::string name;
    std::optional<std::string> value;
    size_t value_index = 0;  // position of the value token in argv
    bool used = false;
  };
  std::string command_;
  std::vector<Flag> flags_;
  std::vector<std::pair<size_t, std::string>> positional_;  // (argv index, token)
};




}  // namespace rflab::experiments

#define RFLAB_CONCAT_(a, b) a##b
#define RFLAB_CONCAT(a, b) RFLAB_CONCAT_(a, b)
#define RFLAB_COMMAND(...) \
  static const int RFLAB_CONCAT(rflab_command_, __COUNTER__) = ::rflab::experiments::register_command(__VA_ARGS__)
