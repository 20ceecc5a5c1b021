#include "advbn/core/phase_times.h"

namespace advbn {

namespace {
thread_local PhaseRecording* open_recording = nullptr;
}  // namespace

PhaseRecording::PhaseRecording() : previous_(open_recording) { open_recording = this; }

PhaseRecording::~PhaseRecording() { open_recording = previous_; }

PhaseRecording* PhaseRecording::current() { return open_recording; }

TimedPhase::TimedPhase(const char* phase, int index)
    : recording_(PhaseRecording::current()), phase_(phase), index_(index) {
  if (recording_) start_ = std::chrono::steady_clock::now();
}

void TimedPhase::end() {
  if (!recording_) return;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  recording_->add(index_ >= 0 ? std::string(phase_) + " " + std::to_string(index_) : std::string(phase_),
                  seconds);
  recording_ = nullptr;
}

}  // namespace advbn
