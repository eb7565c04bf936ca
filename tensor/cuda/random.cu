// CUDA random fills from the Philox stream: the same numbers as the CPU for the same
// (seed, offset), bit for bit (random_math.h). One thread per Philox block.
#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/host_flags.h"
#include "tensor/cuda/launch.cuh"
#include "tensor/cuda/random_math.h"

namespace dn::cuda {

namespace {

template <class T>
struct UniformBlock {
  T* out;
  int64_t n;
  uint64_t seed, offset;
  double a, b;
  bool fused;
  __device__ void operator()(int64_t blk) const {
    const hd::PhiloxWords r = hd::philox4x32_10(offset + uint64_t(blk), seed);
    for (int j = 0; j < 4 && blk * 4 + j < n; ++j)
      out[blk * 4 + j] = hd::uniform_value<T>(r.w[j], a, b, fused);
  }
};

template <class T>
struct NormalBlock {
  T* out;
  int64_t n;
  uint64_t seed, offset;
  double mean, std;
  bool fused;
  __device__ void operator()(int64_t blk) const {
    const hd::PhiloxWords r = hd::philox4x32_10(offset + uint64_t(blk), seed);
    T first, second;
    hd::normal_pair<T>(r, mean, std, fused, first, second);
    out[blk * 2] = first;
    if (blk * 2 + 1 < n) out[blk * 2 + 1] = second;
  }
};

}  // namespace

void random(RandomKind kind, const Tensor& out, uint64_t seed, uint64_t offset, double a,
            double b) {
  const char* op = kind == RandomKind::uniform ? "uniform" : "normal";
  const DeviceContext& ctx = context_of(out, op);
  DN_CHECK(out.is_contiguous(), op, ": the output must be contiguous, got ", out.describe());
  const int64_t n = out.numel();
  const bool fused = cpu_fuses_multiply_add();
  dispatch_float(out.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    if (kind == RandomKind::uniform)
      launch_items(op, ctx, (n + 3) / 4, UniformBlock<T>{ptr<T>(out), n, seed, offset, a, b, fused});
    else
      launch_items(op, ctx, (n + 1) / 2, NormalBlock<T>{ptr<T>(out), n, seed, offset, a, b, fused});
  });
}

}  // namespace dn::cuda
