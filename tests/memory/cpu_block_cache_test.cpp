#include "advbn/memory/cpu_block_cache.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdint>
#include <thread>
#include <vector>

namespace advbn {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

// The cache is process-wide, so every check is on differences of its counters.
CpuBlockCacheStats stats() { return cpu_block_cache().stats(); }

TEST(CpuBlockCache, ReusesAFreedBlockOfAboutTheSameSize) {
  void* first = nullptr;
  {
    const auto block = cpu_block_cache().allocate(3 * kMiB);
    first = block.get();
    static_cast<char*>(first)[3 * kMiB - 1] = 1;  // the whole block is writable
  }
  const auto before = stats();
  const auto again = cpu_block_cache().allocate(3 * kMiB - 100);
  EXPECT_EQ(again.get(), first);
  EXPECT_EQ(stats().hits, before.hits + 1);
  EXPECT_EQ(stats().mapped_bytes, before.mapped_bytes);
}

TEST(CpuBlockCache, DoesNotHandOutAMuchLargerBlock) {
  void* large = nullptr;
  {
    const auto block = cpu_block_cache().allocate(16 * kMiB);
    large = block.get();
  }
  const auto before = stats();
  const auto small = cpu_block_cache().allocate(5 * kMiB);
  EXPECT_NE(small.get(), large);
  EXPECT_EQ(stats().misses, before.misses + 1);
}

TEST(CpuBlockCache, SmallAllocationsBypassTheCacheAndAreAligned) {
  const auto before = stats();
  const auto block = cpu_block_cache().allocate(1000);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(block.get()) % 64, 0u);
  EXPECT_EQ(stats().mapped_bytes, before.mapped_bytes);
  EXPECT_EQ(stats().hits + stats().misses, before.hits + before.misses);
}

TEST(CpuBlockCache, GivesBackBlocksNoAllocationTookForLong) {
  { const auto idle = cpu_block_cache().allocate(7 * kMiB + 4096); }
  // Many allocations of another size, all but the first served from the cache.
  for (int i = 0; i < 25000; ++i) cpu_block_cache().allocate(2 * kMiB);
  const auto before_miss = stats();
  ASSERT_GE(before_miss.cached_bytes, 7 * kMiB + 4096);
  // The next miss gives the idle block back to the kernel.
  const auto fresh = cpu_block_cache().allocate(11 * kMiB + 12345);
  const auto after = stats();
  EXPECT_EQ(after.misses, before_miss.misses + 1);
  EXPECT_LE(after.cached_bytes + 7 * kMiB + 4096, before_miss.cached_bytes);
}

TEST(CpuBlockCache, CountsStayConsistentUnderConcurrentUse) {
  const auto before = stats();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      std::vector<c10::DataPtr> held;
      for (int i = 0; i < 300; ++i) {
        held.push_back(cpu_block_cache().allocate((1 + (i + t) % 5) * kMiB));
        if (held.size() > 3) held.erase(held.begin());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  // Nothing is live any more: every mapped byte added is cached.
  const auto after = stats();
  EXPECT_EQ(after.mapped_bytes - before.mapped_bytes, after.cached_bytes - before.cached_bytes);
  EXPECT_EQ(after.hits + after.misses - before.hits - before.misses, 4u * 300u);
}

TEST(CpuBlockCache, ServesLibTorchOnceInstalled) {
  install_cpu_block_cache();
  const auto before = stats();
  const auto a = torch::arange(1 << 19, torch::kDouble);  // 4 MiB
  EXPECT_GE(stats().hits + stats().misses, before.hits + before.misses + 1);
  const double n = 1 << 19;
  EXPECT_EQ((a * 2).sum().item<double>(), n * (n - 1));
}

}  // namespace
}  // namespace advbn
