// inspect: the internals of a model on some images, named as docs/architecture.md §4 fixes them,
// in one safetensors file (readable from PyTorch with safetensors.torch.load_file):
//
//   inspect --run runs/demo --out internals.safetensors a.png b.png
//   inspect --encoder vits14 --encoder-weights dinov2_vits14_reg4_pretrain.pth --out f.safetensors a.png
//
//   input [B,3,C,C]; encoder.<i> [B,T,D] per target layer i (raw block outputs, all tokens);
//   en.<g>, de.<g> [B,D,h,w] per group (eval mode); map [B,1,256,256]; score [B]
//
// --attention-maps writes, for the first image, one decoder layer and one query point, the
// softmax and the linear attention of that query side by side (the paper's Figure 3).
#include <cstdio>
#include <sstream>

#include "apps/lib/cli.h"
#include "apps/lib/load_run.h"
#include "apps/lib/scoring.h"
#include "data/image.h"
#include "eval/colormap.h"
#include "eval/draw.h"
#include "models/anomaly_map.h"
#include "tensor/io/safetensors.h"
#include "tensor/ops.h"

using namespace dn;
using namespace dn::app;

namespace {

// One panel: the image with the attention over the patch grid laid on it in jet colours.
data::Image attention_panel(const data::Image& crop, const std::vector<float>& weights, int64_t h, int64_t w,
                            int64_t qy, int64_t qx, const std::string& title) {
  const int side = std::max(crop.width, 256);
  float hi = 0;
  for (float v : weights) hi = std::max(hi, v);
  data::Image panel = eval::resize_rgb(crop, side, side);  // shown at least 256 px wide
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      const int64_t py = std::min<int64_t>(h - 1, y * h / side), px = std::min<int64_t>(w - 1, x * w / side);
      eval::blend_pixel(panel, x, y, eval::jet(hi > 0 ? weights[py * w + px] / hi : 0), 0.6f);
    }
  const int cy = int((qy + 0.5) * side / h), cx = int((qx + 0.5) * side / w);
  eval::draw_rect_outline(panel, cx - 4, cy - 4, 9, 9, {255, 255, 255});
  data::Image out = eval::blank_rgb(side, side + 14, {255, 255, 255});
  eval::paste(out, panel, 0, 14);
  eval::draw_text(out, 2, 3, title, {0, 0, 0});
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"inspect: dump a model's internals on images (safetensors), or draw attention maps"};
  CommonOptions common;
  add_common_options(app, common);
  std::string run_dir, encoder = "vitb14", encoder_weights, model_weights, out, query = "", attention_png;
  std::vector<std::string> images;
  int64_t resize = -1, crop = -1, layer = 0, head = 0;
  auto* run_opt = app.add_option("--run", run_dir, "run directory made by train");
  auto* enc_opt = app.add_option("--encoder", encoder, "without --run: encoder configuration");
  run_opt->excludes(enc_opt);
  app.add_option("--encoder-weights", encoder_weights, "without --run: encoder weights (.pth, HF safetensors, random)");
  app.add_option("--model-weights", model_weights, "without --run: a Dinomaly checkpoint for the bottleneck/decoder");
  app.add_option("--resize", resize, "resize side (default: the run's, else 448)");
  app.add_option("--crop", crop, "crop side (default: the run's, else 392)");
  app.add_option("--out", out, "output .safetensors file")->required();
  app.add_option("images", images, "image files")->required();
  app.add_option("--attention-maps", attention_png, "also write this PNG: softmax vs linear attention of a query");
  app.add_option("--layer", layer, "decoder layer for --attention-maps")->capture_default_str();
  app.add_option("--head", head, "attention head for --attention-maps")->capture_default_str();
  app.add_option("--query", query, "query patch 'row,col' for --attention-maps (default: the centre)");
  return run_app("inspect", app, argc, argv, [&]() -> int {
    const Device device = apply_common_options(common);
    LoadedRun run;
    if (!run_dir.empty()) {
      run = load_run(run_dir, device);
      DN_CHECK(!run.separate(), run_dir, ": a class-separated run; inspect one class's model with --run ",
               run_dir, "/<class>... is not supported: give --encoder/--model-weights instead");
      if (resize > 0 || crop > 0)
        DN_CHECK(resize == run.config.model.resize && crop == run.config.model.crop, "--resize/--crop differ "
                 "from the run's (", run.config.model.resize, "/", run.config.model.crop, ")");
    } else {
      DN_CHECK(!encoder_weights.empty(), "give --run RUN, or --encoder-weights FILE|random");
      models::DinomalyConfig cfg = models::default_config(encoder);
      cfg.resize = resize > 0 ? resize : 448;
      cfg.crop = crop > 0 ? crop : 392;
      cfg.validate();
      run = load_weights(cfg, encoder_weights, model_weights, common.seed, device);
    }
    models::Dinomaly& model = run.model_for("");
    const data::Preprocess pre = run.preprocess();
    std::vector<Tensor> inputs;
    for (const std::string& path : images) {
      data::Image img = data::read_image(path, 3);
      inputs.push_back(kernel::unsqueeze(data::image_to_tensor(img, pre), 0));
    }
    Tensor batch = kernel::to(kernel::cat(inputs, 0), device);

    NoGradGuard guard;
    model.eval();
    models::Features f = model.forward(batch);
    io::NamedTensors dump;
    auto cpu = [](const Tensor& t) { return kernel::contiguous(kernel::to(t, Device::cpu())); };
    dump.emplace_back("input", cpu(batch));
    for (size_t i = 0; i < f.encoder_layers.size(); ++i)
      dump.emplace_back("encoder." + std::to_string(model.config.target_layers[i]), cpu(f.encoder_layers[i]));
    for (size_t g = 0; g < f.en.size(); ++g) {
      dump.emplace_back("en." + std::to_string(g), cpu(f.en[g]));
      dump.emplace_back("de." + std::to_string(g), cpu(f.de[g]));
    }
    Tensor map = models::anomaly_map(f.en, f.de, batch.size(-1));
    dump.emplace_back("map", cpu(map));
    dump.emplace_back("score", cpu(models::image_scores(map)));
    io::write_safetensors(out, dump, {{"producer", "dinomaly.cpp inspect"}, {"encoder_weights", run.config.encoder_weights}});
    std::printf("inspect: %zu tensors of %zu image(s) in %s\n", dump.size(), images.size(), out.c_str());

    if (!attention_png.empty()) {
      const int64_t side = batch.size(-1), patch = model.config.encoder.patch, h = side / patch, w = side / patch;
      int64_t qy = h / 2, qx = w / 2;
      if (!query.empty()) {
        DN_CHECK(std::sscanf(query.c_str(), "%lld,%lld", (long long*)&qy, (long long*)&qx) == 2 && qy >= 0 &&
                     qy < h && qx >= 0 && qx < w,
                 "--query: expected row,col inside the ", h, "x", w, " patch grid, got '", query, "'");
      }
      nn::Block& blk = (*model.decoder)[size_t(layer)];
      DN_CHECK(head >= 0 && head < blk.attn->heads, "--head ", head, " out of range [0, ", blk.attn->heads, ")");
      Tensor x = blk.norm1->forward(model.decoder_input(kernel::narrow(batch, 0, 0, 1), layer));
      const int64_t skip = 1 + model.config.encoder.registers, q_token = skip + qy * w + qx;
      data::Image crop_img = crop_bytes(batch, 0, pre);
      std::vector<data::Image> panels;
      for (auto [kind, title] : {std::pair{nn::AttentionKind::softmax, "softmax attention"},
                                 std::pair{nn::AttentionKind::linear, "linear attention"}}) {
        Tensor a = blk.attn->attention_map(x, head, kind);  // [1, T, T]
        Tensor row = kernel::narrow(kernel::narrow(a, 1, q_token, 1), 2, skip, h * w);
        panels.push_back(attention_panel(crop_img, to_vector<float>(row), h, w, qy, qx, title));
      }
      data::Image sheet = eval::blank_rgb(panels[0].width * 2 + 10, panels[0].height, {255, 255, 255});
      eval::paste(sheet, panels[0], 0, 0);
      eval::paste(sheet, panels[1], panels[0].width + 10, 0);
      data::write_png(attention_png, sheet);
      std::printf("inspect: attention of query (%lld, %lld), decoder layer %lld, head %lld -> %s\n", (long long)qy,
                  (long long)qx, (long long)layer, (long long)head, attention_png.c_str());
    }
    return 0;
  });
}
