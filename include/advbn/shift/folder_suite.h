#pragma once
// Shifted copies of a class-folder dataset, in the layouts the evaluation suites read:
//   corruptions: <out>/<corruption>/<severity>/<class>/<file>   (ImageNet-C)
//   filters:     <out>/<filter>/<class>/<file>                  (ImageNet-Instagram style)
// The input is <in>/<class>/<file> (deeper folders are kept as they are). Files without an image
// extension, and files directly under <in>, are skipped and counted. Outputs keep the input's
// file name and format. Each file's random draws come from the suite seed mixed with its path
// relative to <in>, so a suite is reproducible and independent of file order.
// The outputs of one input are made and written in parallel on OpenCV's threads
// (cv::setNumThreads; `advbn corrupt --threads` and `advbn filter --threads` set it), so the files
// are the same for any number of threads. PNG outputs use OpenCV's default, fastest-to-encode
// settings (docs/performance.md, "advbn corrupt on a folder").
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "advbn/shift/corruptions.h"
#include "advbn/shift/image_file.h"

namespace advbn::shift {

struct SuiteSummary {
  std::size_t images = 0;   // input images processed
  std::size_t written = 0;  // output files written
  std::size_t skipped = 0;  // input files that are not images or not inside a class folder
};

// Called once per input image, on the calling thread before its outputs are made, with a
// one-line description, e.g. "[3/120] cat/0001.jpg".
using SuiteProgress = std::function<void(const std::string& line)>;

struct CorruptionSuiteOptions {
  std::vector<std::string> corruptions;  // empty: the 15 common corruptions
  std::vector<int> severities;           // empty: 1..5
  std::uint64_t seed = 0;
  Preset preset = Preset::Auto;
  ImageLimits image_limits;
};

// Throws advbn::Error for a missing input folder, an output folder inside the input, unknown
// names or severities (checked before any file is written), unreadable or unwritable images, and
// images declaring more pixels than the limits allow (see image_file.h).
SuiteSummary write_corruption_suite(const std::filesystem::path& input,
                                    const std::filesystem::path& output,
                                    const CorruptionSuiteOptions& options,
                                    const SuiteProgress& progress = {});

// filters: names from filter_names(); empty means all of them.
SuiteSummary write_filter_suite(const std::filesystem::path& input,
                                const std::filesystem::path& output,
                                const std::vector<std::string>& filters,
                                const SuiteProgress& progress = {},
                                const ImageLimits& limits = {});

// The seed a suite uses for one file: `seed` mixed with the file's path relative to the input
// folder (with '/' separators). Exposed so single-image tools can reproduce a suite's output.
std::uint64_t file_seed(std::uint64_t seed, const std::string& relative_path);

// True for the extensions OpenCV reads here: bmp, jpeg, jpg, pbm, pgm, png, ppm, tif, tiff, webp
// (any case).
bool has_image_extension(const std::filesystem::path& path);

// Reads an image as CV_8UC1 (grayscale files) or CV_8UC3 (everything else, alpha dropped).
// Throws advbn::Error naming the file when it cannot be decoded or declares more pixels than
// `limits` allow (decode_image_file).
cv::Mat read_image(const std::filesystem::path& path, const ImageLimits& limits = {});

// Writes an image, creating parent folders; throws advbn::Error naming the file on failure.
void write_image(const std::filesystem::path& path, const cv::Mat& img);

}  // namespace advbn::shift
