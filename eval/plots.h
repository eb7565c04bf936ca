// Per-class plots: how the image scores of normal and anomalous test images are
// distributed (with the threshold), and the ROC curve. Drawn with eval/draw.h.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "data/image.h"

namespace dn::eval {

// Overlaid histograms of the scores of normal (blue) and anomalous (red) images over the
// range of all scores, with a dashed line at `threshold`, labelled as the F1-optimal
// threshold on the test set (what ClassPictures passes). labels: 0 normal, non-zero
// anomalous. Throws dn::Error when sizes differ or there are no scores.
data::Image render_score_histogram(std::span<const float> scores, std::span<const uint8_t> labels,
                                   std::optional<float> threshold, const std::string& title,
                                   int bins = 40);

// The ROC curve (sklearn's points, eval/ranking.h) with the chance diagonal, the AUROC,
// and the operating point of `threshold` marked. With one class only, the plot says so.
data::Image render_roc(std::span<const float> scores, std::span<const uint8_t> labels,
                       std::optional<float> threshold, const std::string& title);

}  // namespace dn::eval
