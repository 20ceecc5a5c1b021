#include <advbn/data/image_folder.h>
#include <advbn/error.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <tuple>
#include <utility>

namespace advbn::data {

namespace fs = std::filesystem;

namespace {

struct Candidate {
  std::string folder;  // relative to the class folder, "" for the class folder itself
  std::string name;
  std::string path;
};

// Every non-folder entry below class_dir. torchvision walks with os.walk and sorts by
// (folder path, file name) as plain strings; comparing the relative folder paths gives the same
// order because all share the class folder's prefix.
std::vector<Candidate> list_class_files(const fs::path& class_dir) {
  std::vector<Candidate> files;
  const auto options = fs::directory_options::follow_directory_symlink;
  for (auto it = fs::recursive_directory_iterator(class_dir, options);
       it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory()) continue;
    const auto relative = it->path().lexically_relative(class_dir);
    files.push_back({relative.parent_path().generic_string(), relative.filename().string(),
                     it->path().string()});
  }
  std::sort(files.begin(), files.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.folder, a.name) < std::tie(b.folder, b.name);
  });
  return files;
}

}  // namespace

bool has_image_extension(const std::string& name) {
  static constexpr const char* kExtensions[] = {".jpg", ".jpeg", ".png", ".ppm", ".bmp",
                                                ".pgm", ".tif",  ".tiff", ".webp"};
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(std::begin(kExtensions), std::end(kExtensions), [&](const char* ext) {
    const std::string suffix(ext);
    return lower.size() >= suffix.size() &&
           lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0;
  });
}

ImageFolderDataset::ImageFolderDataset(const std::string& root, const shift::ImageLimits& limits)
    : root_(root), limits_(limits) {
  if (!fs::exists(root)) throw Error("image folder '" + root + "' does not exist");
  if (!fs::is_directory(root)) throw Error("'" + root + "' is not a folder");
  try {
    std::vector<fs::path> class_dirs;
    for (const auto& entry : fs::directory_iterator(root)) {
      if (entry.is_directory()) {
        class_dirs.push_back(entry.path());
      } else {
        skipped_.push_back({entry.path().string(), "not inside a class folder"});
      }
    }
    if (class_dirs.empty()) {
      throw Error("image folder '" + root +
                  "' has no class sub-folders; expected one sub-folder per class holding its "
                  "images (" + root + "/<class>/<image>)");
    }
    std::sort(class_dirs.begin(), class_dirs.end(),
              [](const fs::path& a, const fs::path& b) {
                return a.filename().string() < b.filename().string();
              });

    std::vector<std::string> empty_classes;
    for (const auto& class_dir : class_dirs) {
      const auto label = static_cast<int64_t>(classes_.size());
      classes_.push_back(class_dir.filename().string());
      size_t found = 0;
      for (auto& file : list_class_files(class_dir)) {
        if (!has_image_extension(file.name)) {
          skipped_.push_back({std::move(file.path), "not an image file name"});
        } else if (!cv::haveImageReader(file.path)) {
          skipped_.push_back({std::move(file.path), "content is not a readable image"});
        } else {
          files_.push_back({std::move(file.path), label});
          ++found;
        }
      }
      if (found == 0) empty_classes.push_back(classes_.back());
    }
    if (!empty_classes.empty()) {
      std::string names;
      for (const auto& name : empty_classes) names += (names.empty() ? "'" : ", '") + name + "'";
      throw Error("image folder '" + root + "': class folder(s) " + names +
                  " hold no readable images; every class needs at least one (remove empty "
                  "class folders, or fix their files)");
    }
  } catch (const fs::filesystem_error& e) {
    throw Error("cannot list image folder '" + root + "': " + e.what());
  }
}

const std::string& ImageFolderDataset::path(size_t index) const {
  if (index >= files_.size()) {
    throw Error("index " + std::to_string(index) + " is out of range for " + description());
  }
  return files_[index].path;
}

Sample ImageFolderDataset::get(size_t index) const {
  const auto& file = path(index);
  // PIL does not apply EXIF orientation, so torchvision-trained models never saw it applied.
  const cv::Mat bgr =
      shift::decode_image_file(file, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION, limits_);
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return {rgb, files_[index].label};
}

std::string ImageFolderDataset::description() const {
  std::string text = "image folder '" + root_ + "' (" + std::to_string(files_.size()) +
                     " images, " + std::to_string(classes_.size()) + " classes";
  if (!skipped_.empty()) text += ", " + std::to_string(skipped_.size()) + " files skipped";
  return text + ")";
}

std::vector<std::string> ImageFolderDataset::warnings() const {
  if (skipped_.empty()) return {};
  constexpr size_t kListed = 10;
  std::string text = "image folder '" + root_ + "': skipped " + std::to_string(skipped_.size()) +
                     " file(s) that are not readable images:";
  for (size_t i = 0; i < std::min(kListed, skipped_.size()); ++i) {
    text += (i ? "; '" : " '") + skipped_[i].path + "' (" + skipped_[i].reason + ")";
  }
  if (skipped_.size() > kListed) {
    text += "; and " + std::to_string(skipped_.size() - kListed) + " more";
  }
  return {text};
}

std::shared_ptr<const ImageFolderDataset> open_image_folder(const std::string& root,
                                                            const shift::ImageLimits& limits) {
  return std::make_shared<ImageFolderDataset>(root, limits);
}

}  // namespace advbn::data
