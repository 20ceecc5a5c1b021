#pragma once
// Views on part of a dataset, for validation splits and quick experiments; they share the base
// dataset instead of copying it.
#include <advbn/data/dataset.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace advbn::data {

// The samples base[indices[0]], base[indices[1]], ...; throws advbn::Error for an index outside
// the base dataset or an empty index list.
DatasetPtr subset(DatasetPtr base, std::vector<size_t> indices);

// `count` samples drawn at random (generator seeded by `seed`), kept in base's order; the whole
// dataset when count is at least its size. The same seed always gives the same samples.
DatasetPtr random_subset(DatasetPtr base, size_t count, uint64_t seed);

// Splits base into (training part, validation part): round(size * validation_fraction) images,
// drawn at random from a generator seeded by `seed`, form the validation part, the rest the
// training part; both keep base's order. The same seed always gives the same split.
// Throws advbn::Error unless 0 < validation_fraction < 1 and both parts are non-empty.
std::pair<DatasetPtr, DatasetPtr> split_validation(DatasetPtr base, double validation_fraction,
                                                   uint64_t seed);

}  // namespace advbn::data
