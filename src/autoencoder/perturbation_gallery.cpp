#include "advbn/autoencoder/perturbation_gallery.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "advbn/autoencoder/image_output.h"
#include "advbn/autoencoder/image_tensors.h"
#include "advbn/data/transforms.h"
#include "advbn/error.h"

namespace advbn {

namespace fs = std::filesystem;

PerturbationGallery make_perturbation_gallery(const Autoencoder& autoencoder, const StagedNetwork& classifier,
                                              const AdvBNOptions& attack, const std::vector<double>& epsilons,
                                              const std::vector<cv::Mat>& images, const std::vector<int64_t>& labels,
                                              int cell) {
  if (images.empty() || epsilons.empty()) throw Error("a perturbation gallery needs images and at least one epsilon");
  if (images.size() != labels.size()) throw Error("a perturbation gallery needs one label per image");
  const auto device = autoencoder.decoder->parameters().front().device();
  const auto inputs = images_to_tensor(images).to(device);
  const auto targets = torch::tensor(labels).to(device);
  PerturbationGallery gallery;
  std::vector<std::vector<cv::Mat>> columns{{}, {}};
  for (const auto& image : images) columns[0].push_back(data::grayscale_to_rgb(image));
  for (const double epsilon : epsilons) {
    AdvBNOptions options = attack;
    options.epsilon = epsilon;
    const auto result = BottleneckAttack(autoencoder, classifier, options).run(inputs, targets);
    if (gallery.columns.empty()) {
      gallery.columns.push_back({"original", 0, 0, 0});
      gallery.columns.push_back({"reconstruction", 0, result.clean_loss, result.clean_top1});
      columns[1] = tensor_to_images(result.reconstructed);
    }
    char title[32];
    std::snprintf(title, sizeof title, "eps = %g", epsilon);
    gallery.columns.push_back({title, epsilon, result.adversarial_loss, result.adversarial_top1});
    columns.push_back(tensor_to_images(result.adversarial));
  }
  const int rows = images.front().rows, cols = images.front().cols;
  const int scale = std::max(1, static_cast<int>(std::ceil(static_cast<double>(cell) / std::max(rows, cols))));
  const int gap = 4;
  const int cell_w = cols * scale, cell_h = rows * scale;
  gallery.grid = cv::Mat(static_cast<int>(images.size()) * (cell_h + gap) - gap,
                         static_cast<int>(columns.size()) * (cell_w + gap) - gap, CV_8UC3, cv::Scalar(255, 255, 255));
  for (size_t c = 0; c < columns.size(); ++c) {
    for (size_t r = 0; r < images.size(); ++r) {
      cv::Mat enlarged;
      cv::resize(columns[c][r], enlarged, {cell_w, cell_h}, 0, 0, cv::INTER_NEAREST);
      enlarged.copyTo(gallery.grid(cv::Rect(static_cast<int>(c) * (cell_w + gap), static_cast<int>(r) * (cell_h + gap), cell_w, cell_h)));
    }
  }
  return gallery;
}

void write_perturbation_gallery(const PerturbationGallery& gallery, const std::string& dir) {
  write_rgb_image(fs::path(dir) / "gallery.png", gallery.grid);
  std::ofstream html(fs::path(dir) / "index.html");
  html << "<!doctype html><meta charset=\"utf-8\"><title>AdvBN perturbations</title>\n"
       << "<h1>AdvBN at the autoencoder's bottleneck</h1>\n"
       << "<p>Each row: an image, its reconstruction, then the decoded image after AdvBN's attack on the "
          "bottleneck's feature statistics at each strength &epsilon;.</p>\n"
       << "<table border=\"1\" cellpadding=\"4\"><tr><th>column</th><th>classifier loss</th><th>top-1 %</th></tr>\n";
  for (const auto& column : gallery.columns) {
    if (column.title == "original") continue;
    html << "<tr><td>" << column.title << "</td><td>" << column.loss << "</td><td>" << column.top1 << "</td></tr>\n";
  }
  html << "</table>\n<p><img src=\"gallery.png\" alt=\"originals, reconstructions and AdvBN-decoded images\"></p>\n";
  if (!html) throw Error("cannot write " + (fs::path(dir) / "index.html").string());
}

}  // namespace advbn
