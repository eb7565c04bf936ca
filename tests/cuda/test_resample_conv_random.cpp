// CUDA interpolation (and its adjoint), im2col/col2im, and the Philox fills against the CPU.
// The taps and the summation order are the CPU's, so interpolation is expected to match to
// the last bit; the tests allow rounding-level slack only in case the CPU compiler's
// choices (FMA contraction) differ from what host_flags.h assumes.
#include "tensor/cuda/cuda_backend.h"
#include "tests/cuda/helpers.h"

using namespace dn;
using namespace dn::test;

namespace {


ResampleAxis axis(int64_t in, int64_t out, bool align_corners, std::optional<double> scale = {}) {
  ResampleAxis a;
  a.in = in;
  a.out = out;
  a.align_corners = align_corners;
  a.scale = scale;
  return a;
}

}  // namespace

TEST_CASE("interpolate and its backward: every mode, Dinomaly's geometries and odd ones") {
  const std::vector<ResampleGeometry> cases = {
      {axis(28, 392, true), axis(28, 392, true)},
      {axis(392, 256, false), axis(392, 256, false)},
      {axis(37, 28, false, 28.1 / 37), axis(37, 28, false, 28.1 / 37)},
      {axis(5, 11, false), axis(7, 3, true)},
      {axis(6, 12, false), axis(9, 9, false)},
      {axis(1, 4, true), axis(4, 1, false)},
  };
  for (DType dt : kMath)
    for (ResampleMode mode : {ResampleMode::bilinear, ResampleMode::bicubic, ResampleMode::nearest})
      for (const ResampleGeometry& g : cases) {
        INFO(dtype_name(dt), " mode ", int(mode), " ", g.h.in, "x", g.w.in, " -> ", g.h.out, "x", g.w.out);
        Tensor x = random_tensor({2, 3, g.h.in, g.w.in}, dt, 71);
        Tensor go = random_tensor({2, 3, g.h.out, g.w.out}, dt, 72);
        CHECK(relative_error(cpu(kernel::resample(mode, gpu(x), g)), kernel::resample(mode, x, g)) <
              tolerance(dt));
        CHECK(relative_error(cpu(kernel::resample_backward(mode, gpu(go), g)),
                             kernel::resample_backward(mode, go, g)) < tolerance(dt));
        CHECK(same_bits(cpu(kernel::resample(mode, gpu(x), g)), kernel::resample(mode, x, g)));
      }
}

TEST_CASE("im2col and col2im: a patch embedding, a padded 5x5, strides") {
  auto geometry = [](int64_t n, int64_t c, int64_t h, int64_t w, int64_t kh, int64_t kw,
                     int64_t sh, int64_t sw, int64_t ph, int64_t pw) {
    ConvGeometry g;
    g.batch = n; g.channels = c; g.in_h = h; g.in_w = w; g.kernel_h = kh; g.kernel_w = kw;
    g.stride_h = sh; g.stride_w = sw; g.pad_h = ph; g.pad_w = pw;
    return g;
  };
  const std::vector<ConvGeometry> cases = {
      geometry(2, 3, 56, 42, 14, 14, 14, 14, 0, 0),  // DINOv2's patch embedding, 4x3 patches
      geometry(3, 1, 31, 29, 5, 5, 1, 1, 2, 2),      // the anomaly map's Gaussian
      geometry(2, 4, 9, 11, 3, 2, 2, 3, 1, 0),
      geometry(1, 2, 7, 7, 1, 1, 1, 1, 0, 0),
  };
  for (DType dt : kMath)
    for (const ConvGeometry& g : cases) {
      Tensor x = random_tensor({g.batch, g.channels, g.in_h, g.in_w}, dt, 81);
      Tensor cols = kernel::im2col(x, g);
      CHECK(same_bits(cpu(kernel::im2col(gpu(x), g)), cols));
      Tensor c2 = random_tensor(cols.shape(), dt, 82);
      CHECK(same_bits(cpu(kernel::col2im(gpu(c2), g)), kernel::col2im(c2, g)));
    }
}

TEST_CASE("random: the GPU draws the CPU's Philox stream bit for bit") {
  for (DType dt : kMath)
    for (int64_t n : {int64_t(1), int64_t(7), int64_t(1001), int64_t(300001)})
      for (uint64_t seed : {uint64_t(1), uint64_t(20260101)}) {
        INFO(dtype_name(dt), " n ", n, " seed ", seed);
        Generator gc(seed), gg(seed);
        gc.take_blocks(3);
        gg.take_blocks(3);  // a non-zero offset
        CHECK(same_bits(cpu(kernel::uniform({n}, -0.3, 0.7, gg, dt, Device::cuda())),
                        kernel::uniform({n}, -0.3, 0.7, gc, dt)));
        CHECK(same_bits(cpu(kernel::uniform({n}, 0.0, 1.0, gg, dt, Device::cuda())),
                        kernel::uniform({n}, 0.0, 1.0, gc, dt)));
        // Normal: Box-Muller through CUDA's log/cos/sin, which are within 1-2 ulp of the C
        // library's but not always equal to them. So a float64 value may differ in its last
        // bits; a float32 value rounds the same way except (rarely) next to a rounding
        // boundary, then by one ulp. Count both.
        Tensor want = kernel::normal({n}, 0.5, 2.0, gc, dt);
        Tensor got = cpu(kernel::normal({n}, 0.5, 2.0, gg, dt, Device::cuda()));
        const std::vector<double> w = to_vector<double>(want), g = to_vector<double>(got);
        int64_t differ = 0;
        double worst = 0;
        for (int64_t i = 0; i < n; ++i) {
          if (w[i] == g[i]) continue;
          ++differ;
          const double ulp = dt == DType::f32 ? std::ldexp(1.0, std::ilogb(w[i]) - 23)
                                              : std::ldexp(1.0, std::ilogb(w[i]) - 52);
          worst = std::max(worst, std::fabs(w[i] - g[i]) / ulp);
        }
        MESSAGE(dtype_name(dt), " normal n=", n, ": ", differ, " values differ from the CPU, by at most ", worst, " ulp");
        if (dt == DType::f32) {
          CHECK(differ * 10000 <= n);  // at most 1 in 10 000 ...
          CHECK(worst <= 1);           // ... by one ulp
        } else {
          CHECK(worst <= 8);
        }
        CHECK(gc.offset() == gg.offset());
      }
  // trunc_normal (uniform, erfinv, scale, clamp) as Dinomaly's Linear init.
  Generator gc(5), gg(5);
  Tensor want = kernel::trunc_normal({768, 3072}, 0, 0.01, -0.03, 0.03, gc, DType::f32);
  Tensor got = cpu(kernel::trunc_normal({768, 3072}, 0, 0.01, -0.03, 0.03, gg, DType::f32, Device::cuda()));
  CHECK(relative_error(got, want) < 1e-6);
}
