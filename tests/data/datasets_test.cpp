// Dataset readers on tiny files written by the tests themselves: IDX (plain and gzip), CIFAR-10
// and CIFAR-100 binaries, image folders, format detection, subsets, and their error messages.
#include <unistd.h>

#include "crafted_png.h"
#include "scratch_dir.h"
#include "test_support.h"

#include <advbn/data/cifar_dataset.h>
#include <advbn/data/idx_dataset.h>
#include <advbn/data/image_folder.h>
#include <advbn/data/open_dataset.h>
#include <advbn/data/subset.h>
#include <advbn/error.h>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <zlib.h>

#include <fstream>
#include <set>

namespace advbn::data {
namespace {

namespace fs = std::filesystem;

using test::ScratchDir;

void write_bytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
  fs::create_directories(path.parent_path());
  if (path.extension() == ".gz") {
    gzFile file = gzopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
    gzclose(file);
  } else {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
}

void put_u32(std::vector<uint8_t>& bytes, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<uint8_t>(value >> shift));
}

// count images of rows × cols whose pixel (r, c) of image i is (i * 7 + r * cols + c) mod 256.
std::vector<uint8_t> idx_images(uint32_t count, uint32_t rows, uint32_t cols) {
  std::vector<uint8_t> bytes;
  put_u32(bytes, 0x803);
  put_u32(bytes, count);
  put_u32(bytes, rows);
  put_u32(bytes, cols);
  for (uint32_t i = 0; i < count; ++i) {
    for (uint32_t p = 0; p < rows * cols; ++p) bytes.push_back(static_cast<uint8_t>(i * 7 + p));
  }
  return bytes;
}

std::vector<uint8_t> idx_labels(const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> bytes;
  put_u32(bytes, 0x801);
  put_u32(bytes, static_cast<uint32_t>(labels.size()));
  bytes.insert(bytes.end(), labels.begin(), labels.end());
  return bytes;
}

void write_idx(const fs::path& dir, const std::string& prefix, const std::string& suffix,
               uint32_t count, const std::vector<uint8_t>& labels) {
  write_bytes(dir / (prefix + "-images-idx3-ubyte" + suffix), idx_images(count, 3, 4));
  write_bytes(dir / (prefix + "-labels-idx1-ubyte" + suffix), idx_labels(labels));
}

template <typename F>
void expect_error_mentioning(F&& body, const std::string& needle) {
  try {
    body();
    ADD_FAILURE() << "expected advbn::Error mentioning '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(IdxDataset, ReadsPlainAndGzipFilesIdentically) {
  const ScratchDir scratch("idx_both");
  const auto& dir = scratch.path;
  write_idx(dir / "plain", "train", "", 5, {0, 1, 2, 1, 0});
  write_idx(dir / "gz", "train", ".gz", 5, {0, 1, 2, 1, 0});
  write_idx(dir / "gz", "t10k", ".gz", 2, {2, 2});
  for (const auto* name : {"plain", "gz"}) {
    const auto data = open_idx((dir / name).string(), Split::Train);
    ASSERT_EQ(data->size(), 5u);
    EXPECT_EQ(data->num_classes(), 3);
    const auto sample = data->get(3);
    EXPECT_EQ(sample.label, 1);
    ASSERT_EQ(sample.image.type(), CV_8UC1);
    ASSERT_EQ(sample.image.size(), cv::Size(4, 3));
    EXPECT_EQ(sample.image.at<uint8_t>(2, 1), static_cast<uint8_t>(3 * 7 + 2 * 4 + 1));
    EXPECT_EQ(data->description(), std::string(name) + " train (5 images, 3 classes)");
    EXPECT_THROW(data->get(5), Error);
  }
  EXPECT_EQ(open_idx((dir / "gz").string(), Split::Test)->size(), 2u);
}

TEST(IdxDataset, RejectsBadFilesNamingThem) {
  const ScratchDir scratch("idx_bad");
  const auto& dir = scratch.path;
  expect_error_mentioning([&] { open_idx((dir / "missing").string(), Split::Train); }, "missing");
  expect_error_mentioning([&] { open_idx(dir.string(), Split::Train); }, "train-images-idx3-ubyte");

  auto bad_magic = idx_images(2, 3, 4);
  bad_magic[3] = 0x04;
  write_bytes(dir / "magic" / "train-images-idx3-ubyte", bad_magic);
  write_bytes(dir / "magic" / "train-labels-idx1-ubyte", idx_labels({0, 1}));
  expect_error_mentioning([&] { open_idx((dir / "magic").string(), Split::Train); },
                          "magic number");

  // A header claiming 4 billion images must fail on the size check, not on an allocation.
  auto huge = idx_images(2, 3, 4);
  huge[4] = huge[5] = huge[6] = huge[7] = 0xFF;
  write_bytes(dir / "huge" / "train-images-idx3-ubyte.gz", huge);
  write_bytes(dir / "huge" / "train-labels-idx1-ubyte", idx_labels({0, 1}));
  expect_error_mentioning([&] { open_idx((dir / "huge").string(), Split::Train); },
                          "train-images-idx3-ubyte.gz' is truncated or corrupt");

  write_idx(dir / "count", "train", "", 3, {0, 1});
  expect_error_mentioning([&] { open_idx((dir / "count").string(), Split::Train); }, "2 labels");

  // A gzip stream cut in half.
  write_idx(dir / "cut", "train", ".gz", 40, std::vector<uint8_t>(40, 1));
  const auto gz = dir / "cut" / "train-images-idx3-ubyte.gz";
  fs::resize_file(gz, fs::file_size(gz) / 2);
  expect_error_mentioning([&] { open_idx((dir / "cut").string(), Split::Train); },
                          "train-images-idx3-ubyte.gz");
}

// Records of CIFAR-10 (1 label byte) or CIFAR-100 (coarse + fine label bytes); pixel p of plane c
// in record i is (i + 3 c + p) mod 256.
std::vector<uint8_t> cifar_records(const std::vector<uint8_t>& labels, bool hundred) {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (hundred) bytes.push_back(7);  // coarse label, ignored
    bytes.push_back(labels[i]);
    for (int c = 0; c < 3; ++c) {
      for (int p = 0; p < 1024; ++p) bytes.push_back(static_cast<uint8_t>(i + 3 * c + p));
    }
  }
  return bytes;
}

TEST(CifarDataset, ReadsCifar10BatchesAsRgb) {
  const ScratchDir scratch("cifar10");
  const auto& dir = scratch.path;
  for (int b = 1; b <= 5; ++b) {
    write_bytes(dir / ("data_batch_" + std::to_string(b) + ".bin"),
                cifar_records({static_cast<uint8_t>(b), 9}, false));
  }
  write_bytes(dir / "test_batch.bin", cifar_records({3, 4, 5}, false));
  const auto train = open_cifar(dir.string(), Split::Train);
  ASSERT_EQ(train->size(), 10u);
  EXPECT_EQ(train->num_classes(), 10);
  EXPECT_EQ(train->get(4).label, 3);  // batch 3, first record
  const auto sample = train->get(1);  // batch 1, record 1
  ASSERT_EQ(sample.image.type(), CV_8UC3);
  ASSERT_EQ(sample.image.size(), cv::Size(32, 32));
  const auto pixel = sample.image.at<cv::Vec3b>(1, 2);  // p = 34
  EXPECT_EQ(pixel, cv::Vec3b(1 + 34, 1 + 3 + 34, 1 + 6 + 34));
  EXPECT_EQ(open_cifar(dir.string(), Split::Test)->description(), "cifar-10 test (3 images, 10 classes)");

  fs::remove(dir / "data_batch_4.bin");
  expect_error_mentioning([&] { open_cifar(dir.string(), Split::Train); }, "data_batch_4.bin");
}

TEST(CifarDataset, ReadsCifar100FineLabelsAndRejectsBadFiles) {
  const ScratchDir scratch("cifar100");
  const auto& dir = scratch.path;
  write_bytes(dir / "train.bin", cifar_records({99, 0, 42}, true));
  write_bytes(dir / "test.bin", cifar_records({100}, true));
  const auto train = open_cifar(dir.string(), Split::Train);
  EXPECT_EQ(train->num_classes(), 100);
  EXPECT_EQ(train->get(0).label, 99);
  EXPECT_EQ(train->get(2).label, 42);
  expect_error_mentioning([&] { open_cifar(dir.string(), Split::Test); }, "label 100");

  auto cut = cifar_records({1, 2}, true);
  cut.pop_back();
  write_bytes(dir / "train.bin", cut);
  expect_error_mentioning([&] { open_cifar(dir.string(), Split::Train); }, "train.bin");
}

void write_image(const fs::path& path, int value, int width = 6, int height = 5) {
  fs::create_directories(path.parent_path());
  cv::Mat bgr(height, width, CV_8UC3, cv::Scalar(value, value / 2, 255 - value));
  ASSERT_TRUE(cv::imwrite(path.string(), bgr));
}

// A small folder in the ImageNet layout whose expected order was checked against torchvision's
// ImageFolder: classes in byte order (upper case first), files by (folder, name), where
// "sub-x" sorts before "sub/deep" because '-' < '/'.
void make_image_folder(const fs::path& root) {
  write_image(root / "b_cls" / "x.png", 10);
  write_image(root / "a_cls" / "2.png", 20);
  write_image(root / "a_cls" / "10.PNG", 30);
  write_image(root / "a_cls" / "sub" / "0.jpg", 40);
  write_image(root / "a_cls" / "sub" / "deep" / "5.png", 50);
  write_image(root / "a_cls" / "sub-x" / "1.jpeg", 60);
  write_image(root / "C_upper" / "z.bmp", 70);
  std::ofstream(root / "a_cls" / "broken.jpg") << "this is not a JPEG";
  std::ofstream(root / "b_cls" / "notes.txt") << "labelling notes";
  std::ofstream(root / "README") << "top-level file";
}

TEST(ImageFolder, OrdersClassesAndFilesLikeTorchvision) {
  const ScratchDir scratch("folder_order");
  const auto& root = scratch.path;
  make_image_folder(root);
  const auto data = open_image_folder(root.string());
  EXPECT_EQ(data->classes(), (std::vector<std::string>{"C_upper", "a_cls", "b_cls"}));
  const std::vector<std::string> expected{"C_upper/z.bmp",  "a_cls/10.PNG",
                                          "a_cls/2.png",    "a_cls/sub/0.jpg",
                                          "a_cls/sub-x/1.jpeg", "a_cls/sub/deep/5.png",
                                          "b_cls/x.png"};
  const std::vector<int64_t> labels{0, 1, 1, 1, 1, 1, 2};
  ASSERT_EQ(data->size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(data->path(i), (root / expected[i]).string());
    EXPECT_EQ(data->get(i).label, labels[i]);
  }
  EXPECT_EQ(data->num_classes(), 3);
}

TEST(ImageFolder, DecodesToRgbAndSkipsNonImagesWithAReport) {
  const ScratchDir scratch("folder_skip");
  const auto& root = scratch.path;
  make_image_folder(root);
  const auto data = open_image_folder(root.string());
  const auto sample = data->get(6);  // b_cls/x.png, written as BGR (10, 5, 245)
  ASSERT_EQ(sample.image.type(), CV_8UC3);
  EXPECT_EQ(sample.image.size(), cv::Size(6, 5));
  EXPECT_EQ(sample.image.at<cv::Vec3b>(0, 0), cv::Vec3b(245, 5, 10));

  std::set<std::string> skipped;
  for (const auto& file : data->skipped_files()) skipped.insert(fs::path(file.path).filename());
  EXPECT_EQ(skipped, (std::set<std::string>{"broken.jpg", "notes.txt", "README"}));
  EXPECT_NE(data->description().find("3 files skipped"), std::string::npos);
  ASSERT_EQ(data->warnings().size(), 1u);
  EXPECT_NE(data->warnings()[0].find("broken.jpg"), std::string::npos);

  // A file that disappears after the scan is reported by name when read.
  fs::remove(root / "b_cls" / "x.png");
  expect_error_mentioning([&] { data->get(6); }, "x.png");

  // A header declaring a zero height made OpenCV throw its own exception instead of returning
  // an empty image (found by fuzz/image_fuzzer.cpp; these are its 18 bytes, a PFM header).
  const std::string zero_height("PF\n6 y8\n255\n\x7f\xd5\xb6kN{", 18);
  std::ofstream(root / "b_cls" / "x.png", std::ios::binary) << zero_height;
  expect_error_mentioning([&] { data->get(6); }, "x.png");
}

// A 65-byte PNG declaring 32000×32000 pixels (under OpenCV's own cap of 2^30) is refused by the
// size its header declares, before OpenCV allocates 3 GB for it; the limit is an option.
TEST(ImageFolder, RefusesImagesDeclaringMorePixelsThanTheLimit) {
  const ScratchDir scratch("folder_bomb");
  const auto& root = scratch.path;
  write_image(root / "a" / "small.png", 10);  // 6×5
  test::write_png_declaring(root / "b" / "bomb.png", 32000, 32000);
  const auto data = open_image_folder(root.string());
  ASSERT_EQ(data->size(), 2u);
  EXPECT_EQ(data->get(0).image.size(), cv::Size(6, 5));
  try {
    data->get(1);
    FAIL() << "the bomb was decoded";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("image '" + (root / "b" / "bomb.png").string() +
                           "' declares 32000×32000 pixels, above the limit of 178956970"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("--max-image-pixels"), std::string::npos) << message;
  }

  // Through open_dataset too, and the limit moves with the option.
  const auto strict = open_dataset(root.string(), Split::Test, {29});
  expect_error_mentioning([&] { strict->get(0); }, "declares 6×5 pixels, above the limit of 29");
  EXPECT_EQ(open_dataset(root.string(), Split::Test, {30})->get(0).image.size(), cv::Size(6, 5));
}

TEST(ImageFolder, RejectsMissingEmptyAndImagelessFolders) {
  const ScratchDir scratch("folder_errors");
  const auto& dir = scratch.path;
  expect_error_mentioning([&] { open_image_folder((dir / "nowhere").string()); }, "nowhere");
  fs::create_directories(dir / "empty");
  expect_error_mentioning([&] { open_image_folder((dir / "empty").string()); },
                          "no class sub-folders");
  fs::create_directories(dir / "textonly" / "cls");
  std::ofstream(dir / "textonly" / "cls" / "a.txt") << "x";
  fs::create_directories(dir / "textonly" / "other");
  write_image(dir / "textonly" / "other" / "ok.png", 1);
  expect_error_mentioning([&] { open_image_folder((dir / "textonly").string()); }, "'cls'");
}

TEST(OpenDataset, DetectsFormatsAndImageNetSplits) {
  const ScratchDir scratch("open_dataset");
  const auto& dir = scratch.path;
  write_idx(dir / "idx", "train", ".gz", 4, {0, 1, 0, 1});
  EXPECT_EQ(open_dataset((dir / "idx").string(), Split::Train)->size(), 4u);
  write_bytes(dir / "c100" / "test.bin", cifar_records({5, 6}, true));
  EXPECT_EQ(open_dataset((dir / "c100").string(), Split::Test)->num_classes(), 100);

  write_image(dir / "imagenet" / "train" / "n01" / "a.png", 1);
  write_image(dir / "imagenet" / "train" / "n01" / "b.png", 2);
  write_image(dir / "imagenet" / "val" / "n01" / "c.png", 3);
  EXPECT_EQ(open_dataset((dir / "imagenet").string(), Split::Train)->size(), 2u);
  EXPECT_EQ(open_dataset((dir / "imagenet").string(), Split::Test)->size(), 1u);
  EXPECT_EQ(open_dataset((dir / "imagenet" / "val").string(), Split::Train)->size(), 1u);
  fs::remove_all(dir / "imagenet" / "val");
  expect_error_mentioning([&] { open_dataset((dir / "imagenet").string(), Split::Test); },
                          "no val or test folder");

  expect_error_mentioning([&] { open_dataset((dir / "absent").string(), Split::Train); },
                          "absent' does not exist");
  expect_error_mentioning(
      [&] { open_dataset((dir / "idx" / "train-images-idx3-ubyte.gz").string(), Split::Train); },
      "is not a folder");
}

TEST(Subset, SelectsAndSplitsDeterministically) {
  const ScratchDir scratch("subset");
  const auto& dir = scratch.path;
  std::vector<uint8_t> labels(20);
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<uint8_t>(i % 4);
  write_idx(dir, "train", "", 20, labels);
  const auto base = open_idx(dir.string(), Split::Train);

  const auto part = subset(base, {7, 2});
  ASSERT_EQ(part->size(), 2u);
  EXPECT_EQ(part->get(0).label, 3);
  EXPECT_TRUE(cv::countNonZero(part->get(1).image != base->get(2).image) == 0);
  EXPECT_THROW(subset(base, {20}), Error);
  EXPECT_THROW(subset(base, {}), Error);

  const auto [train, validation] = split_validation(base, 0.25, 11);
  EXPECT_EQ(train->size(), 15u);
  EXPECT_EQ(validation->size(), 5u);
  const auto [train2, validation2] = split_validation(base, 0.25, 11);
  const auto [train3, validation3] = split_validation(base, 0.25, 12);
  std::set<int64_t> seen;
  bool differs = false;
  for (size_t i = 0; i < validation->size(); ++i) {
    EXPECT_EQ(validation->get(i).image.at<uint8_t>(0, 0), validation2->get(i).image.at<uint8_t>(0, 0));
    differs |= validation->get(i).image.at<uint8_t>(0, 0) != validation3->get(i).image.at<uint8_t>(0, 0);
  }
  EXPECT_TRUE(differs);
  // Both parts together cover the base exactly once (pixel (0, 0) identifies an image).
  for (const auto& part_ptr : {train, validation}) {
    for (size_t i = 0; i < part_ptr->size(); ++i) seen.insert(part_ptr->get(i).image.at<uint8_t>(0, 0));
  }
  EXPECT_EQ(seen.size(), 20u);
  EXPECT_THROW(split_validation(base, 0.0, 1), Error);
  EXPECT_THROW(split_validation(base, 1.0, 1), Error);
  EXPECT_THROW(split_validation(base, 0.01, 1), Error);  // rounds to an empty validation part
}

TEST(FashionMnist, OpensTheSystemCopy) {
  const std::string path = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(path)) GTEST_SKIP() << path << " is not installed";
  const auto train = open_dataset(path, Split::Train);
  const auto test = open_dataset(path, Split::Test);
  EXPECT_EQ(train->size(), 60000u);
  EXPECT_EQ(test->size(), 10000u);
  EXPECT_EQ(train->num_classes(), 10);
  EXPECT_EQ(train->description(), "fashion-mnist train (60000 images, 10 classes)");
  EXPECT_EQ(test->get(0).image.size(), cv::Size(28, 28));
  EXPECT_EQ(test->get(0).label, 9);  // the first test image is an ankle boot
}

}  // namespace
}  // namespace advbn::data
