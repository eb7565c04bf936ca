#include "data/synth/canvas.h"

#include <algorithm>
#include <cmath>

namespace dn::data::synth {

Image Canvas::to_image() const {
  Image out(size_, size_, 3);
  auto byte = [](float v) { return uint8_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); };
  for (size_t i = 0; i < px_.size(); ++i) {
    out.pixels[i * 3 + 0] = byte(px_[i].r);
    out.pixels[i * 3 + 1] = byte(px_[i].g);
    out.pixels[i * 3 + 2] = byte(px_[i].b);
  }
  return out;
}

int Layer::count_at_least(float threshold) const {
  return int(std::count_if(a_.begin(), a_.end(), [&](float v) { return v >= threshold; }));
}

ValueNoise::ValueNoise(Random& rng, int cells) : cells_(cells), lattice_(size_t(cells + 1) * (cells + 1)) {
  for (auto& v : lattice_) v = float(rng.uniform());
}

float ValueNoise::at(double u, double v) const {
  const double fx = std::clamp(u, 0.0, 1.0) * cells_, fy = std::clamp(v, 0.0, 1.0) * cells_;
  const int x0 = std::min(int(fx), cells_ - 1), y0 = std::min(int(fy), cells_ - 1);
  auto smooth = [](double t) { return t * t * (3 - 2 * t); };
  const double tx = smooth(fx - x0), ty = smooth(fy - y0);
  auto L = [&](int x, int y) { return double(lattice_[size_t(y) * (cells_ + 1) + x]); };
  const double top = L(x0, y0) * (1 - tx) + L(x0 + 1, y0) * tx;
  const double bottom = L(x0, y0 + 1) * (1 - tx) + L(x0 + 1, y0 + 1) * tx;
  return float(top * (1 - ty) + bottom * ty);
}

Fbm::Fbm(Random& rng, int base_cells, int octaves) {
  for (int o = 0; o < octaves; ++o) octaves_.emplace_back(rng, base_cells << o);
}

float Fbm::at(double u, double v) const {
  double sum = 0, weight = 0, w = 1;
  for (const auto& o : octaves_) {
    sum += w * o.at(u, v);
    weight += w;
    w *= 0.5;
  }
  return float(sum / weight);
}

namespace {

double distance_to_segment(Point p, Point a, Point b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  const double ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
  return std::sqrt(ex * ex + ey * ey);
}

}  // namespace

void stroke_polyline(Layer& layer, const std::vector<Point>& points, double width) {
  const int n = layer.size();
  for (size_t s = 0; s + 1 < points.size(); ++s) {
    const Point a = points[s], b = points[s + 1];
    const int x0 = std::max(0, int(std::floor(std::min(a.x, b.x) - width - 2)));
    const int x1 = std::min(n - 1, int(std::ceil(std::max(a.x, b.x) + width + 2)));
    const int y0 = std::max(0, int(std::floor(std::min(a.y, b.y) - width - 2)));
    const int y1 = std::min(n - 1, int(std::ceil(std::max(a.y, b.y) + width + 2)));
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const double d = distance_to_segment({x + 0.5, y + 0.5}, a, b);
        const double c = std::clamp(width / 2 + 0.5 - d, 0.0, 1.0);
        if (c > 0) layer.cover(x, y, float(c));
      }
  }
}

void fill_blob(Layer& layer, Point center, double rx, double ry, double angle, const Fbm* wobble,
               double wobble_amount) {
  const int n = layer.size();
  const double reach = std::max(rx, ry) * (1 + wobble_amount) + 2;
  const double ca = std::cos(angle), sa = std::sin(angle);
  for (int y = std::max(0, int(center.y - reach)); y <= std::min(n - 1, int(center.y + reach)); ++y)
    for (int x = std::max(0, int(center.x - reach)); x <= std::min(n - 1, int(center.x + reach)); ++x) {
      const double dx = x + 0.5 - center.x, dy = y + 0.5 - center.y;
      const double u = (dx * ca + dy * sa) / rx, v = (-dx * sa + dy * ca) / ry;
      double r = std::sqrt(u * u + v * v);  // 1 on the ellipse
      if (wobble) {
        const double theta = std::atan2(v, u);
        r /= 1 + wobble_amount * (2 * wobble->at(0.5 + 0.5 * std::cos(theta), 0.5 + 0.5 * std::sin(theta)) - 1);
      }
      const double edge_pixels = (1 - r) * std::min(rx, ry);  // distance inside, roughly
      const double c = std::clamp(edge_pixels + 0.5, 0.0, 1.0);
      if (c > 0) layer.cover(x, y, float(c));
    }
}

void fill_polygon(Layer& layer, const std::vector<Point>& poly) {
  const int n = layer.size();
  auto inside = [&](double px, double py) {
    bool in = false;
    for (size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
      if ((poly[i].y > py) != (poly[j].y > py) &&
          px < (poly[j].x - poly[i].x) * (py - poly[i].y) / (poly[j].y - poly[i].y) + poly[i].x)
        in = !in;
    }
    return in;
  };
  double x0 = n, x1 = 0, y0 = n, y1 = 0;
  for (const auto& p : poly) {
    x0 = std::min(x0, p.x); x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y); y1 = std::max(y1, p.y);
  }
  for (int y = std::max(0, int(y0) - 1); y <= std::min(n - 1, int(y1) + 1); ++y)
    for (int x = std::max(0, int(x0) - 1); x <= std::min(n - 1, int(x1) + 1); ++x) {
      int hits = 0;  // 4x4 supersampling for antialiased edges
      for (int sy = 0; sy < 4; ++sy)
        for (int sx = 0; sx < 4; ++sx) hits += inside(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4);
      if (hits) layer.cover(x, y, hits / 16.0f);
    }
}

}  // namespace dn::data::synth
