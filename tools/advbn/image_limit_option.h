#pragma once
// --max-image-pixels, the same on every command that decodes image files.
#include <CLI/CLI.hpp>

#include "advbn/shift/image_file.h"

namespace advbn::cli {

inline void add_image_limit_option(CLI::App& command, shift::ImageLimits& limits) {
  command
      .add_option("--max-image-pixels", limits.max_pixels,
                  "Refuse image files whose header declares more pixels (width × height) than "
                  "this, before decoding them (decompression bombs); raise it for trusted, very "
                  "large images")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

}  // namespace advbn::cli
