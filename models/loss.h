// Dinomaly's loss, global_cosine_hm_percent (docs/reference.md §3).
//
// Its VALUE is a plain global cosine distance: for each group, each image's whole
// [D, h, w] map is one vector, and loss = mean over groups and images of 1 - cos(en, de).
// Its GRADIENT is shaped by hard mining: the point-wise distances d = 1 - cos over
// channels at each of the B·h·w points pick the k = int(B·h·w·(1-p)) hardest points
// (pooled over the batch); every point strictly easier than the k-th hardest has its
// gradient scaled by `factor` (0.1), through a hook on the decoder group's output.
#pragma once
#include <vector>

#include "autograd/functions.h"

namespace dn::models {

// en, de: per group [B, D, h, w]; en is treated as constant.
Tensor global_cosine_hm_percent(const std::vector<Tensor>& en, const std::vector<Tensor>& de,
                                double p, double factor = 0.1);
// The same value with no gradient shaping (the ablation "plain global cosine").
Tensor global_cosine(const std::vector<Tensor>& en, const std::vector<Tensor>& de);

}  // namespace dn::models
