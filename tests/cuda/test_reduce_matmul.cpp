// CUDA reductions and matrix products against the CPU.
#include "tensor/cuda/cuda_backend.h"
#include "tests/cuda/helpers.h"

using namespace dn;
using namespace dn::test;

namespace {
const char* reduce_name(ReduceOp op) {
  return op == ReduceOp::sum ? "sum" : op == ReduceOp::max ? "max" : "min";
}
}  // namespace

TEST_CASE("reduce: sum, max, min over every kind of dim set") {
  struct Case { Shape shape; std::vector<int64_t> dims; };
  const std::vector<Case> cases = {
      {{37, 1001}, {1}},          // along contiguous rows, one warp per row
      {{37, 1001}, {0}},          // across rows (a bias gradient): rows are contiguous
      {{3, 200003}, {1}},         // few long rows: chunked, two passes
      {{100001}, {}},             // everything: one row, many chunks
      {{12624, 768}, {0}},        // Dinomaly's bias gradient, across rows, chunked
      {{4, 5, 6, 7}, {1, 3}},     // non-adjacent dims: made contiguous first
      {{2, 3, 4}, {0, 2}},
      {{9, 1, 5}, {1}},           // a size-1 dim
      {{1}, {0}},
  };
  for (DType dt : kMath)
    for (ReduceOp op : {ReduceOp::sum, ReduceOp::max, ReduceOp::min})
      for (const Case& c : cases) {
        Tensor x = random_tensor(c.shape, dt, 17);
        INFO(reduce_name(op), " ", dtype_name(dt), " ", shape_str(c.shape), " dims ", c.dims.size());
        for (bool keep : {false, true})
          CHECK(relative_error(cpu(kernel::reduce(op, gpu(x), c.dims, keep)),
                               kernel::reduce(op, x, c.dims, keep)) < tolerance(dt));
        // A transposed input reduces over its (now strided) last dim.
        if (c.shape.size() == 2) {
          Tensor t = kernel::transpose(x, 0, 1);
          CHECK(relative_error(cpu(kernel::reduce(op, kernel::transpose(gpu(x), 0, 1), {1}, false)),
                               kernel::reduce(op, t, {1}, false)) < tolerance(dt));
        }
      }
  // NaN propagates through max and min, as on the CPU.
  Tensor x = from_vector<float>({1.0f, NAN, 3.0f, -2.0f, 5.0f, 0.5f}, {2, 3});
  for (ReduceOp op : {ReduceOp::max, ReduceOp::min, ReduceOp::sum})
    for (int64_t d : {0, 1})
      CHECK(same_bits(cpu(kernel::reduce(op, gpu(x), {d}, false)), kernel::reduce(op, x, {d}, false)));
}

TEST_CASE("matmul: odd sizes, transposed operands, broadcast batches, vectors") {
  struct Case { Shape a, b; bool ta, tb; };
  const std::vector<Case> cases = {
      {{37, 53}, {53, 29}, false, false},
      {{37, 53}, {53, 29}, true, false},
      {{37, 53}, {53, 29}, false, true},
      {{37, 53}, {53, 29}, true, true},
      {{4, 789, 64}, {64, 768}, false, false},        // folded into one product
      {{2, 1, 13, 7}, {3, 7, 11}, false, false},      // broadcast batch dims
      {{2, 3, 13, 7}, {2, 3, 7, 11}, true, true},
      {{5, 1, 64}, {5, 64, 9}, false, false},         // m = 1
      {{5, 9, 64}, {5, 64, 1}, false, true},          // n = 1
      {{6, 1}, {1, 8}, false, false},                 // k = 1
      {{12, 789, 64}, {12, 64, 64}, true, false},     // linear attention kᵀv shapes
  };
  for (DType dt : kMath)
    for (const Case& c : cases) {
      INFO(dtype_name(dt), " ", shape_str(c.a), " x ", shape_str(c.b), " ta ", c.ta, " tb ", c.tb);
      // A transposed operand is the transpose of a stored [.., cols, rows] tensor.
      auto make = [&](Shape s, bool t, uint64_t seed) {
        if (!t) {
          Tensor x = random_tensor(s, dt, seed);
          return Pair{x, gpu(x)};
        }
        std::swap(s[s.size() - 1], s[s.size() - 2]);
        Tensor x = random_tensor(s, dt, seed);
        const int64_t r = int64_t(s.size());
        return Pair{kernel::transpose(x, r - 2, r - 1), kernel::transpose(gpu(x), r - 2, r - 1)};
      };
      const Pair a = make(c.a, c.ta, 21), b = make(c.b, c.tb, 22);
      CHECK(relative_error(cpu(kernel::matmul(a.gpu, b.gpu)), kernel::matmul(a.cpu, b.cpu)) <
            matmul_tolerance(dt));
    }
  // An operand cuBLAS cannot read in place (a broadcast row: stride 0) is copied first.
  Tensor row = random_tensor({1, 16}, DType::f32, 23), b = random_tensor({16, 5}, DType::f32, 24);
  Tensor a = kernel::expand(row, {7, 16});
  CHECK(relative_error(cpu(kernel::matmul(kernel::expand(gpu(row), {7, 16}), gpu(b))),
                       kernel::matmul(a, b)) < matmul_tolerance(DType::f32));
  // k = 0: zeros.
  Tensor e1 = zeros({3, 0}), e2 = zeros({0, 4});
  CHECK(same_bits(cpu(kernel::matmul(gpu(e1), gpu(e2))), kernel::matmul(e1, e2)));
}

TEST_CASE("matmul precision options: tf32 and bf16 stay close to float32") {
  Tensor a = random_tensor({256, 384}, DType::f32, 31), b = random_tensor({384, 320}, DType::f32, 32);
  Tensor want = kernel::matmul(kernel::to(a, DType::f64), kernel::to(b, DType::f64));
  for (auto [p, tol] : {std::pair{cuda::MatmulPrecision::tf32, 2e-3},
                        std::pair{cuda::MatmulPrecision::bf16, 1e-2}}) {
    cuda::set_matmul_precision(p);
    const double err = relative_error(kernel::to(cpu(kernel::matmul(gpu(a), gpu(b))), DType::f64), want);
    cuda::set_matmul_precision(cuda::MatmulPrecision::fp32);
    INFO("precision ", int(p), " error ", err);
    CHECK(err < tol);
    CHECK(err > 0);  // the option changes something
  }
  CHECK(relative_error(kernel::to(cpu(kernel::matmul(gpu(a), gpu(b))), DType::f64), want) < 1e-5);
}
