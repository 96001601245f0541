#include "experiments/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>

namespace rflab::experiments {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<int64_t>(std::llround(seconds));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

Progress::Progress(std::ostream& os, bool terminal, std::string unit, double total, double start)
    : os_(os), terminal_(terminal), unit_(std::move(unit)), total_(total), start_(start),
      done_(start), t0_(Clock::now()), last_draw_(t0_), last_line_(t0_) {}

std::string Progress::summary() const {
  const double secs = std::chrono::duration<double>(Clock::now() - t0_).count();
  const double rate = secs > 0 ? (done_ - start_) / secs : 0;
  std::string eta = rate > 0 ? format_duration((total_ - done_) / rate) : "?";
  return fmt::format("{:.0f}/{:.0f} {}, {:.1f} {}/s, ETA {}", done_, total_, unit_, rate, unit_, eta);
}

void Progress::draw() {
  constexpr int kWidth = 30;
  const double frac = total_ > 0 ? std::clamp(done_ / total_, 0.0, 1.0) : 1.0;
  const int filled = static_cast<int>(frac * kWidth);
  os_ << "\r\033[K[" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] "
      << fmt::format("{:3.0f}% ", 100 * frac) << summary();
  if (!note_.empty()) os_ << "  " << note_;
  os_.flush();
  drawn_ = true;
  last_draw_ = Clock::now();
}

bool Progress::due(double every_s) const {
  const auto now = Clock::now();
  if (terminal_) return now - last_draw_ > std::chrono::milliseconds(200) || !drawn_;
  return std::chrono::duration<double>(now - last_line_).count() >= every_s;
}

void Progress::update(double done, const std::string& note, double every_s) {
  done_ = done;
  note_ = note;
  if (!due(every_s)) return;
  if (terminal_)
    draw();
  else
    log(summary() + (note.empty() ? "" : "  " + note));
}

void Progress::log(const std::string& line) {
  if (terminal_) {
    if (drawn_) os_ << "\r\033[K";
    os_ << line << "\n";
    draw();
  } else {
    const std::time_t t = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
    os_ << "[" << stamp << "] " << line << std::endl;
    last_line_ = Clock::now();
  }
}

void Progress::finish() {
  if (terminal_ && drawn_) {
    draw();
    os_ << "\n";
    os_.flush();
    drawn_ = false;
  }
}

}  // namespace rflab::experiments
