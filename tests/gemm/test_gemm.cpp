// The CPU matrix product (tensor/cpu/matmul.cpp, reached through dn::kernel::matmul) against
// a naive double-precision reference, for every operand layout the op API produces:
// plain and transposed views of either operand, broadcast batches (batch stride 0), odd
// sizes around the vector width (31, 32, 33), degenerate sizes (k = 1, m = 1, n = 1, k = 0),
// and products large enough to be split over threads, at several thread counts. The
// project's own kernels are also called directly, at the edges of their tiles and blocks, by
// test_own_sgemm.cpp, so that each is tested on machines where matmul does not choose it.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/ops.h"

using dn::DType;
using dn::Shape;
using dn::Tensor;
namespace k = dn::kernel;

namespace {

// A [batch..., rows, cols] operand with values in [-1, 1]; when transposed, the storage
// holds [batch..., cols, rows] and the result is a transposed view of it (no copy).
Tensor operand(Shape batch, int64_t rows, int64_t cols, bool transposed, DType dtype,
               dn::Generator& gen) {
  Shape stored = batch;
  stored.push_back(transposed ? cols : rows);
  stored.push_back(transposed ? rows : cols);
  Tensor x = k::uniform(stored, -1.0, 1.0, gen, dtype);
  const int64_t d = int64_t(stored.size());
  return transposed ? k::transpose(x, d - 2, d - 1) : x;
}

// out = a · b over a common batch, in double, with the bound on float rounding error
// k · eps · Σ|a||b| for each element (Higham's bound for any summation order).
struct Reference {
  std::vector<double> value, bound;
};

Reference naive_product(const Tensor& a_full, const Tensor& b_full, int64_t nbatch, int64_t m,
                        int64_t kk, int64_t n, double eps) {
  const std::vector<double> a = dn::to_vector<double>(a_full);
  const std::vector<double> b = dn::to_vector<double>(b_full);
  Reference r{std::vector<double>(nbatch * m * n), std::vector<double>(nbatch * m * n)};
  for (int64_t p = 0; p < nbatch; ++p)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0, abs_sum = 0;
        for (int64_t l = 0; l < kk; ++l) {
          const double x = a[(p * m + i) * kk + l] * b[(p * kk + l) * n + j];
          sum += x;
          abs_sum += std::abs(x);
        }
        r.value[(p * m + i) * n + j] = sum;
        r.bound[(p * m + i) * n + j] = double(kk + 2) * eps * abs_sum;
      }
  return r;
}

// Checks matmul(a, b) against the reference; batch is the broadcast batch shape.
void check_product(const Tensor& a, const Tensor& b, const Shape& batch) {
  const int64_t m = a.size(-2), kk = a.size(-1), n = b.size(-1);
  Shape a_full = batch, b_full = batch, out_shape = batch;
  a_full.insert(a_full.end(), {m, kk});
  b_full.insert(b_full.end(), {kk, n});
  out_shape.insert(out_shape.end(), {m, n});
  int64_t nbatch = 1;
  for (int64_t s : batch) nbatch *= s;

  const Tensor out = k::matmul(a, b);
  REQUIRE(out.shape() == out_shape);
  REQUIRE(out.dtype() == a.dtype());
  const double eps = a.dtype() == DType::f32 ? std::numeric_limits<float>::epsilon()
                                             : std::numeric_limits<double>::epsilon();
  const Reference ref =
      naive_product(k::expand(a, a_full), k::expand(b, b_full), nbatch, m, kk, n, eps);
  const std::vector<double> got = dn::to_vector<double>(out);
  int64_t bad = 0, first_bad = -1;
  for (size_t i = 0; i < got.size(); ++i) {
    if (!(std::abs(got[i] - ref.value[i]) <= ref.bound[i])) {
      if (bad++ == 0) first_bad = int64_t(i);
    }
  }
  INFO("a ", a.describe(), " strides ", dn::shape_str(a.strides()), ", b ", b.describe(),
       " strides ", dn::shape_str(b.strides()));
  if (bad) {
    INFO("first bad element ", first_bad, ": got ", got[first_bad], ", want ",
         ref.value[first_bad], " +- ", ref.bound[first_bad]);
    CHECK(bad == 0);
  } else {
    CHECK(bad == 0);
  }
}

const DType kDtypes[] = {DType::f32, DType::f64};

}  // namespace

TEST_CASE("gemm: every layout at sizes around the vector width") {
  dn::Generator gen(7);
  for (DType dtype : kDtypes)
    for (int a_t = 0; a_t < 2; ++a_t)
      for (int b_t = 0; b_t < 2; ++b_t)
        for (int64_t m : {31, 32, 33})
          for (int64_t kk : {31, 32, 33})
            for (int64_t n : {31, 32, 33}) {
              CAPTURE(m);
              CAPTURE(kk);
              CAPTURE(n);
              check_product(operand({}, m, kk, a_t, dtype, gen), operand({}, kk, n, b_t, dtype, gen),
                            {});
            }
}

TEST_CASE("gemm: degenerate sizes (vectors, outer products, k = 1, k = 0)") {
  dn::Generator gen(8);
  const int64_t sizes[][3] = {{1, 1, 1},  {1, 33, 1},  {1, 33, 31}, {31, 33, 1}, {33, 1, 31},
                              {1, 1, 33}, {33, 1, 1},  {1, 500, 1}, {1, 257, 300},
                              {300, 257, 1}, {5, 0, 7}, {0, 4, 3}};
  for (DType dtype : kDtypes)
    for (int a_t = 0; a_t < 2; ++a_t)
      for (int b_t = 0; b_t < 2; ++b_t)
        for (const auto& s : sizes) {
          CAPTURE(s[0]);
          CAPTURE(s[1]);
          CAPTURE(s[2]);
          check_product(operand({}, s[0], s[1], a_t, dtype, gen),
                        operand({}, s[1], s[2], b_t, dtype, gen), {});
        }
}

TEST_CASE("gemm: batches, with either operand broadcast over the batch") {
  dn::Generator gen(9);
  for (DType dtype : kDtypes)
    for (int a_t = 0; a_t < 2; ++a_t)
      for (int b_t = 0; b_t < 2; ++b_t) {
        // Both batched; a batched, b shared (b's batch stride 0); a shared, b batched.
        check_product(operand({3}, 33, 31, a_t, dtype, gen), operand({3}, 31, 32, b_t, dtype, gen),
                      {3});
        check_product(operand({4}, 33, 31, a_t, dtype, gen), operand({}, 31, 32, b_t, dtype, gen),
                      {4});
        check_product(operand({}, 33, 31, a_t, dtype, gen), operand({4}, 31, 32, b_t, dtype, gen),
                      {4});
        // [2, 1] x [1, 3] batch dims broadcast to [2, 3].
        check_product(operand({2, 1}, 17, 9, a_t, dtype, gen),
                      operand({1, 3}, 9, 33, b_t, dtype, gen), {2, 3});
        // Many small products (the attention path: one product per thread).
        check_product(operand({12}, 31, 16, a_t, dtype, gen),
                      operand({12}, 16, 33, b_t, dtype, gen), {12});
      }
}

TEST_CASE("gemm: products split over threads, at 1, 2 and 3 threads") {
  dn::Generator gen(10);
  const int threads_before = dn::cpu::num_threads();
  // Tall (split by rows), wide (split by columns), and one batch of large products.
  const int64_t sizes[][3] = {{389, 150, 263}, {131, 150, 1031}, {1025, 67, 129}};
  for (int threads : {1, 2, 3}) {
    dn::cpu::set_num_threads(threads);
    CAPTURE(threads);
    for (DType dtype : kDtypes)
      for (int a_t = 0; a_t < 2; ++a_t)
        for (int b_t = 0; b_t < 2; ++b_t) {
          for (const auto& s : sizes) {
            CAPTURE(s[0]);
            CAPTURE(s[1]);
            CAPTURE(s[2]);
            check_product(operand({}, s[0], s[1], a_t, dtype, gen),
                          operand({}, s[1], s[2], b_t, dtype, gen), {});
          }
          check_product(operand({2}, 301, 129, a_t, dtype, gen),
                        operand({}, 129, 257, b_t, dtype, gen), {2});
        }
  }
  dn::cpu::set_num_threads(threads_before);
}

TEST_CASE("gemm: a row-major slice with a row stride larger than its width") {
  // narrow() along the columns leaves a row stride wider than the matrix: the kernel must
  // use the stride, not the width.
  dn::Generator gen(11);
  for (DType dtype : kDtypes) {
    const Tensor a_wide = k::uniform({37, 50}, -1, 1, gen, dtype);
    const Tensor b_wide = k::uniform({45, 41}, -1, 1, gen, dtype);
    const Tensor a = k::narrow(a_wide, 1, 3, 45);   // [37, 45], row stride 50
    const Tensor b = k::narrow(b_wide, 1, 5, 33);   // [45, 33], row stride 41
    check_product(a, b, {});
    const Tensor c_wide = k::uniform({40, 60}, -1, 1, gen, dtype);
    check_product(k::transpose(k::narrow(b_wide, 0, 2, 40), 0, 1),  // [41, 40], col stride 41
                  k::narrow(c_wide, 1, 4, 50), {});                 // [40, 50], row stride 60
    // Vectors may come with no unit stride at all: a column [40, 1] with strides (3, 5)
    // and a row [1, 33] with strides (5, 3), both taken from a flat buffer.
    const Tensor flat = k::uniform({400}, -1, 1, gen, dtype);
    const Tensor column = k::as_strided(flat, {40, 1}, {3, 5}, 1);
    const Tensor row = k::as_strided(flat, {1, 33}, {5, 3}, 2);
    check_product(k::narrow(c_wide, 1, 0, 40), column, {});  // [40, 40] x [40, 1]
    check_product(column, row, {});                          // outer product [40, 33]
    check_product(row, k::transpose(k::narrow(c_wide, 1, 0, 33), 0, 1), {});  // [1, 33] x [33, 40]
  }
}
