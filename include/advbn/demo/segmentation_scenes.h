#pragma once
// The scenes of the embedded segmentation demo, made from real data that needs no download:
// Fashion-MNIST items (28 × 28, grayscale) tinted and placed on a background of one domain, every
// pixel labelled with the class of the item covering it or as background. Training sees one
// domain; the others shift colour, brightness and texture around the same items, as moving from
// one city or game to another does for the paper's segmenters.
#include <cstdint>
#include <string>
#include <vector>

#include "advbn/data/dataset.h"

namespace advbn::demo {

enum class SceneDomain {
  Flat,       // dark solid colours with slight noise (the training domain)
  Gradient,   // bright two-colour gradients
  Landscape,  // crops of a drawn landscape (sky, hills, house, trees, grass)
  Stripes,    // high-contrast stripes at a random angle and period
};

// "flat", "gradient", "landscape", "stripes", in the enum's order.
const std::vector<std::string>& scene_domain_names();
SceneDomain parse_scene_domain(const std::string& name);  // throws advbn::Error for another name

struct SceneOptions {
  SceneDomain domain = SceneDomain::Flat;
  int size = 64;   // scenes are size × size (>= 28)
  int items = 2;   // per scene; a later item covers an earlier one
  uint64_t seed = 0;
};

// Class 0 is the background, class k + 1 the items' class k; "background" then the items' names.
std::vector<std::string> scene_class_names(const std::vector<std::string>& item_classes);

// Writes `count` scenes built from `items` (grayscale images with class labels) into `folder` in
// the train-id layout that data::open_segmentation_folder reads: images/NNNNNN.png,
// labels/NNNNNN.png and classes.txt. Scene i depends only on (options, i) and the items.
void write_scene_folder(const data::Dataset& items, const std::vector<std::string>& item_classes, size_t count,
                        const SceneOptions& options, const std::string& folder);

}  // namespace advbn::demo
