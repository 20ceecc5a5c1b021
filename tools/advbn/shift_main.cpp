// advbn-shift: the image-shift commands of advbn (corrupt, filter) in a program without LibTorch.
// The same commands as `advbn corrupt` and `advbn filter`, byte for byte; without LibTorch's
// hundreds of shared libraries and static registrations it starts in a fraction of the time,
// which dominates a command over a few images (docs/performance.md).
#include <CLI/CLI.hpp>

#include "advbn/run_app.h"
#include "advbn/shift_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"advbn-shift: image corruptions and filters (the corrupt and filter commands of advbn, "
               "without LibTorch)"};
  app.set_version_flag("--version", std::string("advbn-shift ") + ADVBN_VERSION);
  app.require_subcommand(1);
  advbn::cli::add_corrupt_command(app);
  advbn::cli::add_filter_command(app);
  return advbn::cli::run_app(app, argc, argv, "advbn-shift");
}
