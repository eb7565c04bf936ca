// Pillow's ImagingResample with the bilinear filter; see pil_resize.h for the algorithm.
#include "data/pil_resize.h"

#include <cmath>

#include "tensor/error.h"

namespace dn::data {
namespace {

double triangle(double x) {
  x = std::fabs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

uint8_t clip8(int32_t acc) {
  if (acc >= (int32_t(1) << (kPillowPrecisionBits + 8))) return 255;
  if (acc <= 0) return 0;
  return uint8_t(acc >> kPillowPrecisionBits);
}

// Filters rows [row0, row0 + rows) of `in` horizontally into `out` (rows x out_size).
void horizontal_pass(const Image& in, int row0, int rows, const ResampleTaps& t, Image& out) {
  const int c = in.channels;
  for (int y = 0; y < rows; ++y) {
    const uint8_t* src = in.at(0, row0 + y);
    uint8_t* dst = out.at(0, y);
    for (int x = 0; x < t.out_size; ++x) {
      const int32_t* k = &t.weights[size_t(x) * t.taps_per_output];
      const uint8_t* s = src + size_t(t.first[x]) * c;
      for (int ch = 0; ch < c; ++ch) {
        int32_t acc = int32_t(1) << (kPillowPrecisionBits - 1);  // + 0.5: round to nearest
        for (int j = 0; j < t.count[x]; ++j) acc += int32_t(s[size_t(j) * c + ch]) * k[j];
        dst[size_t(x) * c + ch] = clip8(acc);
      }
    }
  }
}

// Filters `in` vertically; t.first is relative to in's first row.
void vertical_pass(const Image& in, const ResampleTaps& t, int first_offset, Image& out) {
  const size_t row_len = size_t(in.width) * in.channels;
  std::vector<int32_t> acc(row_len);
  for (int y = 0; y < t.out_size; ++y) {
    const int32_t* k = &t.weights[size_t(y) * t.taps_per_output];
    std::fill(acc.begin(), acc.end(), int32_t(1) << (kPillowPrecisionBits - 1));
    for (int j = 0; j < t.count[y]; ++j) {
      const uint8_t* src = in.at(0, t.first[y] - first_offset + j);
      const int32_t w = k[j];
      for (size_t i = 0; i < row_len; ++i) acc[i] += int32_t(src[i]) * w;  // vectorises
    }
    uint8_t* dst = out.at(0, y);
    for (size_t i = 0; i < row_len; ++i) dst[i] = clip8(acc[i]);
  }
}

}  // namespace

ResampleTaps pillow_bilinear_taps(int in_size, int out_size) {
  DN_CHECK(in_size >= 1 && out_size >= 1, "pil_resize: sizes must be positive (", in_size, " -> ",
           out_size, ")");
  ResampleTaps t;
  t.in_size = in_size;
  t.out_size = out_size;
  // Pillow takes the box (0, in) as floats and computes (in1 - in0) / out in double.
  const double scale = double(float(in_size) - 0.0f) / out_size;
  const double filter_scale = scale < 1.0 ? 1.0 : scale;
  const double support = 1.0 * filter_scale;  // the bilinear (triangle) filter's support is 1
  t.taps_per_output = int(std::ceil(support)) * 2 + 1;
  t.first.resize(out_size);
  t.count.resize(out_size);
  t.weights.assign(size_t(out_size) * t.taps_per_output, 0);
  std::vector<double> w(t.taps_per_output);
  for (int i = 0; i < out_size; ++i) {
    const double center = (i + 0.5) * scale;
    const double inv = 1.0 / filter_scale;
    int xmin = int(center - support + 0.5);  // C's (int) truncates towards zero
    if (xmin < 0) xmin = 0;
    int xmax = int(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    const int n = xmax - xmin;
    double sum = 0.0;
    for (int j = 0; j < n; ++j) {
      w[j] = triangle((j + xmin - center + 0.5) * inv);
      sum += w[j];
    }
    for (int j = 0; j < n; ++j) {
      const double normalised = sum != 0.0 ? w[j] / sum : w[j];
      const double fixed = normalised * (1 << kPillowPrecisionBits);
      t.weights[size_t(i) * t.taps_per_output + j] = int32_t(fixed < 0 ? -0.5 + fixed : 0.5 + fixed);
    }
    t.first[i] = xmin;
    t.count[i] = n;
  }
  return t;
}

Image pil_resize_bilinear(const Image& image, int out_width, int out_height) {
  DN_CHECK(image.width >= 1 && image.height >= 1 && image.channels >= 1,
           "pil_resize: empty input image (", image.width, "x", image.height, ")");
  DN_CHECK(out_width >= 1 && out_height >= 1, "pil_resize: output size must be positive, got ",
           out_width, "x", out_height);
  const bool need_h = out_width != image.width;
  const bool need_v = out_height != image.height;
  if (!need_h && !need_v) return image;  // Pillow returns a copy, untouched

  const ResampleTaps th = pillow_bilinear_taps(image.width, out_width);
  const ResampleTaps tv = pillow_bilinear_taps(image.height, out_height);

  if (!need_h) {
    Image out(image.width, out_height, image.channels);
    vertical_pass(image, tv, 0, out);
    return out;
  }
  // Only the input rows some output row reads need the horizontal pass.
  const int row_first = need_v ? tv.first[0] : 0;
  const int row_last = need_v ? tv.first[out_height - 1] + tv.count[out_height - 1] : image.height;
  Image horizontal(out_width, row_last - row_first, image.channels);
  horizontal_pass(image, row_first, row_last - row_first, th, horizontal);
  if (!need_v) return horizontal;
  Image out(out_width, out_height, image.channels);
  vertical_pass(horizontal, tv, row_first, out);
  return out;
}

}  // namespace dn::data
