#pragma once
// A CPU allocator for LibTorch that keeps freed large blocks and hands them to later tensors of
// about the same size.
//
// A training step allocates the same activation shapes pass after pass. Through glibc, large
// freed blocks either go back to the kernel (then every pass pays page faults again: on the
// paravirtualised hosts here an mmap per activation made a ResNet-50 step 2.6× slower) or stay
// in the heap, where smaller long-lived allocations split them, so that a second pass of the
// same shapes no longer fits and the heap grows (an AdvBN step peaked 45% above a plain one,
// docs/performance.md). Cached blocks avoid both: a pass reuses the previous pass's blocks of the
// same sizes. Blocks that no allocation has taken for a long while (shapes no longer in use) go
// back to the kernel at the next miss.
#include <c10/core/Allocator.h>

#include <cstddef>
#include <cstdint>

namespace advbn {

struct CpuBlockCacheStats {
  std::size_t mapped_bytes = 0;  // live and cached large blocks
  std::size_t cached_bytes = 0;  // freed large blocks kept for reuse
  std::uint64_t hits = 0;        // large allocations served from the cache
  std::uint64_t misses = 0;      // large allocations that mapped a new block
};

class CpuBlockCache final : public c10::Allocator {
 public:
  // Blocks of at least this many bytes are cached; smaller ones go to c10's aligned malloc.
  static constexpr std::size_t kMinCachedBytes = std::size_t{1} << 20;

  c10::DataPtr allocate(std::size_t bytes) const override;
  c10::DeleterFnPtr raw_deleter() const override;
  CpuBlockCacheStats stats() const;
};

// The process's cache (one instance, so that the deleter of every block finds it).
CpuBlockCache& cpu_block_cache();

// Makes cpu_block_cache() LibTorch's CPU allocator for tensors created from now on.
void install_cpu_block_cache();

}  // namespace advbn
