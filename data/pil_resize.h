// Pillow's antialiased bilinear resize (`Image.resize(size, Image.BILINEAR)`), bit for bit.
//
// Why reproduce Pillow exactly? The reference feeds the network
// `Resize((448, 448))` of a PIL image, which is Pillow's ImagingResample. Any other
// bilinear (OpenCV's INTER_LINEAR, PyTorch's interpolate, a float implementation) differs
// by a grey level here and there, and those differences reach every feature the frozen
// encoder computes. Pillow's algorithm is integer arithmetic after the weights are fixed,
// so an exact copy is possible and testable against Pillow itself.
//
// What Pillow computes, per axis (the two axes are independent: the filter is separable):
//   scale = in / out; when downscaling, the triangle filter is stretched by `scale`
//   (support = max(scale, 1)), so every input pixel under the footprint contributes:
//   this is the *antialiasing*: a plain bilinear would sample 2 pixels and alias.
//   Output pixel i is centred at (i + 0.5) * scale in input coordinates. Its taps are
//   the input pixels j in [xmin, xmax) with
//     xmin = max(int(center - support + 0.5), 0), xmax = min(int(center + support + 0.5), in),
//   weighted by w_j = max(0, 1 - |(j - center + 0.5) / max(scale, 1)|), normalised to sum 1.
//   The weights become fixed point with 22 fractional bits (rounded half away from zero),
//   and a pixel is (2^21 + sum(pixel * weight)) >> 22, clipped to [0, 255].
// The horizontal pass runs first, over only the rows the vertical pass will read, and its
// result is stored as uint8: that intermediate rounding is part of Pillow's result.
// An axis whose size does not change is not filtered at all.
#pragma once
#include <cstdint>
#include <vector>

#include "data/image.h"

namespace dn::data {

// The taps of one axis: output i reads `count[i]` inputs starting at `first[i]`, with
// fixed-point weights weights[i * taps_per_output + k].
struct ResampleTaps {
  int in_size = 0, out_size = 0, taps_per_output = 0;
  std::vector<int> first, count;
  std::vector<int32_t> weights;
};

constexpr int kPillowPrecisionBits = 22;  // 32 - 8 bits of pixel - 2 bits of headroom

ResampleTaps pillow_bilinear_taps(int in_size, int out_size);

// Resizes an image with any channel count (each channel independently, as Pillow does for
// L, RGB and RGBA without premultiplication). out_width, out_height >= 1.
Image pil_resize_bilinear(const Image& image, int out_width, int out_height);

}  // namespace dn::data
