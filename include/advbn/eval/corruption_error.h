#pragma once
// Corruption error on ImageNet-C (Hendrycks & Dietterich, 2019) and its CIFAR-10-C counterpart.
//
//   CE_c          = mean_s err(c, s) / alexnet_c
//   mCE           = mean of CE_c over the 15 common corruptions
//   relative CE_c = (mean_s err(c, s) − clean_err) / (alexnet_c − alexnet_clean)
//   relative mCE  = mean of relative CE_c over the 15 common corruptions
//   mean error    = mean of mean_s err(c, s) over the 15 common corruptions (no normalisation,
//                   as CIFAR-10-C results are reported)
//
// alexnet_c is AlexNet's top-1 error on corruption c averaged over severities 1..5, the normaliser
// used in practice. Hendrycks' relative CE divides sums over severities of differences to the
// clean error; with only the severity-averaged AlexNet errors published, the sums become means
// over severities, which is the same ratio whenever all five severities are present.
// alexnet_clean is AlexNet's published top-1 error on clean ImageNet val, 43.48 %.
//
// The four held-out corruptions (speckle_noise, gaussian_blur, spatter, saturate) have no AlexNet
// normaliser: they get a mean error but never enter mCE or the mean error over common corruptions.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace advbn {

// AlexNet's top-1 error (fraction) on each common corruption, averaged over severities 1..5.
const std::map<std::string, double>& alexnet_corruption_errors();

// AlexNet's top-1 error (fraction) on clean ImageNet val.
inline constexpr double kAlexNetCleanError = 0.4348;

// corruption → severity (1..5) → top-1 error as a fraction in [0, 1].
using CorruptionErrors = std::map<std::string, std::map<int, double>>;

// Every figure is a percentage.
struct CorruptionScores {
  std::map<std::string, double> mean_error;   // each corruption given: mean over its severities
  std::map<std::string, double> ce;           // each common corruption given
  std::map<std::string, double> relative_ce;  // each common corruption given, with a clean error
  // Means over the common corruptions given; empty when none is given (or, for relative_mce,
  // without a clean error).
  std::optional<double> mce;
  std::optional<double> relative_mce;
  std::optional<double> mean_error_common;
  // Mean of mean_error over the held-out corruptions given; empty when none is given.
  std::optional<double> mean_error_held_out;
  // All 15 common corruptions at all 5 severities. Otherwise the means above cover what was
  // given, which is not comparable with published mCE figures.
  bool complete = false;
  // What a complete result lacks, in ImageNet-C order: "fog" for a missing corruption, "fog/3"
  // for a missing severity.
  std::vector<std::string> missing;
};

// Throws advbn::Error for an unknown corruption name, a corruption without severities, a
// severity outside 1..5, or an error or clean error outside [0, 1], naming the offending key.
CorruptionScores score_corruptions(const CorruptionErrors& errors,
                                   std::optional<double> clean_error = std::nullopt);

}  // namespace advbn
