#pragma once
// The demo's human-readable report: plots and one self-contained HTML page built from the same
// JSON the demo writes, so the page never shows a number the JSON does not hold.
#include <string>

#include <nlohmann/json.hpp>

namespace advbn::report {

// Writes into out_dir: plots/*.gp and plots/*.png (drawn by gnuplot) and report.html, from the
// demo's report JSON (which the caller has written as out_dir/report.json). The page links to its
// plots and to the example images named in report["examples"] by relative paths, so the folder
// can be moved or archived as a whole.
//
// Expected shape: {"dataset", "date", "machine", "seconds", "config": {…}, "models": {NAME:
// {"clean_top1", "corruption_error", "corruptions": {C: {"1".."5": error}}, "filters_top1",
// "filters": {F: top1}, "history": [{"epoch", "train_loss", "train_top1", "val_top1",
// "train_adv_top1"}]}}, "examples": [{"shift", "severity", "file"}]}; values are percentages, and
// everything except "models" may be missing. Throws advbn::Error when the JSON has the wrong shape,
// gnuplot fails, or a file or folder cannot be written (naming it).
void write_html_report(const nlohmann::json& report, const std::string& out_dir);

}  // namespace advbn::report
