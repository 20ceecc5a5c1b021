#pragma once
// The one place errors are caught: parse errors as CLI11 reports them, advbn::Error and anything
// else as "NAME: error: …" with exit status 1.
#include <CLI/CLI.hpp>

#include <string>

namespace advbn::cli {

int run_app(CLI::App& app, int argc, char** argv, const std::string& name);

}  // namespace advbn::cli
