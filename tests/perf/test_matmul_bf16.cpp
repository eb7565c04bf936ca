// The bfloat16 AMX product (tensor/cpu/matmul_bf16.h) against a double-precision reference.
// With inputs that are already bfloat16 values, the products are exact and only the float32
// sums differ from the reference; with arbitrary inputs the bf16 rounding shows (about 2^-9
// per input). Skipped, saying so, where the CPU has no AMX.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "tensor/cpu/matmul_bf16.h"
#include "tensor/ops.h"
#include "tests/support/compare.h"
#include "tests/support/skip.h"

using namespace dn;

namespace {

float round_to_bf16(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  u = (u + 0x7fff + ((u >> 16) & 1)) & 0xffff0000u;  // nearest, ties to even
  std::memcpy(&x, &u, 4);
  return x;
}

Tensor random_matrix(int64_t rows, int64_t cols, uint64_t seed, bool bf16_values) {
  Generator gen(seed);
  Tensor t = kernel::normal({rows, cols}, 0, 1, gen);
  if (bf16_values)
    for (float* p = t.data<float>(); p != t.data<float>() + t.numel(); ++p) *p = round_to_bf16(*p);
  return t;
}

// max |got - a·b| / max |a·b|, with a·b in double
test::Comparison error_vs_reference(const Tensor& got, const Tensor& a, const Tensor& b) {
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  std::vector<double> want(size_t(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t q = 0; q < k; ++q)
        s += double(a.data<float>()[i * a.stride(0) + q * a.stride(1)]) *
             double(b.data<float>()[q * b.stride(0) + j * b.stride(1)]);
      want[size_t(i * n + j)] = s;
    }
  return test::compare(to_vector<double>(got), want, test::Measure::relative_to_max);
}

}  // namespace

TEST_CASE("bf16 AMX product: every operand layout and ragged sizes, against double" *
          doctest::test_suite("amx")) {
  if (!cpu::amx_bf16_available()) DN_SKIP("this CPU has no AMX with bfloat16");
  struct Case {
    int64_t m, k, n;
  };
  for (Case c : {Case{1, 1, 1}, Case{16, 32, 16}, Case{33, 70, 47}, Case{100, 384, 65}, Case{5, 3, 129}}) {
    CAPTURE(c.m);
    CAPTURE(c.k);
    CAPTURE(c.n);
    for (int layout = 0; layout < 4; ++layout) {
      CAPTURE(layout);
      const bool ta = layout & 1, tb = layout & 2;
      Tensor a = ta ? kernel::transpose(random_matrix(c.k, c.m, 1, true), 0, 1) : random_matrix(c.m, c.k, 1, true);
      Tensor b = tb ? kernel::transpose(random_matrix(c.n, c.k, 2, true), 0, 1) : random_matrix(c.k, c.n, 2, true);
      Tensor out = empty({c.m, c.n});
      cpu::matmul_bf16(out, a, b);
      CHECK_CLOSE(error_vs_reference(out, a, b), 1e-6);
    }
  }
}

TEST_CASE("bf16 AMX product through the op API, with leading dims, and its rounding error" *
          doctest::test_suite("amx")) {
  if (!cpu::amx_bf16_available()) DN_SKIP("this CPU has no AMX with bfloat16");
  Generator gen(3);
  Tensor x = kernel::normal({2, 37, 384}, 0, 1, gen), w = kernel::normal({96, 384}, 0, 1, gen);
  Tensor got = kernel::matmul_bf16(x, kernel::transpose(w, 0, 1));
  Tensor want = kernel::matmul(x, kernel::transpose(w, 0, 1));
  const test::Comparison c = test::compare(got, want, test::Measure::relative_to_max);
  // bf16 inputs: each term carries up to 2·2^-9 relative error; sums of 384 random terms
  // average it down to well under a percent of the largest entry
  CHECK_MESSAGE(c.error > 1e-5, "it does round: ", c.text);
  CHECK_CLOSE(c, 1e-2);
}
