#include <advbn/data/random.h>
#include <advbn/error.h>

#include <numeric>

namespace advbn::data {

uint64_t splitmix64(uint64_t value) {
  value += 0x9E3779B97F4A7C15ull;
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ull;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBull;
  return value ^ (value >> 31);
}

uint64_t mix_seeds(uint64_t a, uint64_t b) { return splitmix64(splitmix64(a) ^ b); }

uint64_t sample_seed(uint64_t seed, int64_t epoch, size_t index) {
  return mix_seeds(mix_seeds(seed, static_cast<uint64_t>(epoch)), static_cast<uint64_t>(index));
}

double uniform01(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

double uniform_real(std::mt19937_64& rng, double low, double high) {
  return low + (high - low) * uniform01(rng);
}

uint64_t uniform_index(std::mt19937_64& rng, uint64_t count) {
  if (count == 0) throw Error("uniform_index needs a positive count");
  // Rejects the top partial block of 2^64 so every residue is equally likely.
  const uint64_t limit = ~uint64_t{0} - (~uint64_t{0} % count + 1) % count;
  uint64_t value = rng();
  while (value > limit) value = rng();
  return value % count;
}

std::vector<size_t> random_permutation(size_t count, uint64_t seed) {
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), size_t{0});
  std::mt19937_64 rng(seed);
  for (size_t i = count; i > 1; --i) {
    std::swap(order[i - 1], order[uniform_index(rng, i)]);
  }
  return order;
}

}  // namespace advbn::data
