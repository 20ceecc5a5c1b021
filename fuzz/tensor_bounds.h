#pragma once
// LibTorch is not built with AddressSanitizer, so a tensor view that reaches past its storage
// would go unnoticed when LibTorch reads it. The weight fuzzers therefore check every loaded
// tensor against its storage themselves and trap on a view the reader should have refused.
#include <ATen/ATen.h>

#include <cstdint>

namespace advbn::fuzz {

inline void trap_unless_within_storage(const at::Tensor& tensor) {
  if (!tensor.defined()) __builtin_trap();
  if (tensor.numel() == 0) return;
  unsigned __int128 last = static_cast<uint64_t>(tensor.storage_offset());
  for (int64_t d = 0; d < tensor.dim(); ++d) {
    if (tensor.stride(d) < 0) __builtin_trap();
    last += static_cast<unsigned __int128>(tensor.size(d) - 1) * static_cast<uint64_t>(tensor.stride(d));
  }
  const unsigned __int128 end_bytes = (last + 1) * static_cast<uint64_t>(tensor.element_size());
  if (end_bytes > tensor.storage().nbytes()) __builtin_trap();
}

}  // namespace advbn::fuzz
