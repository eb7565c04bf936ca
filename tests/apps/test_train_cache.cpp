// train --cache-encoder changes what training costs, not what it computes: with every image
// cached, with a budget that holds only some of them, and across a stop and --resume (the
// cache starts empty again), the checkpoints are the same bytes and the losses the same
// values as training through the encoder at every step. Its option errors are one clear line.
#include <doctest/doctest.h>

#include "tests/apps/app_runner.h"

using namespace dn::test;

namespace {

// The tiny recipe of the end-to-end tests (test-tiny encoder, random weights, 70 px). 24 of
// the 32 training images are trained on (8 held out), 6 batches of 4 an epoch: 15 steps are
// two epochs and a half, so later epochs read the cache, in another order (the loader
// shuffles each epoch). One image's encoder outputs are 10 240 bytes (models/encoder_cache.h).
std::vector<std::string> recipe(const std::string& data, const std::string& out) {
  return {"--data", data, "--out", out, "--encoder", "test-tiny", "--encoder-weights", "random",
          "--resize", "84", "--crop", "70", "--iters", "15", "--batch", "4", "--warmup", "2",
          "--hm-ramp", "5", "--threads", "2", "--holdout", "0.25", "--workers", "1", "--no-eval"};
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const std::string& synthetic_data() {
  static const std::string dir = [] {
    std::string d = temp_dir("cache-synth") + "/data";
    Run r = run_app("synth", {"--out", d, "--classes", "2", "--train", "16", "--test", "4", "--size", "96"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    return d;
  }();
  return dir;
}

std::string train(const std::string& name, const std::vector<std::string>& extra, int code = 0) {
  const std::string run = temp_dir(name) + "/run";
  Run r = run_app("train", recipe(synthetic_data(), run) + extra);
  CAPTURE(r.err);
  REQUIRE(r.code == code);
  return run;
}

// train.csv without its img_s column (a time): step, loss, lr, p of every row.
std::string losses(const std::string& run) {
  std::string out;
  const std::string csv = read_file(run + "/train.csv");
  size_t start = 0;
  for (size_t end; (end = csv.find('\n', start)) != std::string::npos; start = end + 1) {
    const std::string row = csv.substr(start, end - start);
    out += row.substr(0, row.rfind(',')) + "\n";
  }
  return out;
}

// The reference: the same recipe through the encoder at every step.
const std::string& plain() {
  static const std::string run = train("cache-plain", {});
  return run;
}

void check_same_run(const std::string& run, const std::string& reference = plain()) {
  CHECK(read_file(run + "/model.safetensors") == read_file(reference + "/model.safetensors"));
  CHECK(read_file(run + "/optimizer.safetensors") == read_file(reference + "/optimizer.safetensors"));
  CHECK(losses(run) == losses(reference));
  CHECK(count_lines(losses(run)) == 16);  // header and 15 steps
}

}  // namespace

TEST_CASE("train --cache-encoder: the same checkpoint bytes and losses, all images cached or some") {
  SUBCASE("every image cached") {
    const std::string run = train("cache-all", {"--cache-encoder"});
    check_same_run(run);
  }
  SUBCASE("a budget for 10 of the 24 images: the others are encoded at every step") {
    const std::string run = temp_dir("cache-some") + "/run";
    // 0.0001 GB = 107 374 bytes: 10 images of 10 240
    Run r = run_app("train", recipe(synthetic_data(), run) + std::vector<std::string>{"--cache-encoder",
                                                                                      "--cache-encoder-gb", "0.0001"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.err.find("encoder cache: 0.00977 MB per image; 10 of the 24 training images fit") != std::string::npos);
    // 15 steps of 4: 60 encodings, 10 images kept after their first one; their later visits are read
    CHECK(r.err.find("encoder cache: 10 images held") != std::string::npos);
    check_same_run(run);
  }
  SUBCASE("stopped and resumed: the cache starts empty again") {
    const std::vector<std::string> cache = {"--cache-encoder", "--cache-encoder-gb", "0.0001"};
    const std::string run = train("cache-resume", cache + std::vector<std::string>{"--stop-after", "8"}, 130);
    Run r = run_app("train", recipe(synthetic_data(), run) + cache + std::vector<std::string>{"--resume"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.err.find("resuming at step 8") != std::string::npos);
    check_same_run(run);
  }
}

TEST_CASE("train --cache-encoder-gb: a bad value is one clear line naming the option") {
  const std::string out = temp_dir("cache-bad") + "/run";
  for (const std::string value : {"-1", "nan", "inf", "abc", ""}) {
    CAPTURE(value);
    Run r = run_app("train", recipe(synthetic_data(), out) + std::vector<std::string>{"--cache-encoder",
                                                                                      "--cache-encoder-gb", value});
    CAPTURE(r.err);
    CHECK(r.code != 0);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.find("train: error: ") == 0);
    CHECK(r.err.find("--cache-encoder-gb") != std::string::npos);
    CHECK(!exists(out + "/config.json"));
  }
  Run r = run_app("train", recipe(synthetic_data(), out) + std::vector<std::string>{"--cache-encoder-gb", "2"});
  CHECK(r.code != 0);
  CHECK(r.err.find("--cache-encoder-gb requires --cache-encoder") != std::string::npos);
}
