#pragma once
// CIFAR-10 and CIFAR-100 in their binary versions, loaded into memory as CV_8UC3 RGB images.
//  - CIFAR-10: data_batch_1.bin .. data_batch_5.bin (train), test_batch.bin (test); records of
//    1 label byte + 3072 bytes (32×32 red plane, then green, then blue).
//  - CIFAR-100: train.bin, test.bin; records of a coarse and a fine label byte + 3072 bytes. The
//    fine labels (100 classes) are used, as in torchvision's CIFAR100.
#include <advbn/data/dataset.h>

#include <string>

namespace advbn::data {

// Throws advbn::Error naming the file for a missing batch, a size that is not a whole number of
// records, or a label outside the variant's classes.
DatasetPtr open_cifar(const std::string& dir, Split split);

}  // namespace advbn::data
