// Reading the size an image file declares before decoding it, and refusing files that declare
// more pixels than the limit (decompression bombs).
#include "advbn/shift/image_file.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "advbn/error.h"
#include "crafted_png.h"

namespace advbn::shift {
namespace {

namespace fs = std::filesystem;

// Through a buffer of exactly the bytes' size, so that AddressSanitizer sees any read past it.
std::optional<DeclaredSize> size_of(const std::string& bytes) {
  const std::vector<unsigned char> exact(bytes.begin(), bytes.end());
  return declared_image_size(exact.data(), exact.size());
}

std::string encode(const std::string& extension, const cv::Mat& image,
                   const std::vector<int>& params = {}) {
  std::vector<uchar> bytes;
  EXPECT_TRUE(cv::imencode(extension, image, bytes, params)) << extension;
  return std::string(bytes.begin(), bytes.end());
}

class ImageFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("advbn_image_file_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return dir_ / name;
  }
  fs::path dir_;
};

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no advbn::Error)";
}

// Every format the readers accept, as OpenCV itself writes it: the header gives the size that
// decoding gives, and no prefix of the file gives another size (a cut header is "unknown").
TEST_F(ImageFile, DeclaredSizeIsTheDecodedSizeInEveryAcceptedFormat) {
  cv::Mat colour(5, 7, CV_8UC3), grey(5, 7, CV_8UC1);
  cv::randu(colour, 0, 256);
  cv::randu(grey, 0, 256);
  cv::Mat floats;
  colour.convertTo(floats, CV_32FC3, 1.0 / 255);
  const std::vector<std::pair<std::string, std::string>> files = {
      {"png", encode(".png", colour)},
      {"jpeg", encode(".jpg", colour)},
      {"progressive jpeg", encode(".jpg", colour, {cv::IMWRITE_JPEG_PROGRESSIVE, 1})},
      {"bmp", encode(".bmp", colour)},
      {"ppm", encode(".ppm", colour)},
      {"pgm", encode(".pgm", grey)},
      {"pbm", encode(".pbm", grey)},
      {"ascii ppm", encode(".ppm", colour, {cv::IMWRITE_PXM_BINARY, 0})},
      {"pam", encode(".pam", colour)},
      {"pfm", encode(".pfm", floats)},
      {"tiff", encode(".tiff", colour)},
      {"lossy webp", encode(".webp", colour, {cv::IMWRITE_WEBP_QUALITY, 80})},
      {"lossless webp", encode(".webp", colour, {cv::IMWRITE_WEBP_QUALITY, 101})},
  };
  for (const auto& [format, bytes] : files) {
    const auto size = size_of(bytes);
    ASSERT_TRUE(size.has_value()) << format;
    const cv::Mat decoded = cv::imdecode(std::vector<uchar>(bytes.begin(), bytes.end()),
                                         cv::IMREAD_UNCHANGED);
    EXPECT_EQ(size->width, decoded.cols) << format;
    EXPECT_EQ(size->height, decoded.rows) << format;
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      const auto partial = size_of(bytes.substr(0, cut));
      if (partial) {
        EXPECT_EQ(partial->width, 7) << format << " cut at " << cut;
        EXPECT_EQ(partial->height, 5) << format << " cut at " << cut;
      }
    }
  }
}

TEST_F(ImageFile, ReadsTheSizeOfHandMadeHeaders) {
  const auto expect_size = [](const std::string& bytes, int64_t width, int64_t height,
                              const char* what) {
    const auto size = size_of(bytes);
    ASSERT_TRUE(size.has_value()) << what;
    EXPECT_EQ(size->width, width) << what;
    EXPECT_EQ(size->height, height) << what;
  };
  expect_size(test::png_declaring(32000, 32000), 32000, 32000, "png bomb");

  // A JPEG whose frame header (after the APP0 segment) is patched to 30000 × 40000.
  cv::Mat image(8, 8, CV_8UC3, cv::Scalar(1, 2, 3));
  std::string jpeg = encode(".jpg", image);
  const size_t frame = jpeg.find("\xFF\xC0");
  ASSERT_NE(frame, std::string::npos);
  jpeg[frame + 5] = static_cast<char>(40000 >> 8);
  jpeg[frame + 6] = static_cast<char>(40000 & 0xFF);
  jpeg[frame + 7] = static_cast<char>(30000 >> 8);
  jpeg[frame + 8] = static_cast<char>(30000 & 0xFF);
  expect_size(jpeg, 30000, 40000, "jpeg");

  expect_size("P6\n# a comment\n 40000 # another\n30000\n255\n", 40000, 30000, "ppm with comments");
  expect_size("P7\nWIDTH 3\nHEIGHT 2\nHEIGHT 90000\nDEPTH 3\nMAXVAL 255\nENDHDR\n", 3, 90000,
              "pam, repeated field counts at its largest");
  // BMP with a negative height (rows stored top-down).
  std::string bmp = encode(".bmp", image);
  const int32_t top_down = -70000;
  std::memcpy(&bmp[22], &top_down, 4);
  expect_size(bmp, 8, 70000, "top-down bmp");
  // BigTIFF, big-endian: header, then one directory of two LONG8 entries.
  const std::string big_tiff = std::string("MM\0\x2B\0\x08\0\0", 8) + std::string("\0\0\0\0\0\0\0\x10", 8) +
                               std::string("\0\0\0\0\0\0\0\x02", 8) +
                               std::string("\x01\x00\0\x10\0\0\0\0\0\0\0\x01\0\0\0\0\0\x01\x00\x00", 20) +
                               std::string("\x01\x01\0\x10\0\0\0\0\0\0\0\x01\0\0\0\0\0\x02\x00\x00", 20);
  expect_size(big_tiff, 65536, 131072, "bigtiff");

  EXPECT_FALSE(size_of("P6\n40000 x\n").has_value()) << "a PNM header that is not numbers";
  EXPECT_FALSE(size_of("P7\nWIDTH 3\nHEIGHT 2\n").has_value()) << "a PAM header without ENDHDR";
  EXPECT_FALSE(size_of("not an image at all").has_value());
  EXPECT_FALSE(size_of("").has_value());
}

TEST_F(ImageFile, RefusesADecompressionBombBeforeDecodingIt) {
  const auto bomb = write("bomb.png", test::png_declaring(32000, 32000));
  EXPECT_LT(fs::file_size(bomb), 100u);
  const std::string message =
      error_of([&] { decode_image_file(bomb.string(), cv::IMREAD_COLOR, {}); });
  EXPECT_NE(message.find("image '" + bomb.string() + "' declares 32000×32000 pixels, above the "
                         "limit of 178956970"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("--max-image-pixels"), std::string::npos) << message;
}

TEST_F(ImageFile, TheLimitIsAnOptionAndNormalImagesDecode) {
  cv::Mat image(5, 6, CV_8UC3, cv::Scalar(10, 20, 30));
  const auto path = write("small.png", encode(".png", image));
  const cv::Mat decoded = decode_image_file(path.string(), cv::IMREAD_COLOR, {});
  ASSERT_EQ(decoded.size(), cv::Size(6, 5));
  EXPECT_EQ(decoded.at<cv::Vec3b>(4, 5), cv::Vec3b(10, 20, 30));

  EXPECT_NE(error_of([&] { decode_image_file(path.string(), cv::IMREAD_COLOR, {29}); })
                .find("declares 6×5 pixels, above the limit of 29"),
            std::string::npos);
  EXPECT_EQ(decode_image_file(path.string(), cv::IMREAD_COLOR, {30}).size(), cv::Size(6, 5));
}

// OpenCV decodes Sun raster files, but their size is not checked here, so they are refused
// rather than handed to the decoder unchecked.
TEST_F(ImageFile, FormatsWhoseSizeIsNotCheckedAreRefused) {
  cv::Mat image(5, 6, CV_8UC3, cv::Scalar(10, 20, 30));
  const auto path = write("sun.png", encode(".ras", image));
  ASSERT_FALSE(cv::imread(path.string()).empty());
  const std::string message =
      error_of([&] { decode_image_file(path.string(), cv::IMREAD_COLOR, {}); });
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_NE(message.find("not a complete PNG, JPEG"), std::string::npos) << message;
  EXPECT_NE(error_of([&] { decode_image_file((dir_ / "absent.png").string(), cv::IMREAD_COLOR, {}); })
                .find("absent.png': no such file"),
            std::string::npos);
}

}  // namespace
}  // namespace advbn::shift
