// Shared by the CUDA suites: random inputs made on the CPU and error measures.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tensor/ops.h"
#include "tensor/random.h"
#include "tensor/tensor.h"
#include "tests/support/compare.h"

namespace dn::test {

// The floating-point types every CUDA kernel is checked in.
inline constexpr DType kMath[] = {DType::f32, DType::f64};

// Uniform values in [low, high) on the CPU; a fresh stream per seed.
inline Tensor random_tensor(const Shape& shape, DType dtype, uint64_t seed, double low = -2.0,
                            double high = 2.0) {
  Generator gen(seed);
  return kernel::uniform(shape, low, high, gen, dtype);
}

// ||a - b|| / ||b|| over all elements (as float64), after checking shapes match. A NaN or
// an infinity on either side makes the error infinite (tests/support/compare.h); a test that
// feeds non-finite values on purpose compares with NonFinite::must_match itself.
inline double relative_error(const Tensor& got, const Tensor& want) {
  REQUIRE(got.shape() == want.shape());
  return compare(got, want, Measure::relative_norm).error;
}

// The largest |a - b| over elements (a NaN or an infinity on either side: infinite).
inline double max_abs_error(const Tensor& got, const Tensor& want) {
  REQUIRE(got.shape() == want.shape());
  return compare(got, want, Measure::absolute).error;
}

// Whether two tensors hold the same bytes element by element (dtype, shape and values).
inline bool same_bits(const Tensor& got, const Tensor& want) {
  if (got.shape() != want.shape() || got.dtype() != want.dtype()) return false;
  Tensor a = kernel::contiguous(kernel::to(got, Device::cpu()));
  Tensor b = kernel::contiguous(kernel::to(want, Device::cpu()));
  return std::memcmp(a.data_ptr(), b.data_ptr(), size_t(a.numel()) * dtype_size(a.dtype())) == 0;
}

}  // namespace dn::test

namespace dn::test {

inline Tensor gpu(const Tensor& x) { return kernel::to(x, Device::cuda()); }
inline Tensor cpu(const Tensor& x) { return kernel::to(x, Device::cpu()); }

// Relative-error thresholds of a CUDA result against the CPU, per dtype. Elementwise and
// normalisation kernels differ only by the math library (1-2 ulp) and summation order;
// matrix products by cuBLAS's blocking.
inline double tolerance(DType t) { return t == DType::f64 ? 1e-13 : 2e-6; }
inline double matmul_tolerance(DType t) { return t == DType::f64 ? 1e-13 : 1e-5; }

// The views the tests feed to kernels: contiguous, transposed, and a strided narrow.
enum class Layout { contiguous, transposed, narrowed };
inline const char* layout_name(Layout l) {
  return l == Layout::contiguous ? "contiguous" : l == Layout::transposed ? "transposed" : "narrowed";
}
// One random storage, copied to the GPU, and the same [rows, cols] view of it on both
// devices: contiguous, transposed, or a narrowed slice of wider rows. Any dtype (values
// drawn in float64, then converted).
struct Pair {
  Tensor cpu, gpu;
};
inline Pair matrix_pair(int64_t rows, int64_t cols, DType dt, uint64_t seed, Layout l,
                        double low = -2.0, double high = 2.0) {
  const Shape storage = l == Layout::transposed ? Shape{cols, rows}
                        : l == Layout::narrowed ? Shape{rows, cols + 5}
                                                : Shape{rows, cols};
  Tensor s = kernel::to(random_tensor(storage, DType::f64, seed, low, high), dt);
  auto view = [&](const Tensor& t) {
    if (l == Layout::transposed) return kernel::transpose(t, 0, 1);
    if (l == Layout::narrowed) return kernel::narrow(t, 1, 2, cols);
    return t;
  };
  return {view(s), view(gpu(s))};
}

}  // namespace dn::test
