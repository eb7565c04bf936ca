// The mean of equally shaped tensors, element by element, in one pass (tensor/backend.def): what
// mean(stack(tensors), dim) computes, without the stacked copy and the transposed copy the
// reduction would make of it. Sums are kept in double, as the reduction kernels keep them,
// and divided as mean() does: the sum rounded to T, times T(1/n).
#include <algorithm>
#include <vector>

#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/loops.h"

namespace dn::cpu {

void mean_of(const Tensor& out, const std::vector<Tensor>& inputs) {
  const int64_t n = out.numel(), count = int64_t(inputs.size());
  constexpr int64_t kChunk = 1024;
  dispatch_float(out.dtype(), "mean_of", [&](auto tag) {
    using T = decltype(tag);
    std::vector<const T*> in;
    for (const Tensor& t : inputs) in.push_back(t.data<T>());
    T* po = out.data<T>();
    const T inv = T(1.0 / double(count));
    const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (worth_parallel(chunks, kChunk * count))
    for (int64_t c = 0; c < chunks; ++c) {
      const int64_t begin = c * kChunk, len = std::min(kChunk, n - begin);
      double acc[kChunk];
#pragma omp simd
      for (int64_t i = 0; i < len; ++i) acc[i] = double(in[0][begin + i]);
      for (int64_t k = 1; k < count; ++k) {
        const T* src = in[k] + begin;
#pragma omp simd
        for (int64_t i = 0; i < len; ++i) acc[i] += double(src[i]);
      }
#pragma omp simd
      for (int64_t i = 0; i < len; ++i) po[begin + i] = T(acc[i]) * inv;
    }
  });
}

}  // namespace dn::cpu
