#include <advbn/data/file_bytes.h>
#include <advbn/data/idx_dataset.h>
#include <advbn/error.h>

#include <algorithm>
#include <filesystem>

namespace advbn::data {

namespace {

constexpr uint32_t kImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr uint32_t kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension

uint32_t big_endian_u32(const std::vector<uint8_t>& bytes, size_t offset) {
  return (uint32_t{bytes[offset]} << 24) | (uint32_t{bytes[offset + 1]} << 16) |
         (uint32_t{bytes[offset + 2]} << 8) | uint32_t{bytes[offset + 3]};
}

// The file for `stem`, compressed or not; throws naming both candidates when neither exists.
std::string find_idx_file(const std::filesystem::path& dir, const std::string& stem) {
  for (const auto& name : {stem, stem + ".gz"}) {
    const auto candidate = dir / name;
    if (std::filesystem::exists(candidate)) return candidate.string();
  }
  throw Error("IDX file '" + (dir / stem).string() + "' (or '" + stem +
              ".gz') not found; an IDX dataset folder holds {train,t10k}-images-idx3-ubyte and "
              "{train,t10k}-labels-idx1-ubyte, optionally gzip-compressed");
}

// Checks magic and sizes and returns the dimensions that follow the magic number.
std::vector<uint32_t> read_idx_header(const std::vector<uint8_t>& bytes, uint32_t magic,
                                      const std::string& path) {
  const size_t dims = magic & 0xFF;
  const size_t header = 4 + 4 * dims;
  if (bytes.size() < header) {
    throw Error("'" + path + "' is too short for an IDX header (" + std::to_string(bytes.size()) +
                " bytes)");
  }
  if (big_endian_u32(bytes, 0) != magic) {
    throw Error("'" + path + "' is not an IDX " + (dims == 3 ? "image" : "label") +
                " file: magic number " + std::to_string(big_endian_u32(bytes, 0)) + ", expected " +
                std::to_string(magic));
  }
  const uint64_t available = bytes.size() - header;
  std::vector<uint32_t> shape(dims);
  uint64_t payload = 1;
  bool exceeds = false;  // the declared size overflows or passes the data present
  for (size_t d = 0; d < dims; ++d) {
    shape[d] = big_endian_u32(bytes, 4 + 4 * d);
    if (shape[d] != 0 && payload > available / shape[d]) {
      exceeds = true;
    } else {
      payload *= shape[d];
    }
  }
  if (exceeds || payload != available) {
    std::string declared;
    for (size_t d = 0; d < dims; ++d) declared += (d ? " x " : "") + std::to_string(shape[d]);
    throw Error("'" + path + "' is truncated or corrupt: its header declares " + declared +
                " bytes of data but the file holds " + std::to_string(available));
  }
  return shape;
}

class IdxDataset final : public Dataset {
 public:
  IdxDataset(const std::string& dir, Split split) {
    const std::string prefix = split == Split::Train ? "train" : "t10k";
    const std::filesystem::path folder(dir);
    if (!std::filesystem::is_directory(folder)) {
      throw Error("IDX dataset folder '" + dir + "' does not exist or is not a folder");
    }
    const auto images_path = find_idx_file(folder, prefix + "-images-idx3-ubyte");
    const auto labels_path = find_idx_file(folder, prefix + "-labels-idx1-ubyte");

    images_ = read_file_bytes(images_path);
    const auto image_shape = read_idx_header(images_, kImagesMagic, images_path);
    const auto labels = read_file_bytes(labels_path);
    const auto label_shape = read_idx_header(labels, kLabelsMagic, labels_path);
    if (image_shape[0] != label_shape[0]) {
      throw Error("'" + images_path + "' holds " + std::to_string(image_shape[0]) +
                  " images but '" + labels_path + "' holds " + std::to_string(label_shape[0]) +
                  " labels");
    }
    if (image_shape[0] == 0 || image_shape[1] == 0 || image_shape[2] == 0) {
      throw Error("'" + images_path + "' holds no images");
    }
    rows_ = static_cast<int>(image_shape[1]);
    cols_ = static_cast<int>(image_shape[2]);
    labels_.assign(labels.begin() + 8, labels.end());
    num_classes_ = int64_t{*std::max_element(labels_.begin(), labels_.end())} + 1;

    // The folder's own name ("fashion-mnist"), also for paths like "." or "data/".
    name_ = std::filesystem::weakly_canonical(folder).filename().string();
    split_ = split;
  }

  size_t size() const override { return labels_.size(); }

  Sample get(size_t index) const override {
    if (index >= size()) {
      throw Error("index " + std::to_string(index) + " is out of range for " + description());
    }
    const size_t pixels = static_cast<size_t>(rows_) * cols_;
    // The buffer is never written after construction; the clone gives the caller its own copy.
    const cv::Mat view(rows_, cols_, CV_8UC1,
                       const_cast<uint8_t*>(images_.data() + 16 + index * pixels));
    return {view.clone(), int64_t{labels_[index]}};
  }

  int64_t num_classes() const override { return num_classes_; }

  std::string description() const override {
    return name_ + " " + split_name(split_) + " (" + std::to_string(size()) + " images, " +
           std::to_string(num_classes_) + " classes)";
  }

 private:
  std::vector<uint8_t> images_;  // the whole file, header included
  std::vector<uint8_t> labels_;
  int rows_ = 0;
  int cols_ = 0;
  int64_t num_classes_ = 0;
  std::string name_;
  Split split_ = Split::Train;
};

}  // namespace

DatasetPtr open_idx(const std::string& dir, Split split) {
  return std::make_shared<IdxDataset>(dir, split);
}

}  // namespace advbn::data
