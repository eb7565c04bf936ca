#include "models/config.h"

#include <nlohmann/json.hpp>

#include "tensor/error.h"

namespace dn::models {

namespace {
struct Preset {
  const char* name;
  int64_t dim, depth, heads, pos_grid;
};
// The three DINOv2 sizes, and small configurations for tests and the demo (random weights).
const Preset kPresets[] = {
    {"vits14", 384, 12, 6, 37},
    {"vitb14", 768, 12, 12, 37},
    {"vitl14", 1024, 24, 16, 37},
    {"test-tiny", 32, 4, 2, 4},
    {"test-small", 96, 10, 3, 16},
};
}  // namespace

EncoderConfig encoder_config(const std::string& name) {
  for (const Preset& p : kPresets)
    if (name == p.name) {
      EncoderConfig c;
      c.name = p.name;
      c.dim = p.dim;
      c.depth = p.depth;
      c.heads = p.heads;
      c.pos_grid = p.pos_grid;
      return c;
    }
  std::string known;
  for (const std::string& n : encoder_names()) known += (known.empty() ? "" : ", ") + n;
  fail("encoder: unknown configuration '", name, "' (known: ", known, ")");
}

std::vector<std::string> encoder_names() {
  std::vector<std::string> out;
  for (const Preset& p : kPresets) out.push_back(p.name);
  return out;
}

DinomalyConfig default_config(const std::string& encoder_name) {
  DinomalyConfig c;
  c.encoder = encoder_config(encoder_name);
  if (encoder_name == "vitl14") {
    c.target_layers = {4, 6, 8, 10, 12, 14, 16, 18};
  } else if (encoder_name == "test-tiny") {
    c.target_layers = {0, 1, 2, 3};
    c.fuse_encoder = c.fuse_decoder = {{0, 1}, {2, 3}};
    c.decoder_depth = 4;
  }
  return c;
}

std::vector<std::vector<int64_t>> DinomalyConfig::encoder_groups() const {
  const int64_t n = int64_t(target_layers.size());
  if (grouping == Grouping::two_groups) return fuse_encoder;
  std::vector<std::vector<int64_t>> g;
  if (grouping == Grouping::one_group) {
    g.emplace_back();
    for (int64_t i = 0; i < n; ++i) g[0].push_back(i);
  } else {
    for (int64_t i = 0; i < n; ++i) g.push_back({i});
  }
  return g;
}

std::vector<std::vector<int64_t>> DinomalyConfig::decoder_groups() const {
  if (grouping == Grouping::two_groups) return fuse_decoder;
  std::vector<std::vector<int64_t>> g;
  if (grouping == Grouping::one_group) {
    g.emplace_back();
    for (int64_t i = 0; i < decoder_depth; ++i) g[0].push_back(i);
  } else {
    for (int64_t i = 0; i < decoder_depth; ++i) g.push_back({i});
  }
  return g;
}

void DinomalyConfig::validate() const {
  const EncoderConfig& e = encoder;
  DN_CHECK(crop % e.patch == 0, "config: crop ", crop, " is not a multiple of the patch size ",
           e.patch);
  DN_CHECK(crop > 0 && crop <= resize, "config: crop ", crop, " must be positive and not larger "
           "than the resize ", resize);
  DN_CHECK(!target_layers.empty(), "config: no target layers");
  for (size_t i = 0; i < target_layers.size(); ++i) {
    DN_CHECK(target_layers[i] >= 0 && target_layers[i] < e.depth, "config: target layer ",
             target_layers[i], " does not exist in ", e.name, " (", e.depth, " blocks)");
    DN_CHECK(i == 0 || target_layers[i] > target_layers[i - 1], "config: target layers must increase");
  }
  DN_CHECK(decoder_depth > 0, "config: the decoder needs at least one block");
  DN_CHECK(bottleneck_dropout >= 0 && bottleneck_dropout < 1, "config: dropout ",
           bottleneck_dropout, " is not in [0, 1)");
  auto eg = encoder_groups(), dg = decoder_groups();
  DN_CHECK(eg.size() == dg.size() && !eg.empty(), "config: ", eg.size(), " encoder groups but ",
           dg.size(), " decoder groups");
  for (const auto& g : eg)
    for (int64_t i : g)
      DN_CHECK(i >= 0 && i < int64_t(target_layers.size()), "config: encoder group index ", i,
               " past the ", target_layers.size(), " target layers");
  for (const auto& g : dg)
    for (int64_t i : g)
      DN_CHECK(i >= 0 && i < decoder_depth, "config: decoder group index ", i, " past the ",
               decoder_depth, " decoder blocks");
}

namespace {
const char* grouping_name(Grouping g) {
  return g == Grouping::two_groups ? "two" : g == Grouping::one_group ? "one" : "dense";
}
}  // namespace

nlohmann::json to_json(const DinomalyConfig& c) {
  return {
      {"encoder", c.encoder.name},
      {"target_layers", c.target_layers},
      {"fuse_encoder", c.fuse_encoder},
      {"fuse_decoder", c.fuse_decoder},
      {"decoder_depth", c.decoder_depth},
      {"bottleneck_dropout", c.bottleneck_dropout},
      {"decoder_norm_eps", c.decoder_norm_eps},
      {"attention", c.attention == AttentionChoice::linear ? "linear" : "softmax"},
      {"linear_attention_eps", c.linear_attention_eps},
      {"grouping", grouping_name(c.grouping)},
      {"loss", c.loss == LossKind::hard_mining ? "hard_mining" : "global_cosine"},
      {"resize", c.resize},
      {"crop", c.crop},
  };
}

DinomalyConfig config_from_json(const nlohmann::json& j) {
  try {
    DinomalyConfig c = default_config(j.at("encoder").get<std::string>());
    c.target_layers = j.at("target_layers").get<std::vector<int64_t>>();
    c.fuse_encoder = j.at("fuse_encoder").get<std::vector<std::vector<int64_t>>>();
    c.fuse_decoder = j.at("fuse_decoder").get<std::vector<std::vector<int64_t>>>();
    c.decoder_depth = j.at("decoder_depth").get<int64_t>();
    c.bottleneck_dropout = j.at("bottleneck_dropout").get<double>();
    c.decoder_norm_eps = j.at("decoder_norm_eps").get<double>();
    const std::string att = j.at("attention").get<std::string>();
    DN_CHECK(att == "linear" || att == "softmax", "config: attention must be linear or softmax, got ", att);
    c.attention = att == "linear" ? AttentionChoice::linear : AttentionChoice::softmax;
    c.linear_attention_eps = j.at("linear_attention_eps").get<double>();
    const std::string g = j.at("grouping").get<std::string>();
    DN_CHECK(g == "two" || g == "one" || g == "dense", "config: grouping must be two, one or dense, got ", g);
    c.grouping = g == "two" ? Grouping::two_groups : g == "one" ? Grouping::one_group : Grouping::dense;
    const std::string loss = j.at("loss").get<std::string>();
    DN_CHECK(loss == "hard_mining" || loss == "global_cosine", "config: loss must be hard_mining or global_cosine, got ", loss);
    c.loss = loss == "hard_mining" ? LossKind::hard_mining : LossKind::global_cosine;
    c.resize = j.at("resize").get<int64_t>();
    c.crop = j.at("crop").get<int64_t>();
    c.validate();
    return c;
  } catch (const nlohmann::json::exception& e) {
    fail("config: ", e.what());
  }
}

}  // namespace dn::models
