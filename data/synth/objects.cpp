// Part classes: a turned metal washer and a two-coloured capsule. Each is drawn over its
// own background with an antialiased outline; `behind` keeps the background so that a
// missing piece can reveal it.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "data/synth/scene.h"

namespace dn::data::synth {
namespace {

float clamp01(double v) { return float(std::clamp(v, 0.0, 1.0)); }

}  // namespace

// A washer: a ring between radii r_in and r_out, lit from one side, with concentric
// turning marks, on a dark textured table.
Scene render_washer(Random& rng, int size) {
  Scene s;
  s.image = Canvas(size);
  s.behind = Canvas(size);
  s.foreground = Layer(size);
  s.is_object = true;
  const double cx = size * (0.5 + rng.uniform(-0.03, 0.03)), cy = size * (0.5 + rng.uniform(-0.03, 0.03));
  const double r_out = size * rng.uniform(0.34, 0.37), r_in = r_out * rng.uniform(0.38, 0.42);
  const double light_dir = rng.uniform(-2.6, -2.0);  // from the upper left
  const double mark = size / rng.uniform(55.0, 65.0);
  const Fbm table(rng, 8, 3), metal(rng, 6, 3);
  const float table_tone = float(rng.uniform(0.16, 0.22));
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const double u = double(x) / size, v = double(y) / size;
      const float t = table_tone * float(0.85 + 0.3 * table.at(u, v));
      const Rgb bg{t, t * 0.98f, t * 0.95f};
      const double dx = x + 0.5 - cx, dy = y + 0.5 - cy, rho = std::sqrt(dx * dx + dy * dy);
      const double phi = std::atan2(dy, dx);
      const float cover = clamp01(std::min(r_out - rho, rho - r_in) + 0.5);
      const double across = std::clamp((rho - r_in) / (r_out - r_in), 0.0, 1.0);
      const double bevel = std::sin(std::numbers::pi * across);  // rounded profile
      const double lit = 0.5 + 0.22 * std::cos(phi - light_dir) * (1 - bevel) + 0.18 * bevel +
                         0.035 * std::sin(2 * std::numbers::pi * rho / mark) + 0.08 * (metal.at(u, v) - 0.5);
      const Rgb steel{float(lit * 0.97), float(lit), float(lit * 1.03)};
      s.behind.at(x, y) = bg;
      s.foreground.at(x, y) = cover;
      s.image.at(x, y) = mix(bg, steel, cover);
    }
  return s;
}

// A capsule: a stadium (a segment of half-length `half` thickened by `radius`) at a small
// angle, one half coloured, the other white, shaded as a cylinder, on a grey tray.
Scene render_capsule(Random& rng, int size) {
  Scene s;
  s.image = Canvas(size);
  s.behind = Canvas(size);
  s.foreground = Layer(size);
  s.is_object = true;
  const double cx = size * (0.5 + rng.uniform(-0.04, 0.04)), cy = size * (0.5 + rng.uniform(-0.04, 0.04));
  const double angle = rng.uniform(-0.2, 0.2);
  const double half = size * rng.uniform(0.26, 0.29), radius = size * rng.uniform(0.11, 0.125);
  const Rgb colour = rng.coin() ? Rgb{0.78f, 0.22f, 0.20f} : Rgb{0.22f, 0.38f, 0.75f};
  const Rgb white{0.92f, 0.90f, 0.86f};
  const Fbm tray(rng, 6, 3), speckle(rng, 30, 1);
  const double ca = std::cos(angle), sa = std::sin(angle);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const double u = double(x) / size, v = double(y) / size;
      const float t = float(0.5 + 0.08 * tray.at(u, v));
      const Rgb bg{t * 0.96f, t, t * 1.06f};
      const double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
      const double along = dx * ca + dy * sa, across = -dx * sa + dy * ca;
      const double clamped = std::clamp(along, -half, half);
      const double dist = std::sqrt((along - clamped) * (along - clamped) + across * across);
      const float cover = clamp01(radius - dist + 0.5);
      const double h = std::clamp(dist / radius, 0.0, 1.0);
      const double lit = 0.62 + 0.38 * std::sqrt(1 - h * h) + 0.25 * std::exp(-std::pow((across / radius + 0.35) * 6, 2));
      const Rgb body = along < 0 ? colour : white;
      const float seam = std::abs(along) < 0.8 ? 0.85f : 1.0f;
      Rgb c = body * float(lit * seam * (0.97 + 0.06 * speckle.at(u, v)));
      s.behind.at(x, y) = bg;
      s.foreground.at(x, y) = cover;
      s.image.at(x, y) = mix(bg, c, cover);
    }
  return s;
}

}  // namespace dn::data::synth
