// Segmentation data: the label tables against the published ones, the three label encodings,
// the folder layouts (Cityscapes, GTA5, SYNTHIA, train ids) with their error messages, the paired
// transforms and batches of label maps.
#include "crafted_png.h"
#include "scratch_dir.h"
#include "test_support.h"

#include <advbn/data/label_image.h>
#include <advbn/data/loader.h>
#include <advbn/data/paired_transforms.h>
#include <advbn/data/pipeline.h>
#include <advbn/data/segmentation_folder.h>
#include <advbn/data/segmentation_labels.h>
#include <advbn/error.h>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>
#include <zlib.h>

#include <fstream>
#include <set>

namespace advbn::data {
namespace {

namespace fs = std::filesystem;

constexpr int I = kIgnoreLabel;

using test::ScratchDir;

void write_image(const fs::path& path, const cv::Mat& image) {
  fs::create_directories(path.parent_path());
  ASSERT_TRUE(cv::imwrite(path.string(), image)) << path;
}

// A palette PNG (colour type 3) whose pixels are the indices `ids`, with `palette` as RGB triples.
void write_palette_png(const fs::path& path, const cv::Mat& ids, const std::vector<cv::Vec3b>& palette) {
  const auto be32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
  };
  std::string raw;
  for (int r = 0; r < ids.rows; ++r) {
    raw += '\0';  // filter type none
    raw.append(reinterpret_cast<const char*>(ids.ptr<uint8_t>(r)), static_cast<size_t>(ids.cols));
  }
  uLongf size = compressBound(raw.size());
  std::string compressed(size, '\0');
  ASSERT_EQ(compress(reinterpret_cast<Bytef*>(compressed.data()), &size,
                     reinterpret_cast<const Bytef*>(raw.data()), raw.size()),
            Z_OK);
  compressed.resize(size);
  std::string plte;
  for (const auto& rgb : palette) plte += std::string{static_cast<char>(rgb[0]), static_cast<char>(rgb[1]), static_cast<char>(rgb[2])};
  const std::string header = be32(static_cast<uint32_t>(ids.cols)) + be32(static_cast<uint32_t>(ids.rows)) +
                             std::string("\x08\x03\x00\x00\x00", 5);
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << std::string("\x89PNG\r\n\x1a\n", 8) + test::png_chunk("IHDR", header) +
                                               test::png_chunk("PLTE", plte) + test::png_chunk("IDAT", compressed) +
                                               test::png_chunk("IEND", "");
}

cv::Mat rgb_image(int rows, int cols, int seed) {
  cv::Mat image(rows, cols, CV_8UC3);
  cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(255));
  image.at<cv::Vec3b>(0, 0) = cv::Vec3b(static_cast<uint8_t>(seed), 0, 0);
  return image;
}

TEST(LabelTables, CityscapesIsThePublishedTable) {
  // cityscapesScripts helpers/labels.py: (id, name, trainId) for ids 0–33.
  const std::vector<std::tuple<int, std::string, int>> published{
      {0, "unlabeled", I},     {1, "ego vehicle", I},   {2, "rectification border", I}, {3, "out of roi", I},
      {4, "static", I},        {5, "dynamic", I},       {6, "ground", I},               {7, "road", 0},
      {8, "sidewalk", 1},      {9, "parking", I},       {10, "rail track", I},          {11, "building", 2},
      {12, "wall", 3},         {13, "fence", 4},        {14, "guard rail", I},          {15, "bridge", I},
      {16, "tunnel", I},       {17, "pole", 5},         {18, "polegroup", I},           {19, "traffic light", 6},
      {20, "traffic sign", 7}, {21, "vegetation", 8},   {22, "terrain", 9},             {23, "sky", 10},
      {24, "person", 11},      {25, "rider", 12},       {26, "car", 13},                {27, "truck", 14},
      {28, "bus", 15},         {29, "caravan", I},      {30, "trailer", I},             {31, "train", 16},
      {32, "motorcycle", 17},  {33, "bicycle", 18}};
  const auto& table = cityscapes_labels();
  ASSERT_EQ(table.train_ids.size(), published.size());
  ASSERT_EQ(table.classes.size(), 19u);
  for (const auto& [id, name, train_id] : published) {
    EXPECT_EQ(table.train_ids[id], train_id) << name;
    if (train_id != I) EXPECT_EQ(table.classes[train_id], name);
  }
}

TEST(LabelTables, SynthiaMapsItsIdsToCityscapesTrainIds) {
  // The public SYNTHIA-RAND-CITYSCAPES conversion (DAFormer tools/convert_datasets/synthia.py).
  const std::map<int, int> published{{3, 0},   {4, 1},   {2, 2},   {21, 3},  {5, 4},   {7, 5},   {15, 6},
                                     {9, 7},   {6, 8},   {16, 9},  {1, 10},  {10, 11}, {17, 12}, {8, 13},
                                     {18, 14}, {19, 15}, {20, 16}, {12, 17}, {11, 18}};
  const auto& table = synthia_labels();
  for (size_t id = 0; id < table.train_ids.size(); ++id) {
    const auto found = published.find(static_cast<int>(id));
    EXPECT_EQ(table.train_ids[id], found == published.end() ? I : found->second) << "SYNTHIA id " << id;
  }
  EXPECT_EQ(table.classes, cityscapes_labels().classes);
}

TEST(LabelTables, AnIdOutsideTheTableNamesTheFileAndTheId) {
  cv::Mat stored(2, 3, CV_8UC1, cv::Scalar(7));
  stored.at<uint8_t>(1, 2) = 34;
  try {
    map_labels(stored, cityscapes_labels(), "frame_labelIds.png");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("frame_labelIds.png: label id 34 at (2, 1)"), std::string::npos) << e.what();
  }
  stored.at<uint8_t>(1, 2) = 33;
  const cv::Mat mapped = map_labels(stored, cityscapes_labels(), "f");
  EXPECT_EQ(mapped.at<uint8_t>(0, 0), 0);
  EXPECT_EQ(mapped.at<uint8_t>(1, 2), 18);
}

TEST(LabelImages, PaletteIndicesAreReadBackEvenWhereColoursRepeat) {
  ScratchDir dir("palette");
  cv::Mat ids(3, 4, CV_8UC1);
  for (int p = 0; p < 12; ++p) ids.at<uint8_t>(p / 4, p % 4) = static_cast<uint8_t>(p % 4);
  // Indices 0 and 3 share black, as Cityscapes' palette does for its void ids: the first wins.
  write_palette_png(dir.path / "gta.png", ids, {{0, 0, 0}, {128, 64, 128}, {244, 35, 232}, {0, 0, 0}});
  const cv::Mat read = read_label_image((dir.path / "gta.png").string());
  ASSERT_EQ(read.type(), CV_8UC1);
  for (int p = 0; p < 12; ++p) {
    EXPECT_EQ(read.at<uint8_t>(p / 4, p % 4), p % 4 == 3 ? 0 : p % 4) << p;
  }
}

TEST(LabelImages, SixteenBitLabelsAreTheFilesFirstChannel) {
  ScratchDir dir("synthia_labels");
  cv::Mat bgr(2, 2, CV_16UC3, cv::Scalar(1000, 2000, 21));  // OpenCV's third channel is the file's first
  bgr.at<cv::Vec3w>(1, 1)[2] = 8;
  write_image(dir.path / "l.png", bgr);
  const cv::Mat read = read_label_image((dir.path / "l.png").string());
  ASSERT_EQ(read.type(), CV_16UC1);
  EXPECT_EQ(read.at<uint16_t>(0, 0), 21);
  EXPECT_EQ(read.at<uint16_t>(1, 1), 8);
}

TEST(SegmentationFolders, EachLayoutPairsImagesWithTrainIdLabels) {
  ScratchDir dir("seg_layouts");
  const cv::Mat image = rgb_image(4, 6, 1);
  cv::Mat cityscapes_ids(4, 6, CV_8UC1, cv::Scalar(26));  // car
  cityscapes_ids.at<uint8_t>(0, 0) = 0;                   // unlabeled
  // Cityscapes, both splits.
  const fs::path cs = dir.path / "cityscapes";
  write_image(cs / "leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png", image);
  write_image(cs / "gtFine/train/aachen/aachen_000000_000019_gtFine_labelIds.png", cityscapes_ids);
  write_image(cs / "leftImg8bit/val/lindau/lindau_000001_000019_leftImg8bit.png", image);
  write_image(cs / "leftImg8bit/val/lindau/lindau_000002_000019_leftImg8bit.png", image);
  write_image(cs / "gtFine/val/lindau/lindau_000001_000019_gtFine_labelIds.png", cityscapes_ids);
  write_image(cs / "gtFine/val/lindau/lindau_000002_000019_gtFine_labelIds.png", cityscapes_ids);
  EXPECT_EQ(open_segmentation_folder(cs.string(), Split::Train)->size(), 1u);
  const auto val = open_segmentation_folder(cs.string(), Split::Test);
  ASSERT_EQ(val->size(), 2u);
  EXPECT_EQ(val->num_classes(), 19);
  const Sample sample = val->get(1);
  ASSERT_EQ(sample.label_map.size(), image.size());
  EXPECT_EQ(sample.label_map.at<uint8_t>(0, 0), I);
  EXPECT_EQ(sample.label_map.at<uint8_t>(3, 5), 13);
  EXPECT_EQ(sample.image.at<cv::Vec3b>(2, 3)[0], image.at<cv::Vec3b>(2, 3)[2]);  // RGB order

  // GTA5: a palette PNG of Cityscapes ids.
  const fs::path gta = dir.path / "gta5";
  write_image(gta / "images/00001.png", image);
  cv::Mat gta_ids(4, 6, CV_8UC1, cv::Scalar(7));
  gta_ids.at<uint8_t>(1, 1) = 23;
  std::vector<cv::Vec3b> palette(34, cv::Vec3b(0, 0, 0));
  palette[7] = {128, 64, 128};
  palette[23] = {70, 130, 180};
  write_palette_png(gta / "labels/00001.png", gta_ids, palette);
  const Sample gta_sample = open_segmentation_folder(gta.string(), Split::Train)->get(0);
  EXPECT_EQ(gta_sample.label_map.at<uint8_t>(0, 0), 0);
  EXPECT_EQ(gta_sample.label_map.at<uint8_t>(1, 1), 10);

  // SYNTHIA: 16-bit labels with its own ids.
  const fs::path synthia = dir.path / "synthia";
  write_image(synthia / "RGB/0000000.png", image);
  write_image(synthia / "GT/LABELS/0000000.png", cv::Mat(4, 6, CV_16UC3, cv::Scalar(0, 0, 8)));  // car
  EXPECT_EQ(open_segmentation_folder(synthia.string(), Split::Train)->get(0).label_map.at<uint8_t>(2, 2), 13);

  // Train ids with their class names.
  const fs::path ids = dir.path / "ids";
  write_image(ids / "images/a.png", image);
  write_image(ids / "labels/a.png", cv::Mat(4, 6, CV_8UC1, cv::Scalar(2)));
  std::ofstream(ids / "classes.txt") << "background\nshirt\nbag\n";
  const auto folder = open_segmentation_folder(ids.string(), Split::Train);
  EXPECT_EQ(folder->num_classes(), 3);
  EXPECT_EQ(folder->get(0).label_map.at<uint8_t>(3, 3), 2);
}

void expect_error(const std::function<void()>& action, const std::vector<std::string>& fragments) {
  try {
    action();
    FAIL() << "expected an error containing " << fragments.front();
  } catch (const Error& e) {
    for (const auto& fragment : fragments) EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(SegmentationFolders, BadInputNamesTheFile) {
  ScratchDir dir("seg_errors");
  const fs::path root = dir.path / "ids";
  write_image(root / "images/a.png", rgb_image(4, 6, 1));
  write_image(root / "images/b.png", rgb_image(4, 6, 2));
  write_image(root / "labels/a.png", cv::Mat(5, 6, CV_8UC1, cv::Scalar(0)));
  std::ofstream(root / "classes.txt") << "background\nitem\n";
  expect_error([&] { open_segmentation_folder(root.string(), Split::Train); },
               {"no label file", (root / "labels/b.png").string(), (root / "images/b.png").string()});

  write_image(root / "labels/b.png", cv::Mat(4, 6, CV_8UC1, cv::Scalar(2)));
  const auto folder = open_segmentation_folder(root.string(), Split::Train);
  expect_error([&] { folder->get(0); }, {(root / "labels/a.png").string(), "is 6x5", "is 6x4"});
  expect_error([&] { folder->get(1); }, {(root / "labels/b.png").string(), "label 2", "(0–1)"});
  expect_error([&] { open_segmentation_folder(dir.path.string(), Split::Train); }, {"is not a segmentation folder"});
  expect_error([&] { open_segmentation_folder((dir.path / "none").string(), Split::Train); }, {"does not exist"});
}

TEST(PairedTransforms, LabelsMoveWithTheImageAndInventNoClass) {
  cv::Mat labels(20, 30, CV_8UC1);
  cv::Mat image(20, 30, CV_8UC3);
  for (int r = 0; r < 20; ++r) {
    for (int c = 0; c < 30; ++c) {
      labels.at<uint8_t>(r, c) = static_cast<uint8_t>((c / 10) * 3 + 1);  // 1, 4, 7 in vertical bands
      image.at<cv::Vec3b>(r, c) = cv::Vec3b::all(static_cast<uint8_t>(labels.at<uint8_t>(r, c) * 30));
    }
  }
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 20; ++trial) {
    const auto scaled = random_scale({image, labels}, 0.5, 2.0, rng);
    ASSERT_EQ(scaled.labels.size(), scaled.image.size());
    std::set<int> seen(scaled.labels.begin<uint8_t>(), scaled.labels.end<uint8_t>());
    for (const int label : seen) EXPECT_TRUE(label == 1 || label == 4 || label == 7) << label;
    const auto flipped = random_horizontal_flip(scaled, rng);
    const auto cropped = random_crop(flipped, 24, rng);
    ASSERT_EQ(cropped.image.size(), cv::Size(24, 24));
    ASSERT_EQ(cropped.labels.size(), cv::Size(24, 24));
    // Wherever the crop reaches past a small image, the labels are ignored and the image black.
    for (int r = 0; r < 24; ++r) {
      for (int c = 0; c < 24; ++c) {
        const int label = cropped.labels.at<uint8_t>(r, c);
        if (label == I) {
          EXPECT_EQ(cropped.image.at<cv::Vec3b>(r, c), cv::Vec3b::all(0));
        } else {
          EXPECT_TRUE(label == 1 || label == 4 || label == 7) << label;
        }
      }
    }
  }
  // A flip mirrors both alike.
  for (uint64_t seed = 0; seed < 4; ++seed) {
    std::mt19937_64 flip_rng(seed);
    const auto out = random_horizontal_flip(LabelledImage{image, labels}, flip_rng);
    const bool mirrored = out.labels.at<uint8_t>(0, 0) == 7;
    EXPECT_EQ(out.image.at<cv::Vec3b>(0, 0)[0], (mirrored ? 7 : 1) * 30);
  }
}

class LabelMapDataset final : public Dataset {
 public:
  explicit LabelMapDataset(std::vector<cv::Size> sizes) : sizes_(std::move(sizes)) {}
  size_t size() const override { return sizes_.size(); }
  int64_t num_classes() const override { return 3; }
  std::string description() const override { return "label maps"; }
  Sample get(size_t index) const override {
    cv::Mat labels(sizes_[index], CV_8UC1, cv::Scalar(static_cast<double>(index % 3)));
    labels.at<uint8_t>(0, 0) = kIgnoreLabel;
    return {cv::Mat(sizes_[index], CV_8UC3, cv::Scalar::all(100)), 0, labels};
  }

 private:
  std::vector<cv::Size> sizes_;
};

TEST(SegmentationBatches, CarryLabelMapsOfTheCropOrTheWholeImage) {
  const auto dataset = std::make_shared<LabelMapDataset>(std::vector<cv::Size>(4, cv::Size(12, 9)));
  Loader train(dataset, segmentation_train_pipeline(Augmentation::Basic, 8, imagenet_normalization()), {2, false});
  train.start_epoch(0);
  const auto batch = train.next();
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->images.sizes(), (std::vector<int64_t>{2, 3, 8, 8}));
  ASSERT_EQ(batch->labels.sizes(), (std::vector<int64_t>{2, 8, 8}));
  EXPECT_EQ(batch->labels.scalar_type(), torch::kInt64);
  const auto values = std::get<0>(torch::_unique(batch->labels[1]));
  for (int64_t i = 0; i < values.size(0); ++i) EXPECT_TRUE(values[i].item<int64_t>() == 1 || values[i].item<int64_t>() == I);

  Loader whole(dataset, segmentation_eval_pipeline(imagenet_normalization()), {4, false});
  whole.start_epoch(0);
  const auto all = whole.next();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->labels.sizes(), (std::vector<int64_t>{4, 9, 12}));
  EXPECT_EQ(all->labels[2][0][0].item<int64_t>(), I);
  EXPECT_EQ(all->labels[2][8][11].item<int64_t>(), 2);

  const auto mixed = std::make_shared<LabelMapDataset>(std::vector<cv::Size>{{12, 9}, {10, 9}});
  Loader mixed_loader(mixed, segmentation_eval_pipeline(imagenet_normalization()), {2, false});
  mixed_loader.start_epoch(0);
  expect_error([&] { mixed_loader.next(); }, {"--batch 1"});
  expect_error([&] { segmentation_train_pipeline(Augmentation::AutoAugment, 8, imagenet_normalization()); },
               {"basic or none"});
}

}  // namespace
}  // namespace advbn::data
