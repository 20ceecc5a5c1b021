#include "advbn/demo/segmentation_scenes.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "advbn/data/random.h"
#include "advbn/error.h"
#include "advbn/shift/demo_scene.h"

namespace advbn::demo {

namespace fs = std::filesystem;

namespace {

// Item pixels at least this bright belong to the item; fainter ones are background.
constexpr int kItemThreshold = 24;

cv::Vec3b random_colour(std::mt19937_64& rng, int low, int high) {
  const auto channel = [&] { return static_cast<uint8_t>(low + data::uniform_index(rng, static_cast<uint64_t>(high - low + 1))); };
  const uint8_t r = channel(), g = channel(), b = channel();
  return {r, g, b};
}

cv::Mat background(SceneDomain domain, int size, std::mt19937_64& rng) {
  cv::Mat out(size, size, CV_8UC3);
  switch (domain) {
    case SceneDomain::Flat: {
      out.setTo(random_colour(rng, 0, 90));
      cv::Mat noise(size, size, CV_16SC3);
      cv::RNG noise_rng(rng());
      noise_rng.fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(4));
      cv::Mat wide;
      out.convertTo(wide, CV_16SC3);
      cv::Mat(wide + noise).convertTo(out, CV_8UC3);
      break;
    }
    case SceneDomain::Gradient: {
      const cv::Vec3b from = random_colour(rng, 60, 255), to = random_colour(rng, 60, 255);
      const double angle = data::uniform_real(rng, 0, 2 * M_PI);
      for (int r = 0; r < size; ++r) {
        for (int c = 0; c < size; ++c) {
          const double t = 0.5 + 0.5 * ((c - size / 2.0) * std::cos(angle) + (r - size / 2.0) * std::sin(angle)) / size;
          for (int k = 0; k < 3; ++k) {
            out.at<cv::Vec3b>(r, c)[k] = cv::saturate_cast<uint8_t>(from[k] + t * (to[k] - from[k]));
          }
        }
      }
      break;
    }
    case SceneDomain::Landscape: {
      static const cv::Mat landscape = shift::demo_scene(cv::Size(160, 120));
      const double scale = data::uniform_real(rng, 1.0, 2.0);
      cv::Mat scaled;
      cv::resize(landscape, scaled, cv::Size(), scale * size / 96.0, scale * size / 96.0, cv::INTER_LINEAR);
      const int top = static_cast<int>(data::uniform_index(rng, static_cast<uint64_t>(scaled.rows - size + 1)));
      const int left = static_cast<int>(data::uniform_index(rng, static_cast<uint64_t>(scaled.cols - size + 1)));
      cv::cvtColor(scaled(cv::Rect(left, top, size, size)), out, cv::COLOR_BGR2RGB);
      break;
    }
    case SceneDomain::Stripes: {
      const cv::Vec3b a = random_colour(rng, 0, 255), b = random_colour(rng, 0, 255);
      const double angle = data::uniform_real(rng, 0, M_PI);
      const double period = data::uniform_real(rng, 4, 12);
      for (int r = 0; r < size; ++r) {
        for (int c = 0; c < size; ++c) {
          const double phase = (c * std::cos(angle) + r * std::sin(angle)) / period;
          out.at<cv::Vec3b>(r, c) = std::fmod(phase - std::floor(phase), 1.0) < 0.5 ? a : b;
        }
      }
      break;
    }
  }
  return out;
}

std::string scene_name(size_t index) {
  char name[32];
  std::snprintf(name, sizeof name, "%06zu.png", index);
  return name;
}

}  // namespace

const std::vector<std::string>& scene_domain_names() {
  static const std::vector<std::string> names{"flat", "gradient", "landscape", "stripes"};
  return names;
}

SceneDomain parse_scene_domain(const std::string& name) {
  const auto& names = scene_domain_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<SceneDomain>(i);
  }
  throw Error("unknown scene domain '" + name + "' (expected flat, gradient, landscape or stripes)");
}

std::vector<std::string> scene_class_names(const std::vector<std::string>& item_classes) {
  std::vector<std::string> names{"background"};
  names.insert(names.end(), item_classes.begin(), item_classes.end());
  return names;
}

void write_scene_folder(const data::Dataset& items, const std::vector<std::string>& item_classes, size_t count,
                        const SceneOptions& options, const std::string& folder) {
  if (options.size < 28) throw Error("scenes must be at least 28 px (one item), got " + std::to_string(options.size));
  if (items.size() == 0) throw Error("no items to place in scenes");
  const fs::path root(folder);
  fs::create_directories(root / "images");
  fs::create_directories(root / "labels");
  {
    std::ofstream classes(root / "classes.txt");
    for (const auto& name : scene_class_names(item_classes)) classes << name << "\n";
    if (!classes) throw Error("cannot write " + (root / "classes.txt").string());
  }
  for (size_t i = 0; i < count; ++i) {
    std::mt19937_64 rng(data::mix_seeds(options.seed, i));
    cv::Mat image = background(options.domain, options.size, rng);
    cv::Mat labels(options.size, options.size, CV_8UC1, cv::Scalar(0));
    for (int k = 0; k < options.items; ++k) {
      const data::Sample item = items.get(data::uniform_index(rng, items.size()));
      if (item.image.type() != CV_8UC1) throw Error("scene items must be grayscale images");
      const cv::Vec3b tint = random_colour(rng, 150, 255);
      const int top = static_cast<int>(data::uniform_index(rng, static_cast<uint64_t>(options.size - item.image.rows + 1)));
      const int left = static_cast<int>(data::uniform_index(rng, static_cast<uint64_t>(options.size - item.image.cols + 1)));
      for (int r = 0; r < item.image.rows; ++r) {
        for (int c = 0; c < item.image.cols; ++c) {
          const int intensity = item.image.at<uint8_t>(r, c);
          if (intensity < kItemThreshold) continue;
          auto& pixel = image.at<cv::Vec3b>(top + r, left + c);
          for (int ch = 0; ch < 3; ++ch) pixel[ch] = static_cast<uint8_t>(tint[ch] * intensity / 255);
          labels.at<uint8_t>(top + r, left + c) = static_cast<uint8_t>(item.label + 1);
        }
      }
    }
    cv::Mat bgr;
    cv::cvtColor(image, bgr, cv::COLOR_RGB2BGR);
    const auto image_path = root / "images" / scene_name(i), label_path = root / "labels" / scene_name(i);
    if (!cv::imwrite(image_path.string(), bgr) || !cv::imwrite(label_path.string(), labels)) {
      throw Error("cannot write scene " + image_path.string());
    }
  }
}

}  // namespace advbn::demo
