#include "apps/lib/threshold.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "tensor/error.h"
#include "tensor/io/atomic_file.h"

namespace dn::app {

double OperatingPoint::normalize(double score) const {
  const double spread = std::max(threshold - median, 1e-12);
  return std::clamp(0.5 + 0.5 * (score - threshold) / spread, 0.0, 1.0);
}

OperatingPoint fit_operating_point(std::vector<float> s, double fpr, float map_low) {
  DN_CHECK(!s.empty(), "threshold: no held-out normal images to fit it on (use --holdout > 0 "
           "with enough training images)");
  DN_CHECK(fpr > 0 && fpr < 1, "threshold: --fpr must be in (0, 1), got ", fpr);
  std::sort(s.begin(), s.end());
  auto quantile = [&](double q) {  // linear interpolation between order statistics
    const double pos = q * double(s.size() - 1);
    const size_t lo = size_t(std::floor(pos)), hi = std::min(lo + 1, s.size() - 1);
    return double(s[lo]) + (pos - double(lo)) * (double(s[hi]) - double(s[lo]));
  };
  OperatingPoint op;
  op.fpr = fpr;
  op.holdout_images = int64_t(s.size());
  op.threshold = quantile(1.0 - fpr);
  op.median = quantile(0.5);
  op.map_scale.low = std::min<float>(map_low, float(op.median));
  op.map_scale.high = float(op.threshold + (op.threshold - op.map_scale.low));
  return op;
}

void write_operating_point(const std::string& path, const OperatingPoint& op) {
  nlohmann::ordered_json j;
  j["method"] = "quantile of held-out normal training images";
  j["threshold"] = op.threshold;
  j["median_normal_score"] = op.median;
  j["fpr"] = op.fpr;
  j["holdout_images"] = op.holdout_images;
  j["map_scale"] = {op.map_scale.low, op.map_scale.high};
  const std::string text = j.dump(2) + "\n";
  io::write_file_atomic(path, [&](std::FILE* f) { io::write_bytes(f, text.data(), text.size(), path); });
}

OperatingPoint read_operating_point(const std::string& path) {
  std::ifstream in(path);
  DN_CHECK(in.good(), path, ": missing (the run has no fitted threshold: train with --holdout > 0)");
  try {
    nlohmann::json j;
    in >> j;
    OperatingPoint op;
    op.threshold = j.at("threshold").get<double>();
    op.median = j.at("median_normal_score").get<double>();
    op.fpr = j.at("fpr").get<double>();
    op.holdout_images = j.at("holdout_images").get<int64_t>();
    auto scale = j.at("map_scale").get<std::vector<float>>();
    DN_CHECK(scale.size() == 2, path, ": map_scale must hold two numbers");
    op.map_scale = {scale[0], scale[1]};
    return op;
  } catch (const nlohmann::json::exception& e) {
    fail(path, ": ", e.what());
  }
}

}  // namespace dn::app
