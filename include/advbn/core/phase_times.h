#pragma once
// Wall time of the named phases of a training step (the prefix, each PGD pass, the final passes,
// the optimizer), so that `advbn bench step` can show where a step's time goes. Phases are
// recorded only while a PhaseRecording is open on the calling thread; otherwise a TimedPhase costs
// one thread-local load. Times are host times: on CUDA they are exact only with synchronous
// launches (CUDA_LAUNCH_BLOCKING=1).
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace advbn {

// (phase, seconds) in the order the phases ended.
using PhaseTimes = std::vector<std::pair<std::string, double>>;

// Collects the phases that end on this thread while it is alive; recordings nest (the inner one
// collects).
class PhaseRecording {
 public:
  PhaseRecording();
  ~PhaseRecording();
  PhaseRecording(const PhaseRecording&) = delete;
  PhaseRecording& operator=(const PhaseRecording&) = delete;

  const PhaseTimes& times() const { return times_; }

  static PhaseRecording* current();
  void add(std::string phase, double seconds) { times_.emplace_back(std::move(phase), seconds); }

 private:
  PhaseTimes times_;
  PhaseRecording* previous_;
};

// Times from construction to end() (or destruction, whichever comes first).
class TimedPhase {
 public:
  explicit TimedPhase(const char* phase) : TimedPhase(phase, -1) {}
  // `phase` followed by " " and `index` when index >= 0 (e.g. "pgd pass 3").
  TimedPhase(const char* phase, int index);
  ~TimedPhase() { end(); }
  TimedPhase(const TimedPhase&) = delete;
  TimedPhase& operator=(const TimedPhase&) = delete;

  void end();

 private:
  PhaseRecording* recording_;
  const char* phase_;
  int index_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace advbn
