// advbn corrupt: ImageNet-C corruptions of one image or of a class-folder dataset.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "advbn/shift_commands.h"
#include "advbn/error.h"
#include "advbn/image_limit_option.h"
#include "advbn/thread_options.h"
#include "advbn/shift/contact_sheet.h"
#include "advbn/shift/corruptions.h"
#include "advbn/shift/demo_scene.h"
#include "advbn/shift/folder_suite.h"

namespace advbn::cli {

namespace {
namespace fs = std::filesystem;

struct CorruptParams {
  bool list = false;
  std::string contact_sheet;  // output PNG; --in optional (default: the demo scene)
  std::string input;
  std::string output;
  std::string corruption;               // one image
  int severity = 0;                     // one image
  std::vector<std::string> corruptions;  // folder: names, or common / held_out / all
  std::vector<int> severities;          // folder
  std::uint64_t seed = 0;
  std::string preset = "auto";
  shift::ImageLimits image_limits;
  int threads = 0;
};

void print_list() {
  std::cout << "common corruptions (ImageNet-C order):\n";
  for (const std::string& name : shift::common_corruptions()) std::cout << "  " << name << "\n";
  std::cout << "held-out corruptions:\n";
  for (const std::string& name : shift::held_out_corruptions()) std::cout << "  " << name << "\n";
  std::cout << "severities: 1 2 3 4 5\npresets: auto (cifar up to 64 px, else imagenet), "
               "imagenet, cifar\n";
}

// Expands the group keywords; names are checked by the library.
std::vector<std::string> expand_corruptions(const std::vector<std::string>& requested) {
  std::vector<std::string> names;
  for (const std::string& item : requested) {
    const std::vector<std::string>* group = nullptr;
    if (item == "common") group = &shift::common_corruptions();
    if (item == "held_out") group = &shift::held_out_corruptions();
    if (item == "all") group = &shift::all_corruptions();
    if (group != nullptr) {
      names.insert(names.end(), group->begin(), group->end());
    } else {
      names.push_back(item);
    }
  }
  return names;
}

void run_one_image(const CorruptParams& p, shift::Preset preset) {
  if (p.corruption.empty() || p.severity == 0) {
    throw Error("--in " + p.input +
                " is a file: give --corruption NAME and --severity S (1-5) for it");
  }
  if (!p.corruptions.empty() || !p.severities.empty()) {
    throw Error("--corruptions and --severities apply to folders; --in " + p.input +
                " is a file (use --corruption and --severity)");
  }
  const cv::Mat img = shift::read_image(p.input, p.image_limits);
  shift::write_image(p.output, shift::corrupt(img, p.corruption, p.severity, p.seed, preset));
  std::cerr << "wrote " << p.output << "\n";
}

void run_folder(const CorruptParams& p, shift::Preset preset) {
  if (!p.corruption.empty() || p.severity != 0) {
    throw Error("--in " + p.input +
                " is a folder: choose corruptions with --corruptions LIST and --severities LIST");
  }
  shift::CorruptionSuiteOptions options;
  options.corruptions = expand_corruptions(p.corruptions);
  options.severities = p.severities;
  options.seed = p.seed;
  options.preset = preset;
  options.image_limits = p.image_limits;
  const shift::SuiteSummary summary = shift::write_corruption_suite(
      p.input, p.output, options, [](const std::string& line) { std::cerr << line << "\n"; });
  std::cerr << "wrote " << summary.written << " images from " << summary.images << " inputs to "
            << p.output << "; skipped " << summary.skipped
            << " files that are not images in class folders\n";
}

// Every corruption at the chosen severities (default 1, 3, 5) and every filter, on one image.
void run_contact_sheet(const CorruptParams& p) {
  const cv::Mat img = p.input.empty() ? shift::demo_scene(cv::Size(224, 224))
                                      : shift::read_image(p.input, p.image_limits);
  const std::vector<int> severities = p.severities.empty() ? std::vector<int>{1, 3, 5}
                                                           : p.severities;
  shift::write_image(p.contact_sheet, shift::contact_sheet(img, severities, p.seed));
  std::cerr << "wrote " << p.contact_sheet << "\n";
}

void run_corrupt(const CorruptParams& p) {
  if (p.list) {
    print_list();
    return;
  }
  if (!p.contact_sheet.empty()) {
    run_contact_sheet(p);
    return;
  }
  if (p.input.empty() || p.output.empty()) {
    throw Error("give --in and --out (or --list to see the corruptions)");
  }
  const shift::Preset preset = shift::parse_preset(p.preset);
  std::error_code ec;
  if (fs::is_directory(p.input, ec)) {
    run_folder(p, preset);
  } else if (fs::is_regular_file(p.input, ec)) {
    run_one_image(p, preset);
  } else {
    throw Error("--in " + p.input + " is neither an image file nor a folder");
  }
}
}  // namespace

void add_corrupt_command(CLI::App& app) {
  auto params = std::make_shared<CorruptParams>();
  auto* cmd = app.add_subcommand(
      "corrupt",
      "Apply ImageNet-C corruptions to an image, or write the ImageNet-C layout "
      "<corruption>/<severity>/<class>/<file> for a class-folder dataset");
  cmd->add_flag("--list", params->list, "List corruptions, severities and presets, then exit");
  cmd->add_option("--contact-sheet", params->contact_sheet,
                  "Write one picture of every corruption (at --severities, default 1,3,5) and "
                  "every filter applied to --in (default: a built-in demo scene), then exit");
  cmd->add_option("--in", params->input, "Input image, or folder of <class>/<file> images");
  cmd->add_option("--out", params->output, "Output image, or output folder");
  cmd->add_option("--corruption", params->corruption, "Corruption for a single image");
  cmd->add_option("--severity", params->severity, "Severity for a single image (1-5)")
      ->check(CLI::Range(1, 5));
  cmd->add_option("--corruptions", params->corruptions,
                  "Folder: comma-separated corruptions, or common, held_out, all "
                  "(default: common)")
      ->delimiter(',');
  cmd->add_option("--severities", params->severities,
                  "Folder: comma-separated severities (default: 1,2,3,4,5)")
      ->delimiter(',')
      ->check(CLI::Range(1, 5));
  cmd->add_option("--seed", params->seed,
                  "Random seed; a folder's files use it mixed with their relative path")
      ->capture_default_str();
  cmd->add_option("--preset", params->preset, "Parameter tables: auto, imagenet or cifar")
      ->capture_default_str();
  add_image_limit_option(*cmd, params->image_limits);
  add_threads_option(*cmd, params->threads);
  cmd->callback([params] {
    apply_opencv_threads(params->threads);
    run_corrupt(*params);
  });
}

}  // namespace advbn::cli
