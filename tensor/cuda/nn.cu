// CUDA normalisations over the last dimension of contiguous [rows, n] tensors: softmax and
// layer_norm. One block per row; the row is read from global memory once per pass (a row
// of a few thousand values stays in L1/L2 between passes).
#include <algorithm>

#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/launch.cuh"
#include "tensor/cuda/reduce_math.cuh"

namespace dn::cuda {

namespace {

struct Max {
  template <class T> __device__ T operator()(T a, T b) const { return b > a ? b : a; }
};
struct Sum {
  template <class T> __device__ T operator()(T a, T b) const { return a + b; }
};

// Threads per row: about 4 values per thread, a multiple of 32, at most 512.
int row_threads(int64_t n) {
  const int64_t t = std::min<int64_t>(512, std::max<int64_t>(32, (n / 4 + 31) / 32 * 32));
  return int(t);
}

// Max-subtracted exponentials, normalised. A NaN in the row makes the whole row NaN (as
// on the CPU: the max skips it, the sum does not).
template <class T>
__global__ void softmax_rows(const T* x, T* y, int64_t n) {
  __shared__ T scratch[32];
  const T* xr = x + int64_t(blockIdx.x) * n;
  T* yr = y + int64_t(blockIdx.x) * n;
  const T neg_inf = -hd::float_of(0x7f800000u);
  T mx = neg_inf;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) mx = xr[i] > mx ? xr[i] : mx;
  mx = block_all_reduce(mx, Max{}, neg_inf, scratch);
  T sum = 0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
    const T e = hd::m_exp(xr[i] - mx);
    yr[i] = e;
    sum += e;
  }
  sum = block_all_reduce(sum, Sum{}, T(0), scratch);
  const T inv = T(1) / sum;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) yr[i] *= inv;
}

// Mean and biased variance in double, two passes, as the CPU; then (x - mean) * rstd,
// times weight, plus bias (either may be null).
template <class T>
__global__ void layer_norm_rows(const T* x, const T* weight, const T* bias, T* y, T* mean_out,
                                T* rstd_out, int64_t n, double eps) {
  __shared__ double scratch[32];
  const int64_t row = blockIdx.x;
  const T* xr = x + row * n;
  T* yr = y + row * n;
  double s = 0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) s += double(xr[i]);
  const double mu = block_all_reduce(s, Sum{}, 0.0, scratch) / double(n);
  double ss = 0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
    const double d = double(xr[i]) - mu;
    ss += d * d;
  }
  const double var = block_all_reduce(ss, Sum{}, 0.0, scratch) / double(n);
  const double inv = 1.0 / sqrt(var + eps);
  if (threadIdx.x == 0) {
    mean_out[row] = T(mu);
    rstd_out[row] = T(inv);
  }
  const T m = T(mu), rs = T(inv);
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
    T v = (xr[i] - m) * rs;
    if (weight) v *= weight[i];
    if (bias) v += bias[i];
    yr[i] = v;
  }
}

void check_rows(const char* op, int64_t rows) {
  DN_CHECK(rows < (int64_t(1) << 31), op, ": ", rows, " rows are too many for one launch");
}

}  // namespace

void softmax(const Tensor& out, const Tensor& x) {
  const char* op = "softmax";
  const DeviceContext& ctx = context_of(out, op);
  const int64_t n = x.size(-1), rows = n > 0 ? x.numel() / n : 0;
  if (rows == 0) return;
  check_rows(op, rows);
  dispatch_float(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    softmax_rows<T><<<unsigned(rows), row_threads(n), 0, ctx.stream>>>(ptr<const T>(x), ptr<T>(out), n);
    check_launch(op);
  });
}

void layer_norm(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                const Tensor& weight, const Tensor& bias, double eps) {
  const char* op = "layer_norm";
  const DeviceContext& ctx = context_of(out, op);
  const int64_t n = x.size(-1), rows = n > 0 ? x.numel() / n : 0;
  if (rows == 0) return;
  check_rows(op, rows);
  dispatch_float(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    layer_norm_rows<T><<<unsigned(rows), row_threads(n), 0, ctx.stream>>>(
        ptr<const T>(x), weight.defined() ? ptr<const T>(weight) : nullptr,
        bias.defined() ? ptr<const T>(bias) : nullptr, ptr<T>(out), ptr<T>(mean), ptr<T>(rstd),
        n, eps);
    check_launch(op);
  });
}

}  // namespace dn::cuda
