// CUDA softmax, layer_norm, index_select, index_add and topk against the CPU.
#include "tests/cuda/helpers.h"

using namespace dn;
using namespace dn::test;

TEST_CASE("softmax over the last and a middle dim, odd sizes") {
  for (DType dt : kMath)
    for (const Shape& s : {Shape{7, 1}, Shape{5, 7}, Shape{2, 3, 789}, Shape{3, 3000}, Shape{1, 65537}}) {
      Tensor x = random_tensor(s, dt, 41, -8, 8);
      INFO(dtype_name(dt), " ", shape_str(s));
      CHECK(relative_error(cpu(kernel::softmax(gpu(x), -1)), kernel::softmax(x, -1)) < tolerance(dt));
      CHECK(relative_error(cpu(kernel::softmax(gpu(x), 0)), kernel::softmax(x, 0)) < tolerance(dt));
    }
  // A NaN makes its row NaN; -inf entries give 0.
  Tensor x = from_vector<float>({1.0f, NAN, 2.0f, -INFINITY, 0.5f, 3.0f}, {2, 3});
  CHECK_CLOSE(compare(cpu(kernel::softmax(gpu(x), -1)), kernel::softmax(x, -1), Measure::relative_norm,
                      {.non_finite = NonFinite::must_match}),
              1e-6);
}

TEST_CASE("layer_norm with and without affine parameters") {
  for (DType dt : kMath)
    for (int64_t n : {int64_t(5), int64_t(768), int64_t(2049)}) {
      Tensor x = random_tensor({3, 37, n}, dt, 43, -3, 5);
      Tensor w = random_tensor({n}, dt, 44), b = random_tensor({n}, dt, 45);
      for (int variant = 0; variant < 3; ++variant) {
        Tensor wv = variant == 2 ? Tensor() : w, bv = variant >= 1 ? Tensor() : b;
        auto want = kernel::layer_norm(x, wv, bv, 1e-6);
        auto got = kernel::layer_norm(gpu(x), wv.defined() ? gpu(wv) : wv, bv.defined() ? gpu(bv) : bv, 1e-6);
        INFO(dtype_name(dt), " n ", n, " variant ", variant);
        CHECK(relative_error(cpu(got.out), want.out) < tolerance(dt));
        CHECK(relative_error(cpu(got.mean), want.mean) < tolerance(dt));
        CHECK(relative_error(cpu(got.rstd), want.rstd) < tolerance(dt));
      }
    }
  // A transposed input is made contiguous by the op; eps 1e-8 as in Dinomaly's decoder.
  Tensor x = random_tensor({768, 50}, DType::f32, 46);
  CHECK(relative_error(cpu(kernel::layer_norm(kernel::transpose(gpu(x), 0, 1), {}, {}, 1e-8).out),
                       kernel::layer_norm(kernel::transpose(x, 0, 1), {}, {}, 1e-8).out) < 2e-6);
}

TEST_CASE("index_select and index_add along every dim, repeated indices") {
  Tensor idx = from_vector<int64_t>({4, 0, 2, 2, 4, 1}, {6});
  for (DType dt : {DType::f32, DType::f64, DType::i64, DType::f16, DType::u8}) {
    Tensor x = kernel::to(random_tensor({5, 5, 5}, DType::f64, 51, 0, 50), dt);
    for (int64_t d : {0, 1, 2}) {
      INFO(dtype_name(dt), " dim ", d);
      CHECK(same_bits(cpu(kernel::index_select(gpu(x), d, gpu(idx))), kernel::index_select(x, d, idx)));
    }
  }
  for (DType dt : kMath)
    for (int64_t d : {0, 1, 2}) {
      Tensor base = random_tensor({5, 6, 7}, dt, 52);
      Shape ss = base.shape();
      ss[d] = 6;
      Tensor src = random_tensor(ss, dt, 53);
      Tensor i = from_vector<int64_t>({4, 0, 2, 2, 4, 1}, {6});
      INFO(dtype_name(dt), " dim ", d);
      // In-order path: the sum order is the CPU's, so the bits match.
      CHECK(same_bits(cpu(kernel::index_add(gpu(base), d, gpu(i), gpu(src))), kernel::index_add(base, d, i, src)));
    }
  // Few output lanes and many indices: the atomic path (order varies, values match closely).
  for (DType dt : kMath) {
    std::vector<int64_t> many(5000);
    for (size_t j = 0; j < many.size(); ++j) many[j] = int64_t((j * 37) % 11);
    Tensor i = from_vector<int64_t>(many, {5000});
    Tensor base = random_tensor({11, 3}, dt, 54), src = random_tensor({5000, 3}, dt, 55);
    CHECK(relative_error(cpu(kernel::index_add(gpu(base), 0, gpu(i), gpu(src))),
                         kernel::index_add(base, 0, i, src)) < tolerance(dt) * 10);
  }
}

TEST_CASE("topk: largest and smallest, ties, NaN, one long row and many rows") {
  for (DType dt : kMath) {
    // Ties (small integers), NaN, signed zeros.
    std::vector<double> v;
    for (int i = 0; i < 300; ++i) v.push_back(double((i * 7919) % 17) - 8.0);
    v[13] = NAN;
    v[200] = NAN;
    v[50] = -0.0;
    Tensor x = kernel::to(from_vector<double>(v, {3, 100}), dt);
    for (bool largest : {true, false})
      for (int64_t k : {int64_t(1), int64_t(10), int64_t(100)}) {
        auto want = kernel::topk(x, k, -1, largest);
        auto got = kernel::topk(gpu(x), k, -1, largest);
        INFO(dtype_name(dt), " k ", k, " largest ", largest);
        CHECK(same_bits(cpu(got.values), want.values));
        CHECK(same_bits(cpu(got.indices), want.indices));
        // along dim 0 (moved to the end by the op)
        auto w0 = kernel::topk(x, 2, 0, largest);
        auto g0 = kernel::topk(gpu(x), 2, 0, largest);
        CHECK(same_bits(cpu(g0.indices), w0.indices));
      }
    // Dinomaly's sizes: the hard-mining threshold (one row of 16*784) and the image score
    // (top 655 of each 256x256 map).
    Tensor d = random_tensor({12544}, dt, 61, 0, 2);
    auto want = kernel::topk(d, 1254, 0, true);
    auto got = kernel::topk(gpu(d), 1254, 0, true);
    CHECK(same_bits(cpu(got.values), want.values));
    CHECK(same_bits(cpu(got.indices), want.indices));
    Tensor maps = random_tensor({4, 65536}, dt, 62);
    CHECK(same_bits(cpu(kernel::topk(gpu(maps), 655, 1, true).values), kernel::topk(maps, 655, 1, true).values));
  }
}
