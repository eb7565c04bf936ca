// Modules: PyTorch's parameter names and order, loading, modes, and a float64 gradient
// check of each module as a whole (input and every parameter).
#include <doctest/doctest.h>

#include "nn/block.h"
#include "nn/init.h"
#include "tests/support/gradcheck.h"

using namespace dn;
using namespace dn::nn;
using dn::test::gradcheck;
using dn::test::randn64;

static const TensorOptions f64{DType::f64, Device::cpu()};

// Random float64 values in every parameter (so LayerNorm weights are not all 1, etc.).
static void randomize(Module& m, uint64_t seed) {
  NoGradGuard guard;
  Generator g(seed);
  for (auto& [name, p] : m.named_parameters())
    kernel::copy_(p, kernel::normal(p.shape(), 0.0, 0.5, g, p.dtype()));
}

// Checks d/d(input and all parameters) of a module's forward.
static std::string check_module(Module& m, const Tensor& x, const std::function<Tensor(const Tensor&)>& fwd) {
  std::vector<Tensor> inputs{x};
  for (const Tensor& p : m.parameters()) inputs.push_back(p);
  return gradcheck([&](const std::vector<Tensor>& t) { return fwd(t[0]); }, inputs);
}

static std::vector<std::string> names(const NamedTensors& nt) {
  std::vector<std::string> out;
  for (const auto& [n, t] : nt) out.push_back(n);
  return out;
}

TEST_CASE("Block parameter names and order follow PyTorch's state_dict") {
  BlockConfig c;
  c.dim = 8;
  c.heads = 2;
  Block b(c);
  CHECK(names(b.named_parameters()) ==
        std::vector<std::string>{"norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias",
                                 "attn.proj.weight", "attn.proj.bias", "ls1.gamma", "norm2.weight",
                                 "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight",
                                 "mlp.fc2.bias", "ls2.gamma"});
  c.layer_scale = false;
  Block d(c);
  CHECK(d.named_parameters().size() == 12);
  CHECK(d.attn->qkv->weight.shape() == Shape{24, 8});
  CHECK(d.mlp->fc1->weight.shape() == Shape{32, 8});
}

TEST_CASE("ModuleList names children 0, 1, ...; PatchEmbed's conv is proj") {
  ModuleList<Linear> list;
  list.push_back(std::make_shared<Linear>(2, 3));
  list.push_back(std::make_shared<Linear>(3, 4, false));
  CHECK(names(list.named_parameters()) == std::vector<std::string>{"0.weight", "0.bias", "1.weight"});
  PatchEmbed pe(14, 3, 8);
  CHECK(names(pe.named_parameters()) == std::vector<std::string>{"proj.weight", "proj.bias"});
  CHECK(pe.weight.shape() == Shape{8, 3, 14, 14});
}

TEST_CASE("init: trunc_normal Linear weights, zero biases, unit LayerNorm") {
  BlockConfig c;
  c.dim = 64;
  c.heads = 4;
  c.layer_scale = false;
  auto b = std::make_shared<Block>(c);
  Generator g(1);
  init_trunc_normal(*b, g);
  std::vector<float> w = to_vector<float>(b->mlp->fc1->weight);
  float lo = 1, hi = -1;
  for (float v : w) { lo = std::min(lo, v); hi = std::max(hi, v); }
  CHECK(lo >= -0.03f);
  CHECK(hi <= 0.03f);
  CHECK(hi > 0.02f);
  for (float v : to_vector<float>(b->mlp->fc1->bias)) CHECK(v == 0.0f);
  for (float v : to_vector<float>(b->norm1->weight)) CHECK(v == 1.0f);
}

TEST_CASE("load_state_dict: strict lists every problem in one error; non-strict loads what fits") {
  Linear a(3, 2), b(3, 2);
  randomize(a, 1);
  b.load_state_dict(a.state_dict());
  CHECK(to_vector<float>(b.weight) == to_vector<float>(a.weight));
  NamedTensors bad{{"weight", zeros({2, 4})}, {"extra", zeros({1})}};
  try {
    b.load_state_dict(bad, true, "ckpt.safetensors");
    FAIL("expected an error");
  } catch (const Error& e) {
    std::string msg = e.what();
    CHECK(msg.find("ckpt.safetensors") != std::string::npos);
    CHECK(msg.find("missing (1): bias") != std::string::npos);
    CHECK(msg.find("unexpected (1): extra") != std::string::npos);
    CHECK(msg.find("shape mismatch (1): weight (file [2, 4], model [2, 3])") != std::string::npos);
  }
  NamedTensors partial{{"bias", ones({2})}};
  CHECK(b.load_state_dict(partial, false) == 1);
  CHECK(to_vector<float>(b.bias) == std::vector<float>{1, 1});
}

TEST_CASE("train/eval switches dropout; freeze stops gradients") {
  Generator g(3);
  Dropout d(0.5, &g);
  Tensor x = ones({1000});
  Tensor y = d.forward(x);
  auto v = to_vector<float>(y);
  int zeros_seen = 0;
  for (float e : v) {
    CHECK((e == 0.0f || e == 2.0f));
    zeros_seen += e == 0.0f;
  }
  CHECK(zeros_seen > 400);
  CHECK(zeros_seen < 600);
  d.eval();
  CHECK(to_vector<float>(d.forward(x)) == to_vector<float>(x));
  Linear l(2, 2);
  l.freeze();
  CHECK(l.trainable_parameters().empty());
  CHECK(!l.forward(ones({1, 2})).requires_grad());
}

TEST_CASE("gradcheck: Linear, LayerNorm, Mlp, LayerScale, PatchEmbed") {
  Linear lin(7, 5, true, f64);
  randomize(lin, 1);
  CHECK(check_module(lin, randn64({3, 7}, 2), [&](const Tensor& x) { return lin.forward(x); }) == "");
  LayerNorm ln(9, 1e-6, f64);
  randomize(ln, 3);
  CHECK(check_module(ln, randn64({2, 3, 9}, 4), [&](const Tensor& x) { return ln.forward(x); }) == "");
  Mlp mlp(6, 10, 6, f64);
  randomize(mlp, 5);
  CHECK(check_module(mlp, randn64({4, 6}, 6), [&](const Tensor& x) { return mlp.forward(x); }) == "");
  LayerScale ls(6, 0.5, f64);
  CHECK(check_module(ls, randn64({4, 6}, 7), [&](const Tensor& x) { return ls.forward(x); }) == "");
  PatchEmbed pe(4, 3, 5, f64);
  randomize(pe, 8);
  CHECK(check_module(pe, randn64({2, 3, 8, 12}, 9), [&](const Tensor& x) { return pe.forward(x); }) == "");
}

TEST_CASE("gradcheck: softmax and linear attention, and blocks of both kinds") {
  for (AttentionKind kind : {AttentionKind::softmax, AttentionKind::linear}) {
    CAPTURE(int(kind));
    Attention at(8, 2, kind, true, 0.0, f64);
    randomize(at, 10);
    CHECK(check_module(at, randn64({2, 5, 8}, 11), [&](const Tensor& x) { return at.forward(x); }) == "");
    BlockConfig c;
    c.dim = 8;
    c.heads = 2;
    c.attention = kind;
    c.layer_scale = kind == AttentionKind::softmax;
    c.norm_eps = kind == AttentionKind::softmax ? 1e-6 : 1e-8;
    Block b(c, f64);
    randomize(b, 12);
    CHECK(check_module(b, randn64({2, 5, 8}, 13), [&](const Tensor& x) { return b.forward(x); }) == "");
  }
}

TEST_CASE("linear attention equals the row-normalised N×N form it avoids") {
  Tensor q = randn64({2, 7, 4}, 14, false), k = randn64({2, 7, 4}, 15, false), v = randn64({2, 7, 4}, 16, false);
  Tensor fast = linear_attention_heads(q, k, v);
  Tensor fq = add_scalar(elu(q), 1.0), fk = add_scalar(elu(k), 1.0);
  Tensor w = matmul(fq, transpose(fk, -2, -1));
  Tensor slow = matmul(div(w, sum(w, {-1}, true)), v);
  auto a = to_vector<double>(fast), b = to_vector<double>(slow);
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(1e-12));
}
