// The bfloat16 products (tensor/cpu/matmul_bf16.h), each kernel against a reference that rounds
// the inputs to bfloat16 as the kernels do and sums in float64: what is left is the float32
// summation's error. For an element c = Σ_q a_q·b_q of k terms (each product of two bf16
// values is exact in float32), float32 sums of any order are within γ_k·Σ|a_q·b_q| of the exact
// sum, γ_k = k·u/(1 - k·u) with u = 2^-24 (Higham, "Accuracy and Stability of Numerical
// Algorithms", §3.1); the test allows (k + 2)·u, element by element, and fails on NaN.
// Cases that need a kernel this CPU lacks are reported skipped.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/matmul_bf16.h"
#include "tensor/ops.h"
#include "tests/support/compare.h"
#include "tests/support/skip.h"

using namespace dn;

namespace {

float round_to_bf16(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  u = (u + 0x7fff + ((u >> 16) & 1)) & 0xffff0000u;  // nearest, ties to even (finite x)
  std::memcpy(&x, &u, 4);
  return x;
}

Tensor random_matrix(int64_t rows, int64_t cols, uint64_t seed) {
  Generator gen(seed);
  return kernel::normal({rows, cols}, 0, 1, gen);
}

// The worst, over the elements of c = a·b, of |got - ref| / Σ_q |a_q·b_q|, with ref and the
// sum over the bf16-rounded inputs in float64 (a NaN or infinity in `got` fails).
test::Comparison scaled_error(const Tensor& got, const Tensor& a, const Tensor& b) {
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  auto at = [](const Tensor& t, int64_t r, int64_t c) {
    return double(round_to_bf16(t.data<float>()[r * t.stride(0) + c * t.stride(1)]));
  };
  std::vector<double> got_scaled(size_t(m * n)), want_scaled(size_t(m * n));
  const std::vector<double> g = to_vector<double>(got);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0, scale = 0;
      for (int64_t q = 0; q < k; ++q) {
        const double t = at(a, i, q) * at(b, q, j);
        s += t;
        scale += std::fabs(t);
      }
      scale = scale > 0 ? scale : 1;  // k = 0 or all-zero terms: the product must be 0 exactly
      got_scaled[size_t(i * n + j)] = g[size_t(i * n + j)] / scale;
      want_scaled[size_t(i * n + j)] = s / scale;
    }
  return test::compare(got_scaled, want_scaled, test::Measure::absolute);
}

using Kernel = void (*)(const Tensor&, const Tensor&, const Tensor&);

struct Case {
  int64_t m, k, n;
};

// Every operand layout (a and b each plain or a transposed view) on each case.
void check_kernel(Kernel kernel, std::initializer_list<Case> cases) {
  for (Case c : cases) {
    CAPTURE(c.m);
    CAPTURE(c.k);
    CAPTURE(c.n);
    for (int layout = 0; layout < 4; ++layout) {
      CAPTURE(layout);
      const bool ta = layout & 1, tb = layout & 2;
      Tensor a = ta ? kernel::transpose(random_matrix(c.k, c.m, 1), 0, 1) : random_matrix(c.m, c.k, 1);
      Tensor b = tb ? kernel::transpose(random_matrix(c.n, c.k, 2), 0, 1) : random_matrix(c.k, c.n, 2);
      Tensor out = full({c.m, c.n}, std::nan(""));  // every element must be written
      kernel(out, a, b);
      const double u = std::ldexp(1.0, -24);
      CHECK_CLOSE(scaled_error(out, a, b), double(c.k + 2) * u);
    }
  }
}

}  // namespace

TEST_CASE("bf16 AMX product: every operand layout and ragged sizes, against bf16-rounded float64" *
          doctest::test_suite("amx")) {
  if (!cpu::amx_bf16_available()) DN_SKIP("this CPU has no AMX with bfloat16");
  check_kernel(cpu::matmul_bf16_amx, {Case{1, 1, 1}, Case{16, 32, 16}, Case{33, 70, 47}, Case{100, 384, 65},
                                      Case{5, 3, 129}});
}

TEST_CASE("bf16 AVX512-BF16 product: every operand layout, at tile and block edges, against bf16-rounded "
          "float64" * doctest::test_suite("avx512_bf16")) {
  if (!cpu::avx512_bf16_available()) DN_SKIP("this CPU has no AVX512-BF16");
  // The kernel's register tile is 12 rows × 32 columns, k runs in pairs, blocks are 512 of k,
  // 120 rows and 256 columns: sizes one under, at and one over each, odd k (a half pair), and
  // k = 0.
  check_kernel(cpu::matmul_bf16_avx512,
               {Case{1, 1, 1}, Case{12, 2, 32}, Case{11, 3, 31}, Case{13, 1, 33}, Case{24, 64, 64},
                Case{119, 511, 255}, Case{120, 512, 256}, Case{121, 513, 257}, Case{250, 1025, 290},
                Case{3, 0, 5}, Case{1, 700, 1}});
}

TEST_CASE("bf16 AVX512-BF16 product: the same result on 1 and 2 threads" * doctest::test_suite("avx512_bf16")) {
  if (!cpu::avx512_bf16_available()) DN_SKIP("this CPU has no AVX512-BF16");
  Tensor a = random_matrix(300, 777, 5), b = random_matrix(777, 290, 6);
  Tensor one = empty({300, 290}), two = empty({300, 290});
  const int before = cpu::num_threads();
  cpu::set_num_threads(1);
  cpu::matmul_bf16_avx512(one, a, b);
  cpu::set_num_threads(2);
  cpu::matmul_bf16_avx512(two, a, b);
  cpu::set_num_threads(before);
  CHECK_CLOSE(test::compare(two, one, test::Measure::absolute), 0.0);
}

TEST_CASE("bf16 product through the op API, with leading dims, against the float32 product" *
          doctest::test_suite("bf16")) {
  if (std::string(cpu::bf16_matmul_kernel()) == "none") DN_SKIP("this CPU has neither AMX nor AVX512-BF16");
  MESSAGE("bf16 kernel: ", std::string(cpu::bf16_matmul_kernel()));
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

TEST_CASE("bf16-encoder precision: bf16 inside a frozen encoder's scope, float32 outside" *
          doctest::test_suite("bf16")) {
  if (std::string(cpu::bf16_matmul_kernel()) == "none") DN_SKIP("this CPU has neither AMX nor AVX512-BF16");
  struct Restore {
    cpu::MatmulPrecision p = cpu::matmul_precision();
    ~Restore() { cpu::set_matmul_precision(p); }
  } restore;
  cpu::set_matmul_precision(cpu::MatmulPrecision::bf16_encoder);
  CHECK_FALSE(kernel::cpu_matmul_bf16());
  {
    cpu::FrozenEncoderScope outer;
    CHECK(kernel::cpu_matmul_bf16());
    {
      cpu::FrozenEncoderScope inner;
      CHECK(kernel::cpu_matmul_bf16());
    }
    CHECK(kernel::cpu_matmul_bf16());  // still inside the outer one
  }
  CHECK_FALSE(kernel::cpu_matmul_bf16());
  cpu::set_matmul_precision(cpu::MatmulPrecision::bf16);
  CHECK(kernel::cpu_matmul_bf16());
  cpu::set_matmul_precision(cpu::MatmulPrecision::fp32);
  {
    cpu::FrozenEncoderScope scope;
    CHECK_FALSE(kernel::cpu_matmul_bf16());
  }
}
