// Preprocessing steps; see transforms.h for what the reference computes and why.
#include "data/transforms.h"

#include <cmath>
#include <cstring>

#include "data/pil_resize.h"
#include "tensor/error.h"

namespace dn::data {

void Preprocess::validate() const {
  DN_CHECK(resize >= 1 && crop >= 1, "preprocess: resize (", resize, ") and crop (", crop,
           ") must be positive");
  DN_CHECK(crop <= resize, "preprocess: crop ", crop, " is larger than resize ", resize,
           " (the centre crop must fit inside the resized image)");
  for (int c = 0; c < 3; ++c)
    DN_CHECK(std[c] > 0.0f, "preprocess: std[", c, "] must be positive, got ", std[c]);
}

int center_crop_offset(int size, int crop) {
  DN_CHECK(crop >= 1 && crop <= size, "center_crop: crop ", crop, " does not fit in ", size);
  const int d = size - crop;
  if (d % 2 == 0) return d / 2;
  const int floor_half = d / 2;  // the halfway case: round to the even neighbour
  return floor_half % 2 == 0 ? floor_half : floor_half + 1;
}

Image center_crop(const Image& image, int crop_width, int crop_height) {
  const int left = center_crop_offset(image.width, crop_width);
  const int top = center_crop_offset(image.height, crop_height);
  if (crop_width == image.width && crop_height == image.height) return image;
  Image out(crop_width, crop_height, image.channels);
  const size_t row_bytes = size_t(crop_width) * image.channels;
  for (int y = 0; y < crop_height; ++y)
    std::memcpy(out.at(0, y), image.at(left, top + y), row_bytes);
  return out;
}

Image drop_alpha(const Image& image) {
  if (image.channels == 1 || image.channels == 3) return image;
  DN_CHECK(image.channels == 2 || image.channels == 4, "drop_alpha: image with ", image.channels,
           " channels");
  const int keep = image.channels - 1;
  Image out(image.width, image.height, keep);
  const size_t n = size_t(image.width) * image.height;
  for (size_t i = 0; i < n; ++i)
    for (int c = 0; c < keep; ++c) out.pixels[i * keep + c] = image.pixels[i * image.channels + c];
  return out;
}

Image resize_and_crop(const Image& image, const Preprocess& preprocess) {
  preprocess.validate();
  const Image resized = pil_resize_bilinear(image, preprocess.resize, preprocess.resize);
  return center_crop(resized, preprocess.crop, preprocess.crop);
}

void normalize_to_planes(const Image& cropped, const Preprocess& p, float* out) {
  DN_CHECK(cropped.channels == 1 || cropped.channels == 3, "normalize: image with ",
           cropped.channels, " channels (want 1 or 3)");
  const size_t plane = size_t(cropped.width) * cropped.height;
  // A lookup table per channel: the result depends only on (byte, channel), and building
  // 3 x 256 entries is cheaper than 3 divisions per pixel. Each entry is computed exactly
  // as torchvision does, in float32 steps.
  float table[3][256];
  for (int c = 0; c < 3; ++c)
    for (int v = 0; v < 256; ++v) {
      const float x = float(v) / 255.0f;
      table[c][v] = (x - p.mean[c]) / p.std[c];
    }
  const int step = cropped.channels;
  for (int c = 0; c < 3; ++c) {
    const uint8_t* src = cropped.pixels.data() + (step == 3 ? c : 0);
    float* dst = out + c * plane;
    for (size_t i = 0; i < plane; ++i) dst[i] = table[c][src[i * step]];
  }
}

void mask_to_floats(const Image& cropped_mask, float* out) {
  DN_CHECK(cropped_mask.channels == 1, "mask_to_floats: mask with ", cropped_mask.channels,
           " channels (want 1)");
  for (size_t i = 0; i < cropped_mask.pixels.size(); ++i) out[i] = float(cropped_mask.pixels[i]) / 255.0f;
}

Tensor image_to_tensor(const Image& decoded, const Preprocess& preprocess) {
  const Image cropped = resize_and_crop(drop_alpha(decoded), preprocess);
  Tensor t = empty({3, cropped.height, cropped.width}, DType::f32);
  normalize_to_planes(cropped, preprocess, t.data<float>());
  return t;
}

Tensor mask_to_tensor(const Image& decoded_mask, const Preprocess& preprocess) {
  const Image mask = decoded_mask.channels == 1 ? decoded_mask : to_gray(decoded_mask);
  const Image cropped = resize_and_crop(mask, preprocess);
  Tensor t = empty({1, cropped.height, cropped.width}, DType::f32);
  mask_to_floats(cropped, t.data<float>());
  return t;
}

int legacy_nearest_source(int dst, int in_size, int out_size) {
  if (out_size == in_size) return dst;
  if (out_size == 2 * in_size) return dst >> 1;
  const float scale = float(in_size) / float(out_size);
  const int src = int(std::floor(float(dst) * scale));
  return src < in_size - 1 ? src : in_size - 1;
}

Image ground_truth_for_evaluation(const Image& cropped_mask, int size) {
  DN_CHECK(cropped_mask.channels == 1, "ground_truth_for_evaluation: mask with ",
           cropped_mask.channels, " channels (want 1)");
  DN_CHECK(size >= 1, "ground_truth_for_evaluation: size must be positive, got ", size);
  Image out(size, size, 1);
  for (int y = 0; y < size; ++y) {
    const int sy = legacy_nearest_source(y, cropped_mask.height, size);
    for (int x = 0; x < size; ++x) {
      const int sx = legacy_nearest_source(x, cropped_mask.width, size);
      out.pixels[size_t(y) * size + x] = cropped_mask.at(sx, sy)[0] > 0 ? 1 : 0;
    }
  }
  return out;
}

Tensor ground_truth_for_evaluation(const Tensor& masks, int size) {
  DN_CHECK(masks.defined() && masks.dim() == 4 && masks.size(1) == 1,
           "ground_truth_for_evaluation: want masks [B, 1, H, W], got ",
           masks.defined() ? masks.describe() : std::string("an undefined tensor"));
  DN_CHECK(masks.dtype() == DType::f32 && masks.is_contiguous() && masks.device().is_cpu(),
           "ground_truth_for_evaluation: want a contiguous float32 CPU tensor, got ",
           masks.describe());
  DN_CHECK(size >= 1, "ground_truth_for_evaluation: size must be positive, got ", size);
  const int64_t b = masks.size(0), h = masks.size(2), w = masks.size(3);
  Tensor out = empty({b, 1, size, size}, DType::u8);
  const float* src = masks.data<float>();
  uint8_t* dst = out.data<uint8_t>();
  for (int64_t n = 0; n < b; ++n)
    for (int y = 0; y < size; ++y) {
      const int sy = legacy_nearest_source(y, int(h), size);
      for (int x = 0; x < size; ++x) {
        const int sx = legacy_nearest_source(x, int(w), size);
        dst[(n * size + y) * size + x] = src[(n * h + sy) * w + sx] > 0.0f ? 1 : 0;
      }
    }
  return out;
}

}  // namespace dn::data
