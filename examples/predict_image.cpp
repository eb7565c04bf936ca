// Scores one image with a trained run, through the C++ interface:
//
//   c++ -std=c++17 predict_image.cpp -o predict_image $(pkg-config --cflags --libs dinomaly)
//   ./predict_image runs/line3 part_17.png
//
// prints the same line as the C example: score, normalised score, label, map size and how
// many map pixels the centre crop left out (NaN: not inspected).
#include <dinomaly/detector.h>

#include <cmath>
#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s RUN_DIR IMAGE\n", argv[0]);
    return 2;
  }
  try {
    dn::Detector detector = dn::Detector::open(argv[1]);
    const dn::Prediction p = detector.predict(argv[2]);
    long not_inspected = 0;
    for (float v : p.map) not_inspected += std::isnan(v);
    const char* label = p.anomalous == 1 ? "anomalous" : p.anomalous == 0 ? "normal" : "none";
    std::printf("score %.9g normalized %.4f label %s map %dx%d not_inspected %ld\n", p.score, p.normalized_score,
                label, p.width, p.height, not_inspected);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "predict_image: %s\n", e.what());
    return 1;
  }
  return 0;
}
