#pragma once
// Pieces every figure's gnuplot script is made of, so that all figures share one look, one
// colour per model and one way of quoting text and data.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace advbn::report::detail {

// The colour of the model at this position of the report's model order.
std::string colour_of(std::size_t model_index);

// A gnuplot string literal of any text (titles, labels).
std::string gnuplot_string(const std::string& text);
// A text column inside an inline data block.
std::string data_label(const std::string& text);
// A number inside an inline data block; a missing or non-finite value becomes NaN, which gnuplot
// leaves out of bars and breaks lines at.
std::string data_value(const std::optional<double>& value);

// Terminal, output file (relative to the script's folder), grid and borders.
std::string preamble(const std::string& png, int width, int height);

// Writes `script` to script_path and runs gnuplot on it; throws advbn::Error when gnuplot fails
// or writes no image at png.
void draw_script(const std::filesystem::path& script_path, const std::filesystem::path& png, const std::string& script);

}  // namespace advbn::report::detail
