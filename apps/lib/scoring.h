// Running a trained model over images: anomaly maps and image scores (models/anomaly_map.h),
// in evaluation mode and without recording gradients, and the images as the model saw them.
#pragma once
#include <vector>

#include "data/image.h"
#include "data/transforms.h"
#include "models/anomaly_map.h"
#include "models/dinomaly.h"

namespace dn::app {

struct Scored {
  Tensor maps;    // float32 [B, 1, 256, 256], on the CPU
  Tensor scores;  // float32 [B], on the CPU
};

// images: [B, 3, C, C] normalised, on the model's device.
Scored score_batch(models::Dinomaly& model, const Tensor& images);

// The centre crop as 8-bit RGB, recovered from a normalised [3, C, C] image of a batch
// (undoing Normalize and ToTensor exactly: the bytes come back as they were).
data::Image crop_bytes(const Tensor& images, int64_t index, const data::Preprocess& preprocess);

}  // namespace dn::app
