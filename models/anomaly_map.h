// From features to an anomaly map and an image score (docs/reference.md §6 steps 2–7):
//   1. per group, 1 - cos(en, de) over channels: [B, 1, h, w]
//   2. bilinear (align_corners=True) up to the crop size, then the mean over groups
//   3. bilinear (align_corners=False, no antialias) to 256×256
//   4. a 5×5 Gaussian, sigma 4, zero padding (so borders are pulled towards 0)
//   5. score = mean of the top 1% (655 of 65 536) values of the smoothed map
// Shared by training-time evaluation, eval, predict and inspect.
#pragma once
#include <vector>

#include "tensor/tensor.h"

namespace dn::models {

struct AnomalyMapOptions {
  int64_t out_size = 256;
  int64_t gaussian_size = 5;
  double gaussian_sigma = 4.0;
  double top_ratio = 0.01;  // 0: the maximum
};

// The 2-D Gaussian the reference builds (get_gaussian_kernel): [1, 1, k, k], computed in
// `dtype` (the reference: float32; a float64 map gets a float64 kernel).
Tensor gaussian_kernel(int64_t size, double sigma, DType dtype = DType::f32);

// Steps 1–2: [B, 1, crop, crop], before resizing and smoothing.
Tensor raw_anomaly_map(const std::vector<Tensor>& en, const std::vector<Tensor>& de, int64_t crop);
// Steps 1–4: [B, 1, out, out].
Tensor anomaly_map(const std::vector<Tensor>& en, const std::vector<Tensor>& de, int64_t crop,
                   const AnomalyMapOptions& options = {});
// Step 5: [B].
Tensor image_scores(const Tensor& map, double top_ratio = 0.01);

}  // namespace dn::models
