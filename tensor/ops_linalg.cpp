// Batched matrix products with broadcast batch dims.
#include "tensor/cpu/matmul_bf16.h"
#include "tensor/ops_common.h"

namespace dn::kernel {

namespace {
// A [batch, rows, cols] view the backends accept: one of the two matrix strides is 1.
Tensor as_batched_matrix(const Tensor& x, int64_t batch) {
  const int64_t r = x.size(-2), c = x.size(-1);
  Shape shape{batch, r, c};
  Tensor v = can_view(x, shape) ? view(x, shape) : view(contiguous(x), shape);
  if (v.stride(2) == 1 || v.stride(1) == 1 || r == 1 || c == 1) return v;
  return contiguous(v);
}
}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_defined("matmul", a);
  check_defined("matmul", b);
  check_same_device("matmul", a, b);
  check_same_dtype("matmul", a, b);
  check_math_dtype("matmul", a);
  DN_CHECK(a.dim() >= 2 && b.dim() >= 2, "matmul: operands need at least 2 dims, got ",
           shape_str(a.shape()), " and ", shape_str(b.shape()));
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  DN_CHECK(b.size(-2) == k, "matmul: inner sizes differ: ", shape_str(a.shape()), " x ",
           shape_str(b.shape()));

  // [..., m, k] x [k, n]: fold a's batch dims into m (one large product, as for Linear).
  // rows = product of a's leading dims (not numel / k, which is 0 when k = 0).
  const int64_t rows = numel_of(Shape(a.shape().begin(), a.shape().end() - 1));
  if (b.dim() == 2 && can_view(a, {rows, k})) {
    Shape out_shape(a.shape().begin(), a.shape().end() - 1);
    out_shape.push_back(n);
    Tensor out = empty(out_shape, a.dtype(), a.device());
    DN_RUN_KERNEL(a.device(), matmul, view(out, {1, rows, n}),
                  as_batched_matrix(view(a, {rows, k}), 1), as_batched_matrix(b, 1));
    return out;
  }

  Shape a_batch(a.shape().begin(), a.shape().end() - 2);
  Shape b_batch(b.shape().begin(), b.shape().end() - 2);
  Shape batch = broadcast_shapes("matmul", a_batch, b_batch);
  const int64_t nbatch = numel_of(batch);
  Shape a_full = batch, b_full = batch, out_shape = batch;
  a_full.insert(a_full.end(), {m, k});
  b_full.insert(b_full.end(), {k, n});
  out_shape.insert(out_shape.end(), {m, n});
  Tensor out = empty(out_shape, a.dtype(), a.device());
  if (out.numel() == 0) return out;
  DN_RUN_KERNEL(a.device(), matmul, view(out, {nbatch, m, n}),
                as_batched_matrix(expand(a, a_full), nbatch),
                as_batched_matrix(expand(b, b_full), nbatch));
  return out;
}

// The CPU's bfloat16 product (AMX or AVX512-BF16): a precision option of the CPU alone, not a
// backend kernel.
bool cpu_matmul_bf16() { return cpu::linear_products_in_bf16(); }

Tensor matmul_bf16(const Tensor& a, const Tensor& b_in) {
  for (const Tensor* t : {&a, &b_in}) {
    check_defined("matmul_bf16", *t);
    DN_CHECK(t->device().is_cpu(), "matmul_bf16: a CPU kernel (AMX or AVX512-BF16), called with a tensor on ",
             t->device().str());
    DN_CHECK(t->dtype() == DType::f32, "matmul_bf16: float32 operands expected, got ", t->describe());
  }
  DN_CHECK(a.dim() >= 1 && b_in.dim() == 2 && a.size(-1) == b_in.size(0), "matmul_bf16: ",
           a.describe(), " x ", b_in.describe(), " is not [..., k] x [k, n]");
  const int64_t k = a.size(-1), n = b_in.size(1);
  const int64_t rows = numel_of(Shape(a.shape().begin(), a.shape().end() - 1));
  // Operands with a unit stride along one of their two dims are read in place.
  auto matrix = [](const Tensor& x) {
    return x.stride(0) == 1 || x.stride(1) == 1 ? x : contiguous(x);
  };
  Tensor a2 = matrix(can_view(a, {rows, k}) ? view(a, {rows, k}) : view(contiguous(a), {rows, k}));
  Tensor b = matrix(b_in);
  Shape out_shape(a.shape().begin(), a.shape().end() - 1);
  out_shape.push_back(n);
  Tensor out = empty(out_shape, DType::f32, a.device());
  if (out.numel() > 0) cpu::matmul_bf16(view(out, {rows, n}), a2, b);
  return out;
}

}  // namespace dn::kernel
