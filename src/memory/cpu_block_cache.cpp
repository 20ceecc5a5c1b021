#include "advbn/memory/cpu_block_cache.h"

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <c10/util/Exception.h>
#include <sys/mman.h>

#include <list>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace advbn {

namespace {

constexpr std::size_t kPageBytes = 4096;
constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;
// A cached block that this many large allocations have passed by is given back to the kernel
// at the next miss: several training steps of ResNet-50 (≈ 600 large allocations per plain
// step, ≈ 3,000 per AdvBN step at m = 6).
constexpr std::uint64_t kIdleAllocations = 20000;

std::size_t round_up(std::size_t bytes, std::size_t multiple) {
  return (bytes + multiple - 1) / multiple * multiple;
}

void* map_block(std::size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  TORCH_CHECK(p != MAP_FAILED, "advbn CPU block cache: cannot map ", bytes, " bytes");
  // Transparent huge pages, where the kernel offers them on request: 512 times fewer faults.
  if (bytes >= kHugePageBytes) madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}

// The cache's state; blocks are page-rounded anonymous mappings.
class BlockPool {
 public:
  void* take(std::size_t bytes) {
    std::vector<std::pair<void*, std::size_t>> evicted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++allocations_;
      // Best fit, wasting at most an eighth of the request.
      auto fit = by_size_.lower_bound(bytes);
      if (fit != by_size_.end() && fit->first <= bytes + bytes / 8) {
        const Block block = *fit->second;
        forget_cached(fit);
        live_.emplace(block.data, block.bytes);
        ++stats_.hits;
        return block.data;
      }
      // Blocks that no allocation took for a long while belong to shapes no longer in use.
      while (!by_age_.empty() && by_age_.front().freed_at + kIdleAllocations < allocations_) {
        const Block oldest = by_age_.front();
        forget_cached(oldest.index);
        stats_.mapped_bytes -= oldest.bytes;
        evicted.emplace_back(oldest.data, oldest.bytes);
      }
      ++stats_.misses;
    }
    for (const auto& [data, size] : evicted) munmap(data, size);
    void* data = map_block(bytes);
    std::lock_guard<std::mutex> lock(mutex_);
    live_.emplace(data, bytes);
    stats_.mapped_bytes += bytes;
    return data;
  }

  // Caches `data` if it is one of the pool's blocks; returns whether it was.
  bool give_back(void* data) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto live = live_.find(data);
    if (live == live_.end()) return false;
    by_age_.push_back({data, live->second, allocations_, {}});
    by_age_.back().index = by_size_.emplace(live->second, std::prev(by_age_.end()));
    stats_.cached_bytes += live->second;
    live_.erase(live);
    return true;
  }

  CpuBlockCacheStats stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

 private:
  struct Block;
  using SizeIndex = std::multimap<std::size_t, std::list<Block>::iterator>;
  struct Block {
    void* data;
    std::size_t bytes;
    std::uint64_t freed_at;  // value of allocations_ when the block was freed
    SizeIndex::iterator index;
  };

  void forget_cached(SizeIndex::iterator entry) {
    stats_.cached_bytes -= entry->first;
    by_age_.erase(entry->second);
    by_size_.erase(entry);
  }

  mutable std::mutex mutex_;
  std::list<Block> by_age_;  // cached blocks, oldest first
  SizeIndex by_size_;        // the same blocks by size
  std::unordered_map<void*, std::size_t> live_;
  std::uint64_t allocations_ = 0;  // large allocations so far
  CpuBlockCacheStats stats_;
};

BlockPool& pool() {
  // Never destroyed: tensors may be freed during static destruction.
  static auto* instance = new BlockPool();
  return *instance;
}

void release(void* data) {
  if (data != nullptr && !pool().give_back(data)) c10::free_cpu(data);
}

}  // namespace

c10::DataPtr CpuBlockCache::allocate(std::size_t bytes) const {
  void* data = bytes >= kMinCachedBytes ? pool().take(round_up(bytes, kPageBytes)) : c10::alloc_cpu(bytes);
  return {data, data, &release, c10::Device(c10::DeviceType::CPU)};
}

c10::DeleterFnPtr CpuBlockCache::raw_deleter() const { return &release; }

CpuBlockCacheStats CpuBlockCache::stats() const { return pool().stats(); }

CpuBlockCache& cpu_block_cache() {
  static auto* instance = new CpuBlockCache();
  return *instance;
}

void install_cpu_block_cache() {
  // Above the priority of c10's default allocator (0).
  c10::SetCPUAllocator(&cpu_block_cache(), /*priority=*/1);
}

}  // namespace advbn
