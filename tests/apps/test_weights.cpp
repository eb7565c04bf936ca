// The weight files users hold load into exactly the weights the parity test compares:
// tests/fixtures/models holds the tiny model's formula weights (tools/models/) as a DINOv2
// .pth written by torch.save, as HuggingFace safetensors (q/k/v split), and as a ViTill
// checkpoint; each must load, strictly, to the same values.
#include <doctest/doctest.h>

#include "apps/lib/load_run.h"
#include "apps/lib/weights.h"
#include "tensor/io/checkpoint.h"
#include "tests/support/formula.h"

using namespace dn;

namespace {
std::string fixture(const std::string& name) {
  const char* dir = std::getenv("DN_FIXTURES");
  if (!dir) fail("DN_FIXTURES is not set");
  return std::string(dir) + "/models/" + name;
}

void expect_formula(const nn::Module& m, const std::string& prefix) {
  for (const auto& [name, t] : m.state_dict()) {
    CAPTURE(name);
    CHECK(to_vector<float>(t) == to_vector<float>(test::formula_tensor(prefix + name, t.shape(), DType::f32)));
  }
}
}  // namespace

TEST_CASE("a DINOv2 .pth and HuggingFace safetensors give the same encoder") {
  for (const char* file : {"tiny_encoder.pth", "tiny_encoder_hf.safetensors"}) {
    CAPTURE(file);
    models::DinoV2Encoder enc(models::encoder_config("test-tiny"));
    const std::string kind = app::load_encoder_weights(enc, fixture(file));
    CHECK(!kind.empty());
    expect_formula(enc, "encoder.");
  }
}

TEST_CASE("a ViTill checkpoint loads whole, and as bare weights with its encoder") {
  models::DinomalyConfig cfg = models::default_config("test-tiny");
  cfg.resize = cfg.crop = 70;
  app::LoadedRun run = app::load_weights(cfg, "", fixture("tiny_model.safetensors"), 1, Device::cpu());
  expect_formula(run.model_for(""), "");
}

TEST_CASE("weights that do not fit the configuration: one error listing them") {
  models::DinoV2Encoder enc(models::encoder_config("test-small"));
  try {
    app::load_encoder_weights(enc, fixture("tiny_encoder.pth"));
    FAIL("expected an error");
  } catch (const Error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("tiny_encoder.pth") != std::string::npos);
    CHECK(msg.find("shape mismatch") != std::string::npos);
    CHECK(msg.find("missing") != std::string::npos);  // test-small has more blocks
  }
}
