#include "eval/draw.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "eval/font.h"
#include "tensor/error.h"

namespace dn::eval {

namespace {
void check_rgb(const Image& img, const char* what) {
  DN_CHECK(img.channels == 3 && img.pixels.size() == size_t(img.width) * img.height * 3, what,
           ": needs an RGB image, got ", img.width, "x", img.height, "x", img.channels);
}

// Pixel (x, y) of any 1/3/4-channel image as RGB.
Rgb rgb_at(const Image& img, int x, int y) {
  const uint8_t* p = img.at(x, y);
  if (img.channels < 3) return {p[0], p[0], p[0]};
  return {p[0], p[1], p[2]};
}
}  // namespace

Image blank_rgb(int width, int height, Rgb background) {
  DN_CHECK(width > 0 && height > 0, "blank_rgb: bad size ", width, "x", height);
  Image img(width, height, 3);
  fill_rect(img, 0, 0, width, height, background);
  return img;
}

void fill_rect(Image& img, int x, int y, int w, int h, Rgb colour) {
  check_rgb(img, "fill_rect");
  int x0 = std::max(x, 0), y0 = std::max(y, 0);
  int x1 = std::min(x + w, img.width), y1 = std::min(y + h, img.height);
  for (int yy = y0; yy < y1; ++yy)
    for (int xx = x0; xx < x1; ++xx) {
      uint8_t* p = img.at(xx, yy);
      p[0] = colour.r;
      p[1] = colour.g;
      p[2] = colour.b;
    }
}

void blend_pixel(Image& img, int x, int y, Rgb colour, float alpha) {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  uint8_t* p = img.at(x, y);
  auto mix = [alpha](uint8_t under, uint8_t over) {
    return uint8_t(std::lround(under + (float(over) - float(under)) * alpha));
  };
  p[0] = mix(p[0], colour.r);
  p[1] = mix(p[1], colour.g);
  p[2] = mix(p[2], colour.b);
}

void draw_line(Image& img, int x0, int y0, int x1, int y1, Rgb colour, int thickness, int dash) {
  check_rgb(img, "draw_line");
  int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
  int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  int err = dx + dy, step = 0;
  const int lo = -(thickness - 1) / 2, hi = thickness / 2;
  while (true) {
    if (dash <= 0 || (step / dash) % 2 == 0)
      for (int oy = lo; oy <= hi; ++oy)
        for (int ox = lo; ox <= hi; ++ox) blend_pixel(img, x0 + ox, y0 + oy, colour);
    if (x0 == x1 && y0 == y1) break;
    int e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
    ++step;
  }
}

void draw_rect_outline(Image& img, int x, int y, int w, int h, Rgb colour) {
  draw_line(img, x, y, x + w - 1, y, colour);
  draw_line(img, x, y + h - 1, x + w - 1, y + h - 1, colour);
  draw_line(img, x, y, x, y + h - 1, colour);
  draw_line(img, x + w - 1, y, x + w - 1, y + h - 1, colour);
}

int text_width(std::string_view text, int scale) {
  return text.empty() ? 0 : (int(text.size()) * kCellWidth - 1) * scale;
}

int text_height(int scale) { return kGlyphHeight * scale; }

int draw_text(Image& img, int x, int y, std::string_view text, Rgb colour, int scale) {
  check_rgb(img, "draw_text");
  DN_CHECK(scale >= 1, "draw_text: scale must be >= 1, got ", scale);
  for (size_t i = 0; i < text.size(); ++i) {
    int gx = x + int(i) * kCellWidth * scale;
    for (int r = 0; r < kGlyphHeight; ++r) {
      const char* row = glyph_row(text[i], r);
      for (int c = 0; c < kGlyphWidth; ++c)
        if (row[c] == '#') fill_rect(img, gx + c * scale, y + r * scale, scale, scale, colour);
    }
  }
  return text_width(text, scale);
}

void paste(Image& dst, const Image& src, int x, int y) {
  check_rgb(dst, "paste");
  DN_CHECK(src.channels >= 1 && src.channels <= 4, "paste: source has ", src.channels, " channels");
  for (int yy = 0; yy < src.height; ++yy)
    for (int xx = 0; xx < src.width; ++xx) {
      int tx = x + xx, ty = y + yy;
      if (tx < 0 || ty < 0 || tx >= dst.width || ty >= dst.height) continue;
      Rgb c = rgb_at(src, xx, yy);
      uint8_t* p = dst.at(tx, ty);
      p[0] = c.r;
      p[1] = c.g;
      p[2] = c.b;
    }
}

Image resize_rgb(const Image& src, int width, int height) {
  DN_CHECK(src.width > 0 && src.height > 0 && src.channels >= 1 && src.channels <= 4,
           "resize_rgb: bad source image ", src.width, "x", src.height, "x", src.channels);
  DN_CHECK(width > 0 && height > 0, "resize_rgb: bad target size ", width, "x", height);
  Image out(width, height, 3);
  const float sx = float(src.width) / width, sy = float(src.height) / height;
  for (int y = 0; y < height; ++y) {
    float fy = std::clamp((y + 0.5f) * sy - 0.5f, 0.0f, float(src.height - 1));
    int y0 = int(fy), y1 = std::min(y0 + 1, src.height - 1);
    float wy = fy - y0;
    for (int x = 0; x < width; ++x) {
      float fx = std::clamp((x + 0.5f) * sx - 0.5f, 0.0f, float(src.width - 1));
      int x0 = int(fx), x1 = std::min(x0 + 1, src.width - 1);
      float wx = fx - x0;
      Rgb a = rgb_at(src, x0, y0), b = rgb_at(src, x1, y0), c = rgb_at(src, x0, y1), d = rgb_at(src, x1, y1);
      auto mix = [&](uint8_t pa, uint8_t pb, uint8_t pc, uint8_t pd) {
        float top = pa + (pb - pa) * wx, bottom = pc + (pd - pc) * wx;
        return uint8_t(std::lround(top + (bottom - top) * wy));
      };
      uint8_t* p = out.at(x, y);
      p[0] = mix(a.r, b.r, c.r, d.r);
      p[1] = mix(a.g, b.g, c.g, d.g);
      p[2] = mix(a.b, b.b, c.b, d.b);
    }
  }
  return out;
}

std::vector<uint8_t> region_outline(const std::vector<uint8_t>& inside, int w, int h) {
  std::vector<uint8_t> edge(inside.size(), 0);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      if (!inside[size_t(y) * w + x]) continue;
      bool border = false;
      for (int dy = -1; dy <= 1 && !border; ++dy)
        for (int dx = -1; dx <= 1 && !border; ++dx) {
          int nx = x + dx, ny = y + dy;
          border = nx < 0 || ny < 0 || nx >= w || ny >= h || !inside[size_t(ny) * w + nx];
        }
      edge[size_t(y) * w + x] = border;
    }
  return edge;
}

void mark_pixels(Image& img, const std::vector<uint8_t>& pixels, Rgb colour) {
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x)
      if (pixels[size_t(y) * img.width + x]) blend_pixel(img, x, y, colour);
}

}  // namespace dn::eval
