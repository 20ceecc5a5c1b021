#include <advbn/data/cifar_dataset.h>
#include <advbn/data/file_bytes.h>
#include <advbn/error.h>

#include <filesystem>

namespace advbn::data {

namespace {

constexpr int kSide = 32;
constexpr size_t kPlane = kSide * kSide;
constexpr size_t kPixels = 3 * kPlane;

struct Variant {
  std::string name;
  int64_t classes;
  size_t label_bytes;  // label bytes before the pixels; the last one is the label used
  std::vector<std::string> train_files;
  std::vector<std::string> test_files;
};

Variant cifar10() {
  return {"cifar-10",
          10,
          1,
          {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
           "data_batch_5.bin"},
          {"test_batch.bin"}};
}

Variant cifar100() { return {"cifar-100", 100, 2, {"train.bin"}, {"test.bin"}}; }

class CifarDataset final : public Dataset {
 public:
  CifarDataset(const std::string& dir, Split split) : split_(split) {
    const std::filesystem::path folder(dir);
    if (!std::filesystem::is_directory(folder)) {
      throw Error("CIFAR folder '" + dir + "' does not exist or is not a folder");
    }
    const bool is_cifar10 = std::filesystem::exists(folder / "data_batch_1.bin") ||
                            std::filesystem::exists(folder / "test_batch.bin");
    const bool is_cifar100 = std::filesystem::exists(folder / "train.bin") ||
                             std::filesystem::exists(folder / "test.bin");
    if (!is_cifar10 && !is_cifar100) {
      throw Error("'" + dir + "' holds no CIFAR binary files (data_batch_1.bin .. "
                  "data_batch_5.bin and test_batch.bin for CIFAR-10, train.bin and test.bin for "
                  "CIFAR-100)");
    }
    variant_ = is_cifar10 ? cifar10() : cifar100();
    const auto& files = split == Split::Train ? variant_.train_files : variant_.test_files;
    for (const auto& name : files) append((folder / name).string());
  }

  size_t size() const override { return labels_.size(); }

  Sample get(size_t index) const override {
    if (index >= size()) {
      throw Error("index " + std::to_string(index) + " is out of range for " + description());
    }
    cv::Mat image(kSide, kSide, CV_8UC3);
    const uint8_t* planes = pixels_.data() + index * kPixels;
    uint8_t* out = image.ptr<uint8_t>();
    for (size_t p = 0; p < kPlane; ++p) {
      out[3 * p] = planes[p];
      out[3 * p + 1] = planes[kPlane + p];
      out[3 * p + 2] = planes[2 * kPlane + p];
    }
    return {image, labels_[index]};
  }

  int64_t num_classes() const override { return variant_.classes; }

  std::string description() const override {
    return variant_.name + " " + split_name(split_) + " (" + std::to_string(size()) +
           " images, " + std::to_string(variant_.classes) + " classes)";
  }

 private:
  void append(const std::string& path) {
    const auto bytes = read_file_bytes(path);
    const size_t record = variant_.label_bytes + kPixels;
    if (bytes.empty() || bytes.size() % record != 0) {
      throw Error("'" + path + "' is not a " + variant_.name + " binary batch: its size (" +
                  std::to_string(bytes.size()) + " bytes) is not a positive multiple of the " +
                  std::to_string(record) + "-byte record");
    }
    const size_t count = bytes.size() / record;
    pixels_.reserve(pixels_.size() + count * kPixels);
    for (size_t r = 0; r < count; ++r) {
      const uint8_t* start = bytes.data() + r * record;
      const int64_t label = start[variant_.label_bytes - 1];
      if (label >= variant_.classes) {
        throw Error("'" + path + "': record " + std::to_string(r) + " has label " +
                    std::to_string(label) + ", outside " + variant_.name + "'s " +
                    std::to_string(variant_.classes) + " classes");
      }
      labels_.push_back(label);
      pixels_.insert(pixels_.end(), start + variant_.label_bytes, start + record);
    }
  }

  Split split_;
  Variant variant_;
  std::vector<uint8_t> pixels_;  // planar R, G, B per image, as stored in the files
  std::vector<int64_t> labels_;
};

}  // namespace

DatasetPtr open_cifar(const std::string& dir, Split split) {
  return std::make_shared<CifarDataset>(dir, split);
}

}  // namespace advbn::data
