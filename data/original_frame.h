// An anomaly map back in the frame of the original image.
//
// The network sees the centre crop of the image after it was resized to a square
// (transforms.h: W x H -> resize x resize -> crop x crop), and the anomaly map (S x S,
// S = 256) covers that crop only. map_to_original_frame undoes both steps: each pixel
// (x, y) of the W x H original is followed through the resize and the crop into the map,
// which is read bilinearly between pixel centres (as OpenCV's resize and PyTorch's bilinear
// interpolation with align_corners=False read an image). A pixel whose centre falls outside
// the crop was never shown to the network: it is NaN, "not inspected".
//
// With the defaults (448 -> 392) the crop keeps the middle 87.5 % of each axis: a band of
// 6.25 % of the width on the left and right, and of the height at the top and bottom, is NaN,
// whatever the image's aspect ratio (the resize stretches a non-square image to a square).
#pragma once
#include <span>
#include <vector>

#include "data/transforms.h"

namespace dn::data {

// map: map_size x map_size floats, row-major, covering the crop. Returns width x height
// floats, row-major, NaN where the crop left the image out. Throws dn::Error for a map of
// the wrong length or a non-positive size.
std::vector<float> map_to_original_frame(std::span<const float> map, int map_size, int width, int height,
                                         const Preprocess& preprocess);

}  // namespace dn::data
