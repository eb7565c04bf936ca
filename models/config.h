// What a Dinomaly model is made of: the encoder's architecture and the reference's choices
// (docs/reference.md §0, §1), plus the paper's ablation switches, all off the default path.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nlohmann/json_fwd.hpp"

namespace dn::models {

// A DINOv2 ViT with register tokens (patch 14).
struct EncoderConfig {
  std::string name = "vitb14";
  int64_t dim = 768, depth = 12, heads = 12;
  int64_t patch = 14, registers = 4;
  int64_t pos_grid = 37;          // pos_embed holds 1 + 37·37 entries (trained at 518 px)
  double mlp_ratio = 4.0;
  double norm_eps = 1e-6;
  double interpolate_offset = 0.1;  // Dinomaly's legacy position-embedding interpolation
};

// vits14, vitb14, vitl14, or one of the small test configurations (test-tiny, test-small).
// Throws dn::Error listing the known names.
EncoderConfig encoder_config(const std::string& name);
std::vector<std::string> encoder_names();

enum class Grouping { two_groups, one_group, dense };
enum class LossKind { hard_mining, global_cosine };
enum class AttentionChoice { linear, softmax };

struct DinomalyConfig {
  EncoderConfig encoder;
  std::vector<int64_t> target_layers{2, 3, 4, 5, 6, 7, 8, 9};
  // Indices into the target-layer outputs (encoder) and into the REVERSED decoder outputs.
  std::vector<std::vector<int64_t>> fuse_encoder{{0, 1, 2, 3}, {4, 5, 6, 7}};
  std::vector<std::vector<int64_t>> fuse_decoder{{0, 1, 2, 3}, {4, 5, 6, 7}};
  int64_t decoder_depth = 8;
  double bottleneck_dropout = 0.2;
  double decoder_norm_eps = 1e-8;
  AttentionChoice attention = AttentionChoice::linear;
  double linear_attention_eps = 0.0;  // the reference has none; the README suggests 1e-6
  Grouping grouping = Grouping::two_groups;
  LossKind loss = LossKind::hard_mining;
  int64_t resize = 448, crop = 392;

  // The groups the chosen grouping implies (two_groups: the fields above).
  std::vector<std::vector<int64_t>> encoder_groups() const;
  std::vector<std::vector<int64_t>> decoder_groups() const;
  // Throws dn::Error before any work when something does not fit (crop not a multiple of
  // the patch, crop larger than resize, target layers past the encoder's depth, ...).
  void validate() const;
};

// The paper's default for an encoder: target layers 2..9 (ViT-S/B) or 4,6,...,18 (ViT-L).
DinomalyConfig default_config(const std::string& encoder_name);

nlohmann::json to_json(const DinomalyConfig& c);
DinomalyConfig config_from_json(const nlohmann::json& j);  // throws dn::Error on bad fields

}  // namespace dn::models
