// Dropout in one pass (tensor/backend.def). The composite draws a uniform tensor, compares it,
// converts the comparison to a float mask, scales it and multiplies: five passes and five
// tensors, the float mask kept for the backward. Here each Philox block (four uniforms) is
// drawn, compared and applied at once, and the mask is kept as bytes. The draws are those of
// kernel::uniform (tensor/cpu/random.cpp) on the same generator blocks, and the comparison
// and scaling happen in T as the composite does them, so both give the same bits.
#include <cmath>

#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/cpu_backend.h"
#include "tensor/random.h"

namespace dn::cpu {

void dropout(const Tensor& out, const Tensor& keep, const Tensor& x, double p, uint64_t seed,
             uint64_t first_block) {
  const int64_t n = x.numel();
  dispatch_float(x.dtype(), "dropout", [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    bool* pk = keep.data<bool>();
    const T threshold = T(1.0 - p), scale = p == 1 ? T(1) : T(1.0 / (1.0 - p)), below_one = std::nextafter(T(1), T(0));
#pragma omp parallel for schedule(static) if (n >= 65536)
    for (int64_t blk = 0; blk < (n + 3) / 4; ++blk) {
      const PhiloxBlock r = philox4x32_10(first_block + uint64_t(blk), seed);
      for (int j = 0; j < 4 && blk * 4 + j < n; ++j) {
        const int64_t i = blk * 4 + j;
        T u = T(uniform_from_u32(r[j]));  // kernel::uniform(0, 1): [0, 1) in T
        u = u < T(1) ? u : below_one;
        pk[i] = u < threshold;
        po[i] = px[i] * (pk[i] ? scale : T(0));
      }
    }
  });
}

void dropout_backward(const Tensor& grad_x, const Tensor& grad_out, const Tensor& keep, double p) {
  const int64_t n = grad_out.numel();
  dispatch_float(grad_out.dtype(), "dropout_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* pg = grad_out.data<T>();
    const bool* pk = keep.data<bool>();
    T* po = grad_x.data<T>();
    const T scale = p == 1 ? T(1) : T(1.0 / (1.0 - p));
#pragma omp parallel for simd schedule(static) if (n >= 65536)
    for (int64_t i = 0; i < n; ++i) po[i] = pg[i] * (pk[i] ? scale : T(0));
  });
}

}  // namespace dn::cpu
