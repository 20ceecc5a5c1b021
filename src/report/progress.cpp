#include "advbn/report/progress.h"

#include <unistd.h>

#include <cstdio>
#include <iomanip>
#include <sstream>

namespace advbn {

ProgressReporter::ProgressReporter(std::ostream& out, bool interactive)
    : out_(out), interactive_(interactive) {}

bool ProgressReporter::stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

void ProgressReporter::begin(const std::string& label, int64_t total_steps, int64_t images_per_step) {
  label_ = label;
  total_ = total_steps;
  images_per_step_ = images_per_step;
  last_logged_ = 0;
  start_ = std::chrono::steady_clock::now();
}

std::string ProgressReporter::line(int64_t done, const StepStats& stats) const {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? done * images_per_step_ / elapsed : 0;
  const double eta = done > 0 ? elapsed * (total_ - done) / done : 0;
  std::ostringstream s;
  s << label_ << " ";
  if (interactive_) {
    constexpr int kWidth = 24;
    const int filled = total_ > 0 ? static_cast<int>(kWidth * done / total_) : kWidth;
    s << "[" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] ";
  }
  s << done << "/" << total_ << std::fixed << std::setprecision(0) << " ETA " << eta << "s "
    << rate << " img/s";
  if (!stats.has_metrics) return s.str();
  s << std::setprecision(4) << " loss " << stats.loss << std::setprecision(1) << " acc " << stats.clean_top1 << "%";
  if (stats.adv_top1 >= 0) s << " adv-acc " << stats.adv_top1 << "%";
  return s.str();
}

void ProgressReporter::step(int64_t done, const StepStats& stats) {
  if (interactive_) {
    out_ << "\r" << line(done, stats) << "\033[K" << std::flush;
  } else if (done == total_ || (done - last_logged_) * 10 >= total_) {
    out_ << line(done, stats) << "\n" << std::flush;
    last_logged_ = done;
  }
}

void ProgressReporter::end(const std::string& summary) {
  if (interactive_) out_ << "\r\033[K";
  out_ << label_ << " " << summary << "\n" << std::flush;
}

}  // namespace advbn
