// A small trained run for the export tests: two synthetic classes, the test-tiny encoder
// with random weights at 84 -> 70 px, a few steps, a fitted threshold.
#pragma once
#include <doctest/doctest.h>

#include <string>

#include "tests/apps/app_runner.h"

namespace dn::test {

inline const std::string& tiny_run() {
  static const std::string run = [] {
    const std::string dir = temp_dir("tiny_run");
    Run s = run_app("synth", {"--out", dir + "/data", "--classes", "2", "--train", "12", "--test", "4", "--size", "96"});
    REQUIRE_MESSAGE(s.code == 0, s.err);
    Run t = run_app("train", {"--data", dir + "/data", "--out", dir + "/run", "--encoder", "test-tiny",
                              "--encoder-weights", "random", "--resize", "84", "--crop", "70", "--iters", "4",
                              "--batch", "4", "--warmup", "1", "--threads", "2", "--holdout", "0.25", "--vis", "0",
                              "--workers", "1"});
    REQUIRE_MESSAGE(t.code == 0, t.err);
    return dir + "/run";
  }();
  return run;
}

}  // namespace dn::test
