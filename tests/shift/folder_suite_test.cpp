#include "advbn/shift/folder_suite.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <opencv2/core/utility.hpp>

#include <fstream>
#include <iterator>

#include "advbn/error.h"
#include "advbn/shift/filters.h"
#include "crafted_png.h"
#include "shift/shift_test_util.h"
#include "test_support.h"

namespace advbn::shift {
namespace {

namespace fs = std::filesystem;
using testing::mean_abs_diff;
using testing::scene;

// A tiny class-folder dataset: two classes, one colour and one grayscale PNG, plus files the
// suite must skip (a text file inside a class, an image directly under the root).
class FolderSuite : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("advbn_folder_suite_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    input_ = root_ / "in";
    write_image(input_ / "cat" / "a.png", scene(32, 32));
    write_image(input_ / "dog" / "b.png", scene(40, 24, true));
    std::ofstream(input_ / "dog" / "notes.txt") << "not an image";
    write_image(input_ / "loose.png", scene(16, 16));
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;
  fs::path input_;
};

TEST_F(FolderSuite, CorruptionsUseTheImageNetCLayout) {
  CorruptionSuiteOptions options;
  options.corruptions = {"gaussian_noise", "contrast"};
  options.severities = {1, 5};
  options.seed = 11;
  std::vector<std::string> lines;
  const SuiteSummary summary = write_corruption_suite(
      input_, root_ / "out", options, [&](const std::string& line) { lines.push_back(line); });
  EXPECT_EQ(summary.images, 2u);
  EXPECT_EQ(summary.written, 8u);
  EXPECT_EQ(summary.skipped, 2u);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "[1/2] cat/a.png");

  for (const char* name : {"gaussian_noise", "contrast"}) {
    for (const char* severity : {"1", "5"}) {
      for (const char* file : {"cat/a.png", "dog/b.png"}) {
        const fs::path written = root_ / "out" / name / severity / file;
        ASSERT_TRUE(fs::exists(written)) << written;
        // PNG is lossless, so the file holds exactly what corrupt() returns for its seed.
        const cv::Mat clean = read_image(input_ / file);
        const cv::Mat expected = corrupt(clean, name, std::stoi(severity), file_seed(11, file));
        const cv::Mat got = read_image(written);
        EXPECT_EQ(got.type(), clean.type()) << written;
        EXPECT_EQ(mean_abs_diff(got, expected), 0.0) << written;
      }
    }
  }
  EXPECT_FALSE(fs::exists(root_ / "out" / "gaussian_noise" / "1" / "loose.png"));
  EXPECT_FALSE(fs::exists(root_ / "out" / "gaussian_noise" / "1" / "dog" / "notes.txt"));
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Expects `a` and `b` to hold the same files with the same bytes; returns how many.
std::size_t expect_same_trees(const fs::path& a, const fs::path& b) {
  std::size_t compared = 0;
  for (const auto& entry : fs::recursive_directory_iterator(a)) {
    if (!entry.is_regular_file()) continue;
    const fs::path other = b / entry.path().lexically_relative(a);
    EXPECT_TRUE(fs::exists(other)) << other;
    EXPECT_EQ(file_bytes(entry.path()), file_bytes(other)) << other;
    ++compared;
  }
  for (const auto& entry : fs::recursive_directory_iterator(b)) {
    if (entry.is_regular_file()) EXPECT_TRUE(fs::exists(a / entry.path().lexically_relative(b))) << entry.path();
  }
  return compared;
}

// Sets OpenCV's thread count for one scope; the suites run their tasks on OpenCV's threads.
class OpenCvThreads {
 public:
  explicit OpenCvThreads(int threads) : previous_(cv::getNumThreads()) {
    cv::setNumThreads(threads);
  }
  ~OpenCvThreads() { cv::setNumThreads(previous_); }
  OpenCvThreads(const OpenCvThreads&) = delete;
  OpenCvThreads& operator=(const OpenCvThreads&) = delete;

 private:
  int previous_;
};

// Every output is seeded by its file alone, so spreading the outputs over threads must not
// change a byte of any file, for corruptions and for filters.
TEST_F(FolderSuite, ThreadsWriteTheSameBytesAsOneThread) {
  CorruptionSuiteOptions options;
  options.corruptions = {"gaussian_noise", "shot_noise", "glass_blur",
                         "snow",           "fog",        "jpeg_compression"};
  options.seed = 5;
  for (const int threads : {1, 4}) {
    const OpenCvThreads scope(threads);
    const fs::path out = root_ / ("threads_" + std::to_string(threads));
    EXPECT_EQ(write_corruption_suite(input_, out / "corrupt", options).written, 60u);
    EXPECT_EQ(write_filter_suite(input_, out / "filter", {}).written, 2 * filter_names().size());
  }
  EXPECT_EQ(expect_same_trees(root_ / "threads_1", root_ / "threads_4"), 60u + 2 * filter_names().size());
}

// advbn-shift is advbn's corrupt and filter commands without LibTorch: the same bytes out, the
// same errors, and no LibTorch library loaded.
TEST_F(FolderSuite, TheShiftToolWritesWhatAdvbnWritesWithoutLibTorch) {
  const std::string args = " --in " + input_.string() + " --out ";
  for (const std::string command : {"corrupt --seed 3 --corruptions gaussian_noise,fog,jpeg_compression --severities 2,5",
                                    "filter --filter all"}) {
    const auto ours = test::run_tool(command + args + (root_ / "advbn").string());
    ASSERT_EQ(ours.exit_code, 0) << ours.output;
    const auto theirs = test::run_shift_tool(command + args + (root_ / "advbn-shift").string());
    ASSERT_EQ(theirs.exit_code, 0) << theirs.output;
    EXPECT_EQ(expect_same_trees(root_ / "advbn", root_ / "advbn-shift"),
              command[0] == 'c' ? 12u : 2 * filter_names().size());
    fs::remove_all(root_ / "advbn");
    fs::remove_all(root_ / "advbn-shift");
  }
  const auto bad = test::run_shift_tool("corrupt --corruptions no_such --in " + input_.string() + " --out " +
                                        (root_ / "x").string());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.output.rfind("advbn-shift: error: ", 0), 0u) << bad.output;
  const auto libraries = test::run_command("ldd " + test::env_or_throw("ADVBN_SHIFT_TOOL"));
  ASSERT_EQ(libraries.exit_code, 0) << libraries.output;
  EXPECT_NE(libraries.output.find("libopencv_core"), std::string::npos) << libraries.output;
  EXPECT_EQ(libraries.output.find("libtorch"), std::string::npos) << libraries.output;
  EXPECT_EQ(libraries.output.find("libc10"), std::string::npos) << libraries.output;
}

// A write that fails on a worker thread reaches the caller as advbn::Error naming the path.
TEST_F(FolderSuite, FailedWritesOnWorkerThreadsAreNamed) {
  const OpenCvThreads scope(4);
  fs::create_directories(root_ / "out" / "fog");
  std::ofstream(root_ / "out" / "fog" / "3") << "a file where a folder belongs";
  CorruptionSuiteOptions options;
  options.corruptions = {"fog"};
  try {
    write_corruption_suite(input_, root_ / "out", options);
    FAIL() << "expected advbn::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find((root_ / "out" / "fog" / "3").string()), std::string::npos)
        << e.what();
  }
}

TEST_F(FolderSuite, FiltersUseOneFolderPerFilter) {
  const SuiteSummary summary = write_filter_suite(input_, root_ / "out", {"toaster", "1977"});
  EXPECT_EQ(summary.images, 2u);
  EXPECT_EQ(summary.written, 4u);
  const cv::Mat got = read_image(root_ / "out" / "toaster" / "cat" / "a.png");
  EXPECT_EQ(mean_abs_diff(got, apply_filter(read_image(input_ / "cat" / "a.png"), "toaster")), 0.0);
  EXPECT_TRUE(fs::exists(root_ / "out" / "1977" / "dog" / "b.png"));
  EXPECT_EQ(write_filter_suite(input_, root_ / "all", {}).written, 2 * filter_names().size());
}

TEST_F(FolderSuite, BadRequestsFailBeforeWriting) {
  CorruptionSuiteOptions options;
  options.corruptions = {"rain"};
  EXPECT_THROW(write_corruption_suite(input_, root_ / "out", options), Error);
  options.corruptions = {};
  options.severities = {6};
  EXPECT_THROW(write_corruption_suite(input_, root_ / "out", options), Error);
  EXPECT_THROW(write_filter_suite(input_, root_ / "out", {"gotham"}), Error);
  EXPECT_FALSE(fs::exists(root_ / "out"));
  EXPECT_THROW(write_corruption_suite(root_ / "missing", root_ / "out", {}), Error);
  EXPECT_THROW(write_filter_suite(input_, input_ / "shifted", {}), Error);
}

TEST_F(FolderSuite, UnreadableImagesAreNamed) {
  std::ofstream(input_ / "cat" / "broken.png") << "not a png";
  try {
    write_filter_suite(input_, root_ / "out", {"toaster"});
    FAIL() << "expected advbn::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("broken.png"), std::string::npos) << e.what();
  }
}

// A 65-byte PNG declaring 32000×32000 pixels (under OpenCV's own cap of 2^30, so OpenCV would
// allocate 3 GB for it) is refused by its declared size, by the library and by `advbn corrupt`
// and `advbn filter`; --max-image-pixels moves the limit.
TEST_F(FolderSuite, DecompressionBombsAreRefusedByTheirDeclaredSize) {
  const fs::path bomb = input_ / "dog" / "bomb.png";
  test::write_png_declaring(bomb, 32000, 32000);
  const std::string expected = "image '" + bomb.string() +
                               "' declares 32000×32000 pixels, above the limit of 178956970";
  CorruptionSuiteOptions options;
  options.corruptions = {"fog"};
  options.severities = {1};
  try {
    write_corruption_suite(input_, root_ / "library", options);
    FAIL() << "the bomb was decoded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
  }
  for (const std::string command : {"corrupt --corruptions fog --severities 1", "filter --filter toaster"}) {
    const std::string args = command + " --in " + input_.string() + " --out " + (root_ / "out").string();
    const auto run = test::run_tool(args);
    EXPECT_NE(run.exit_code, 0) << command;
    const auto shift_run = test::run_shift_tool(args);
    EXPECT_NE(shift_run.exit_code, 0) << command;
    EXPECT_NE(shift_run.output.find(expected), std::string::npos) << command << ":\n" << shift_run.output;
    EXPECT_NE(run.output.find(expected), std::string::npos) << command << ":\n" << run.output;
    EXPECT_NE(run.output.find("--max-image-pixels"), std::string::npos) << run.output;
  }

  const std::string one_image = "corrupt --corruption fog --severity 1 --in " +
                                (input_ / "cat" / "a.png").string() + " --out " +
                                (root_ / "one.png").string();  // a 32×32 image
  const auto strict = test::run_tool(one_image + " --max-image-pixels 1023");
  EXPECT_NE(strict.exit_code, 0);
  EXPECT_NE(strict.output.find("declares 32×32 pixels, above the limit of 1023"), std::string::npos)
      << strict.output;
  const auto enough = test::run_tool(one_image + " --max-image-pixels 1024");
  EXPECT_EQ(enough.exit_code, 0) << enough.output;
  EXPECT_EQ(read_image(root_ / "one.png").size(), cv::Size(32, 32));
  const auto filter_strict = test::run_tool("filter --filter toaster --max-image-pixels 1023 --in " +
                                            (input_ / "cat" / "a.png").string() + " --out " +
                                            (root_ / "toaster.png").string());
  EXPECT_NE(filter_strict.output.find("above the limit of 1023"), std::string::npos)
      << filter_strict.output;
}

TEST(ImageExtensions, CaseInsensitive) {
  EXPECT_TRUE(has_image_extension("x/IMG_1.JPEG"));
  EXPECT_TRUE(has_image_extension("a.png"));
  EXPECT_FALSE(has_image_extension("a.txt"));
  EXPECT_FALSE(has_image_extension("README"));
}

}  // namespace
}  // namespace advbn::shift
