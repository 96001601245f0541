// Progress of long work: on a terminal one bar redrawn in place with rate and ETA; elsewhere
// (logs, CI, Slurm) plain timestamped lines, so a file never fills with carriage returns.
#pragma once
#include <chrono>
#include <ostream>
#include <string>

namespace rflab::experiments {

// "45s", "3m05s", "2h07m".
std::string format_duration(double seconds);

// True when stderr is a terminal.
bool stderr_is_terminal();

class Progress {
 public:
  // `total` units (e.g. optimizer steps) of which `start` are already done; the rate counts only
  // the units done since construction.
  Progress(std::ostream& os, bool terminal, std::string unit, double total, double start);

  // Sets the units done. On a terminal redraws the bar (at most a few times a second); otherwise
  // prints a line when `every_s` seconds passed since the last one.
  void update(double done, const std::string& note, double every_s = 30);
  // Whether update(…, every_s) would draw or print now: callers skip computing `done` otherwise.
  bool due(double every_s = 30) const;
  // Prints a line, keeping the bar below it on a terminal.
  void log(const std::string& line);
  // Ends the bar's line.
  void finish();

  std::string summary() const;  // "120/300 steps, 12.3 steps/s, ETA 15s"

 private:
  void draw();
  using Clock = std::chrono::steady_clock;
  std::ostream& os_;
  bool terminal_;
  std::string unit_, note_;
  double total_, start_, done_;
  Clock::time_point t0_, last_draw_, last_line_;
  bool drawn_ = false;
};

}  // namespace rflab::experiments
