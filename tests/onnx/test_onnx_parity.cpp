// The exported ONNX graph against the native model, run in ONNX Runtime (CPU provider):
// the map and the score on real images (the magnetic-tile set) and synthetic ones must
// agree to 1e-4 relative (max |a - b| / max |b|; NaN fails), at the test-tiny size and at
// ViT-S 224, with random weights (the numerics do not depend on training). The export app
// is checked the same way on a trained run, against inspect's dump.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "apps/lib/scoring.h"
#include "apps/lib/weights.h"
#include "data/image.h"
#include "export/onnx_export.h"
#include "tensor/io/safetensors.h"
#include "tensor/ops.h"
#include "tests/apps/app_runner.h"
#include "tests/onnx/ort_runner.h"
#include "tests/onnx/tiny_run.h"

using namespace dn;
using namespace dn::test;

namespace {

constexpr double kTolerance = 1e-4;

// A Dinomaly with random weights: the encoder explicitly randomised, the rest initialised.
struct RandomModel {
  Generator dropout{1};
  std::unique_ptr<models::Dinomaly> model;
  RandomModel(const std::string& encoder, int64_t resize, int64_t crop) {
    models::DinomalyConfig c = models::default_config(encoder);
    c.resize = resize;
    c.crop = crop;
    model = std::make_unique<models::Dinomaly>(c, &dropout);
    app::randomize_encoder_weights(*model->encoder, 7);
    Generator init(8);
    model->init_trainable(init);
    model->eval();
  }
};

std::string magnetic_tile(const std::string& rel) {
  return std::string(std::getenv("DN_SHARED_DATA")) + "/magnetic_tile/" + rel;
}

// Test images of the magnetic-tile set, preprocessed as every app does: [n, 3, crop, crop].
Tensor real_images(const std::vector<std::string>& files, int64_t resize, int64_t crop) {
  data::Preprocess pre;
  pre.resize = int(resize);
  pre.crop = int(crop);
  std::vector<Tensor> list;
  for (const std::string& f : files)
    list.push_back(kernel::unsqueeze(data::image_to_tensor(data::read_image(magnetic_tile(f), 3), pre), 0));
  return kernel::cat(list, 0);
}

// Random images, about the range of normalised ones.
Tensor synthetic_images(int64_t n, int64_t crop, uint64_t seed) {
  Generator gen(seed);
  return kernel::normal({n, 3, crop, crop}, 0, 1, gen);
}

// Exports the model, runs it in ONNX Runtime and compares with the native map and score.
void check_parity(models::Dinomaly& model, const Tensor& images, const std::string& name) {
  const std::string dir = temp_dir("onnx_" + name);
  const std::string path = dir + "/model.onnx";
  onnx_export::write_model(onnx_export::build_model(model, images.size(-1), {}), path);
  const app::Scored native = app::score_batch(model, images);
  const OrtOutputs ort = run_onnx_runtime(path, images, dir);
  const double map_err = relative_error(ort.map, native.maps), score_err = relative_error(ort.score, native.scores);
  CAPTURE(name);
  CAPTURE(map_err);
  CAPTURE(score_err);
  CHECK(map_err <= kTolerance);
  CHECK(score_err <= kTolerance);
  MESSAGE(name, ": map relative error ", map_err, ", score ", score_err);
}

const std::vector<std::string> kTiles = {"test/blowhole/exp1_num_108719.jpg", "test/crack/exp1_num_249594.jpg",
                                         "train/good/exp0_num_743.jpg"};

}  // namespace

TEST_CASE("test-tiny at crop 70: synthetic images (the map is upsampled to 256)") {
  RandomModel m("test-tiny", 84, 70);
  check_parity(*m.model, synthetic_images(3, 70, 1), "tiny_synthetic");
}

TEST_CASE("test-tiny at 448/392: magnetic-tile images, one of them alone (batch 1)") {
  RandomModel m("test-tiny", 448, 392);
  const Tensor images = real_images(kTiles, 448, 392);
  check_parity(*m.model, images, "tiny_tiles");
  check_parity(*m.model, kernel::narrow(images, 0, 1, 1), "tiny_one_tile");
}

TEST_CASE("ViT-S at 224 (random encoder): a magnetic-tile image and a synthetic one") {
  RandomModel m("vits14", 256, 224);
  const Tensor images = kernel::cat({real_images({kTiles[0]}, 256, 224), synthetic_images(1, 224, 2)}, 0);
  check_parity(*m.model, images, "vits_224");
}

TEST_CASE("the export app on a trained run against inspect's dump of two magnetic-tile images") {
  const std::string dir = temp_dir("onnx_app");
  Run e = run_app("export", {"--run", tiny_run(), "--out", dir + "/model.onnx"});
  REQUIRE_MESSAGE(e.code == 0, e.err);
  Run i = run_app("inspect", {"--run", tiny_run(), "--out", dir + "/inspect.safetensors", "--threads", "2",
                              magnetic_tile(kTiles[0]), magnetic_tile(kTiles[1])});
  REQUIRE_MESSAGE(i.code == 0, i.err);
  const io::TensorMap dump = io::to_map(io::read_safetensors(dir + "/inspect.safetensors", io::ReadMode::copy).tensors,
                                        "inspect.safetensors");
  const OrtOutputs ort = run_onnx_runtime(dir + "/model.onnx", dump.at("input"), dir);
  const double map_err = relative_error(ort.map, dump.at("map")), score_err = relative_error(ort.score, dump.at("score"));
  CAPTURE(map_err);
  CAPTURE(score_err);
  CHECK(map_err <= kTolerance);
  CHECK(score_err <= kTolerance);
  MESSAGE("export app: map relative error ", map_err, ", score ", score_err);
}
