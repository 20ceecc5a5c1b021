#pragma once
// Runs a measurement in a forked child process, so that its peak memory is its own: neither what
// an earlier measurement left in the allocator's free lists nor what a later one adds.
#include <nlohmann/json.hpp>

#include <functional>

namespace advbn::cli {

// Resident memory of this process in MiB, from /proc/self/status.
double resident_mib();
// Resets the kernel's high-water mark of resident memory to the current resident size (writes 5
// to /proc/self/clear_refs); peak_resident_mib() then reports the peak from this point on.
void reset_peak_resident();
double peak_resident_mib();

// Forks, runs `work` in the child and returns the JSON it produced. The child should build its
// own state (and set its thread count): call this before the parent runs any tensor operation,
// because OpenMP's thread pool does not survive fork. Throws advbn::Error with the child's error
// message when `work` throws, or when the child dies.
nlohmann::json run_in_child(const std::function<nlohmann::json()>& work);

}  // namespace advbn::cli
