// The reference's preprocessing (docs/reference.md §2.1), reproduced exactly:
//
//   image: Resize((448, 448)) -> ToTensor() -> CenterCrop(392) -> Normalize(ImageNet)
//   mask : Resize((448, 448)) -> CenterCrop(392) -> ToTensor()
//
// Resize is Pillow's antialiased bilinear (pil_resize.h) to a square, ignoring the aspect
// ratio. Cropping commutes with the elementwise ToTensor and Normalize, so we resize and
// crop in uint8 first (the result is what the loader's cache keeps: 4 times smaller than
// floats), then convert only the cropped pixels:
//   ToTensor:  x = float(byte) / 255.0f
//   Normalize: (x - float(mean_c)) / float(std_c), each step rounded to float32, as
//              torchvision computes it (sub_ then div_ on float32 tensors).
// Evaluation compares maps with the ground truth at 256 x 256: the cropped mask goes
// through PyTorch's legacy nearest resize, then any value > 0 counts as a defect.
#pragma once
#include <array>

#include "data/image.h"
#include "tensor/tensor.h"

namespace dn::data {

struct Preprocess {
  int resize = 448;  // both sides: the reference resizes to a square
  int crop = 392;    // the centre square fed to the network
  std::array<float, 3> mean = {0.485f, 0.456f, 0.406f};
  std::array<float, 3> std = {0.229f, 0.224f, 0.225f};

  // Throws dn::Error unless 1 <= crop <= resize and every std is positive.
  void validate() const;
};

// torchvision's CenterCrop offset: int(round((size - crop) / 2.0)) with Python's round,
// which rounds halves to even: (449 - 392) / 2 = 28.5 -> 28, (451 - 392) / 2 = 29.5 -> 30.
int center_crop_offset(int size, int crop);
Image center_crop(const Image& image, int crop_width, int crop_height);

// Drops alpha and keeps gray images at one channel (L and LA -> 1 channel, RGB and RGBA ->
// 3). Resizing one gray channel and replicating it afterwards gives exactly the bytes of
// convert('RGB') followed by the resize (the channels are filtered independently), for a
// third of the work: the magnetic-tile images are all gray.
Image drop_alpha(const Image& image);

// Resize to preprocess.resize squared, then centre-crop to preprocess.crop: uint8 still.
// Works on any channel count (images and masks take the same geometric path).
Image resize_and_crop(const Image& image, const Preprocess& preprocess);

// A cropped image (1 or 3 channels; 1 is replicated) to normalised float planes [3, H, W],
// written to `out` (3 * H * W floats).
void normalize_to_planes(const Image& cropped, const Preprocess& preprocess, float* out);
// A cropped mask (1 channel) to floats in [0, 1] (ToTensor's byte / 255), [H, W] into out.
void mask_to_floats(const Image& cropped_mask, float* out);

// Convenience for single images (the loader writes straight into batch tensors instead):
// a decoded image -> float32 [3, C, C]; a decoded mask (1 channel) -> float32 [1, C, C].
Tensor image_to_tensor(const Image& decoded, const Preprocess& preprocess);
Tensor mask_to_tensor(const Image& decoded_mask, const Preprocess& preprocess);

// The evaluation ground truth (docs/reference.md §6 step 4 and §8.13): PyTorch's legacy
// `F.interpolate(mode='nearest')` of the cropped mask to size x size, then > 0.
// Legacy nearest reads source index min(floor(dst * (in / out)), in - 1), with in / out
// and the product computed in float32, as PyTorch's CPU kernel does.
int legacy_nearest_source(int dst, int in_size, int out_size);
// Cropped 1-channel uint8 mask -> 0/1 bytes of size x size.
Image ground_truth_for_evaluation(const Image& cropped_mask, int size = 256);
// Float masks [B, 1, H, W] (as the loader gives them) -> uint8 0/1 [B, 1, size, size].
Tensor ground_truth_for_evaluation(const Tensor& masks, int size = 256);

}  // namespace dn::data
