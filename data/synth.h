// Synthetic anomaly-detection data in MVTec-AD layout: procedurally drawn textures and
// parts, normal and with defects of five kinds, each with its exact mask. It is the data
// of the demo and of the end-to-end tests, so it must be a fair test:
//   - the defects are visible (they change the pixels inside the mask clearly), but
//   - the mean brightness of an image does not give them away: every image gets a random
//     global gain, and defects go both darker and lighter (a colour stain keeps the
//     luminance), so "defective" is not "darker" (test_synth.cpp measures the AUROC of
//     mean brightness, which stays near chance).
// Every image is a pure function of (seed, class, split, index): regenerating gives the
// same bytes, in any order, on any number of threads.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/image.h"

namespace dn::data {

// The classes, in order; `classes = N` takes the first N.
//   woven      a plain-weave fabric (texture)
//   grain      wood grain (texture)
//   washer     a round metal part with a hole, on a dark background (object)
//   capsule    an elongated two-coloured pill at a small random angle (object)
const std::vector<std::string>& synth_class_names();
// Defect kinds: scratch, spot, crack, stain, missing (a missing piece / a hole).
const std::vector<std::string>& synth_defect_names();

struct SynthSample {
  Image image;  // RGB
  Image mask;   // 1 channel, 0 or 255; all 0 for a normal sample
  Image clean;  // the same scene without its defect (equal to image for a normal one)
};

// One image of class `class_index`; defect < 0 draws a normal sample, else the defect of
// that index in synth_defect_names(). `stream` tells images apart (the writer uses the
// split and the index).
SynthSample render_synth_sample(int class_index, int defect, uint64_t seed, uint64_t stream, int size);

struct SynthOptions {
  int classes = 4;        // 1 .. synth_class_names().size()
  int train = 48;         // normal training images per class
  int test = 24;          // test images per class: half normal, half defective
  int size = 192;         // square images, pixels
  uint64_t seed = 1;
  int threads = 2;
  bool replace = false;   // replace an existing synthetic data set at the same root
};

struct SynthSummary {
  std::vector<std::string> classes;
  int train_images = 0, test_images = 0, masks = 0;
};

// Writes <root>/<class>/{train/good, test/good, test/<defect>, ground_truth/<defect>} and
// <root>/synth.json (the options used). The set is built in a temporary folder beside
// root and renamed into place, so a failure never leaves half a data set. An existing
// root is refused unless it is empty, or it is an earlier synthetic set (it holds
// synth.json) and options.replace is set. Throws dn::Error naming what is wrong.
SynthSummary write_synthetic_dataset(const std::string& root, const SynthOptions& options);

}  // namespace dn::data
