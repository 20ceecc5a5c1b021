#pragma once
// Seed derivation and uniform draws with results fixed by this code alone. The standard
// distributions (std::uniform_real_distribution, std::shuffle) may differ between standard
// libraries, which would change augmentations and epoch orders from one toolchain to another;
// std::mt19937_64's raw output, by contrast, is fixed by the C++ standard.
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace advbn::data {

// splitmix64's output function: a bijection on 64 bits that spreads every input bit over the
// whole word, so nearby seeds (epoch 3 and 4, image 17 and 18) give unrelated generators.
uint64_t splitmix64(uint64_t value);

// Combines two values into one seed; order matters (mix_seeds(a, b) != mix_seeds(b, a)).
uint64_t mix_seeds(uint64_t a, uint64_t b);

// The seed of one sample's augmentation: a function of the run's seed, the epoch and the
// dataset index only, so the result does not depend on which thread draws it or when.
uint64_t sample_seed(uint64_t seed, int64_t epoch, size_t index);

// Uniform double in [0, 1) with 53 random bits.
double uniform01(std::mt19937_64& rng);

// Uniform double in [low, high).
double uniform_real(std::mt19937_64& rng, double low, double high);

// Uniform integer in [0, count) without modulo bias; throws advbn::Error for count == 0.
uint64_t uniform_index(std::mt19937_64& rng, uint64_t count);

// A uniformly random permutation of 0..count-1 (Fisher-Yates), fixed by the seed.
std::vector<size_t> random_permutation(size_t count, uint64_t seed);

}  // namespace advbn::data
