#include <advbn/data/cifar_dataset.h>
#include <advbn/data/idx_dataset.h>
#include <advbn/data/image_folder.h>
#include <advbn/data/open_dataset.h>
#include <advbn/error.h>

#include <filesystem>

namespace advbn::data {

namespace fs = std::filesystem;

namespace {

bool has_any(const fs::path& dir, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (fs::exists(dir / name)) return true;
  }
  return false;
}

}  // namespace

DatasetPtr open_dataset(const std::string& path, Split split, const shift::ImageLimits& limits) {
  const fs::path dir(path);
  if (!fs::exists(dir)) throw Error("dataset path '" + path + "' does not exist");
  if (!fs::is_directory(dir)) {
    throw Error("dataset path '" + path +
                "' is not a folder; give the folder holding the IDX files, the CIFAR .bin files "
                "or the class sub-folders");
  }
  if (has_any(dir, {"train-images-idx3-ubyte", "train-images-idx3-ubyte.gz",
                    "t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz"})) {
    return open_idx(path, split);
  }
  if (has_any(dir, {"data_batch_1.bin", "test_batch.bin", "train.bin", "test.bin"})) {
    return open_cifar(path, split);
  }
  if (fs::is_directory(dir / "train")) {
    if (split == Split::Train) return open_image_folder((dir / "train").string(), limits);
    for (const char* name : {"val", "test"}) {
      if (fs::is_directory(dir / name)) return open_image_folder((dir / name).string(), limits);
    }
    throw Error("'" + path + "' has a train folder but no val or test folder to evaluate on; "
                "give the evaluation folder itself");
  }
  return open_image_folder(path, limits);
}

}  // namespace advbn::data
