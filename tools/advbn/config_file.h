#pragma once
// Config files (YAML or JSON) for any subcommand: each top-level key names one of the command's
// options (`lr`, `step-size` or `step_size`); flags given on the command line win.
#include <CLI/CLI.hpp>

#include <string>

namespace advbn::cli {

// Applies `path` to the options of `command` that the command line left unset. Unknown keys and
// values the option rejects are errors naming the file and the key.
void apply_config_file(CLI::App& command, const std::string& path);

}  // namespace advbn::cli
