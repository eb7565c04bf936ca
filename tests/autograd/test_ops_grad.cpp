// Every differentiable op against float64 central differences: odd and even sizes
// (31, 32, 33), broadcast operands and non-contiguous inputs. A final check walks the op
// registry after all cases and fails for any op with a backward that no gradient check
// reached.
#include <doctest/doctest.h>

#include "tests/support/final_check.h"
#include "tests/support/gradcheck.h"

using namespace dn;
using dn::test::gradcheck;
using dn::test::randn64;
using dn::test::transposed_leaf;
using dn::test::uniform64;
using Ts = std::vector<Tensor>;

#define CHECK_GRAD(fn, ...) CHECK(gradcheck(fn, __VA_ARGS__) == "")

TEST_CASE("add, sub, mul, div with broadcasting") {
  Tensor a = randn64({3, 31}, 1), b = randn64({31}, 2), c = randn64({3, 1}, 3);
  CHECK_GRAD([](const Ts& t) { return t[0] + t[1]; }, {a, b});
  CHECK_GRAD([](const Ts& t) { return t[0] - t[1]; }, {a, c});
  CHECK_GRAD([](const Ts& t) { return t[0] * t[1]; }, {a, c});
  Tensor d = uniform64({33}, 0.5, 2.0, 4);
  CHECK_GRAD([](const Ts& t) { return t[0] / t[1]; }, {randn64({2, 33}, 5), d});
  // the same tensor on both sides: gradients from both uses add up
  CHECK_GRAD([](const Ts& t) { return t[0] * t[0]; }, {randn64({32}, 6)});
}

TEST_CASE("scalar arithmetic and neg") {
  Tensor a = randn64({4, 33}, 7);
  CHECK_GRAD([](const Ts& t) { return t[0] * 3.0 + 1.5; }, {a});
  CHECK_GRAD([](const Ts& t) { return -t[0]; }, {a});
  CHECK_GRAD([](const Ts& t) { return 2.0 - t[0] / 4.0; }, {a});
}

TEST_CASE("elementwise functions") {
  Tensor x = randn64({3, 32}, 8);
  Tensor pos = uniform64({31}, 0.2, 3.0, 9);
  CHECK_GRAD([](const Ts& t) { return exp(t[0]); }, {x});
  CHECK_GRAD([](const Ts& t) { return log(t[0]); }, {pos});
  CHECK_GRAD([](const Ts& t) { return sqrt(t[0]); }, {pos});
  CHECK_GRAD([](const Ts& t) { return pow(t[0], 2.5); }, {pos});
  CHECK_GRAD([](const Ts& t) { return pow(t[0], 3.0); }, {x});
  CHECK_GRAD([](const Ts& t) { return abs(t[0]); }, {x});
  CHECK_GRAD([](const Ts& t) { return elu(t[0]); }, {x});
  CHECK_GRAD([](const Ts& t) { return elu(t[0], 0.5); }, {x});
  CHECK_GRAD([](const Ts& t) { return gelu(t[0]); }, {x});
  CHECK_GRAD([](const Ts& t) { return clamp_min(t[0], 0.1); }, {x});
}

TEST_CASE("elementwise on a non-contiguous input") {
  Tensor x = transposed_leaf({31, 33}, 10);
  REQUIRE(!x.is_contiguous());
  CHECK_GRAD([](const Ts& t) { return gelu(t[0]) * t[0]; }, {x});
  CHECK_GRAD([](const Ts& t) { return t[0] + t[1]; }, {x, randn64({33}, 11)});
}

TEST_CASE("sum, mean, max over dims") {
  Tensor x = randn64({3, 31, 4}, 12);
  CHECK_GRAD([](const Ts& t) { return sum(t[0]); }, {x});
  CHECK_GRAD([](const Ts& t) { return sum(t[0], {1}); }, {x});
  CHECK_GRAD([](const Ts& t) { return sum(t[0], {0, 2}, true); }, {x});
  CHECK_GRAD([](const Ts& t) { return mean(t[0], {-1}); }, {x});
  CHECK_GRAD([](const Ts& t) { return mean(t[0], {0, 1}, true); }, {x});
  CHECK_GRAD([](const Ts& t) { return max(t[0], {1}); }, {x});
  CHECK_GRAD([](const Ts& t) { return max(t[0]); }, {x});
  CHECK_GRAD([](const Ts& t) { return sum(t[0], {0}); }, {transposed_leaf({32, 33}, 13)});
}

TEST_CASE("mean_of a list of tensors") {
  CHECK_GRAD([](const Ts& t) { return mean_of({t[0], t[1], t[2]}); },
             {randn64({3, 31}, 67), randn64({3, 31}, 68), transposed_leaf({3, 31}, 69)});
  // the same tensor twice: both shares of the gradient reach it
  CHECK_GRAD([](const Ts& t) { return mean_of({t[0], t[1], t[0]}); }, {randn64({33}, 70), randn64({33}, 71)});
}

TEST_CASE("max shares the gradient among ties") {
  Tensor x = from_vector<double>({1, 3, 3, 2}, {4});
  x.set_requires_grad(true);
  Tensor m = max(x);
  backward(m);
  CHECK(to_vector<double>(x.grad()) == std::vector<double>{0, 0.5, 0.5, 0});
}

TEST_CASE("matmul: plain, batched, broadcast batch, transposed operands") {
  CHECK_GRAD([](const Ts& t) { return matmul(t[0], t[1]); }, {randn64({31, 32}, 14), randn64({32, 33}, 15)});
  CHECK_GRAD([](const Ts& t) { return matmul(t[0], t[1]); }, {randn64({2, 5, 7}, 16), randn64({2, 7, 3}, 17)});
  CHECK_GRAD([](const Ts& t) { return matmul(t[0], t[1]); }, {randn64({2, 3, 5, 7}, 18), randn64({7, 4}, 19)});
  CHECK_GRAD([](const Ts& t) { return matmul(t[0], t[1]); }, {randn64({3, 1, 5, 7}, 20), randn64({4, 7, 2}, 21)});
  CHECK_GRAD([](const Ts& t) { return matmul(t[0], t[1]); }, {transposed_leaf({31, 33}, 22), transposed_leaf({33, 32}, 23)});
  CHECK_GRAD([](const Ts& t) { return matmul(t[0], transpose(t[1], 0, 1)); }, {randn64({5, 6}, 24), randn64({7, 6}, 25)});
}

TEST_CASE("linear with and without bias") {
  Tensor x = randn64({2, 5, 31}, 26), w = randn64({33, 31}, 27), b = randn64({33}, 28);
  CHECK_GRAD([](const Ts& t) { return linear(t[0], t[1], t[2]); }, {x, w, b});
  CHECK_GRAD([](const Ts& t) { return linear(t[0], t[1], Tensor()); }, {x, w});
  CHECK_GRAD([](const Ts& t) { return linear(t[0], t[1], t[2]); }, {transposed_leaf({4, 31}, 29), w, b});
}

TEST_CASE("linear_gelu (fused bias and GELU) with and without bias") {
  Tensor x = randn64({2, 5, 31}, 63), w = randn64({33, 31}, 64), b = randn64({33}, 65);
  CHECK_GRAD([](const Ts& t) { return linear_gelu(t[0], t[1], t[2]); }, {x, w, b});
  CHECK_GRAD([](const Ts& t) { return linear_gelu(t[0], t[1], Tensor()); }, {x, w});
  CHECK_GRAD([](const Ts& t) { return linear_gelu(t[0], t[1], t[2]); }, {transposed_leaf({4, 31}, 66), w, b});
}

TEST_CASE("softmax over any dim") {
  Tensor x = randn64({3, 31, 4}, 30);
  CHECK_GRAD([](const Ts& t) { return softmax(t[0], -1); }, {x});
  CHECK_GRAD([](const Ts& t) { return softmax(t[0], 1); }, {x});
  CHECK_GRAD([](const Ts& t) { return softmax(t[0], 0); }, {transposed_leaf({32, 33}, 31)});
}

TEST_CASE("layer_norm with weight and bias, without, and tiny eps") {
  Tensor x = randn64({4, 33}, 32), w = randn64({33}, 33), b = randn64({33}, 34);
  CHECK_GRAD([](const Ts& t) { return layer_norm(t[0], t[1], t[2], 1e-6); }, {x, w, b});
  CHECK_GRAD([](const Ts& t) { return layer_norm(t[0], Tensor(), Tensor(), 1e-5); }, {x});
  CHECK_GRAD([](const Ts& t) { return layer_norm(t[0], t[1], t[2], 1e-8); }, {transposed_leaf({31, 32}, 35), randn64({32}, 36), randn64({32}, 37)});
}

TEST_CASE("dropout: the gradient uses the same mask as the forward") {
  Tensor x = randn64({3, 32}, 38);
  // The same seed each call, so the finite differences see the same mask.
  CHECK_GRAD([](const Ts& t) { Generator g(5); return dropout(t[0], 0.3, true, g); }, {x});
}

TEST_CASE("cosine_similarity along a dim, with broadcast and with a clamped norm") {
  Tensor a = randn64({2, 31, 3}, 39), b = randn64({2, 31, 3}, 40);
  CHECK_GRAD([](const Ts& t) { return cosine_similarity(t[0], t[1], 1, 1e-8); }, {a, b});
  CHECK_GRAD([](const Ts& t) { return cosine_similarity(t[0], t[1], -1, 1e-8); }, {a, randn64({3}, 41)});
  Tensor tiny = uniform64({2, 4}, -1e-4, 1e-4, 42);  // norm below eps: the clamp is active
  CHECK_GRAD([](const Ts& t) { return cosine_similarity(t[0], t[1], 1, 0.01); }, {tiny, randn64({2, 4}, 43)});
}

TEST_CASE("fused attention on the packed qkv: linear (with and without eps) and softmax") {
  // B 2, N 7 tokens, D 6 in 2 heads of 3; and a single image with 3 heads of 2
  Tensor qkv = randn64({2, 7, 18}, 60), one = randn64({1, 5, 18}, 61);
  CHECK_GRAD([](const Ts& t) { return linear_attention(t[0], 2); }, {qkv});
  CHECK_GRAD([](const Ts& t) { return linear_attention(t[0], 3, 1e-6); }, {one});
  CHECK_GRAD([](const Ts& t) { return softmax_attention(t[0], 2); }, {qkv});
  CHECK_GRAD([](const Ts& t) { return softmax_attention(t[0], 3); }, {one});
  // a qkv that is a view (not contiguous) is read as it is
  CHECK_GRAD([](const Ts& t) { return linear_attention(transpose(t[0], 0, 1), 2); },
             {randn64({7, 2, 18}, 62)});
}

TEST_CASE("shape ops: reshape, permute, transpose, narrow, expand, squeeze, unsqueeze") {
  Tensor x = randn64({2, 3, 31}, 44);
  CHECK_GRAD([](const Ts& t) { return reshape(t[0], {6, 31}) * 2.0; }, {x});
  CHECK_GRAD([](const Ts& t) { return permute(t[0], {2, 0, 1}) * 2.0; }, {x});
  CHECK_GRAD([](const Ts& t) { return transpose(t[0], 0, 2) * 2.0; }, {x});
  CHECK_GRAD([](const Ts& t) { return narrow(t[0], 2, 5, 20) * 2.0; }, {x});
  CHECK_GRAD([](const Ts& t) { return expand(t[0], {4, 3, 31}) * 2.0; }, {randn64({3, 1}, 45)});
  CHECK_GRAD([](const Ts& t) { return unsqueeze(squeeze(t[0], 1), 0) * 2.0; }, {randn64({5, 1, 3}, 46)});
  CHECK_GRAD([](const Ts& t) { return contiguous(t[0]) * 2.0; }, {transposed_leaf({31, 32}, 47)});
  CHECK_GRAD([](const Ts& t) { return flatten(t[0], 1) * 2.0; }, {x});
  CHECK_GRAD([](const Ts& t) { return reshape(t[0], {-1}) * 2.0; }, {transposed_leaf({3, 5}, 48)});
}

TEST_CASE("to_dtype, cat, stack, index_select") {
  // Through float32 the differences see its rounding, about 6e-8·|x| per value: a large h
  // (the function is linear, so h costs nothing) keeps that near 1e-6 of the gradient.
  CHECK_GRAD([](const Ts& t) { return to(to(t[0], DType::f32), DType::f64) * 2.0; }, {randn64({5}, 49)},
             dn::test::GradcheckOptions{.h = 1e-2, .tolerance = 2e-5});
  Tensor a = randn64({2, 3}, 50), b = randn64({2, 5}, 51);
  CHECK_GRAD([](const Ts& t) { return cat({t[0], t[1], t[0]}, 1); }, {a, b});
  CHECK_GRAD([](const Ts& t) { return stack({t[0], t[1]}, 1); }, {a, randn64({2, 3}, 52)});
  Tensor idx = from_vector<int64_t>({4, 0, 2, 2}, {4});
  CHECK_GRAD([idx](const Ts& t) { return index_select(t[0], 1, idx); }, {randn64({3, 5}, 53)});
}

TEST_CASE("where and masked_scale") {
  Tensor a = randn64({3, 31}, 54), b = randn64({31}, 55);
  Tensor cond = compare(CompareOp::gt, detach(a), 0.0);
  CHECK_GRAD([cond](const Ts& t) { return where(cond, t[0], t[1]); }, {a, b});
  CHECK_GRAD([cond](const Ts& t) { return masked_scale(t[0], cond, 0.1); }, {a});
}

TEST_CASE("interpolate: bilinear both alignments, bicubic with a scale factor, nearest") {
  Tensor x = randn64({1, 2, 5, 7}, 56);
  CHECK_GRAD([](const Ts& t) {
    InterpolateOptions o{ResampleMode::bilinear, 11, 9, {}, {}, true};
    return interpolate(t[0], o);
  }, {x});
  CHECK_GRAD([](const Ts& t) {
    InterpolateOptions o{ResampleMode::bilinear, 3, 4, {}, {}, false};
    return interpolate(t[0], o);
  }, {x});
  CHECK_GRAD([](const Ts& t) {
    InterpolateOptions o{ResampleMode::bicubic, 0, 0, 28.1 / 37, 28.1 / 37, false};
    return interpolate(t[0], o);
  }, {randn64({1, 2, 37, 37}, 57)}, dn::test::GradcheckOptions{.seed = 99});
  CHECK_GRAD([](const Ts& t) {
    InterpolateOptions o{ResampleMode::nearest, 8, 3, {}, {}, false};
    return interpolate(t[0], o);
  }, {x});
}

TEST_CASE("conv2d: patch embedding (stride = kernel) and padded 5x5") {
  Tensor x = randn64({2, 3, 8, 12}, 58), w = randn64({5, 3, 4, 4}, 59), b = randn64({5}, 60);
  CHECK_GRAD([](const Ts& t) { return conv2d(t[0], t[1], t[2], 4, 0); }, {x, w, b});
  Tensor img = randn64({2, 1, 9, 7}, 61), k = randn64({1, 1, 5, 5}, 62);
  CHECK_GRAD([](const Ts& t) { return conv2d(t[0], t[1], Tensor(), 1, 2); }, {img, k});
}

// After every case of the suite, in whatever order they ran: each op of the registry either
// passed some gradient check or says why it has no backward.
static const dn::test::FinalCheckRegistrar registry_coverage(
    "registry: every differentiable op passed a gradient check", [] {
      std::string missing;
      for (const OpInfo& info : all_ops()) {
        if (info.differentiable && dn::test::ops_seen().count(info.name) == 0)
          missing += std::string(missing.empty() ? "" : ", ") + info.name;
        if (!info.differentiable && std::string(info.no_grad_reason).empty())
          missing += std::string(missing.empty() ? "" : ", ") + info.name + " (no reason given)";
      }
      return missing.empty() ? std::string() : "not checked: " + missing;
    });
