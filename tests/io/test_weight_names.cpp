// The HuggingFace <-> original DINOv2 name mapping, checked against an independent
// conversion (tools/io/make_fixtures.py restates transformers' conversion script).
#include <doctest/doctest.h>

#include "models/weight_names.h"
#include "tensor/io/pth.h"
#include "tensor/io/safetensors.h"
#include "tests/io/helpers.h"

using namespace dn;
using namespace dn::io;
using namespace dn::models;

namespace {

TensorMap original_weights() {
  return to_map(read_pth(dn::test::io_fixture("tiny_dinov2.pth")).tensors, "tiny_dinov2.pth");
}
TensorMap hf_weights() {
  return to_map(read_safetensors(dn::test::io_fixture("tiny_dinov2_hf.safetensors")).tensors, "tiny_dinov2_hf");
}

void check_same(const TensorMap& got, const TensorMap& expected) {
  REQUIRE(got.size() == expected.size());
  for (const auto& entry : expected) {
    const std::string& name = entry.first;  // not a structured binding: INFO captures it
    const dn::Tensor& tensor = entry.second;
    INFO(name);
    REQUIRE(got.count(name));
    CHECK(got.at(name).shape() == tensor.shape());
    CHECK(to_vector<float>(got.at(name)) == to_vector<float>(tensor));
  }
}

}  // namespace

TEST_CASE("weight names: original -> HF matches the independent conversion") {
  TensorMap original = original_weights();
  CHECK(original.size() == 8 + 2 * 14);
  check_same(dinov2_to_hf(original), hf_weights());
}

TEST_CASE("weight names: HF -> original fuses query, key, value into qkv in that order") {
  TensorMap hf = hf_weights();
  CHECK(hf.size() == 8 + 2 * 18);
  TensorMap original = dinov2_from_hf(hf);
  check_same(original, original_weights());
  CHECK(original.at("blocks.1.attn.qkv.weight").shape() == Shape{24, 8});
  check_same(dinov2_from_hf(dinov2_to_hf(original)), original);
}

TEST_CASE("weight names: missing and unexpected names are listed in one error") {
  TensorMap hf = hf_weights();
  hf.erase("encoder.layer.1.attention.attention.key.bias");
  hf.erase("layernorm.weight");
  hf["classifier.weight"] = zeros({2, 8});
  try {
    dinov2_from_hf(hf);
    FAIL("expected an error");
  } catch (const dn::Error& e) {
    std::string message = e.what();
    CHECK(message.find("2 missing: layernorm.weight encoder.layer.1.attention.attention.key.bias") != std::string::npos);
    CHECK(message.find("1 unexpected: classifier.weight") != std::string::npos);
  }
  TensorMap original = original_weights();
  original["blocks.2.norm1.weight"] = zeros({8});  // a third block with only one tensor
  CHECK_THROWS_WITH_AS(dinov2_to_hf(original), doctest::Contains("13 missing: blocks.2.norm1.bias"), dn::Error);
}

TEST_CASE("weight names: shape faults in q/k/v and qkv are named") {
  TensorMap hf = hf_weights();
  hf["encoder.layer.0.attention.attention.value.weight"] = zeros({4, 8});
  CHECK_THROWS_WITH_AS(dinov2_from_hf(hf), doctest::Contains("block 0: query, key and value weights differ"),
                       dn::Error);
  TensorMap original = original_weights();
  original["blocks.0.attn.qkv.bias"] = zeros({10});
  CHECK_THROWS_WITH_AS(dinov2_to_hf(original), doctest::Contains("does not split in three"), dn::Error);
}
