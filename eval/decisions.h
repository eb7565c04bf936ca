// What a deployed threshold does on a class's test images: the confusion counts (an image
// is called anomalous when its score >= threshold) and the rates they give.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace dn::eval {

struct ScoreRow;

struct Decisions {
  double threshold = 0;
  std::string fitted_on;  // "class": fitted on the class's own held-out images; "pooled": on all classes'
  int64_t tp = 0, fp = 0, tn = 0, fn = 0;

  // Undefined (nullopt) when the denominator is 0.
  std::optional<double> false_positive_rate() const;  // fp / (fp + tn): normal images flagged
  std::optional<double> recall() const;               // tp / (tp + fn): anomalous images flagged
  std::optional<double> precision() const;            // tp / (tp + fp): flagged images that are anomalous
};

Decisions count_decisions(std::span<const ScoreRow> rows, double threshold, std::string fitted_on);

}  // namespace dn::eval
