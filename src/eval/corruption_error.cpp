#include "advbn/eval/corruption_error.h"

#include <algorithm>
#include <numeric>

#include "advbn/error.h"
#include "advbn/shift/corruptions.h"

namespace advbn {

namespace {

constexpr int kSeverities = 5;

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

void check_fraction(double value, const std::string& what) {
  if (!(value >= 0.0 && value <= 1.0)) {
    throw Error(what + " is " + std::to_string(value) +
                "; errors are fractions in [0, 1] (0.25 for 25 %)");
  }
}

std::optional<double> mean_of(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

const std::map<std::string, double>& alexnet_corruption_errors() {
  static const std::map<std::string, double> errors{
      {"gaussian_noise", 0.886428},
      {"shot_noise", 0.894468},
      {"impulse_noise", 0.922640},
      {"defocus_blur", 0.819880},
      {"glass_blur", 0.826268},
      {"motion_blur", 0.785948},
      {"zoom_blur", 0.798360},
      {"snow", 0.866816},
      {"frost", 0.826572},
      {"fog", 0.819324},
      {"brightness", 0.564592},
      {"contrast", 0.853204},
      {"elastic_transform", 0.646056},
      {"pixelate", 0.717840},
      {"jpeg_compression", 0.606500},
  };
  return errors;
}

CorruptionScores score_corruptions(const CorruptionErrors& errors,
                                   std::optional<double> clean_error) {
  const auto& common = shift::common_corruptions();
  const auto& held_out = shift::held_out_corruptions();
  if (clean_error) check_fraction(*clean_error, "the clean error");

  CorruptionScores scores;
  std::vector<double> common_means, held_out_means, ces, relative_ces;
  for (const auto& [corruption, by_severity] : errors) {
    const bool is_common = contains(common, corruption);
    if (!is_common && !contains(held_out, corruption)) {
      throw Error("unknown corruption '" + corruption + "'; expected one of " +
                  joined(shift::all_corruptions()));
    }
    if (by_severity.empty()) throw Error("corruption '" + corruption + "' has no severities");
    double sum = 0;
    for (const auto& [severity, error] : by_severity) {
      const std::string key = corruption + "/" + std::to_string(severity);
      if (severity < 1 || severity > kSeverities) {
        throw Error("severity " + key + " is outside 1..5");
      }
      check_fraction(error, "the error of " + key);
      sum += error;
    }
    const double mean = sum / static_cast<double>(by_severity.size());
    scores.mean_error[corruption] = 100 * mean;
    if (!is_common) {
      held_out_means.push_back(100 * mean);
      continue;
    }
    common_means.push_back(100 * mean);
    const double alexnet = alexnet_corruption_errors().at(corruption);
    scores.ce[corruption] = 100 * mean / alexnet;
    ces.push_back(scores.ce[corruption]);
    if (clean_error) {
      // Every AlexNet corruption error exceeds its clean error, so the denominator is positive.
      scores.relative_ce[corruption] = 100 * (mean - *clean_error) / (alexnet - kAlexNetCleanError);
      relative_ces.push_back(scores.relative_ce[corruption]);
    }
  }
  scores.mce = mean_of(ces);
  scores.relative_mce = mean_of(relative_ces);
  scores.mean_error_common = mean_of(common_means);
  scores.mean_error_held_out = mean_of(held_out_means);

  for (const auto& corruption : common) {
    const auto found = errors.find(corruption);
    if (found == errors.end()) {
      scores.missing.push_back(corruption);
      continue;
    }
    for (int severity = 1; severity <= kSeverities; ++severity) {
      if (!found->second.count(severity)) {
        scores.missing.push_back(corruption + "/" + std::to_string(severity));
      }
    }
  }
  scores.complete = scores.missing.empty();
  return scores;
}

}  // namespace advbn
