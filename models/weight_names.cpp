#include "models/weight_names.h"

#include <algorithm>
#include <set>
#include <vector>

#include "tensor/ops.h"

namespace dn::models {

namespace {

// Names that map one to one: {original, HF}. Per-block names are relative to the block.
struct Rename {
  const char* original;
  const char* hf;
};
constexpr Rename kTopLevel[] = {
    {"cls_token", "embeddings.cls_token"},
    {"register_tokens", "embeddings.register_tokens"},
    {"mask_token", "embeddings.mask_token"},
    {"pos_embed", "embeddings.position_embeddings"},
    {"patch_embed.proj.weight", "embeddings.patch_embeddings.projection.weight"},
    {"patch_embed.proj.bias", "embeddings.patch_embeddings.projection.bias"},
    {"norm.weight", "layernorm.weight"},
    {"norm.bias", "layernorm.bias"},
};
constexpr Rename kPerBlock[] = {
    {"norm1.weight", "norm1.weight"},
    {"norm1.bias", "norm1.bias"},
    {"attn.proj.weight", "attention.output.dense.weight"},
    {"attn.proj.bias", "attention.output.dense.bias"},
    {"ls1.gamma", "layer_scale1.lambda1"},
    {"norm2.weight", "norm2.weight"},
    {"norm2.bias", "norm2.bias"},
    {"mlp.fc1.weight", "mlp.fc1.weight"},
    {"mlp.fc1.bias", "mlp.fc1.bias"},
    {"mlp.fc2.weight", "mlp.fc2.weight"},
    {"mlp.fc2.bias", "mlp.fc2.bias"},
    {"ls2.gamma", "layer_scale2.lambda1"},
};
constexpr const char* kQkvParts[] = {"query", "key", "value"};  // in the fused order
constexpr const char* kQkvSuffixes[] = {"weight", "bias"};

std::string original_block(int64_t i) { return "blocks." + std::to_string(i) + "."; }
std::string hf_block(int64_t i) { return "encoder.layer." + std::to_string(i) + "."; }
std::string hf_qkv(int64_t i, const char* part, const char* suffix) {
  return hf_block(i) + "attention.attention." + part + "." + suffix;
}

// The number of blocks: one more than the largest index in "<prefix><index>." names.
int64_t count_blocks(const TensorMap& weights, const std::string& prefix) {
  int64_t count = 0;
  for (const auto& [name, tensor] : weights) {
    if (name.rfind(prefix, 0) != 0) continue;
    size_t end = name.find('.', prefix.size());
    std::string digits = name.substr(prefix.size(), end - prefix.size());
    if (digits.empty() || digits.size() > 4 || digits.find_first_not_of("0123456789") != std::string::npos)
      continue;  // not a block index: reported as unexpected below
    count = std::max<int64_t>(count, std::stoll(digits) + 1);
  }
  return count;
}

// One error listing every missing and every unexpected name.
void check_names(const TensorMap& weights, const std::vector<std::string>& expected, const char* what) {
  std::set<std::string> wanted(expected.begin(), expected.end());
  std::vector<std::string> missing, unexpected;
  for (const std::string& name : expected)
    if (!weights.count(name)) missing.push_back(name);
  for (const auto& [name, tensor] : weights)
    if (!wanted.count(name)) unexpected.push_back(name);
  if (missing.empty() && unexpected.empty()) return;
  std::string message = std::string(what) + ": the weights are not a DINOv2 encoder in the expected naming";
  auto list = [&](const char* label, const std::vector<std::string>& names) {
    if (names.empty()) return;
    message += str("; ", names.size(), " ", label, ":");
    for (size_t i = 0; i < names.size() && i < 20; ++i) message += " " + names[i];
    if (names.size() > 20) message += str(" ... (", names.size() - 20, " more)");
  };
  list("missing", missing);
  list("unexpected", unexpected);
  fail(message);
}

}  // namespace

TensorMap dinov2_from_hf(const TensorMap& hf) {
  int64_t blocks = count_blocks(hf, "encoder.layer.");
  std::vector<std::string> expected;
  for (const Rename& r : kTopLevel) expected.push_back(r.hf);
  for (int64_t i = 0; i < blocks; ++i) {
    for (const Rename& r : kPerBlock) expected.push_back(hf_block(i) + r.hf);
    for (const char* part : kQkvParts)
      for (const char* suffix : kQkvSuffixes) expected.push_back(hf_qkv(i, part, suffix));
  }
  check_names(hf, expected, "dinov2_from_hf");

  TensorMap out;
  for (const Rename& r : kTopLevel) out[r.original] = hf.at(r.hf);
  for (int64_t i = 0; i < blocks; ++i) {
    for (const Rename& r : kPerBlock) out[original_block(i) + r.original] = hf.at(hf_block(i) + r.hf);
    for (const char* suffix : kQkvSuffixes) {
      std::vector<Tensor> parts;
      for (const char* part : kQkvParts) parts.push_back(hf.at(hf_qkv(i, part, suffix)));
      for (const Tensor& p : parts)
        DN_CHECK(p.shape() == parts[0].shape() && p.dtype() == parts[0].dtype() && p.dim() >= 1,
                 "dinov2_from_hf: block ", i, ": query, key and value ", suffix, "s differ: ",
                 parts[0].describe(), ", ", parts[1].describe(), ", ", parts[2].describe());
      out[original_block(i) + "attn.qkv." + suffix] = kernel::cat(parts, 0);
    }
  }
  return out;
}

TensorMap dinov2_to_hf(const TensorMap& original) {
  int64_t blocks = count_blocks(original, "blocks.");
  std::vector<std::string> expected;
  for (const Rename& r : kTopLevel) expected.push_back(r.original);
  for (int64_t i = 0; i < blocks; ++i) {
    for (const Rename& r : kPerBlock) expected.push_back(original_block(i) + r.original);
    for (const char* suffix : kQkvSuffixes) expected.push_back(original_block(i) + "attn.qkv." + suffix);
  }
  check_names(original, expected, "dinov2_to_hf");

  TensorMap out;
  for (const Rename& r : kTopLevel) out[r.hf] = original.at(r.original);
  for (int64_t i = 0; i < blocks; ++i) {
    for (const Rename& r : kPerBlock) out[hf_block(i) + r.hf] = original.at(original_block(i) + r.original);
    for (const char* suffix : kQkvSuffixes) {
      const Tensor& qkv = original.at(original_block(i) + "attn.qkv." + suffix);
      DN_CHECK(qkv.dim() >= 1 && qkv.size(0) % 3 == 0, "dinov2_to_hf: block ", i, ": attn.qkv.", suffix,
               " is ", qkv.describe(), ", whose first dimension does not split in three");
      int64_t rows = qkv.size(0) / 3;
      for (int64_t p = 0; p < 3; ++p) out[hf_qkv(i, kQkvParts[p], suffix)] = kernel::narrow(qkv, 0, p * rows, rows);
    }
  }
  return out;
}

}  // namespace dn::models
