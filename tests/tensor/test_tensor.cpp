// The tensor layer: metadata, views without copies, conversions, kernels, random numbers.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "tensor/cuda/cuda_backend.h"
#include "tensor/ops.h"

using namespace dn;

static Tensor iota_f32(const Shape& shape) {
  std::vector<float> v(numel_of(shape));
  std::iota(v.begin(), v.end(), 0.0f);
  return from_vector<float>(v, shape);
}

TEST_CASE("contiguous tensors: shape, strides, numel, 64-byte alignment") {
  Tensor t = zeros({2, 3, 4});
  CHECK(t.strides() == Shape{12, 4, 1});
  CHECK(t.numel() == 24);
  CHECK(t.is_contiguous());
  CHECK(reinterpret_cast<uintptr_t>(t.data_ptr()) % 64 == 0);
  CHECK(t.describe() == "Tensor[2, 3, 4] float32 cpu");
}

TEST_CASE("views share storage: reshape, permute, transpose, narrow, expand, squeeze") {
  Tensor t = iota_f32({2, 3, 4});
  Tensor r = kernel::reshape(t, {6, -1});
  CHECK(r.shape() == Shape{6, 4});
  CHECK(r.storage() == t.storage());
  Tensor p = kernel::permute(t, {2, 0, 1});
  CHECK(p.shape() == Shape{4, 2, 3});
  CHECK(p.strides() == Shape{1, 12, 4});
  CHECK(!p.is_contiguous());
  CHECK(p.storage() == t.storage());
  Tensor n = kernel::narrow(t, 2, 1, 2);
  CHECK(n.offset() == 1);
  CHECK(to_vector<float>(n) == std::vector<float>{1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22});
  Tensor e = kernel::expand(kernel::reshape(iota_f32({3}), {3, 1}), {3, 2});
  CHECK(e.strides() == Shape{1, 0});
  CHECK(to_vector<float>(e) == std::vector<float>{0, 0, 1, 1, 2, 2});
  CHECK(kernel::unsqueeze(t, 1).shape() == Shape{2, 1, 3, 4});
  CHECK(kernel::squeeze(kernel::unsqueeze(t, -1), -1).shape() == t.shape());
  // transposing then making contiguous copies the elements in the new order
  Tensor tt = kernel::contiguous(kernel::transpose(iota_f32({2, 3}), 0, 1));
  CHECK(to_vector<float>(tt) == std::vector<float>{0, 3, 1, 4, 2, 5});
  CHECK(kernel::contiguous(t).storage() == t.storage());  // already contiguous: no copy
}

TEST_CASE("view refuses what needs a copy; reshape copies then") {
  Tensor t = kernel::transpose(iota_f32({3, 4}), 0, 1);
  CHECK_THROWS_WITH_AS(kernel::view(t, {12}), doctest::Contains("without a copy"), Error);
  Tensor r = kernel::reshape(t, {12});
  CHECK(r.storage() != t.storage());
  CHECK(to_vector<float>(r)[1] == 4.0f);
  // merging dims that are contiguous with each other is a view even inside a permuted tensor
  Tensor p = kernel::permute(iota_f32({2, 3, 4}), {1, 2, 0});  // [3, 4, 2]
  CHECK(kernel::can_view(p, {12, 2}));
  CHECK_FALSE(kernel::can_view(p, {3, 8}));
}

TEST_CASE("dtype conversions round trip, including half, bfloat16 and bool") {
  Tensor x = from_vector<float>({0.0f, 1.5f, -2.25f, 65504.0f, 1e-3f}, {5});
  for (DType t : {DType::f64, DType::f16, DType::bf16, DType::i64, DType::bool_}) {
    CAPTURE(dtype_name(t));
    Tensor y = kernel::to(kernel::to(x, t), DType::f32);
    std::vector<float> v = to_vector<float>(y);
    if (t == DType::f64) CHECK(v == to_vector<float>(x));
    if (t == DType::i64) CHECK(v == std::vector<float>{0, 1, -2, 65504, 0});
    if (t == DType::bool_) CHECK(v == std::vector<float>{0, 1, 1, 1, 1});
    if (t == DType::f16) CHECK(v[1] == 1.5f);
  }
  CHECK(float_to_half(1.0f) == 0x3c00);
  CHECK(half_to_float(0x7bff) == 65504.0f);
  CHECK(float_to_bfloat16(1.0f) == 0x3f80);
  CHECK(fp8_e4m3_to_float(float_to_fp8_e4m3(448.0f)) == 448.0f);
}

TEST_CASE("broadcasting binary ops and comparisons") {
  Tensor a = iota_f32({2, 3}), b = from_vector<float>({10, 20, 30}, {3});
  CHECK(to_vector<float>(kernel::binary(BinaryOp::add, a, b)) == std::vector<float>{10, 21, 32, 13, 24, 35});
  Tensor c = from_vector<float>({1, 2}, {2, 1});
  CHECK(to_vector<float>(kernel::binary(BinaryOp::mul, a, c)) == std::vector<float>{0, 1, 2, 6, 8, 10});
  Tensor m = kernel::compare_scalar(CompareOp::ge, a, 2.0);
  CHECK(to_vector<bool>(m) == std::vector<bool>{false, false, true, true, true, true});
  CHECK_THROWS_WITH_AS(kernel::binary(BinaryOp::add, a, iota_f32({4})),
                       doctest::Contains("[2, 3] and [4]"), Error);
}

TEST_CASE("reductions over any dims, keepdim, max with NaN") {
  Tensor t = iota_f32({2, 3, 4});
  CHECK(to_vector<float>(kernel::reduce(ReduceOp::sum, t, {1}, false)) ==
        std::vector<float>{12, 15, 18, 21, 48, 51, 54, 57});
  CHECK(kernel::reduce(ReduceOp::sum, t, {0, 2}, true).shape() == Shape{1, 3, 1});
  CHECK(kernel::reduce(ReduceOp::sum, t, {}, false).item() == 276.0);
  CHECK(kernel::reduce(ReduceOp::max, t, {-1}, false).shape() == Shape{2, 3});
  Tensor n = from_vector<float>({1, NAN, 3}, {3});
  CHECK(std::isnan(kernel::reduce(ReduceOp::max, n, {}, false).item()));
  // column sums of a transposed view take the column path
  Tensor tr = kernel::transpose(iota_f32({3, 5}), 0, 1);  // [5, 3]
  CHECK(to_vector<float>(kernel::reduce(ReduceOp::sum, tr, {1}, false)) ==
        std::vector<float>{15, 18, 21, 24, 27});
}

TEST_CASE("matmul: a batch of transposed operands matches the copied ones") {
  Tensor a = iota_f32({2, 3, 4}), b = iota_f32({2, 5, 4});
  Tensor bt = kernel::transpose(b, 1, 2);  // [2, 4, 5], a view
  Tensor r1 = kernel::matmul(a, bt);
  Tensor r2 = kernel::matmul(a, kernel::contiguous(bt));
  CHECK(to_vector<float>(r1) == to_vector<float>(r2));
  CHECK(r1.shape() == Shape{2, 3, 5});
  CHECK(to_vector<float>(r1)[0] == 0 * 0 + 1 * 1 + 2 * 2 + 3 * 3);
}

TEST_CASE("topk returns sorted values and indices; cat; index ops") {
  Tensor x = from_vector<float>({3, 1, 4, 1, 5, 9, 2, 6}, {2, 4});
  kernel::TopK t = kernel::topk(x, 2, -1);
  CHECK(to_vector<float>(t.values) == std::vector<float>{4, 3, 9, 6});
  CHECK(to_vector<int64_t>(t.indices) == std::vector<int64_t>{2, 0, 1, 3});
  Tensor c = kernel::cat({x, x}, 0);
  CHECK(c.shape() == Shape{4, 4});
  Tensor idx = from_vector<int64_t>({1, 1}, {2});
  Tensor s = kernel::index_add(zeros({2, 4}), 0, idx, x);
  CHECK(to_vector<float>(s) == std::vector<float>{0, 0, 0, 0, 8, 10, 6, 7});
}

TEST_CASE("Philox4x32-10 reproduces the Random123 known-answer vectors") {
  CHECK(philox4x32_10(PhiloxBlock{0, 0, 0, 0}, {0, 0}) ==
        PhiloxBlock{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
  CHECK(philox4x32_10(PhiloxBlock{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                      {0xffffffff, 0xffffffff}) ==
        PhiloxBlock{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
  CHECK(philox4x32_10(PhiloxBlock{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                      {0xa4093822, 0x299f31d0}) ==
        PhiloxBlock{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
}

TEST_CASE("random fills depend only on (seed, offset): same seed, same numbers") {
  Generator g1(7), g2(7);
  Tensor a = kernel::uniform({1000}, 0, 1, g1), b = kernel::uniform({1000}, 0, 1, g2);
  CHECK(to_vector<float>(a) == to_vector<float>(b));
  CHECK(g1.offset() == 250);
  Tensor c = kernel::uniform({1000}, 0, 1, g1);
  CHECK(to_vector<float>(c) != to_vector<float>(a));
  // a fill split in two equals one fill, block by block
  Generator g3(7);
  Tensor first = kernel::uniform({400}, 0, 1, g3), second = kernel::uniform({600}, 0, 1, g3);
  std::vector<float> joined = to_vector<float>(first), rest = to_vector<float>(second);
  joined.insert(joined.end(), rest.begin(), rest.end());
  CHECK(joined == to_vector<float>(a));
}

TEST_CASE("uniform and normal statistics") {
  Generator g(3);
  std::vector<double> u = to_vector<double>(kernel::uniform({200000}, -1, 3, g, DType::f64));
  double mu = 0, lo = 1e9, hi = -1e9;
  for (double v : u) { mu += v; lo = std::min(lo, v); hi = std::max(hi, v); }
  mu /= u.size();
  CHECK(mu == doctest::Approx(1.0).epsilon(0.01));
  CHECK(lo >= -1);
  CHECK(hi < 3);
  std::vector<double> n = to_vector<double>(kernel::normal({200000}, 2, 0.5, g, DType::f64));
  double m = 0, s = 0;
  for (double v : n) m += v;
  m /= n.size();
  for (double v : n) s += (v - m) * (v - m);
  s = std::sqrt(s / n.size());
  CHECK(m == doctest::Approx(2.0).epsilon(0.005));
  CHECK(s == doctest::Approx(0.5).epsilon(0.01));
}

TEST_CASE("trunc_normal: std 0.01 clipped to +-0.03, as the reference initialises Linear") {
  Generator g(1);
  std::vector<float> w = to_vector<float>(kernel::trunc_normal({500000}, 0, 0.01, -0.03, 0.03, g));
  double m = 0, s = 0, lo = 1, hi = -1;
  for (float v : w) { m += v; lo = std::min<double>(lo, v); hi = std::max<double>(hi, v); }
  m /= w.size();
  for (float v : w) s += (v - m) * (v - m);
  s = std::sqrt(s / w.size());
  // The standard deviation of N(0, 0.01) truncated at ±3σ is 0.01·sqrt(1 - 6φ(3)/(2Φ(3)-1)).
  const double phi3 = std::exp(-4.5) / std::sqrt(2 * M_PI);
  const double Phi3 = 0.5 * (1 + std::erf(3 / std::sqrt(2.0)));
  const double expected = 0.01 * std::sqrt(1 - 6 * phi3 / (2 * Phi3 - 1));
  CHECK(std::fabs(m) < 5e-5);
  CHECK(s == doctest::Approx(expected).epsilon(0.005));
  CHECK(lo >= -0.03);
  CHECK(hi <= 0.03);
  CHECK(lo < -0.029);
}

TEST_CASE("errors name the op: bad dims, bad narrow, bad expand, undefined tensors") {
  Tensor t = zeros({2, 3});
  CHECK_THROWS_WITH_AS(kernel::narrow(t, 1, 2, 2), doctest::Contains("narrow"), Error);
  CHECK_THROWS_WITH_AS(kernel::permute(t, {0, 0}), doctest::Contains("permute"), Error);
  CHECK_THROWS_WITH_AS(kernel::expand(t, {3, 3}), doctest::Contains("expand"), Error);
  CHECK_THROWS_WITH_AS(kernel::reshape(t, {4, -1}), doctest::Contains("invalid for 6"), Error);
  CHECK_THROWS_WITH_AS(Tensor().shape(), doctest::Contains("undefined"), Error);
  // Moving to CUDA fails, naming CUDA, only where there is no device; with one it works.
  if (cuda::device_count() == 0) {
    CHECK_THROWS_WITH_AS(kernel::to(t, Device::cuda()), doctest::Contains("CUDA"), Error);
  } else {
    const Tensor on_gpu = kernel::to(t, Device::cuda());
    CHECK(on_gpu.device().is_cuda());
    CHECK(to_vector<float>(kernel::to(on_gpu, Device::cpu())) == to_vector<float>(t));
  }
}
