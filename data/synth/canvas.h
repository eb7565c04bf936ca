// Drawing for the synthetic images: a float RGB canvas, coverage layers (how much of each
// pixel a shape covers, antialiased), smooth value noise, and a few shapes.
#pragma once
#include <vector>

#include "data/image.h"
#include "data/synth/random.h"

namespace dn::data::synth {

struct Rgb {
  float r = 0, g = 0, b = 0;
};
inline Rgb operator*(Rgb c, float k) { return {c.r * k, c.g * k, c.b * k}; }
inline Rgb operator+(Rgb a, Rgb b) { return {a.r + b.r, a.g + b.g, a.b + b.b}; }
inline Rgb mix(Rgb a, Rgb b, float t) { return a * (1 - t) + b * t; }
inline float luma(Rgb c) { return 0.299f * c.r + 0.587f * c.g + 0.114f * c.b; }

struct Point {
  double x = 0, y = 0;
};

// Colours in [0, 1]; to_image clamps and rounds to bytes.
class Canvas {
 public:
  explicit Canvas(int size = 0) : size_(size), px_(size_t(size) * size) {}
  int size() const { return size_; }
  Rgb& at(int x, int y) { return px_[size_t(y) * size_ + x]; }
  const Rgb& at(int x, int y) const { return px_[size_t(y) * size_ + x]; }
  Image to_image() const;

 private:
  int size_;
  std::vector<Rgb> px_;
};

// Coverage in [0, 1] per pixel. Shapes combine by max, so overlapping strokes stay opaque.
class Layer {
 public:
  explicit Layer(int size = 0, float value = 0) : size_(size), a_(size_t(size) * size, value) {}
  int size() const { return size_; }
  float& at(int x, int y) { return a_[size_t(y) * size_ + x]; }
  float at(int x, int y) const { return a_[size_t(y) * size_ + x]; }
  void cover(int x, int y, float value) {
    float& a = at(x, y);
    if (value > a) a = value;
  }
  // Pixels with coverage >= 0.5: the mask of what was drawn.
  int count_at_least(float threshold) const;

 private:
  int size_;
  std::vector<float> a_;
};

// Smooth noise in [0, 1]: random values on a (cells+1)^2 lattice over the unit square,
// interpolated with a smoothstep. fbm sums octaves of doubling frequency.
class ValueNoise {
 public:
  ValueNoise(Random& rng, int cells);
  float at(double u, double v) const;  // u, v in [0, 1] (clamped)

 private:
  int cells_;
  std::vector<float> lattice_;
};

class Fbm {
 public:
  Fbm(Random& rng, int base_cells, int octaves);
  float at(double u, double v) const;  // roughly [0, 1], mean 0.5

 private:
  std::vector<ValueNoise> octaves_;
};

// Shapes into a layer (sizes in pixels). Antialiasing: coverage falls linearly over one
// pixel at the edge.
void stroke_polyline(Layer& layer, const std::vector<Point>& points, double width);
void fill_blob(Layer& layer, Point center, double radius_x, double radius_y, double angle,
               const Fbm* wobble, double wobble_amount);
void fill_polygon(Layer& layer, const std::vector<Point>& polygon);

// out = out * (1 - a) + colour_of(x, y) * a over the layer.
template <class ColourOf>
void blend(Canvas& canvas, const Layer& layer, ColourOf colour_of) {
  for (int y = 0; y < canvas.size(); ++y)
    for (int x = 0; x < canvas.size(); ++x) {
      const float a = layer.at(x, y);
      if (a > 0) canvas.at(x, y) = mix(canvas.at(x, y), colour_of(x, y, canvas.at(x, y)), a);
    }
}

}  // namespace dn::data::synth
