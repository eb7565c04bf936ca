// render_synth_sample: a normal scene of a class, optionally with one defect, then the
// photographic variation every image gets (a global gain and sensor noise).
#include <cmath>

#include "data/synth.h"
#include "data/synth/scene.h"
#include "tensor/error.h"

namespace dn::data {

const std::vector<std::string>& synth_class_names() {
  static const std::vector<std::string> names{"woven", "grain", "washer", "capsule"};
  return names;
}

const std::vector<std::string>& synth_defect_names() {
  static const std::vector<std::string> names{"scratch", "spot", "crack", "stain", "missing"};
  return names;
}

SynthSample render_synth_sample(int class_index, int defect, uint64_t seed, uint64_t stream, int size) {
  using namespace synth;
  DN_CHECK(class_index >= 0 && class_index < int(synth_class_names().size()), "synth: no class ", class_index);
  DN_CHECK(defect < int(synth_defect_names().size()), "synth: no defect ", defect);
  DN_CHECK(size >= 32 && size <= 4096, "synth: image size ", size, " outside [32, 4096]");
  DN_CHECK(stream < (uint64_t(1) << 32), "synth: stream ", stream, " too large");
  Random rng(seed, stream);
  using Render = Scene (*)(Random&, int);
  static const Render renderers[] = {render_woven, render_grain, render_washer, render_capsule};
  const Scene scene = renderers[class_index](rng, size);

  Canvas image = scene.image;
  Layer coverage(size);
  if (defect >= 0) {
    // A defect that falls mostly off the part (or ends up tiny) is drawn again: every
    // defective image must show a defect a person can see.
    const int min_pixels = std::max(12, size * size / 3000);
    for (int attempt = 0;; ++attempt) {
      image = scene.image;
      coverage = draw_defect(defect, scene, image, rng);
      if (coverage.count_at_least(0.5f) >= min_pixels) break;
      DN_CHECK(attempt < 50, "synth: could not place a ", synth_defect_names()[size_t(defect)], " defect");
    }
  }
  // The same gain and noise for the defective image and its clean twin.
  const float gain = float(rng.uniform(0.9, 1.1));
  Canvas clean = scene.image;
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const float noise = float(0.012 * rng.normal());
      for (Canvas* c : {&image, &clean}) {
        Rgb& p = c->at(x, y);
        p = Rgb{p.r * gain + noise, p.g * gain + noise, p.b * gain + noise};
      }
    }
  SynthSample out;
  out.image = image.to_image();
  out.clean = clean.to_image();
  out.mask = Image(size, size, 1);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) out.mask.pixels[size_t(y) * size + x] = coverage.at(x, y) >= 0.5f ? 255 : 0;
  return out;
}

}  // namespace dn::data
