#pragma once
// One entry point for every supported format, chosen by what the path contains:
//  - IDX files ({train,t10k}-images-idx3-ubyte[.gz]) → open_idx;
//  - CIFAR binaries (data_batch_1.bin / test_batch.bin, or train.bin / test.bin) → open_cifar;
//  - otherwise an image folder. When the folder has a "train" sub-folder, as an extracted ImageNet
//    does, it is read as split folders: "train" for Split::Train, "val" (else "test") for
//    Split::Test. Otherwise the folder itself is the dataset, whatever the split.
#include <advbn/data/dataset.h>
#include <advbn/shift/image_file.h>

#include <string>

namespace advbn::data {

// `limits` apply to image folders. Throws advbn::Error when the path does not exist or is not a
// folder, and whatever the chosen format's opener throws.
DatasetPtr open_dataset(const std::string& path, Split split, const shift::ImageLimits& limits = {});

}  // namespace advbn::data
