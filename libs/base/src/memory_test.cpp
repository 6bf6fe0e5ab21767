#include "vgi/base/memory.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

// Sanitizers bring their own allocator: glibc's malloc_trim has nothing of ours to return.
#if defined(__SANITIZE_ADDRESS__)
#define VGI_OWN_ALLOCATOR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || __has_feature(thread_sanitizer)
#define VGI_OWN_ALLOCATOR 1
#endif
#endif

namespace vgi {
namespace {

TEST(Memory, ResidentBytesGrowsWithTouchedMemory) {
  const auto before = ResidentBytes();
  ASSERT_TRUE(before.has_value());
  std::vector<char> block(64 << 20);
  std::memset(block.data(), 1, block.size());
  const auto after = ResidentBytes();
  ASSERT_TRUE(after.has_value());
  EXPECT_GE(*after - *before, std::int64_t{48} << 20);
  const volatile char* kept = block.data();  // the block is used: its allocation stays
  EXPECT_EQ(kept[block.size() / 2], 1);
}

TEST(Memory, FreedSmallBlocksBehindALiveOneGoBackToTheSystem) {
#if defined(VGI_OWN_ALLOCATOR) || !defined(__GLIBC__)
  GTEST_SKIP() << "needs glibc's own allocator";
#else
  // 64 MiB of small blocks, freed, with one block still live after them: free() alone cannot
  // shrink the heap past it, so the pages stay resident until ReleaseFreeHeap.
  std::vector<std::unique_ptr<char[]>> blocks;
  for (int i = 0; i < 128 * 1024; ++i) {
    blocks.emplace_back(new char[512]);
    std::memset(blocks.back().get(), 1, 512);
  }
  auto pin = std::make_unique<char[]>(512);
  blocks.clear();
  blocks.shrink_to_fit();
  const auto before = ResidentBytes();
  ASSERT_TRUE(before.has_value());
  EXPECT_TRUE(ReleaseFreeHeap());
  const auto after = ResidentBytes();
  ASSERT_TRUE(after.has_value());
  EXPECT_GE(*before - *after, std::int64_t{32} << 20) << "before " << *before << " after " << *after;
  pin.reset();
#endif
}

}  // namespace
}  // namespace vgi
