// CUDA elementwise kernels against the CPU: copy/conversion, fill, unary, binary, compare,
// where -- on odd sizes, transposed and narrowed views, and broadcast operands.
#include "tests/cuda/helpers.h"

using namespace dn;
using namespace dn::test;

namespace {
const Layout kLayouts[] = {Layout::contiguous, Layout::transposed, Layout::narrowed};
const DType kAll[] = {DType::f32, DType::f64, DType::f16, DType::bf16, DType::f8_e4m3,
                      DType::f8_e5m2, DType::i64, DType::i32, DType::i16, DType::i8,
                      DType::u64, DType::u32, DType::u16, DType::u8, DType::bool_};
}  // namespace

TEST_CASE("copy: strided copies and every dtype conversion give the CPU's bits") {
  for (Layout l : kLayouts)
    for (DType from : kAll) {
      // Values every dtype holds: [0, 100) with fractions (integers truncate them).
      const Pair x = matrix_pair(37, 29, from, 11, l, 0, 100);
      INFO(layout_name(l), " ", dtype_name(from));
      CHECK(same_bits(cpu(kernel::contiguous(x.gpu)), kernel::contiguous(x.cpu)));
      for (DType to : kAll) {
        INFO("-> ", dtype_name(to));
        CHECK(same_bits(cpu(kernel::to(x.gpu, to)), kernel::to(x.cpu, to)));
      }
    }
  // copy_ with broadcasting into a narrowed destination.
  Tensor dst_cpu = zeros({6, 9}, DType::f32), dst_gpu = gpu(dst_cpu);
  Tensor row = random_tensor({1, 4}, DType::f32, 3);
  kernel::copy_(kernel::narrow(dst_cpu, 1, 3, 4), row);
  kernel::copy_(kernel::narrow(dst_gpu, 1, 3, 4), gpu(row));
  CHECK(same_bits(cpu(dst_gpu), dst_cpu));
}

TEST_CASE("fill: several dtypes, whole tensors and strided views") {
  for (DType dt : {DType::f32, DType::f64, DType::f16, DType::bf16, DType::i64, DType::u8,
                   DType::bool_, DType::i16}) {
    for (double v : {0.0, 1.0, 3.25, -2.0}) {
      if (!is_floating(dt) && v < 0) continue;
      Tensor c = zeros({5, 7}, dt), g = gpu(c);
      kernel::fill_(kernel::narrow(c, 1, 1, 5), v);
      kernel::fill_(kernel::narrow(g, 1, 1, 5), v);
      INFO(dtype_name(dt), " ", v);
      CHECK(same_bits(cpu(g), c));
      Tensor whole = full({3, 1001}, v, dt, Device::cuda());
      CHECK(same_bits(cpu(whole), full({3, 1001}, v, dt)));
    }
  }
}

TEST_CASE("unary: every op, float32 and float64, on strided views") {
  for (DType dt : kMath)
    for (Layout l : kLayouts)
      for (int o = 0; std::string(unary_name(UnaryOp(o))) != "unary"; ++o) {  // every op
        const UnaryOp op = UnaryOp(o);
        double low = -3, high = 3;  // inside each function's domain
        if (op == UnaryOp::log || op == UnaryOp::sqrt || op == UnaryOp::pow_scalar)
          low = 0.05;
        if (op == UnaryOp::erfinv) low = -0.99, high = 0.99;
        const double param = op == UnaryOp::pow_scalar  ? 1.7
                             : op == UnaryOp::clamp_min ? -0.5
                             : op == UnaryOp::clamp_max ? 0.5
                                                        : 0.8;
        const Pair x = matrix_pair(33, 65, dt, 100 + o, l, low, high);
        INFO(unary_name(op), " ", dtype_name(dt), " ", layout_name(l));
        CHECK(relative_error(cpu(kernel::unary(op, x.gpu, param)), kernel::unary(op, x.cpu, param)) <
              tolerance(dt));
      }
}

TEST_CASE("binary: every op with broadcasting and strided operands") {
  for (DType dt : kMath)
    for (int o = int(BinaryOp::add); o <= int(BinaryOp::minimum); ++o) {
      const BinaryOp op = BinaryOp(o);
      INFO(binary_name(op), " ", dtype_name(dt));
      // [3, 1, 37] with a transposed [1, 5, 37]: both broadcast, one strided.
      Tensor a = random_tensor({3, 1, 37}, dt, 1, 0.5, 2.0);
      Tensor b_store = random_tensor({37, 5, 1}, dt, 2, 0.5, 2.0);
      Tensor b = kernel::transpose(b_store, 0, 2), b_gpu = kernel::transpose(gpu(b_store), 0, 2);
      CHECK(relative_error(cpu(kernel::binary(op, gpu(a), b_gpu)), kernel::binary(op, a, b)) <
            tolerance(dt));
      // A scalar operand, and a bias over the rows of a large matrix.
      Tensor s = full({}, 1.25, dt);
      CHECK(relative_error(cpu(kernel::binary(op, gpu(a), gpu(s))), kernel::binary(op, a, s)) <
            tolerance(dt));
      Tensor rows = random_tensor({789, 768}, dt, 3), bias = random_tensor({768}, dt, 4, 0.5, 1.5);
      CHECK(relative_error(cpu(kernel::binary(op, gpu(rows), gpu(bias))),
                           kernel::binary(op, rows, bias)) < tolerance(dt));
    }
  // NaN handling of maximum/minimum follows the CPU.
  Tensor a = from_vector<float>({1.0f, NAN, 3.0f, NAN}, {4});
  Tensor b = from_vector<float>({NAN, 2.0f, 1.0f, NAN}, {4});
  for (BinaryOp op : {BinaryOp::maximum, BinaryOp::minimum})
    CHECK(same_bits(cpu(kernel::binary(op, gpu(a), gpu(b))), kernel::binary(op, a, b)));
}

TEST_CASE("compare and where, with broadcasting") {
  for (DType dt : {DType::f32, DType::f64, DType::i64, DType::i32, DType::u8}) {
    Tensor a = kernel::to(random_tensor({4, 1, 9}, DType::f64, 5, 0, 6), dt);
    Tensor b = kernel::to(random_tensor({3, 9}, DType::f64, 6, 0, 6), dt);
    for (int o = int(CompareOp::eq); o <= int(CompareOp::ge); ++o) {
      INFO(compare_name(CompareOp(o)), " ", dtype_name(dt));
      CHECK(same_bits(cpu(kernel::compare(CompareOp(o), gpu(a), gpu(b))),
                      kernel::compare(CompareOp(o), a, b)));
    }
  }
  for (DType dt : kMath) {
    Tensor cond = kernel::compare_scalar(CompareOp::gt, random_tensor({5, 1, 7}, DType::f32, 7), 0.0);
    Tensor a = random_tensor({6, 7}, dt, 8);
    Tensor b_store = random_tensor({7, 1}, dt, 9);
    CHECK(same_bits(cpu(kernel::where(gpu(cond), gpu(a), kernel::transpose(gpu(b_store), 0, 1))),
                    kernel::where(cond, a, kernel::transpose(b_store, 0, 1))));
  }
}
