#pragma once
// An allocator for the search snapshot's large arrays (gigabytes at national
// scale, read at random): it backs them with 2 MiB transparent huge pages, so
// a random read costs one TLB entry per 2 MiB instead of per 4 KiB. On a
// virtual machine a TLB miss walks two page tables; with 4 KiB pages that
// walk, not the data, dominated a look-up at 20 M persons.
// Small allocations go to the ordinary heap. Where the kernel has no
// transparent huge pages the memory is simply ordinary pages.

#include <cstddef>
#include <new>
#include <vector>

namespace vigie {

namespace internal {
// Page-aligned memory of at least `bytes`, advised for huge pages; throws
// std::bad_alloc. FreeHugePages takes the same byte count.
void* AllocateHugePages(size_t bytes);
void FreeHugePages(void* memory, size_t bytes);
inline constexpr size_t kHugePageThreshold = size_t{4} << 20;
}  // namespace internal

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

  T* allocate(size_t n) {
    size_t bytes = n * sizeof(T);
    if (bytes < internal::kHugePageThreshold) return std::allocator<T>().allocate(n);
    return static_cast<T*>(internal::AllocateHugePages(bytes));
  }
  void deallocate(T* p, size_t n) noexcept {
    size_t bytes = n * sizeof(T);
    if (bytes < internal::kHugePageThreshold) return std::allocator<T>().deallocate(p, n);
    internal::FreeHugePages(p, bytes);
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const noexcept { return true; }
};

template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace vigie
