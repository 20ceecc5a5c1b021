#include <advbn/data/random.h>
#include <advbn/data/subset.h>
#include <advbn/error.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace advbn::data {

namespace {

class SubsetDataset final : public Dataset {
 public:
  SubsetDataset(DatasetPtr base, std::vector<size_t> indices, std::string what)
      : base_(std::move(base)), indices_(std::move(indices)), what_(std::move(what)) {}

  size_t size() const override { return indices_.size(); }

  Sample get(size_t index) const override {
    if (index >= indices_.size()) {
      throw Error("index " + std::to_string(index) + " is out of range for " + description());
    }
    return base_->get(indices_[index]);
  }

  int64_t num_classes() const override { return base_->num_classes(); }

  std::string description() const override {
    return base_->description() + ", " + what_ + " of " + std::to_string(size()) + " images";
  }

  std::vector<std::string> warnings() const override { return base_->warnings(); }

 private:
  DatasetPtr base_;
  std::vector<size_t> indices_;
  std::string what_;
};

DatasetPtr checked_subset(DatasetPtr base, std::vector<size_t> indices, std::string what) {
  if (!base) throw Error("subset of a null dataset");
  if (indices.empty()) throw Error("empty subset of " + base->description());
  for (const size_t index : indices) {
    if (index >= base->size()) {
      throw Error("subset index " + std::to_string(index) + " is out of range for " +
                  base->description());
    }
  }
  return std::make_shared<SubsetDataset>(std::move(base), std::move(indices), std::move(what));
}

}  // namespace

DatasetPtr subset(DatasetPtr base, std::vector<size_t> indices) {
  return checked_subset(std::move(base), std::move(indices), "subset");
}

DatasetPtr random_subset(DatasetPtr base, size_t count, uint64_t seed) {
  if (!base) throw Error("random subset of a null dataset");
  std::vector<size_t> indices(base->size());
  std::iota(indices.begin(), indices.end(), size_t{0});
  std::mt19937_64 rng(seed);
  std::shuffle(indices.begin(), indices.end(), rng);
  indices.resize(std::min(indices.size(), count));
  std::sort(indices.begin(), indices.end());
  return checked_subset(std::move(base), std::move(indices), "random subset");
}

std::pair<DatasetPtr, DatasetPtr> split_validation(DatasetPtr base, double validation_fraction,
                                                   uint64_t seed) {
  if (!base) throw Error("validation split of a null dataset");
  if (!(validation_fraction > 0.0 && validation_fraction < 1.0)) {
    throw Error("validation fraction " + std::to_string(validation_fraction) +
                " must lie strictly between 0 and 1");
  }
  const size_t total = base->size();
  const auto validation_size = static_cast<size_t>(std::llround(total * validation_fraction));
  if (validation_size == 0 || validation_size >= total) {
    throw Error("a validation fraction of " + std::to_string(validation_fraction) + " of " +
                base->description() + " leaves one part empty");
  }
  auto order = random_permutation(total, seed);
  std::vector<size_t> validation(order.begin(), order.begin() + validation_size);
  std::vector<size_t> training(order.begin() + validation_size, order.end());
  // Base order keeps files that sit together on disk together in each part.
  std::sort(validation.begin(), validation.end());
  std::sort(training.begin(), training.end());
  return {checked_subset(base, std::move(training), "training part"),
          checked_subset(base, std::move(validation), "validation part")};
}

}  // namespace advbn::data
