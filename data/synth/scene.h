// Internal to data/synth: a rendered normal scene, and what the defects need to know
// about it.
#pragma once
#include "data/synth/canvas.h"

namespace dn::data::synth {

struct Scene {
  Canvas image;       // the normal rendering
  Canvas behind;      // what a missing piece reveals: the background behind a part, or
                      // the backing under a fabric/board
  Layer foreground;   // where the part is (1 everywhere for textures)
  bool is_object = false;
};

// Textures (textures.cpp) and parts (objects.cpp). Each varies from image to image within
// its class (position, angle, colour, noise), as photographs of one product do.
Scene render_woven(Random& rng, int size);
Scene render_grain(Random& rng, int size);
Scene render_washer(Random& rng, int size);
Scene render_capsule(Random& rng, int size);

// Draws defect `kind` (index into synth_defect_names()) onto image, inside the
// foreground, and returns its coverage (what the mask is made from).
Layer draw_defect(int kind, const Scene& scene, Canvas& image, Random& rng);

}  // namespace dn::data::synth
