#include "advbn/shift/folder_suite.h"

#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <functional>
#include <mutex>
#include <set>

#include "advbn/error.h"
#include "advbn/shift/filters.h"
#include "image_checks.h"
#include "random_fields.h"

namespace advbn::shift {

namespace fs = std::filesystem;

namespace {
struct DatasetFiles {
  std::vector<fs::path> images;  // relative to the input folder, sorted
  std::size_t skipped = 0;
};

DatasetFiles list_dataset(const fs::path& input, const fs::path& output) {
  std::error_code ec;
  if (!fs::is_directory(input, ec)) {
    throw Error("input folder " + input.string() + " does not exist or is not a folder");
  }
  // Writing inside the input would feed the suite its own outputs on a later run.
  const fs::path in_abs = fs::weakly_canonical(input);
  const fs::path out_abs = fs::weakly_canonical(output);
  const fs::path out_from_in = out_abs.lexically_relative(in_abs);
  if (!out_from_in.empty() && *out_from_in.begin() != "..") {
    throw Error("output folder " + output.string() + " lies inside the input folder " +
                input.string() + "; choose an output outside it");
  }
  DatasetFiles files;
  for (const auto& entry : fs::recursive_directory_iterator(input)) {
    if (!entry.is_regular_file()) continue;
    const fs::path relative = entry.path().lexically_relative(input);
    const bool in_class_folder = std::distance(relative.begin(), relative.end()) >= 2;
    if (in_class_folder && has_image_extension(relative)) {
      files.images.push_back(relative);
    } else {
      ++files.skipped;
    }
  }
  std::sort(files.images.begin(), files.images.end());
  return files;
}

std::string progress_line(std::size_t index, std::size_t total, const fs::path& relative) {
  return "[" + std::to_string(index + 1) + "/" + std::to_string(total) + "] " +
         relative.generic_string();
}

// Runs task(0) … task(count - 1) on OpenCV's threads (cv::setNumThreads), one task per stripe.
// The outputs of one input are independent of each other and of the order they are made in, and
// PNG-encoding them costs about as much as making them (docs/performance.md), so both are spread
// over the cores, not the corruption alone. Parallel loops inside a task run serially (OpenCV runs nested
// parallel_for_ calls on the calling thread), so the cores are not oversubscribed. The first
// exception stops the remaining tasks and is rethrown here with its type, so errors still name
// their file.
template <typename Task>
void run_tasks(std::size_t count, const Task& task) {
  std::exception_ptr first_error;
  std::mutex error_mutex;
  std::atomic<bool> failed{false};
  cv::parallel_for_(
      cv::Range(0, static_cast<int>(count)),
      [&](const cv::Range& range) {
        for (int i = range.start; i < range.end && !failed.load(); ++i) {
          try {
            task(static_cast<std::size_t>(i));
          } catch (...) {
            const std::lock_guard<std::mutex> lock(error_mutex);
            if (!first_error) first_error = std::current_exception();
            failed.store(true);
          }
        }
      },
      static_cast<double>(count));
  if (first_error) std::rethrow_exception(first_error);
}

// Reads each image of the dataset at `input` in turn and hands it to `write`, which writes its
// outputs under `output` and returns how many.
SuiteSummary for_each_image(const fs::path& input, const fs::path& output, const ImageLimits& limits,
                            const SuiteProgress& progress,
                            const std::function<std::size_t(const fs::path& relative, const cv::Mat& img)>& write) {
  const DatasetFiles files = list_dataset(input, output);
  SuiteSummary summary;
  summary.skipped = files.skipped;
  for (std::size_t i = 0; i < files.images.size(); ++i) {
    const fs::path& relative = files.images[i];
    if (progress) progress(progress_line(i, files.images.size(), relative));
    summary.written += write(relative, read_image(input / relative, limits));
    ++summary.images;
  }
  return summary;
}

}  // namespace

std::uint64_t file_seed(std::uint64_t seed, const std::string& relative_path) {
  return detail::mix_seed(seed, relative_path);
}

bool has_image_extension(const fs::path& path) {
  static const std::set<std::string> kExtensions = {".bmp", ".jpeg", ".jpg", ".pbm", ".pgm",
                                                    ".png", ".ppm",  ".tif", ".tiff", ".webp"};
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return kExtensions.count(ext) != 0;
}

cv::Mat read_image(const fs::path& path, const ImageLimits& limits) {
  cv::Mat img = decode_image_file(path.string(), cv::IMREAD_ANYCOLOR, limits);
  if (img.channels() == 4) {
    cv::cvtColor(img, img, cv::COLOR_BGRA2BGR);
  }
  return img;
}

void write_image(const fs::path& path, const cv::Mat& img) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    throw Error("cannot create folder " + path.parent_path().string() + ": " + ec.message());
  }
  bool ok = false;
  try {
    ok = cv::imwrite(path.string(), img);
  } catch (const cv::Exception& e) {
    throw Error("cannot write image " + path.string() + ": " + e.what());
  }
  if (!ok) {
    throw Error("cannot write image " + path.string() + " (check the extension and permissions)");
  }
}

SuiteSummary write_corruption_suite(const fs::path& input, const fs::path& output,
                                    const CorruptionSuiteOptions& options,
                                    const SuiteProgress& progress) {
  const std::vector<std::string> corruptions =
      options.corruptions.empty() ? common_corruptions() : options.corruptions;
  std::vector<int> severities = options.severities;
  if (severities.empty()) severities = {1, 2, 3, 4, 5};
  const auto& known = all_corruptions();
  for (const std::string& name : corruptions) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      throw Error("unknown corruption '" + name + "'; valid corruptions: " + detail::join(known));
    }
  }
  for (const int severity : severities) {
    if (severity < 1 || severity > 5) {
      throw Error("corruption severity " + std::to_string(severity) +
                  " is out of range; valid severities: 1, 2, 3, 4, 5");
    }
  }

  return for_each_image(input, output, options.image_limits, progress,
                        [&](const fs::path& relative, const cv::Mat& img) {
                          const std::uint64_t seed = file_seed(options.seed, relative.generic_string());
                          run_tasks(corruptions.size() * severities.size(), [&](std::size_t task) {
                            const std::string& name = corruptions[task / severities.size()];
                            const int severity = severities[task % severities.size()];
                            write_image(output / name / std::to_string(severity) / relative,
                                        corrupt(img, name, severity, seed, options.preset));
                          });
                          return corruptions.size() * severities.size();
                        });
}

SuiteSummary write_filter_suite(const fs::path& input, const fs::path& output,
                                const std::vector<std::string>& filters,
                                const SuiteProgress& progress, const ImageLimits& limits) {
  const std::vector<std::string> names = filters.empty() ? filter_names() : filters;
  const auto& known = filter_names();
  for (const std::string& name : names) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      throw Error("unknown filter '" + name + "'; valid filters: " + detail::join(known));
    }
  }
  return for_each_image(input, output, limits, progress, [&](const fs::path& relative, const cv::Mat& img) {
    run_tasks(names.size(), [&](std::size_t task) {
      write_image(output / names[task] / relative, apply_filter(img, names[task]));
    });
    return names.size();
  });
}

}  // namespace advbn::shift
