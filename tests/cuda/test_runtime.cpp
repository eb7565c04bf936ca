// The CUDA runtime layer: devices, copies, the caching allocator and its errors.
#include <cstring>

#include "tensor/cuda/cuda_backend.h"
#include "tests/cuda/helpers.h"

using namespace dn;

TEST_CASE("host <-> device copies round-trip every byte") {
  for (DType dt : {DType::f32, DType::f64, DType::i64, DType::u8, DType::bool_, DType::bf16}) {
    Tensor x = kernel::to(dn::test::random_tensor({3, 1001}, DType::f64, 1, -100, 100), dt);
    Tensor g = kernel::to(x, Device::cuda());
    CHECK(g.device() == Device::cuda());
    CHECK(dn::test::same_bits(kernel::to(g, Device::cpu()), x));
    // device -> device (clone) and back
    CHECK(dn::test::same_bits(kernel::to(kernel::clone(g), Device::cpu()), x));
  }
  Tensor empty_gpu = empty({0, 5}, DType::f32, Device::cuda());
  CHECK(kernel::to(empty_gpu, Device::cpu()).numel() == 0);
}

TEST_CASE("the caching allocator reuses blocks, counts memory and keeps its limit") {
  cuda::synchronize();
  cuda::reset_peak_memory_stats(0);
  const cuda::MemoryStats before = cuda::memory_stats(0);
  {
    Tensor a = empty({1 << 20}, DType::f32, Device::cuda());  // 4 MiB
    const cuda::MemoryStats mid = cuda::memory_stats(0);
    CHECK(mid.allocated_bytes >= before.allocated_bytes + (size_t(4) << 20));
    CHECK(mid.peak_allocated_bytes >= mid.allocated_bytes);
    CHECK(mid.reserved_bytes >= mid.allocated_bytes);
  }
  const cuda::MemoryStats freed = cuda::memory_stats(0);
  CHECK(freed.allocated_bytes == before.allocated_bytes);
  {
    Tensor b = empty({1 << 20}, DType::f32, Device::cuda());  // the same size again: cached
    CHECK(cuda::memory_stats(0).cache_hits > freed.cache_hits);
  }
  // A limit below what is asked for: a clear error, and the allocator still works after.
  cuda::set_memory_limit(cuda::memory_stats(0).reserved_bytes + (size_t(1) << 20), 0);
  CHECK_THROWS_WITH_AS(empty({int64_t(64) << 20}, DType::f32, Device::cuda()),
                       doctest::Contains("memory limit"), Error);
  cuda::set_memory_limit(0, 0);
  Tensor c = empty({int64_t(64) << 20}, DType::f32, Device::cuda());
  CHECK(c.numel() == (int64_t(64) << 20));
  cuda::empty_cache();
}

TEST_CASE("errors name the op and the device") {
  const int n = cuda::device_count();
  CHECK_THROWS_WITH_AS(empty({4}, DType::f32, Device::cuda(n)), doctest::Contains("does not exist"),
                       Error);
  CHECK_THROWS_WITH_AS(cuda::device_description(n), doctest::Contains("does not exist"), Error);
}
