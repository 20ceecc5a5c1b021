#pragma once
// Image folders in the ImageNet layout, root/<class>/.../<image>, indexed exactly as torchvision's
// ImageFolder does: classes are the sub-folders of root (symbolic links followed) sorted by name,
// their index is their position in that order, and each class's images are found recursively and
// ordered by (folder path, file name). Recognised extensions, case-insensitive: jpg, jpeg, png,
// ppm, pgm, bmp, tif, tiff, webp.
//
// Opening checks every file's header (cv::haveImageReader), which reads a few bytes per file
// rather than decoding it, so opening stays cheap next to an epoch over the same files. Files that are not images (wrong extension, content
// that no decoder recognises, files outside a class folder) are skipped and reported through
// skipped_files() and warnings(). A file whose header is valid but whose body is corrupt can only
// be found by decoding it; get() then throws advbn::Error naming the file.
//
// Decoding ignores EXIF orientation, as PIL (and so torchvision) does, and drops alpha. Before
// decoding, the size an image's header declares is checked against `limits` (see
// advbn/shift/image_file.h): get() refuses a decompression bomb instead of allocating for it.
#include <advbn/data/dataset.h>
#include <advbn/shift/image_file.h>

#include <memory>
#include <string>
#include <vector>

namespace advbn::data {

struct SkippedFile {
  std::string path;
  std::string reason;
};

class ImageFolderDataset final : public Dataset {
 public:
  // Throws advbn::Error for a missing path, a folder without class sub-folders, a class folder
  // without readable images, or a folder that cannot be listed.
  explicit ImageFolderDataset(const std::string& root, const shift::ImageLimits& limits = {});

  size_t size() const override { return files_.size(); }
  Sample get(size_t index) const override;
  int64_t num_classes() const override { return static_cast<int64_t>(classes_.size()); }
  std::string description() const override;
  std::vector<std::string> warnings() const override;

  const std::vector<std::string>& classes() const { return classes_; }
  const std::string& path(size_t index) const;
  const std::vector<SkippedFile>& skipped_files() const { return skipped_; }

 private:
  struct File {
    std::string path;
    int64_t label;
  };
  std::string root_;
  shift::ImageLimits limits_;
  std::vector<std::string> classes_;
  std::vector<File> files_;
  std::vector<SkippedFile> skipped_;
};

// Whether a file name ends in one of torchvision's image extensions (IMG_EXTENSIONS), ignoring case.
bool has_image_extension(const std::string& name);

std::shared_ptr<const ImageFolderDataset> open_image_folder(const std::string& root,
                                                            const shift::ImageLimits& limits = {});

}  // namespace advbn::data
