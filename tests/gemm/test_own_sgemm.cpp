// The project's own float32 GEMMs (tensor/cpu/sgemm_avx2.cpp, sgemm_avx512.cpp), called
// directly at the edges of their register tiles and cache blocks, for every layout of the
// operands, against a double-precision product. Called directly, each kernel is tested on
// every machine that can run it, also where matmul chooses another one.
//
//   test_own_sgemm avx2|avx512 [doctest options]
//
// runs the cases of one kernel; when this build has no such kernel (the compiler did not
// target AVX2 + FMA, or AVX-512) it says so and exits 77, which meson reports as SKIP.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "tensor/cpu/sgemm_avx2.h"
#include "tensor/cpu/sgemm_avx512.h"
#include "tensor/ops.h"

using dn::DType;
namespace k = dn::kernel;

namespace {

using SgemmFn = void (*)(int64_t m, int64_t n, int64_t k, const float* a, int64_t a_rs,
                         int64_t a_cs, const float* b, int64_t b_rs, int64_t b_cs, float* c,
                         int64_t ldc);

// c = a · b through `sgemm` directly, a [m, k] and b [k, n] taken from row-major storage or,
// when transposed, read from [k, m] / [n, k] storage; c has row stride ldc >= n, and the
// elements between n and ldc must stay untouched. Checked against double with Higham's bound
// k · eps · Σ|a||b| (any summation order), which NaN fails.
void check_sgemm(SgemmFn sgemm, int64_t m, int64_t kk, int64_t n, bool a_t, bool b_t,
                 int64_t ldc, uint64_t seed) {
  dn::Generator gen(seed);
  const std::vector<float> a = dn::to_vector<float>(k::uniform({m * kk}, -1, 1, gen, DType::f32));
  const std::vector<float> b = dn::to_vector<float>(k::uniform({kk * n}, -1, 1, gen, DType::f32));
  const int64_t a_rs = a_t ? 1 : kk, a_cs = a_t ? m : 1, b_rs = b_t ? 1 : n, b_cs = b_t ? kk : 1;
  const float guard = 12345.0f;
  std::vector<float> c(size_t(std::max<int64_t>(m, 1) * ldc), guard);
  sgemm(m, n, kk, a.data(), a_rs, a_cs, b.data(), b_rs, b_cs, c.data(), ldc);
  // Every element of the buffer: the product inside [m, n], the guard everywhere else (all of
  // it when m = 0 or n = 0).
  int64_t bad = 0;
  for (int64_t i = 0; i < std::max<int64_t>(m, 1); ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      if (i >= m || j >= n) {
        bad += c[i * ldc + j] != guard;
        continue;
      }
      double sum = 0, abs_sum = 0;
      for (int64_t p = 0; p < kk; ++p) {
        const double x = double(a[i * a_rs + p * a_cs]) * double(b[p * b_rs + j * b_cs]);
        sum += x;
        abs_sum += std::abs(x);
      }
      const double bound = double(kk + 2) * std::numeric_limits<float>::epsilon() * abs_sum;
      if (!(std::abs(double(c[i * ldc + j]) - sum) <= bound)) bad++;
    }
  }
  CHECK(bad == 0);
}

// One kernel's sizes: its register tile and cache blocks (Mc rows of a, Kc deep, Nc columns).
struct KernelSizes {
  SgemmFn sgemm;
  int64_t mr, nr, mc, kc, nc;
};

// Sizes at the tile and block edges (one less, equal, one more), every layout, a row stride
// of c past n; then past the column panel, several depth blocks, and k = 0, m = 0, n = 0.
void check_edges(const KernelSizes& s) {
  uint64_t seed = 100;
  for (int a_t = 0; a_t < 2; ++a_t)
    for (int b_t = 0; b_t < 2; ++b_t) {
      for (int64_t m : {int64_t(1), s.mr - 1, s.mr, s.mr + 1, s.mc - 1, s.mc + 1})
        for (int64_t kk : {int64_t(1), s.kc - 1, s.kc + 1})
          for (int64_t n : {int64_t(1), s.nr - 1, s.nr, s.nr + 1, 2 * s.nr + 1}) {
            CAPTURE(a_t);
            CAPTURE(b_t);
            CAPTURE(m);
            CAPTURE(kk);
            CAPTURE(n);
            check_sgemm(s.sgemm, m, kk, n, a_t, b_t, n + 3, seed++);
          }
      // Past the column panel (n > Nc) and several depth blocks (k > 2 Kc).
      check_sgemm(s.sgemm, 7, 3, s.nc + 20, a_t, b_t, s.nc + 20, seed++);
      check_sgemm(s.sgemm, 13, 2 * s.kc + 88, 20, a_t, b_t, 21, seed++);
    }
  // k = 0: zeros; m = 0 or n = 0: nothing written.
  check_sgemm(s.sgemm, 5, 0, 9, false, false, 10, seed++);
  check_sgemm(s.sgemm, 0, 4, 9, false, false, 9, seed++);
  check_sgemm(s.sgemm, 5, 4, 0, false, false, 2, seed++);
}

// Packing makes the kernel's order of operations independent of where the operands lie, so
// shifted copies of the inputs (and of c) must give the same bits.
void check_same_bits_at_other_addresses(SgemmFn sgemm) {
  dn::Generator gen(5);
  const int64_t m = 37, kk = 300, n = 45;
  const std::vector<float> a = dn::to_vector<float>(k::uniform({m * kk}, -1, 1, gen, DType::f32));
  const std::vector<float> b = dn::to_vector<float>(k::uniform({kk * n}, -1, 1, gen, DType::f32));
  std::vector<float> reference(size_t(m * n));
  sgemm(m, n, kk, a.data(), kk, 1, b.data(), n, 1, reference.data(), n);
  for (int shift = 1; shift < 16; ++shift) {
    std::vector<float> a2(a.size() + 16), b2(b.size() + 16), c2(reference.size() + 16);
    std::copy(a.begin(), a.end(), a2.begin() + shift);
    std::copy(b.begin(), b.end(), b2.begin() + 16 - shift);
    sgemm(m, n, kk, a2.data() + shift, kk, 1, b2.data() + 16 - shift, n, 1, c2.data() + shift, n);
    CAPTURE(shift);
    CHECK(std::memcmp(c2.data() + shift, reference.data(), reference.size() * sizeof(float)) == 0);
  }
}

const KernelSizes kAvx2{dn::cpu::sgemm_avx2, dn::cpu::kSgemmAvx2TileRows,
                        dn::cpu::kSgemmAvx2TileCols, 144, 256, 4080};
const KernelSizes kAvx512{dn::cpu::sgemm_avx512, dn::cpu::kSgemmAvx512TileRows,
                          dn::cpu::kSgemmAvx512TileCols, 144, 256, 4096};

}  // namespace

TEST_CASE("sgemm_avx2: sizes at the edges of its 6 x 16 tile and of its 144 x 256 x 4080 blocks") {
  check_edges(kAvx2);
}

TEST_CASE("sgemm_avx2: the same inputs at other addresses give the same bits") {
  check_same_bits_at_other_addresses(kAvx2.sgemm);
}

TEST_CASE("sgemm_avx512: sizes at the edges of its 12 x 32 tile and of its 144 x 256 x 4096 blocks") {
  check_edges(kAvx512);
}

TEST_CASE("sgemm_avx512: the same inputs at other addresses give the same bits") {
  check_same_bits_at_other_addresses(kAvx512.sgemm);
}

int main(int argc, char** argv) {
  const std::string kernel = argc > 1 ? argv[1] : "";
  bool built = false;
  if (kernel == "avx2") built = dn::cpu::sgemm_avx2_built();
  else if (kernel == "avx512") built = dn::cpu::sgemm_avx512_built();
  else {
    std::fprintf(stderr, "usage: test_own_sgemm avx2|avx512 [doctest options]\n");
    return 2;
  }
  if (!built) {
    std::printf("this build has no %s kernel (the compiler did not target that CPU): skipping\n",
                kernel.c_str());
    return 77;
  }
  doctest::Context context;
  context.applyCommandLine(argc - 1, argv + 1);
  context.addFilter("test-case", ("sgemm_" + kernel + ":*").c_str());
  return context.run();
}
