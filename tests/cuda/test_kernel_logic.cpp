// The CUDA kernels' per-element code and host-side plans, run on the CPU (no GPU needed)
// and compared with the CPU backend: strided index arithmetic, dtype conversions, the Philox
// fills (bit for bit), topk's sort keys, the cuBLAS call plan, the interpolation taps and their
// adjoint, im2col/col2im. (The elementwise formulas are one table for both backends,
// tensor/scalar_math.h, checked by tests/tensor/test_scalar_math.cpp.) What this cannot check -- the
// kernels' launch code, reductions across threads, cuBLAS and CUB themselves -- is checked
// on a GPU by test_cuda (the `cuda` suite).
#include <algorithm>
#include <numeric>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cuda/conv_math.h"
#include "tensor/cuda/convert.h"
#include "tensor/cuda/gemm_plan.h"
#include "tensor/cuda/host_flags.h"
#include "tensor/cuda/layout.h"
#include "tensor/cuda/random_math.h"
#include "tensor/cuda/resample_plan.h"
#include "tensor/cuda/topk_keys.h"
#include "tests/cuda/helpers.h"

using namespace dn;
using dn::test::random_tensor;

namespace {

// Offsets of every element of a view, in row-major item order, by plain nested counting.
std::vector<int64_t> reference_offsets(const Shape& shape, const Shape& strides) {
  std::vector<int64_t> out;
  const int64_t n = numel_of(shape);
  std::vector<int64_t> idx(shape.size(), 0);
  for (int64_t e = 0; e < n; ++e) {
    int64_t off = 0;
    for (size_t d = 0; d < shape.size(); ++d) off += idx[d] * strides[d];
    out.push_back(off);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("layout: merging dims and the offsets of every item") {
  using cuda::make_layout;
  SUBCASE("contiguous tensors become one dense dim") {
    auto L = make_layout<2>("t", {4, 5, 6}, {Shape{30, 6, 1}, Shape{30, 6, 1}});
    CHECK(L.ndim == 1);
    CHECK(L.size[0] == 120);
    CHECK(L.dense());
    CHECK(L.fits_32bit());
  }
  SUBCASE("a single element") {
    auto L = make_layout<1>("t", {}, {Shape{}});
    CHECK(L.ndim == 0);
    CHECK(L.numel == 1);
    CHECK(L.dense());
  }
  SUBCASE("a bias broadcast over rows keeps two dims") {
    auto L = make_layout<3>("t", {7, 9}, {Shape{9, 1}, Shape{9, 1}, Shape{0, 1}});
    CHECK(L.ndim == 2);
    CHECK_FALSE(L.dense());
  }
  SUBCASE("too many dims are refused with the op's name") {
    Shape shape(10, 2), strides(10);
    for (int i = 0; i < 10; ++i) strides[i] = int64_t(1) << (2 * (9 - i) + 1);  // all gaps
    CHECK_THROWS_WITH_AS((make_layout<1>("myop", shape, {strides})),
                         doctest::Contains("myop"), Error);
  }
  SUBCASE("offsets of permuted, narrowed and broadcast views") {
    struct Case { Shape shape, s0, s1; };
    const std::vector<Case> cases = {
        {{3, 4, 5}, {20, 5, 1}, {1, 3, 12}},       // a transposed operand
        {{2, 3, 1, 4}, {12, 4, 4, 1}, {0, 4, 4, 1}},  // broadcast along dim 0
        {{5, 7}, {7, 1}, {16, 2}},                  // a strided narrow
        {{2, 2, 2, 2, 3}, {24, 12, 6, 3, 1}, {1, 2, 4, 8, 16}},
        {{6}, {1}, {0}},
    };
    for (const Case& c : cases) {
      auto L = make_layout<2>("t", c.shape, {c.s0, c.s1});
      const auto r0 = reference_offsets(c.shape, c.s0), r1 = reference_offsets(c.shape, c.s1);
      for (int64_t e = 0; e < L.numel; ++e) {
        int64_t off64[2];
        cuda::item_offsets(L, e, off64);
        uint32_t off32[2];
        cuda::item_offsets(L, uint32_t(e), off32);
        REQUIRE(off64[0] == r0[e]);
        REQUIRE(off64[1] == r1[e]);
        REQUIRE(int64_t(off32[0]) == r0[e]);
        REQUIRE(int64_t(off32[1]) == r1[e]);
      }
    }
  }
}

TEST_CASE("dtype conversions give the CPU's bits for every pair of dtypes") {
  // Tricky values: halfway cases, subnormals of each format, overflow, NaN, signed zero.
  const std::vector<double> values = {0.0, -0.0, 1.0, -1.5, 0.1, 1.0 / 3, 65504.0, 65520.0,
                                      1e5, -7e4, 5.960464477539063e-08, 2.98e-8, 1e-40, 448.0,
                                      464.0, 57344.0, 3.0e38, NAN, INFINITY, -INFINITY, 255.0,
                                      256.0, -129.0, 1.00048828125, 1.0009765625 + 1e-9};
  const std::vector<DType> all = {DType::f32, DType::f64, DType::f16, DType::bf16,
                                  DType::f8_e4m3, DType::f8_e5m2, DType::i64, DType::i32,
                                  DType::i16, DType::i8, DType::u64, DType::u32, DType::u16,
                                  DType::u8, DType::bool_};
  for (DType from : all)
    for (DType to : all) {
      // Integers hold only small non-negative values here: anything else converted to an
      // integer type is undefined behaviour in C++, on the CPU side too.
      const bool small_only = !is_floating(from) || !is_floating(to);
      std::vector<double> use;
      for (double v : values)
        if (!small_only || (v >= 0 && v <= 100)) use.push_back(v);
      Tensor src = kernel::to(from_vector<double>(use, {int64_t(use.size())}), from);
      Tensor want = kernel::to(src, to);
      Tensor got = empty(src.shape(), to);
      for (int64_t i = 0; i < src.numel(); ++i)
        cuda::hd::store_from_double(got.data_ptr(), i, to,
                                    cuda::hd::load_as_double(src.data_ptr(), i, from));
      INFO(dtype_name(from), " -> ", dtype_name(to));
      CHECK(dn::test::same_bits(got, want));
    }
}

TEST_CASE("Philox fills reproduce the CPU stream bit for bit") {
  for (uint64_t c : {uint64_t(0), uint64_t(1), uint64_t(12345678901ull), ~uint64_t(0) - 3})
    for (uint64_t key : {uint64_t(1), uint64_t(42), uint64_t(0xdeadbeefcafeull)}) {
      const PhiloxBlock want = philox4x32_10(c, key);
      const auto got = cuda::hd::philox4x32_10(c, key);
      for (int j = 0; j < 4; ++j) CHECK(got.w[j] == want[j]);
    }
  const bool fused = cuda::cpu_fuses_multiply_add();
  for (DType dt : {DType::f32, DType::f64})
    for (int64_t n : {int64_t(1), int64_t(7), int64_t(1001)})
      for (uint64_t offset : {uint64_t(0), uint64_t(5)}) {
        for (auto [a, b] : {std::pair{0.0, 1.0}, std::pair{-0.3, 0.7}, std::pair{-0.999, 0.999}}) {
          Tensor want = empty({n}, dt);
          cpu::random(RandomKind::uniform, want, 77, offset, a, b);
          Tensor got = empty({n}, dt);
          for (int64_t blk = 0; blk < (n + 3) / 4; ++blk) {
            auto r = cuda::hd::philox4x32_10(offset + blk, 77);
            for (int j = 0; j < 4 && blk * 4 + j < n; ++j) {
              if (dt == DType::f32) got.data<float>()[blk * 4 + j] = cuda::hd::uniform_value<float>(r.w[j], a, b, fused);
              else got.data<double>()[blk * 4 + j] = cuda::hd::uniform_value<double>(r.w[j], a, b, fused);
            }
          }
          INFO("uniform ", dtype_name(dt), " n=", n, " [", a, ", ", b, ")");
          CHECK(dn::test::same_bits(got, want));
        }
        Tensor want = empty({n}, dt);
        cpu::random(RandomKind::normal, want, 9, offset, 0.25, 1.5);
        Tensor got = empty({n}, dt);
        for (int64_t blk = 0; blk < (n + 1) / 2; ++blk) {
          auto r = cuda::hd::philox4x32_10(offset + blk, 9);
          if (dt == DType::f32) {
            float x0, x1;
            cuda::hd::normal_pair<float>(r, 0.25, 1.5, fused, x0, x1);
            got.data<float>()[blk * 2] = x0;
            if (blk * 2 + 1 < n) got.data<float>()[blk * 2 + 1] = x1;
          } else {
            double x0, x1;
            cuda::hd::normal_pair<double>(r, 0.25, 1.5, fused, x0, x1);
            got.data<double>()[blk * 2] = x0;
            if (blk * 2 + 1 < n) got.data<double>()[blk * 2 + 1] = x1;
          }
        }
        INFO("normal ", dtype_name(dt), " n=", n);
        CHECK(dn::test::same_bits(got, want));
      }
}

TEST_CASE("topk sort keys order values as the CPU topk does") {
  // Ties, signed zeros, infinities and NaN of both signs.
  std::vector<float> v = {3.0f, -1.0f, 0.0f, -0.0f, 3.0f, NAN, -INFINITY, INFINITY, 2.5f,
                          -NAN, 1e-40f, -1e-40f, 2.5f, 0.0f, -7.0f};
  for (int i = 0; i < 40; ++i) v.push_back(float((i * 7919) % 13) - 6.0f);
  const int64_t n = int64_t(v.size());
  Tensor x = from_vector<float>(v, {n});
  for (bool largest : {true, false}) {
    auto want = kernel::topk(x, n, 0, largest);
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      const uint32_t ka = cuda::hd::order_key(v[a]), kb = cuda::hd::order_key(v[b]);
      return largest ? ka > kb : ka < kb;
    });
    CHECK(to_vector<int64_t>(want.indices) == order);
    // The same for float64 keys.
    std::vector<double> vd(v.begin(), v.end());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      const uint64_t ka = cuda::hd::order_key(vd[a]), kb = cuda::hd::order_key(vd[b]);
      return largest ? ka > kb : ka < kb;
    });
    auto want_d = kernel::topk(kernel::to(x, DType::f64), n, 0, largest);
    CHECK(to_vector<int64_t>(want_d.indices) == order);
  }
}

namespace {

// cuBLAS's column-major strided-batched product, spelled out: what the GPU will compute
// for a GemmCall (with the operand pointers cuBLAS gets).
void emulate_cublas(const cuda::GemmCall& g, const double* A, const double* B, double* C) {
  for (int64_t p = 0; p < g.batch; ++p)
    for (int64_t i = 0; i < g.m; ++i)
      for (int64_t j = 0; j < g.n; ++j) {
        double s = 0;
        for (int64_t l = 0; l < g.k; ++l) {
          const double av = g.trans_a ? A[p * g.stride_a + l + i * g.lda] : A[p * g.stride_a + i + l * g.lda];
          const double bv = g.trans_b ? B[p * g.stride_b + j + l * g.ldb] : B[p * g.stride_b + l + j * g.ldb];
          s += av * bv;
        }
        C[p * g.stride_c + i + j * g.ldc] = s;
      }
}

// As cuda::matmul: operands cuBLAS cannot read in place are copied first.
Tensor gemm_through_plan(const Tensor& a_in, const Tensor& b_in) {
  const int64_t batch = a_in.size(0), m = a_in.size(1), k = a_in.size(2), n = b_in.size(2);
  Tensor a = a_in, b = b_in;
  auto a_op = cuda::gemm_operand(m, k, a.stride(1), a.stride(2));
  if (!a_op) {
    a = kernel::contiguous(a);
    a_op = cuda::gemm_operand(m, k, a.stride(1), a.stride(2));
  }
  auto b_op = cuda::gemm_operand(k, n, b.stride(1), b.stride(2));
  if (!b_op) {
    b = kernel::contiguous(b);
    b_op = cuda::gemm_operand(k, n, b.stride(1), b.stride(2));
  }
  REQUIRE(a_op);
  REQUIRE(b_op);
  Tensor out = zeros({batch, m, n}, DType::f64);
  const int64_t os[3] = {out.stride(0), out.stride(1), out.stride(2)};
  const int64_t as[3] = {a.stride(0), a.stride(1), a.stride(2)};
  const int64_t bs[3] = {b.stride(0), b.stride(1), b.stride(2)};
  const cuda::GemmCall g = cuda::plan_gemm(batch, m, n, k, os, as, bs, *a_op, *b_op);
  // cuBLAS's own argument rules.
  CHECK(g.lda >= std::max<int64_t>(1, g.trans_a ? g.k : g.m));
  CHECK(g.ldb >= std::max<int64_t>(1, g.trans_b ? g.n : g.k));
  CHECK(g.ldc >= std::max<int64_t>(1, g.m));
  emulate_cublas(g, b.data<double>(), a.data<double>(), out.data<double>());
  return out;
}

}  // namespace

TEST_CASE("the cuBLAS plan computes a·b for transposed, broadcast and vector operands") {
  struct Case { int64_t batch, m, k, n; bool ta, tb, a_batch_broadcast, b_row_broadcast; };
  const std::vector<Case> cases = {
      {1, 5, 3, 4, false, false, false, false}, {1, 5, 3, 4, true, false, false, false},
      {1, 5, 3, 4, false, true, false, false},  {1, 5, 3, 4, true, true, false, false},
      {3, 1, 6, 4, false, false, false, false}, {3, 4, 6, 1, false, true, false, false},
      {2, 4, 1, 5, true, false, false, false},  {2, 1, 1, 1, false, false, false, false},
      {4, 3, 5, 2, false, false, true, false},  {2, 3, 5, 2, true, true, true, false},
      {2, 3, 4, 5, false, false, false, true},  {1, 7, 1, 9, false, true, false, false},
  };
  uint64_t seed = 1;
  for (const Case& c : cases) {
    INFO("batch ", c.batch, " m ", c.m, " k ", c.k, " n ", c.n, " ta ", c.ta, " tb ", c.tb);
    Tensor a = c.ta ? kernel::transpose(random_tensor({c.batch, c.k, c.m}, DType::f64, seed++), 1, 2)
                    : random_tensor({c.batch, c.m, c.k}, DType::f64, seed++);
    if (c.a_batch_broadcast) a = kernel::expand(kernel::narrow(a, 0, 0, 1), {c.batch, c.m, c.k});
    Tensor b = c.tb ? kernel::transpose(random_tensor({c.batch, c.n, c.k}, DType::f64, seed++), 1, 2)
                    : random_tensor({c.batch, c.k, c.n}, DType::f64, seed++);
    if (c.b_row_broadcast)  // every row of b the same: row stride 0, cuBLAS cannot read it
      b = kernel::expand(kernel::narrow(b, 1, 0, 1), {c.batch, c.k, c.n});
    Tensor want = kernel::matmul(a, b);
    CHECK(dn::test::relative_error(gemm_through_plan(a, b), want) < 1e-14);
  }
}

namespace {

ResampleAxis axis(int64_t in, int64_t out, bool align_corners, std::optional<double> scale = {}) {
  ResampleAxis a;
  a.in = in;
  a.out = out;
  a.align_corners = align_corners;
  a.scale = scale;
  return a;
}

template <class T>
Tensor plan_resample(ResampleMode mode, const Tensor& x, const ResampleGeometry& g) {
  const auto ty = cuda::axis_taps<T>(mode, g.h), tx = cuda::axis_taps<T>(mode, g.w);
  const int64_t planes = x.size(0) * x.size(1);
  Tensor out = empty({x.size(0), x.size(1), g.h.out, g.w.out}, x.dtype());
  const bool fused = cuda::cpu_fuses_multiply_add();
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t y = 0; y < g.h.out; ++y)
      for (int64_t xo = 0; xo < g.w.out; ++xo)
        out.data<T>()[(p * g.h.out + y) * g.w.out + xo] = cuda::hd::resample_point(
            x.data<T>() + p * g.h.in * g.w.in, g.w.in, ty[y], tx[xo], fused);
  return out;
}

template <class T>
Tensor plan_resample_backward(ResampleMode mode, const Tensor& go, const ResampleGeometry& g) {
  const auto ah = cuda::axis_adjoint(cuda::axis_taps<T>(mode, g.h), g.h.in);
  const auto aw = cuda::axis_adjoint(cuda::axis_taps<T>(mode, g.w), g.w.in);
  const int64_t planes = go.size(0) * go.size(1);
  Tensor gx = zeros({go.size(0), go.size(1), g.h.in, g.w.in}, go.dtype());
  const bool fused = cuda::cpu_fuses_multiply_add();
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t iy = 0; iy < g.h.in; ++iy)
      for (int64_t ix = 0; ix < g.w.in; ++ix) {
        T& dst = gx.data<T>()[(p * g.h.in + iy) * g.w.in + ix];
        dst = cuda::hd::resample_adjoint_point(dst, go.data<T>() + p * g.h.out * g.w.out, g.w.out,
                                               ah.out.data(), ah.w.data(), ah.begin[iy],
                                               ah.begin[iy + 1], aw.out.data(), aw.w.data(),
                                               aw.begin[ix], aw.begin[ix + 1], fused);
      }
  return gx;
}

std::vector<ResampleGeometry> resample_cases() {
  return {
      {axis(28, 392, true), axis(28, 392, true)},       // Dinomaly's map upsampling
      {axis(392, 256, false), axis(392, 256, false)},   // ... and its resize to 256
      {axis(37, 28, false, 28.1 / 37), axis(37, 28, false, 28.1 / 37)},  // pos-embed bicubic
      {axis(5, 11, false), axis(7, 3, true)},           // odd, mixed
      {axis(6, 12, false), axis(9, 9, false)},          // exact 2x and identity (nearest)
      {axis(1, 4, true), axis(4, 1, false)},            // single rows and columns
      {axis(13, 5, false, 0.4), axis(3, 8, false, 2.7)},
  };
}

}  // namespace

TEST_CASE("interpolation taps and their adjoint reproduce the CPU bit for bit") {
  for (ResampleMode mode : {ResampleMode::bilinear, ResampleMode::bicubic, ResampleMode::nearest})
    for (const ResampleGeometry& g : resample_cases()) {
      INFO("mode ", int(mode), " ", g.h.in, "x", g.w.in, " -> ", g.h.out, "x", g.w.out);
      for (DType dt : {DType::f32, DType::f64}) {
        Tensor x = random_tensor({2, 3, g.h.in, g.w.in}, dt, 5);
        Tensor go = random_tensor({2, 3, g.h.out, g.w.out}, dt, 6);
        Tensor want = kernel::resample(mode, x, g);
        Tensor want_back = kernel::resample_backward(mode, go, g);
        if (dt == DType::f32) {
          CHECK(dn::test::same_bits(plan_resample<float>(mode, x, g), want));
          CHECK(dn::test::same_bits(plan_resample_backward<float>(mode, go, g), want_back));
        } else {
          CHECK(dn::test::same_bits(plan_resample<double>(mode, x, g), want));
          CHECK(dn::test::same_bits(plan_resample_backward<double>(mode, go, g), want_back));
        }
      }
    }
}

TEST_CASE("im2col and col2im per element reproduce the CPU bit for bit") {
  auto geometry = [](int64_t n, int64_t c, int64_t h, int64_t w, int64_t k, int64_t s, int64_t p) {
    ConvGeometry g;
    g.batch = n; g.channels = c; g.in_h = h; g.in_w = w; g.kernel_h = k; g.kernel_w = k + (k > 1 ? 1 : 0);
    g.stride_h = s; g.stride_w = s == 1 ? 1 : s + 1; g.pad_h = p; g.pad_w = p == 0 ? 0 : p - 1;
    return g;
  };
  const std::vector<ConvGeometry> cases = {
      geometry(2, 3, 28, 28, 14, 14, 0),  // a patch embedding (non-square kernel variant)
      geometry(1, 1, 17, 13, 5, 1, 2),     // the evaluation's Gaussian, zero padding
      geometry(2, 2, 9, 11, 3, 2, 1), geometry(1, 4, 6, 5, 1, 1, 0), geometry(3, 1, 8, 8, 3, 3, 2)};
  for (const ConvGeometry& g : cases) {
    const auto s = cuda::hd::conv_shape(g);
    Tensor x = random_tensor({g.batch, g.channels, g.in_h, g.in_w}, DType::f64, 3);
    Tensor want_cols = kernel::im2col(x, g);
    Tensor got_cols = empty(want_cols.shape(), DType::f64);
    for (int64_t e = 0; e < got_cols.numel(); ++e)
      got_cols.data<double>()[e] = cuda::hd::im2col_value(x.data<double>(), s, e);
    CHECK(dn::test::same_bits(got_cols, want_cols));
    Tensor cols = random_tensor(want_cols.shape(), DType::f32, 4);
    Tensor want_x = kernel::col2im(cols, g);
    Tensor got_x = zeros(want_x.shape(), DType::f32);
    for (int64_t e = 0; e < got_x.numel(); ++e)
      got_x.data<float>()[e] = cuda::hd::col2im_value(got_x.data<float>()[e], cols.data<float>(), s, e);
    CHECK(dn::test::same_bits(got_x, want_x));
  }
}
