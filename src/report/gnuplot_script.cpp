#include "gnuplot_script.h"

#include <cmath>
#include <cstdio>

#include "advbn/error.h"
#include "advbn/report/gnuplot.h"
#include "text_file.h"

namespace advbn::report::detail {

namespace {

// Distinguishable for colour-blind readers (Okabe & Ito), grey first for the usual baseline.
constexpr const char* kPalette[] = {"#777777", "#0072B2", "#D55E00", "#009E73",
                                    "#CC79A7", "#E69F00", "#56B4E9", "#000000"};

}  // namespace

std::string colour_of(std::size_t model_index) {
  return kPalette[model_index % (sizeof kPalette / sizeof kPalette[0])];
}

// gnuplot's single-quoted strings take no backslash escapes; a quote is written twice.
std::string gnuplot_string(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\n' || c == '\r') {
      out += ' ';
      continue;
    }
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// A text column inside an inline data block: gnuplot reads a double-quoted field without
// escapes, so a double quote inside the name becomes a single one.
std::string data_label(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') {
      out += '\'';
    } else if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// A missing value is written as NaN, which gnuplot leaves out of bars and breaks lines at.
std::string data_value(const std::optional<double>& value) {
  if (!value || !std::isfinite(*value)) return "NaN";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6g", *value);
  return buffer;
}

std::string preamble(const std::string& png, int width, int height) {
  const std::string size = std::to_string(width) + "," + std::to_string(height);
  // pngcairo draws anti-aliased text; gnuplot builds without cairo still have the libgd terminal.
  // noenhanced: names such as gaussian_noise must not turn "_" into a subscript.
  return "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
         "  set terminal pngcairo size " + size + " font ',11' noenhanced\n"
         "} else {\n"
         "  set terminal png size " + size + " font ',11' noenhanced\n"
         "}\n"
         "set output " + gnuplot_string(png) + "\n"
         "set grid ytics lc rgb '#dddddd'\n"
         "set border 3\n"
         "set tics nomirror\n";
}

void draw_script(const std::filesystem::path& script_path, const std::filesystem::path& png, const std::string& script) {
  write_text_file(script_path, script);
  run_gnuplot(script_path.string());
  std::error_code ec;
  if (!std::filesystem::is_regular_file(png, ec) || std::filesystem::file_size(png, ec) == 0) {
    throw Error("gnuplot ran " + script_path.string() + " without error but wrote no image " + png.string());
  }
}

}  // namespace advbn::report::detail
