// advbn_bench_corrupt: throughput of every corruption at 224×224 and 32×32 on one thread.
//
//   advbn_bench_corrupt [--json OUT] [--repeats N]
//
// Each repeat runs every corruption at every severity once on the demo scene; a variant's time is
// its median over repeats. Images/s for a corruption is 5 / (sum of its five median times). The
// headline figure is the time for all 75 common corruption × severity variants of one image.
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "advbn/shift/corruptions.h"
#include "advbn/shift/demo_scene.h"

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

struct CorruptionTiming {
  std::string name;
  bool held_out = false;
  double seconds = 0.0;  // sum over severities of the median time of one image
};

struct SizeResult {
  int side = 0;
  std::vector<CorruptionTiming> corruptions;
  double common_total = 0.0;  // 75 variants, sum of medians
  double common_pass_median = 0.0;  // median over repeats of one full pass of the 75 variants
};

SizeResult run_size(int side, int repeats) {
  const cv::Mat image = advbn::shift::demo_scene(cv::Size(side, side));
  const auto& common = advbn::shift::common_corruptions();
  const auto& names = advbn::shift::all_corruptions();
  // times[c][s] holds one entry per repeat.
  std::vector<std::vector<std::vector<double>>> times(
      names.size(), std::vector<std::vector<double>>(5));
  std::vector<double> pass_totals;
  for (int r = 0; r < repeats; ++r) {
    double pass = 0.0;
    for (std::size_t c = 0; c < names.size(); ++c) {
      for (int s = 1; s <= 5; ++s) {
        const auto start = Clock::now();
        const cv::Mat out = advbn::shift::corrupt(image, names[c], s, 1234 + r);
        const double dt = std::chrono::duration<double>(Clock::now() - start).count();
        times[c][s - 1].push_back(dt);
        if (c < common.size()) {
          pass += dt;
        }
      }
    }
    pass_totals.push_back(pass);
  }
  SizeResult result;
  result.side = side;
  for (std::size_t c = 0; c < names.size(); ++c) {
    CorruptionTiming timing;
    timing.name = names[c];
    timing.held_out = c >= common.size();
    for (int s = 0; s < 5; ++s) {
      timing.seconds += median(times[c][s]);
    }
    if (!timing.held_out) {
      result.common_total += timing.seconds;
    }
    result.corruptions.push_back(timing);
  }
  result.common_pass_median = median(pass_totals);
  return result;
}

void print(const SizeResult& result) {
  std::printf("\n%dx%d, 1 thread\n%-20s %12s %12s\n", result.side, result.side, "corruption",
              "images/s", "ms/image");
  for (const CorruptionTiming& t : result.corruptions) {
    std::printf("%-20s %12.0f %12.3f%s\n", t.name.c_str(), 5.0 / t.seconds, 1000.0 * t.seconds / 5,
                t.held_out ? "  (held out)" : "");
  }
  std::printf("all 75 common variants: %.1f ms (sum of medians), %.1f ms (median full pass)\n",
              1000.0 * result.common_total, 1000.0 * result.common_pass_median);
}

void write_json(const std::string& path, const std::vector<SizeResult>& results, int repeats) {
  std::ofstream out(path);
  out << "{\n  \"threads\": 1,\n  \"repeats\": " << repeats << ",\n  \"sizes\": [\n";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const SizeResult& r = results[i];
    out << "    {\"side\": " << r.side << ", \"common_75_variants_seconds\": " << r.common_total
        << ", \"common_pass_median_seconds\": " << r.common_pass_median
        << ", \"corruptions\": [\n";
    for (std::size_t c = 0; c < r.corruptions.size(); ++c) {
      const CorruptionTiming& t = r.corruptions[c];
      out << "      {\"name\": \"" << t.name << "\", \"held_out\": " << (t.held_out ? "true" : "false")
          << ", \"images_per_second\": " << 5.0 / t.seconds << "}"
          << (c + 1 < r.corruptions.size() ? ",\n" : "\n");
    }
    out << "    ]}" << (i + 1 < results.size() ? ",\n" : "\n");
  }
  out << "  ]\n}\n";
  if (!out) {
    std::fprintf(stderr, "could not write %s\n", path.c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string json_path;
  int repeats = 7;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json" && i + 1 < argc) {
      json_path = argv[++i];
    } else if (arg == "--repeats" && i + 1 < argc) {
      repeats = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--json OUT] [--repeats N]\n", argv[0]);
      return 2;
    }
  }
  cv::setNumThreads(1);
  std::vector<SizeResult> results;
  for (const int side : {224, 32}) {
    results.push_back(run_size(side, repeats));
    print(results.back());
  }
  if (!json_path.empty()) {
    write_json(json_path, results, repeats);
  }
  return 0;
}
