#pragma once
// MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST): {train,t10k}-images-idx3-ubyte and
// {train,t10k}-labels-idx1-ubyte, each optionally gzip-compressed (".gz"). The split is loaded
// into memory (Fashion-MNIST's training split is 47 MB) and served as CV_8UC1 images.
//
// IDX files carry no class count, so num_classes() is the largest label plus one.
#include <advbn/data/dataset.h>

#include <string>

namespace advbn::data {

// Throws advbn::Error naming the file for a missing file, a wrong magic number, a header whose
// counts disagree with the file's size, or image and label files of different lengths.
DatasetPtr open_idx(const std::string& dir, Split split);

}  // namespace advbn::data
