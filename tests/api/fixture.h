// What the library's tests share: a small trained run and images to score with it.
#pragma once
#include <string>
#include <vector>

namespace dn::test {

// A one-class test-tiny run (random encoder, 84 -> 70 px, a few steps) with its threshold.
const std::string& api_trained_run();

// Two synthetic test images (96 x 96: a good one and a defective one) and a non-square
// one (120 x 75, made from the defective one), as PNG files.
const std::vector<std::string>& api_images();
const std::string& non_square_image();

// predict's predictions.csv (--batch 1) for api_images() and non_square_image(), one row per
// image: {path, score, normalised score, label, heatmap (empty), class, threshold}.
std::vector<std::vector<std::string>> predict_rows();

}  // namespace dn::test
