// Texture classes: a plain-weave fabric and a wood grain. Both fill the whole image.
#include <cmath>
#include <numbers>

#include "data/synth/scene.h"

namespace dn::data::synth {
namespace {

Rgb jitter(Random& rng, Rgb c, double amount) {
  return {float(c.r + rng.uniform(-amount, amount)), float(c.g + rng.uniform(-amount, amount)),
          float(c.b + rng.uniform(-amount, amount))};
}

}  // namespace

// Plain weave: the image is a grid of cells; in alternate cells the vertical (warp) or the
// horizontal (weft) thread lies on top. A thread is shaded as a cylinder across its width,
// and slow noise bends the grid so that no two images align.
Scene render_woven(Random& rng, int size) {
  Scene s;
  s.image = Canvas(size);
  s.behind = Canvas(size);
  s.foreground = Layer(size, 1.0f);
  const double period = size / rng.uniform(14.0, 17.0);
  const Rgb warp = jitter(rng, {0.78f, 0.70f, 0.56f}, 0.02);
  const Rgb weft = jitter(rng, {0.70f, 0.64f, 0.52f}, 0.02);
  const Fbm bend(rng, 3, 2), shade(rng, 4, 3), fibre(rng, 24, 2);
  const double phase_x = rng.uniform(0, period), phase_y = rng.uniform(0, period);
  const Rgb backing = rng.coin() ? Rgb{0.12f, 0.11f, 0.10f} : Rgb{0.93f, 0.92f, 0.88f};
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const double u = double(x) / size, v = double(y) / size;
      const double gx = x + phase_x + 2.0 * period * (bend.at(u, v) - 0.5);
      const double gy = y + phase_y + 2.0 * period * (bend.at(v, u) - 0.5);
      const double cx = gx / period, cy = gy / period;
      const int i = int(std::floor(cx)), j = int(std::floor(cy));
      const bool warp_on_top = ((i + j) & 1) == 0;
      const double across = warp_on_top ? cx - i : cy - j;  // 0..1 across the top thread
      const double along = warp_on_top ? cy - j : cx - i;
      const double profile = std::sin(std::numbers::pi * across);        // cylinder shading
      const double dip = 0.85 + 0.15 * std::sin(std::numbers::pi * along);  // threads dive at crossings
      const float light = float((0.55 + 0.45 * profile) * dip * (0.9 + 0.2 * shade.at(u, v)) +
                                0.06 * (fibre.at(u, v) - 0.5));
      s.image.at(x, y) = (warp_on_top ? warp : weft) * light;
      s.behind.at(x, y) = backing * float(0.95 + 0.1 * fibre.at(v, u));
    }
  return s;
}

// Wood grain: growth rings are level lines of a distorted distance from a far-away centre,
// so they run across the board in gently curving stripes; fine pores add detail.
Scene render_grain(Random& rng, int size) {
  Scene s;
  s.image = Canvas(size);
  s.behind = Canvas(size);
  s.foreground = Layer(size, 1.0f);
  const double angle = rng.uniform(-0.25, 0.25);
  const double ring = size / rng.uniform(9.0, 12.0);
  const Fbm warp(rng, 2, 3), pores(rng, 40, 2), tone(rng, 3, 2);
  const Rgb light = jitter(rng, {0.80f, 0.60f, 0.38f}, 0.02), dark = jitter(rng, {0.55f, 0.36f, 0.20f}, 0.02);
  const double cx = -size * rng.uniform(1.5, 3.0), cy = size * rng.uniform(0.2, 0.8);
  const Rgb backing = rng.coin() ? Rgb{0.10f, 0.09f, 0.08f} : Rgb{0.92f, 0.90f, 0.86f};
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const double u = double(x) / size, v = double(y) / size;
      const double rx = (x - cx) * std::cos(angle) - (y - cy) * std::sin(angle);
      const double ry = (x - cx) * std::sin(angle) + (y - cy) * std::cos(angle);
      const double d = std::sqrt(rx * rx + 0.05 * ry * ry) + 1.5 * ring * (warp.at(u, v) - 0.5);
      const double t = 0.5 + 0.5 * std::sin(2 * std::numbers::pi * d / ring);
      const double sharp = std::pow(t, 3.0);  // narrow dark late-wood bands
      Rgb c = mix(light, dark, float(sharp));
      c = c * float(0.92 + 0.16 * tone.at(u, v) - 0.08 * (pores.at(u, v * 0.25) > 0.72f));
      s.image.at(x, y) = c;
      s.behind.at(x, y) = backing * float(0.95 + 0.1 * pores.at(v, u));
    }
  return s;
}

}  // namespace dn::data::synth
