#pragma once
// What AdvBN perturbations look like (paper Figs 2 and 3): a batch attacked at the bottleneck at
// several strengths ε, drawn as a grid — one row per image: the original, its reconstruction,
// then the decoded adversarial image at each ε — with the classifier's loss and accuracy per ε.
#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "advbn/autoencoder/bottleneck_attack.h"

namespace advbn {

struct GalleryColumn {
  std::string title;  // "original", "reconstruction", "ε = 0.5"
  double epsilon = 0;  // 0 for the first two
  // Classifier cross-entropy and accuracy (%) on the column's images; 0 for the original column.
  double loss = 0;
  double top1 = 0;
};

struct PerturbationGallery {
  std::vector<GalleryColumn> columns;
  cv::Mat grid;  // CV_8UC3 RGB
};

// Attacks the batch once per ε (other settings from `attack`), on `attack`'s device. Images are
// same-sized RGB (or gray) uint8 images; each cell is enlarged to at least `cell` pixels.
// Throws advbn::Error for an empty batch, no ε, or labels that do not match the images.
PerturbationGallery make_perturbation_gallery(const Autoencoder& autoencoder, const StagedNetwork& classifier,
                                              const AdvBNOptions& attack, const std::vector<double>& epsilons,
                                              const std::vector<cv::Mat>& images, const std::vector<int64_t>& labels,
                                              int cell = 96);

// DIR/gallery.png and DIR/index.html (the grid and a table of the columns).
void write_perturbation_gallery(const PerturbationGallery& gallery, const std::string& dir);

}  // namespace advbn
