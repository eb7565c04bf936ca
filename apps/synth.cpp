// synth: writes a synthetic anomaly-detection data set in MVTec-AD layout (data/synth.h).
//
//   synth --out data/synth                      4 classes, 48 train + 24 test images each
//   synth --out /tmp/s --classes 2 --size 128 --train 20 --test 10 --seed 7
//
// Exit status 0 on success; on failure one line on stderr ("synth: error: ...") and 1
// (2 for a command-line mistake).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <string>

#include "data/synth.h"
#include "tensor/error.h"

int main(int argc, char** argv) {
  using namespace dn::data;
  SynthOptions o;
  std::string out;
  CLI::App app{"synth: write a synthetic MVTec-layout anomaly data set (textures and parts with "
               "scratches, spots, cracks, colour stains and missing pieces, and their masks)"};
  app.add_option("--out", out, "output folder (created; must not exist unless it is empty)")->required();
  app.add_option("--classes", o.classes, "number of classes: woven, grain, washer, capsule (first N)")
      ->capture_default_str();
  app.add_option("--train", o.train, "normal training images per class")->capture_default_str();
  app.add_option("--test", o.test, "test images per class (half normal, half defective)")->capture_default_str();
  app.add_option("--size", o.size, "image width and height in pixels")->capture_default_str();
  app.add_option("--seed", o.seed, "random seed (the same seed gives the same files)")->capture_default_str();
  app.add_option("--threads", o.threads, "threads drawing images")->capture_default_str();
  app.add_flag("--force", o.replace, "replace an earlier synthetic data set at --out");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "synth: error: %s (see --help)\n", e.what());
    return 2;
  }
  try {
    const SynthSummary s = write_synthetic_dataset(out, o);
    std::string classes;
    for (const auto& c : s.classes) classes += (classes.empty() ? "" : ",") + c;
    std::printf("synth: wrote %s: classes %s; %d training, %d test images, %d masks (%dx%d px, seed %llu)\n",
                out.c_str(), classes.c_str(), s.train_images, s.test_images, s.masks, o.size, o.size,
                static_cast<unsigned long long>(o.seed));
    return 0;
  } catch (const std::exception& e) {
    std::string message = e.what();
    if (message.rfind("synth: ", 0) == 0) message.erase(0, 7);  // the library names itself too
    std::fprintf(stderr, "synth: error: %s\n", message.c_str());
    return 1;
  }
}
