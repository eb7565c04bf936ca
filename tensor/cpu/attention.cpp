// Fused attention kernels on the packed qkv layout (see tensor/backend.def).
//
// The composite attention reshapes qkv to [B, N, 3, H, dh], permutes it to [3, B, H, N, dh],
// and each matrix product then copies its operand to a contiguous batch (the B and H strides
// of a permuted view cannot merge into one batch stride); the result is transposed back to
// [B, N, D] with one more copy, and every step is its own OpenMP region with its own output.
// Here one parallel loop runs over the B·H heads, and each head is computed start to finish
// by one thread: its q, k, v are read in place as [N, dh] matrices whose rows lie 3D apart,
// the intermediates (N×dh, dh×dh, or N×N for softmax) stay in that thread's scratch, which
// fits in its L2 cache, and the result is written straight into [B, N, D]. The products run
// single-threaded (each thread owns whole heads) on the kernel of matmul (the own packed sgemm
// for float32 where the build has one: gemm_on_this_thread, tensor/cpu/matmul.cpp), reading
// the strided and transposed operands in place; matrix-vector products and the rank-one update
// of linear attention stay Eigen's.
//
// The backward kernels recompute what the forward computed instead of keeping it: the
// recomputation costs a few small products per head, and the graph then holds qkv only.
//
// Linear attention, per head, with φ(x) = elu(x) + 1 (= x + 1 for x > 0, eˣ otherwise):
//   kv = φ(K)ᵀV [dh, dh],  z = Σ_t φ(k_t) [dh],  num = φ(Q)·kv,  den = φ(Q)·z + eps,
//   out = num / den (row by row).
// Backward, from g = dL/dout:
//   g_num = g / den,  g_den_s = -(g_s · out_s) / den_s
//   dφ(Q) = g_num·kvᵀ + g_den zᵀ,   d kv = φ(Q)ᵀ g_num,   dz = φ(Q)ᵀ g_den
//   dφ(K) = V·(d kv)ᵀ + 1 dzᵀ,      dV = φ(K)·d kv
//   dQ = dφ(Q) ⊙ φ'(Q),  dK = dφ(K) ⊙ φ'(K),  φ'(x) = 1 for x > 0, eˣ = φ(x) otherwise.
// Softmax attention, per head, with qs = q·scale (rounded, as the composite scales q first):
//   P = softmax(qs·Kᵀ) row by row,  out = P·V
// Backward: dV = Pᵀg,  dP = g·Vᵀ,  dS = P ⊙ (dP - rowsum(dP ⊙ P)),
//   dQ = scale·(dS·K),  dK = dSᵀ·qs.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 in Eigen's AVX-512 headers
#include <Eigen/Core>
#include <omp.h>

#include <cstdlib>
#include <memory>
#include <type_traits>

#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/cpu_backend.h"

namespace dn::cpu {

namespace {

template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
// An [rows, cols] block of a row-major buffer whose rows lie `stride` elements apart.
template <class T>
using Rows = Eigen::Map<RowMatrix<T>, 0, Eigen::OuterStride<>>;
template <class T>
using ConstRows = Eigen::Map<const RowMatrix<T>, 0, Eigen::OuterStride<>>;
template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

// Where head h of image b lives in qkv [B, N, 3D] and in a [B, N, D] result.
struct HeadLayout {
  int64_t batch, tokens, dim, heads, dh;

  HeadLayout(const Tensor& qkv, int64_t h)
      : batch(qkv.size(0)), tokens(qkv.size(1)), dim(qkv.size(2) / 3), heads(h), dh(dim / h) {}
  int64_t items() const { return batch * heads; }
  // part 0, 1, 2 = q, k, v of work item i (= b·heads + h)
  int64_t qkv_offset(int64_t i, int64_t part) const {
    return (i / heads) * tokens * 3 * dim + part * dim + (i % heads) * dh;
  }
  int64_t out_offset(int64_t i) const { return (i / heads) * tokens * dim + (i % heads) * dh; }
};

// Scratch pieces start on 64-byte boundaries (sizes are padded to 16 elements, and the
// scratch itself is 64-byte aligned). This is for reproducibility, not speed: Eigen handles
// the part of a buffer before its first aligned address with scalar code, so the order in
// which a reduction adds up (and the last bit of its result) would otherwise depend on where
// malloc happened to place the scratch, and two runs of one computation could differ.
constexpr int64_t pad(int64_t count) { return (count + 15) / 16 * 16; }

// A matrix operand of a product: element (i, j) at p[i·rs + j·cs].
template <class T>
struct Operand {
  const T* p;
  int64_t rows, cols, rs, cs;
};
// a row-major block (Rows, ConstRows, or a contiguous Eigen map) as it is, or transposed
template <class M>
auto operand(const M& m) {
  using T = std::remove_const_t<std::remove_pointer_t<decltype(m.data())>>;
  return Operand<T>{m.data(), m.rows(), m.cols(), m.outerStride(), 1};
}
template <class M>
auto transposed(const M& m) {
  using T = std::remove_const_t<std::remove_pointer_t<decltype(m.data())>>;
  return Operand<T>{m.data(), m.cols(), m.rows(), 1, m.outerStride()};
}

// out (row stride ldc) = a · b on this thread
template <class T>
void product(T* out, int64_t ldc, const Operand<T>& a, const Operand<T>& b) {
  gemm_on_this_thread(a.rows, b.cols, a.cols, a.p, a.rs, a.cs, b.p, b.rs, b.cs, out, ldc);
}

// Runs f(item, scratch) for every head, whole heads per thread; `scratch` is a buffer of
// `scratch_size` elements that each thread allocates once.
template <class T, class F>
void for_each_head(const HeadLayout& l, int64_t scratch_size, F&& f) {
  float_matmul_kernel();  // the product kernel is chosen (or refused) before threads start
  const int64_t items = l.items();
#pragma omp parallel if (items > 1 && !omp_in_parallel())
  {
    const size_t bytes = (size_t(scratch_size) * sizeof(T) + 63) / 64 * 64;
    std::unique_ptr<T, void (*)(void*)> scratch(static_cast<T*>(std::aligned_alloc(64, bytes)), std::free);
    DN_CHECK(scratch, "attention: out of memory for ", bytes, " bytes of scratch");
#pragma omp for schedule(dynamic)
    for (int64_t i = 0; i < items; ++i) f(i, scratch.get());
  }
}

// dst = φ(src) = elu(src) + 1 for an [n, dh] block (dst contiguous): eˣ with Eigen's
// vectorised exp, then x + 1 where x > 0 (plain loops the compiler vectorises).
template <class T>
void feature_map(const ConstRows<T>& src, T* dst) {
  const int64_t n = src.rows(), dh = src.cols(), stride = src.outerStride();
  Eigen::Map<RowMatrix<T>> d(dst, n, dh);
  d = src;
  d.array() = d.array().exp();
  for (int64_t r = 0; r < n; ++r) {
    const T* s = src.data() + r * stride;
    T* o = dst + r * dh;
#pragma omp simd
    for (int64_t c = 0; c < dh; ++c) o[c] = s[c] > T(0) ? s[c] + T(1) : o[c];
  }
}

// out = d ⊙ φ'(x) with φ'(x) = 1 for x > 0 and φ(x) otherwise; out and x are strided rows.
template <class T>
void times_feature_slope(Rows<T>& out, const Eigen::Map<RowMatrix<T>>& d, const ConstRows<T>& x,
                         const Eigen::Map<RowMatrix<T>>& phi) {
  const int64_t n = x.rows(), dh = x.cols();
  for (int64_t r = 0; r < n; ++r) {
    const T* xr = x.data() + r * x.outerStride();
    const T* dr = d.data() + r * dh;
    const T* pr = phi.data() + r * dh;
    T* o = out.data() + r * out.outerStride();
#pragma omp simd
    for (int64_t c = 0; c < dh; ++c) o[c] = xr[c] > T(0) ? dr[c] : dr[c] * pr[c];
  }
}

// The parts of the forward both directions need: φ(Q), φ(K), kv, z, den, for one head.
template <class T>
struct LinearHead {
  Eigen::Map<RowMatrix<T>> fq, fk, kv;
  Eigen::Map<Vector<T>> z, den;

  LinearHead(T* s, int64_t n, int64_t dh)
      : fq(s, n, dh), fk(s + pad(n * dh), n, dh), kv(s + 2 * pad(n * dh), dh, dh),
        z(s + 2 * pad(n * dh) + pad(dh * dh), dh), den(s + 2 * pad(n * dh) + pad(dh * dh) + pad(dh), n) {}
  static int64_t scratch(int64_t n, int64_t dh) { return 2 * pad(n * dh) + pad(dh * dh) + pad(dh) + pad(n); }

  void compute(const ConstRows<T>& q, const ConstRows<T>& k, const ConstRows<T>& v, double eps) {
    feature_map<T>(k, fk.data());
    feature_map<T>(q, fq.data());
    product(kv.data(), kv.cols(), transposed(fk), operand(v));
    // Σ_t φ(k_t) in double, rounded once, as the composite's sum does
    z = fk.template cast<double>().colwise().sum().transpose().template cast<T>();
    den.noalias() = fq * z;
    if (eps != 0) den.array() += T(eps);
  }
};

}  // namespace

void linear_attention(const Tensor& out, const Tensor& qkv, int64_t heads, double eps) {
  const HeadLayout l(qkv, heads);
  const int64_t n = l.tokens, dh = l.dh, d3 = 3 * l.dim;
  dispatch_float(qkv.dtype(), "linear_attention", [&](auto tag) {
    using T = decltype(tag);
    const T* x = qkv.data<T>();
    T* o = out.data<T>();
    for_each_head<T>(l, LinearHead<T>::scratch(n, dh), [&](int64_t i, T* s) {
      LinearHead<T> h(s, n, dh);
      ConstRows<T> q(x + l.qkv_offset(i, 0), n, dh, Eigen::OuterStride<>(d3));
      ConstRows<T> k(x + l.qkv_offset(i, 1), n, dh, Eigen::OuterStride<>(d3));
      ConstRows<T> v(x + l.qkv_offset(i, 2), n, dh, Eigen::OuterStride<>(d3));
      h.compute(q, k, v, eps);
      Rows<T> result(o + l.out_offset(i), n, dh, Eigen::OuterStride<>(l.dim));
      product(result.data(), l.dim, operand(h.fq), operand(h.kv));
      result.array().colwise() /= h.den.array();
    });
  });
}

void linear_attention_backward(const Tensor& grad_qkv, const Tensor& grad_out, const Tensor& qkv,
                               int64_t heads, double eps) {
  const HeadLayout l(qkv, heads);
  const int64_t n = l.tokens, dh = l.dh, d3 = 3 * l.dim;
  dispatch_float(qkv.dtype(), "linear_attention_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* x = qkv.data<T>();
    const T* go = grad_out.data<T>();
    T* gx = grad_qkv.data<T>();
    const int64_t nd = pad(n * dh), dd = pad(dh * dh);
    const int64_t own = 3 * nd + dd + pad(dh) + pad(n);  // g_num, dφ(Q), dφ(K), d kv, dz, g_den
    for_each_head<T>(l, LinearHead<T>::scratch(n, dh) + own, [&](int64_t i, T* s) {
      LinearHead<T> h(s, n, dh);
      T* p = s + LinearHead<T>::scratch(n, dh);
      Eigen::Map<RowMatrix<T>> g_num(p, n, dh), d_fq(p + nd, n, dh), d_fk(p + 2 * nd, n, dh);
      Eigen::Map<RowMatrix<T>> d_kv(p + 3 * nd, dh, dh);
      Eigen::Map<Vector<T>> d_z(p + 3 * nd + dd, dh), g_den(p + 3 * nd + dd + pad(dh), n);

      ConstRows<T> q(x + l.qkv_offset(i, 0), n, dh, Eigen::OuterStride<>(d3));
      ConstRows<T> k(x + l.qkv_offset(i, 1), n, dh, Eigen::OuterStride<>(d3));
      ConstRows<T> v(x + l.qkv_offset(i, 2), n, dh, Eigen::OuterStride<>(d3));
      ConstRows<T> g(go + l.out_offset(i), n, dh, Eigen::OuterStride<>(l.dim));
      h.compute(q, k, v, eps);

      // g_den = -(g · num) / den², with num = φ(Q)·kv held in g_num's buffer for a moment
      product(g_num.data(), dh, operand(h.fq), operand(h.kv));
      g_den = -(g.cwiseProduct(g_num).rowwise().sum().array() / h.den.array().square()).matrix();
      g_num = g;
      g_num.array().colwise() /= h.den.array();
      product(d_fq.data(), dh, operand(g_num), transposed(h.kv));
      d_fq.noalias() += g_den * h.z.transpose();
      product(d_kv.data(), dh, transposed(h.fq), operand(g_num));
      d_z.noalias() = h.fq.transpose() * g_den;
      product(d_fk.data(), dh, operand(v), transposed(d_kv));
      d_fk.rowwise() += d_z.transpose();

      Rows<T> gq(gx + l.qkv_offset(i, 0), n, dh, Eigen::OuterStride<>(d3));
      Rows<T> gk(gx + l.qkv_offset(i, 1), n, dh, Eigen::OuterStride<>(d3));
      Rows<T> gv(gx + l.qkv_offset(i, 2), n, dh, Eigen::OuterStride<>(d3));
      product(gv.data(), d3, operand(h.fk), operand(d_kv));
      times_feature_slope<T>(gq, d_fq, q, h.fq);
      times_feature_slope<T>(gk, d_fk, k, h.fk);
    });
  });
}

namespace {

// P = softmax(qs·Kᵀ) for one head, with qs = q·scale rounded to T.
template <class T>
void attention_probabilities(const ConstRows<T>& q, const ConstRows<T>& k, T scale,
                             Eigen::Map<RowMatrix<T>>& qs, Eigen::Map<RowMatrix<T>>& p) {
  qs = q * scale;
  product(p.data(), p.cols(), operand(qs), transposed(k));
  for (int64_t r = 0; r < p.rows(); ++r) {
    auto row = p.row(r).array();
    row = (row - row.maxCoeff()).exp();
    row *= T(1) / row.sum();
  }
}

}  // namespace

void softmax_attention(const Tensor& out, const Tensor& qkv, int64_t heads, double scale) {
  const HeadLayout l(qkv, heads);
  const int64_t n = l.tokens, dh = l.dh, d3 = 3 * l.dim;
  dispatch_float(qkv.dtype(), "softmax_attention", [&](auto tag) {
    using T = decltype(tag);
    const T* x = qkv.data<T>();
    T* o = out.data<T>();
    for_each_head<T>(l, pad(n * dh) + pad(n * n), [&](int64_t i, T* s) {
      Eigen::Map<RowMatrix<T>> qs(s, n, dh), p(s + pad(n * dh), n, n);
      ConstRows<T> q(x + l.qkv_offset(i, 0), n, dh, Eigen::OuterStride<>(d3));
      ConstRows<T> k(x + l.qkv_offset(i, 1), n, dh, Eigen::OuterStride<>(d3));
      ConstRows<T> v(x + l.qkv_offset(i, 2), n, dh, Eigen::OuterStride<>(d3));
      attention_probabilities<T>(q, k, T(scale), qs, p);
      product(o + l.out_offset(i), l.dim, operand(p), operand(v));
    });
  });
}

void softmax_attention_backward(const Tensor& grad_qkv, const Tensor& grad_out, const Tensor& qkv,
                                int64_t heads, double scale) {
  const HeadLayout l(qkv, heads);
  const int64_t n = l.tokens, dh = l.dh, d3 = 3 * l.dim;
  dispatch_float(qkv.dtype(), "softmax_attention_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* x = qkv.data<T>();
    const T* go = grad_out.data<T>();
    T* gx = grad_qkv.data<T>();
    for_each_head<T>(l, pad(n * dh) + 2 * pad(n * n), [&](int64_t i, T* s) {
      Eigen::Map<RowMatrix<T>> qs(s, n, dh), p(s + pad(n * dh), n, n), dp(s + pad(n * dh) + pad(n * n), n, n);
      ConstRows<T> q(x + l.qkv_offset(i, 0), n, dh, Eigen::OuterStride<>(d3));
      ConstRows<T> k(x + l.qkv_offset(i, 1), n, dh, Eigen::OuterStride<>(d3));
      ConstRows<T> v(x + l.qkv_offset(i, 2), n, dh, Eigen::OuterStride<>(d3));
      ConstRows<T> g(go + l.out_offset(i), n, dh, Eigen::OuterStride<>(l.dim));
      attention_probabilities<T>(q, k, T(scale), qs, p);

      Rows<T> gq(gx + l.qkv_offset(i, 0), n, dh, Eigen::OuterStride<>(d3));
      Rows<T> gk(gx + l.qkv_offset(i, 1), n, dh, Eigen::OuterStride<>(d3));
      Rows<T> gv(gx + l.qkv_offset(i, 2), n, dh, Eigen::OuterStride<>(d3));
      product(gv.data(), d3, transposed(p), operand(g));
      product(dp.data(), n, operand(g), transposed(v));
      // dS = P ⊙ (dP - rowsum(dP ⊙ P)), in place of dP
      const Vector<T> dot = dp.cwiseProduct(p).rowwise().sum();
      dp.array().colwise() -= dot.array();
      dp.array() *= p.array();
      product(gq.data(), d3, operand(dp), operand(k));
      gq *= T(scale);
      product(gk.data(), d3, transposed(dp), operand(qs));
    });
  });
}

}  // namespace dn::cpu
