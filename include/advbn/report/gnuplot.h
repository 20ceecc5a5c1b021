#pragma once
// Plots are drawn by the external program gnuplot (Debian: gnuplot-nox) rather than by the
// library, so that every figure is a real, re-runnable gnuplot script next to its image.
#include <string>

namespace advbn::report {

// Runs `gnuplot` on the script at script_path. Relative paths inside the script (its `set output`,
// data files) resolve against the script's own folder, so a script keeps working when re-run by
// hand with `cd plots && gnuplot NAME.gp`. Throws advbn::Error when gnuplot is not on PATH or
// exits with an error; the message carries gnuplot's own diagnostics.
void run_gnuplot(const std::string& script_path);

}  // namespace advbn::report
