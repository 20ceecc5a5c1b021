#pragma once
// Training progress for people: a redrawn bar with ETA on a terminal, plain log lines otherwise.
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace advbn {

struct StepStats {
  double loss = 0;
  double clean_top1 = 0;  // % on the batch, running mean over the epoch
  double adv_top1 = -1;   // < 0 when there are no adversarial features
  bool has_metrics = true;  // false: work without a loss (feature statistics), only progress and speed
};

class ProgressReporter {
 public:
  // `interactive`: redraw one line (terminal) instead of printing a line every 10% of an epoch.
  ProgressReporter(std::ostream& out, bool interactive);

  void begin(const std::string& label, int64_t total_steps, int64_t images_per_step);
  void step(int64_t done, const StepStats& stats);
  void end(const std::string& summary);

  // Whether stderr is a terminal.
  static bool stderr_is_terminal();

 private:
  std::string line(int64_t done, const StepStats& stats) const;

  std::ostream& out_;
  bool interactive_;
  std::string label_;
  int64_t total_ = 0;
  int64_t images_per_step_ = 0;
  int64_t last_logged_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace advbn
