#include "advbn/eval/shift_suite.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <algorithm>

#include "advbn/data/loader.h"
#include "advbn/error.h"
#include "advbn/eval/meters.h"
#include "advbn/shift/filters.h"

namespace advbn {

namespace {

// The shift suite works in OpenCV's BGR order; datasets hand out RGB.
cv::Mat in_bgr(const cv::Mat& rgb, const std::function<cv::Mat(const cv::Mat&)>& op) {
  if (rgb.channels() == 1) return op(rgb);
  cv::Mat bgr, out;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  cv::cvtColor(op(bgr), out, cv::COLOR_BGR2RGB);
  return out;
}

uint64_t image_seed(uint64_t seed, size_t index) {
  return seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(index);
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

Shift clean_shift() {
  return {"clean", 0, [](const cv::Mat& img, size_t) { return img; }};
}

std::vector<Shift> corruption_shifts(const std::vector<std::string>& corruptions,
                                     const std::vector<int>& severities, uint64_t seed,
                                     shift::Preset preset) {
  std::vector<Shift> shifts;
  for (const auto& name : corruptions) {
    for (const int severity : severities) {
      shifts.push_back({name, severity, [=](const cv::Mat& img, size_t index) {
                          return in_bgr(img, [&](const cv::Mat& bgr) {
                            return shift::corrupt(bgr, name, severity, image_seed(seed, index), preset);
                          });
                        }});
    }
  }
  return shifts;
}

std::vector<Shift> filter_shifts(const std::vector<std::string>& filters) {
  std::vector<Shift> shifts;
  for (const auto& name : filters) {
    shifts.push_back({name, 0, [=](const cv::Mat& img, size_t) {
                        return in_bgr(img, [&](const cv::Mat& bgr) { return shift::apply_filter(bgr, name); });
                      }});
  }
  return shifts;
}

Shift parse_shift(const std::string& spec, uint64_t seed) {
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  const std::string usage = "shift '" + spec + "': expected corruption:NAME:SEVERITY or filter:NAME";
  if (parts[0] == "corruption") {
    if (parts.size() != 3) throw Error(usage);
    if (!contains(shift::all_corruptions(), parts[1])) {
      throw Error("shift '" + spec + "': unknown corruption '" + parts[1] + "' (valid: " + joined(shift::all_corruptions()) + ")");
    }
    if (parts[2].size() != 1 || parts[2][0] < '1' || parts[2][0] > '5') {
      throw Error("shift '" + spec + "': severity must be 1 to 5, got '" + parts[2] + "'");
    }
    return corruption_shifts({parts[1]}, {parts[2][0] - '0'}, seed).front();
  }
  if (parts[0] == "filter") {
    if (parts.size() != 2) throw Error(usage);
    if (!contains(shift::filter_names(), parts[1])) {
      throw Error("shift '" + spec + "': unknown filter '" + parts[1] + "' (valid: " + joined(shift::filter_names()) + ")");
    }
    return filter_shifts({parts[1]}).front();
  }
  throw Error(usage);
}

std::vector<std::vector<double>> evaluate_shifts(const std::vector<ModelUnderTest>& models,
                                                 const data::DatasetPtr& test,
                                                 const data::Pipeline& pipeline,
                                                 const std::vector<Shift>& shifts, size_t batch,
                                                 torch::Device device,
                                                 const std::function<void(size_t)>& on_shift_done) {
  torch::NoGradGuard no_grad;
  for (const auto& m : models) m.network->eval();
  std::vector<std::vector<double>> top1(models.size(), std::vector<double>(shifts.size()));
  const int workers = std::max(1, torch::get_num_threads());
  for (size_t s = 0; s < shifts.size(); ++s) {
    data::Loader loader(test, data::with_image_op(pipeline, shifts[s].apply),
                        {batch, /*shuffle=*/false, /*drop_last=*/false, workers, 4, 0});
    loader.start_epoch(0);
    std::vector<ClassificationMeter> meters(models.size());
    while (auto b = loader.next()) {
      const auto images = b->images.to(device);
      for (size_t m = 0; m < models.size(); ++m) {
        meters[m].add(models[m].network->forward(images, models[m].branch), b->labels, 0);
      }
    }
    for (size_t m = 0; m < models.size(); ++m) top1[m][s] = meters[m].top1();
    if (on_shift_done) on_shift_done(s);
  }
  return top1;
}

}  // namespace advbn
