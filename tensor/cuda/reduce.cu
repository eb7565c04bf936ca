// CUDA reductions over the columns of a [rows, cols] view (any strides), accumulated in
// double as on the CPU.
//
// Two kernels, by memory layout:
//  - along_rows: each warp reduces one row (or one chunk of a long row), lanes reading
//    neighbouring columns (coalesced when columns are contiguous);
//  - across_rows: when rows are the contiguous direction (a bias gradient: summing [N, D]
//    over N), a block's 32 lanes take 32 neighbouring rows and 8 thread rows split the
//    columns, so every load is coalesced.
// Few rows but many columns are split into chunks so the whole GPU works; the chunks'
// partial results (double) are then reduced by along_rows in a second, small pass. The
// chunking is fixed by the shape, so results are reproducible run to run.
#include "tensor/cuda/device_buffer.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/launch.cuh"
#include "tensor/cuda/reduce_math.cuh"

namespace dn::cuda {

namespace {

struct Combine {
  ReduceOp op;
  __device__ double operator()(double a, double b) const { return reduce_combine(op, a, b); }
};

// out[row * chunks + chunk] = reduction of x[row, chunk*chunk_cols .. +chunk_cols).
template <class In, class Out>
__global__ void along_rows(ReduceOp op, const In* x, int64_t rows, int64_t cols,
                           int64_t row_stride, int64_t col_stride, int64_t chunks,
                           int64_t chunk_cols, Out* out) {
  const int64_t warps_per_block = blockDim.x / 32;
  const int64_t item = int64_t(blockIdx.x) * warps_per_block + threadIdx.x / 32;
  if (item >= rows * chunks) return;  // whole warps leave together
  const int lane = threadIdx.x % 32;
  const int64_t row = item / chunks, chunk = item % chunks;
  const int64_t begin = chunk * chunk_cols;
  const int64_t end = begin + chunk_cols < cols ? begin + chunk_cols : cols;
  const In* xr = x + row * row_stride;
  double acc = reduce_identity(op);
  for (int64_t c = begin + lane; c < end; c += 32) acc = reduce_combine(op, acc, double(xr[c * col_stride]));
  acc = warp_all_reduce(acc, Combine{op});
  if (lane == 0) out[item] = Out(acc);
}

constexpr int kAcrossX = 32, kAcrossY = 8;

// out[row * chunks + chunk] for rows that are contiguous in memory (row_stride == 1).
template <class In, class Out>
__global__ void across_rows(ReduceOp op, const In* x, int64_t rows, int64_t cols,
                            int64_t col_stride, int64_t chunks, int64_t chunk_cols, Out* out) {
  __shared__ double partial[kAcrossY][kAcrossX + 1];
  const int64_t row = int64_t(blockIdx.x) * kAcrossX + threadIdx.x;
  const int64_t chunk = blockIdx.y;
  const int64_t begin = chunk * chunk_cols;
  const int64_t end = begin + chunk_cols < cols ? begin + chunk_cols : cols;
  double acc = reduce_identity(op);
  if (row < rows)
    for (int64_t c = begin + threadIdx.y; c < end; c += kAcrossY)
      acc = reduce_combine(op, acc, double(x[row + c * col_stride]));
  partial[threadIdx.y][threadIdx.x] = acc;
  __syncthreads();
  if (threadIdx.y == 0 && row < rows) {
    for (int k = 1; k < kAcrossY; ++k) acc = reduce_combine(op, acc, partial[k][threadIdx.x]);
    out[row * chunks + chunk] = Out(acc);
  }
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

template <class In, class Out>
void launch_along_rows(const DeviceContext& ctx, ReduceOp op, const In* x, int64_t rows,
                       int64_t cols, int64_t row_stride, int64_t col_stride, int64_t chunks,
                       Out* out) {
  const int threads = 256, warps = threads / 32;
  const int64_t chunk_cols = ceil_div(cols, chunks);
  const int64_t blocks = ceil_div(rows * chunks, warps);
  DN_CHECK(blocks < (int64_t(1) << 31), "reduce: ", rows, " rows are too many for one launch");
  along_rows<In, Out><<<unsigned(blocks), threads, 0, ctx.stream>>>(
      op, x, rows, cols, row_stride, col_stride, chunks, chunk_cols, out);
  check_launch("reduce");
}

}  // namespace

void reduce_rows(ReduceOp op, const Tensor& out, const Tensor& x) {
  const char* name = op == ReduceOp::sum ? "sum" : op == ReduceOp::max ? "max" : "min";
  const DeviceContext& ctx = context_of(out, name);
  const int64_t rows = x.size(0), cols = x.size(1);
  const int64_t row_stride = x.stride(0), col_stride = x.stride(1);
  if (rows == 0) return;
  DN_CHECK(cols > 0, name, ": reducing an empty dim has no identity");
  const int64_t target_warps = int64_t(ctx.sm_count) * 32;  // half of a full H100/H200 load
  dispatch_float(x.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    const T* px = ptr<const T>(x);
    T* po = ptr<T>(out);
    const bool across = row_stride == 1 && col_stride != 1 && rows > 1;
    int64_t chunks = 1;
    if (across) {
      const int64_t row_blocks = ceil_div(rows, kAcrossX);
      const int64_t want = ceil_div(target_warps / kAcrossY, row_blocks);
      chunks = std::max<int64_t>(1, std::min({want, ceil_div(cols, 32 * kAcrossY), int64_t(65535)}));
    } else if (rows < target_warps) {
      chunks = std::max<int64_t>(1, std::min(ceil_div(target_warps, rows), ceil_div(cols, 1024)));
    }
    DeviceBuffer partial;
    double* partial_ptr = nullptr;
    if (chunks > 1) {
      partial = DeviceBuffer(size_t(rows * chunks) * sizeof(double), ctx.device);
      partial_ptr = static_cast<double*>(partial.get());
    }
    if (across) {
      const dim3 block(kAcrossX, kAcrossY), grid(unsigned(ceil_div(rows, kAcrossX)), unsigned(chunks));
      DN_CHECK(grid.x < (1u << 31), name, ": ", rows, " rows are too many for one launch");
      const int64_t chunk_cols = ceil_div(cols, chunks);
      if (chunks > 1)
        across_rows<T, double><<<grid, block, 0, ctx.stream>>>(op, px, rows, cols, col_stride,
                                                               chunks, chunk_cols, partial_ptr);
      else
        across_rows<T, T><<<grid, block, 0, ctx.stream>>>(op, px, rows, cols, col_stride, 1,
                                                          chunk_cols, po);
      check_launch(name);
    } else if (chunks > 1) {
      launch_along_rows(ctx, op, px, rows, cols, row_stride, col_stride, chunks, partial_ptr);
    } else {
      launch_along_rows(ctx, op, px, rows, cols, row_stride, col_stride, int64_t(1), po);
    }
    if (chunks > 1)  // second pass: the partials of each row, [rows, chunks] contiguous
      launch_along_rows(ctx, op, static_cast<const double*>(partial_ptr), rows, chunks, chunks,
                        int64_t(1), int64_t(1), po);
  });
}

}  // namespace dn::cuda
