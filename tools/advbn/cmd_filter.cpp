// advbn filter: Instagram-style (CSSgram) filters of one image or of a class-folder dataset.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "advbn/shift_commands.h"
#include "advbn/error.h"
#include "advbn/image_limit_option.h"
#include "advbn/thread_options.h"
#include "advbn/shift/filters.h"
#include "advbn/shift/folder_suite.h"

namespace advbn::cli {

namespace {
namespace fs = std::filesystem;

struct FilterParams {
  bool list = false;
  std::string input;
  std::string output;
  std::string filter;  // a name, or "all"
  shift::ImageLimits image_limits;
  int threads = 0;
};

// One image: a single filter writes to --out; "all" writes <out>/<filter>/<file name>.
void run_one_image(const FilterParams& p) {
  const cv::Mat img = shift::read_image(p.input, p.image_limits);
  if (p.filter != "all") {
    shift::write_image(p.output, shift::apply_filter(img, p.filter));
    std::cerr << "wrote " << p.output << "\n";
    return;
  }
  const fs::path name = fs::path(p.input).filename();
  for (const std::string& filter : shift::filter_names()) {
    shift::write_image(fs::path(p.output) / filter / name, shift::apply_filter(img, filter));
  }
  std::cerr << "wrote " << shift::filter_names().size() << " images under " << p.output << "\n";
}

void run_folder(const FilterParams& p) {
  const std::vector<std::string> filters =
      p.filter == "all" ? std::vector<std::string>{} : std::vector<std::string>{p.filter};
  const shift::SuiteSummary summary = shift::write_filter_suite(
      p.input, p.output, filters, [](const std::string& line) { std::cerr << line << "\n"; },
      p.image_limits);
  std::cerr << "wrote " << summary.written << " images from " << summary.images << " inputs to "
            << p.output << "; skipped " << summary.skipped
            << " files that are not images in class folders\n";
}

void run_filter(const FilterParams& p) {
  if (p.list) {
    for (const std::string& name : shift::filter_names()) std::cout << name << "\n";
    return;
  }
  if (p.input.empty() || p.output.empty() || p.filter.empty()) {
    throw Error("give --in, --out and --filter NAME|all (or --list to see the filters)");
  }
  std::error_code ec;
  if (fs::is_directory(p.input, ec)) {
    run_folder(p);
  } else if (fs::is_regular_file(p.input, ec)) {
    run_one_image(p);
  } else {
    throw Error("--in " + p.input + " is neither an image file nor a folder");
  }
}
}  // namespace

void add_filter_command(CLI::App& app) {
  auto params = std::make_shared<FilterParams>();
  auto* cmd = app.add_subcommand(
      "filter",
      "Apply Instagram-style (CSSgram) filters to an image, or write <filter>/<class>/<file> "
      "for a class-folder dataset");
  cmd->add_flag("--list", params->list, "List the filters, then exit");
  cmd->add_option("--in", params->input, "Input image, or folder of <class>/<file> images");
  cmd->add_option("--out", params->output,
                  "Output image (one filter on one image), or output folder");
  cmd->add_option("--filter", params->filter, "Filter name, or all");
  add_image_limit_option(*cmd, params->image_limits);
  add_threads_option(*cmd, params->threads);
  cmd->callback([params] {
    apply_opencv_threads(params->threads);
    run_filter(*params);
  });
}

}  // namespace advbn::cli
