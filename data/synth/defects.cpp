// Defects. Each draws a shape into a coverage layer (clipped to the part), then blends the
// image towards the defect's appearance under that coverage. The mask is the coverage
// >= 0.5: exactly the pixels the defect visibly changed (the faint antialiased rim is
// left out, as an annotator would leave it out). Light and dark variants are equally
// likely, so defects do not shift an image's mean brightness one way.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "data/synth/scene.h"

namespace dn::data::synth {
namespace {

// A point well inside the part (objects) or anywhere away from the border (textures).
Point point_on_part(const Scene& scene, Random& rng) {
  const int n = scene.image.size();
  for (int attempt = 0; attempt < 500; ++attempt) {
    const Point p{rng.uniform(0.18, 0.82) * n, rng.uniform(0.18, 0.82) * n};
    if (scene.foreground.at(int(p.x), int(p.y)) >= 0.999f) return p;
  }
  return {n / 2.0, n / 2.0};
}

// A point on the outline of the part (for a piece broken off its edge).
Point point_on_outline(const Scene& scene, Random& rng) {
  const int n = scene.image.size();
  for (int attempt = 0; attempt < 20000; ++attempt) {
    const int x = 1 + rng.integer(n - 2), y = 1 + rng.integer(n - 2);
    const float c = scene.foreground.at(x, y);
    if (c > 0.25f && c < 0.75f) return {x + 0.5, y + 0.5};
  }
  return point_on_part(scene, rng);
}

void clip_to_part(Layer& layer, const Scene& scene) {
  for (int y = 0; y < layer.size(); ++y)
    for (int x = 0; x < layer.size(); ++x) layer.at(x, y) *= scene.foreground.at(x, y);
}

std::vector<Point> wander(Random& rng, Point start, double heading, int steps, double step, double turn) {
  std::vector<Point> pts{start};
  for (int i = 0; i < steps; ++i) {
    heading += turn * rng.normal();
    start = {start.x + step * std::cos(heading), start.y + step * std::sin(heading)};
    pts.push_back(start);
  }
  return pts;
}

Rgb lighter(Rgb c, float k) { return {c.r + (1 - c.r) * k, c.g + (1 - c.g) * k, c.b + (1 - c.b) * k}; }

// Light or dark? Whichever contrasts with the surface under the defect (a light scratch
// on a white capsule would be invisible); a coin toss on mid-tones. Over a class this
// keeps light and dark defects balanced, so mean brightness stays uninformative.
bool light_variant(const Layer& layer, const Canvas& image, Random& rng) {
  double sum = 0;
  int count = 0;
  for (int y = 0; y < layer.size(); ++y)
    for (int x = 0; x < layer.size(); ++x)
      if (layer.at(x, y) >= 0.5f) {
        sum += luma(image.at(x, y));
        ++count;
      }
  const double mean = count ? sum / count : 0.5;
  const bool coin = rng.coin();  // drawn always, so the stream does not depend on the surface
  if (mean > 0.62) return false;
  if (mean < 0.38) return true;
  return coin;
}

Layer scratch(const Scene& scene, Canvas& image, Random& rng) {
  const int n = image.size();
  Layer layer(n);
  const double length = n * rng.uniform(0.2, 0.35);
  const int steps = 8;
  const auto pts = wander(rng, point_on_part(scene, rng), rng.uniform(0, 2 * std::numbers::pi), steps, length / steps, 0.08);
  stroke_polyline(layer, pts, std::max(1.6, n / 110.0) * rng.uniform(1.0, 1.4));
  clip_to_part(layer, scene);
  const bool bright = light_variant(layer, image, rng);
  blend(image, layer, [&](int, int, Rgb c) { return bright ? lighter(c, 0.65f) : c * 0.35f; });
  return layer;
}

Layer spot(const Scene& scene, Canvas& image, Random& rng) {
  const int n = image.size();
  Layer layer(n);
  const Fbm wobble(rng, 4, 2);
  const double r = n * rng.uniform(0.028, 0.05);
  fill_blob(layer, point_on_part(scene, rng), r, r * rng.uniform(0.65, 1.0), rng.uniform(0, std::numbers::pi), &wobble, 0.3);
  clip_to_part(layer, scene);
  const bool bright = light_variant(layer, image, rng);
  const Rgb dirt{0.22f, 0.17f, 0.12f};
  blend(image, layer, [&](int, int, Rgb c) { return bright ? lighter(c, 0.6f) : mix(c, dirt, 0.75f); });
  return layer;
}

Layer crack(const Scene& scene, Canvas& image, Random& rng) {
  const int n = image.size();
  Layer layer(n);
  const double step = n * rng.uniform(0.022, 0.032);
  const double heading = rng.uniform(0, 2 * std::numbers::pi);
  const auto trunk = wander(rng, point_on_part(scene, rng), heading, 12, step, 0.45);
  const double width = std::max(1.3, n / 150.0);
  stroke_polyline(layer, trunk, width);
  const auto branch = wander(rng, trunk[5], heading + (rng.coin() ? 0.9 : -0.9), 5, step * 0.8, 0.45);
  stroke_polyline(layer, branch, width * 0.8);
  clip_to_part(layer, scene);
  // A crack is a dark gap, with a thin lit lip on one side on half of them.
  const bool lip = rng.coin();
  blend(image, layer, [&](int x, int y, Rgb c) {
    const bool lit_side = lip && x + 1 < n && y > 0 && layer.at(x + 1, y - 1) < 0.5f;
    return lit_side ? lighter(c, 0.7f) : c * 0.2f;
  });
  return layer;
}

// A colour stain: hue changes, luminance stays (the stain is told apart by colour alone).
Layer stain(const Scene& scene, Canvas& image, Random& rng) {
  const int n = image.size();
  Layer layer(n);
  const Fbm wobble(rng, 5, 3);
  const double r = n * rng.uniform(0.06, 0.095);
  fill_blob(layer, point_on_part(scene, rng), r, r * rng.uniform(0.6, 1.0), rng.uniform(0, std::numbers::pi), &wobble, 0.4);
  clip_to_part(layer, scene);
  // Of four tints, the one closest in hue to the part under the stain is never used (a
  // red stain on a red capsule would be invisible); one of the other three is drawn.
  static const Rgb tints[] = {{0.85f, 0.15f, 0.15f}, {0.15f, 0.7f, 0.2f}, {0.2f, 0.3f, 0.9f}, {0.8f, 0.2f, 0.8f}};
  Rgb under{0, 0, 0};
  float weight = 0;
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      if (layer.at(x, y) > 0.5f) {
        under = under + image.at(x, y);
        weight += 1;
      }
  auto chroma = [](Rgb c) { const float l = std::max(luma(c), 1e-3f); return Rgb{c.r / l, c.g / l, c.b / l}; };
  const Rgb u = chroma(under * (1 / std::max(weight, 1.0f)));
  int closest = 0;
  float best = 1e9f;
  for (int i = 0; i < 4; ++i) {
    const Rgb t = chroma(tints[i]);
    const float d = (t.r - u.r) * (t.r - u.r) + (t.g - u.g) * (t.g - u.g) + (t.b - u.b) * (t.b - u.b);
    if (d < best) best = d, closest = i;
  }
  const Rgb tint = tints[(closest + 1 + rng.integer(3)) % 4];
  Layer opacity = layer;
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) opacity.at(x, y) = layer.at(x, y) * 0.9f;
  blend(image, opacity, [&](int, int, Rgb c) {
    const float l = luma(c), lt = luma(tint);
    Rgb t = tint * (l / lt);
    if (t.r > 1 || t.g > 1 || t.b > 1) {  // too light to tint at equal luma: desaturate
      const float m = std::max({t.r, t.g, t.b});
      t = mix(t * (1 / m), Rgb{l, l, l}, 0.5f);
    }
    return t;
  });
  return layer;
}

// A missing piece: a chunk broken off a part's edge (revealing the background), or a hole
// through a fabric or board (revealing the backing).
Layer missing(const Scene& scene, Canvas& image, Random& rng) {
  const int n = image.size();
  Layer layer(n);
  if (scene.is_object) {
    const Point c = point_on_outline(scene, rng);
    const double r = n * rng.uniform(0.07, 0.1);
    std::vector<Point> poly;
    const int corners = 5 + rng.integer(3);
    const double start = rng.uniform(0, 2 * std::numbers::pi);
    for (int i = 0; i < corners; ++i) {
      const double a = start + 2 * std::numbers::pi * i / corners + rng.uniform(-0.3, 0.3);
      const double rr = r * rng.uniform(0.6, 1.1);
      poly.push_back({c.x + rr * std::cos(a), c.y + rr * std::sin(a)});
    }
    fill_polygon(layer, poly);
    clip_to_part(layer, scene);
  } else {
    const Fbm wobble(rng, 4, 3);
    const double r = n * rng.uniform(0.045, 0.07);
    fill_blob(layer, point_on_part(scene, rng), r, r * rng.uniform(0.6, 1.0), rng.uniform(0, std::numbers::pi), &wobble, 0.35);
  }
  blend(image, layer, [&](int x, int y, Rgb) { return scene.behind.at(x, y); });
  return layer;
}

}  // namespace

Layer draw_defect(int kind, const Scene& scene, Canvas& image, Random& rng) {
  switch (kind) {
    case 0: return scratch(scene, image, rng);
    case 1: return spot(scene, image, rng);
    case 2: return crack(scene, image, rng);
    case 3: return stain(scene, image, rng);
    default: return missing(scene, image, rng);
  }
}

}  // namespace dn::data::synth
