// Streaming pixel metrics (histogram above the memory budget) against the exact ones: the
// difference must stay within the bound each metric reports, the bounds must shrink with
// more bins, and the histogram itself must survive range growth in both directions.
#include <doctest/doctest.h>

#include "tests/support/compare.h"

#include <cmath>

#include "eval/float_key.h"
#include "eval/histogram_metrics.h"
#include "eval/key_histogram.h"
#include "eval/pixel_metrics.h"
#include "eval/ranking.h"
#include "synthetic.h"
#include "tensor/error.h"

using namespace dn::eval;

namespace {

PixelMetrics streamed_metrics(const testing::PixelClass& c, PixelMetricOptions options) {
  PixelAccumulator acc(options);
  const size_t n = size_t(c.height) * c.width;
  for (int k = 0; k < c.n; ++k)
    acc.add(std::span(c.maps).subspan(k * n, n), std::span(c.masks).subspan(k * n, n), c.height, c.width);
  return acc.finish();
}

struct Errors {
  double auroc, ap, f1, aupro;
};

Errors check_within_bounds(const PixelMetrics& exact, const PixelMetrics& approx) {
  REQUIRE(exact.exact);
  REQUIRE_FALSE(approx.exact);
  REQUIRE(approx.auroc);
  REQUIRE(approx.aupro);
  using dn::test::compare, dn::test::Measure;
  const dn::test::Comparison auroc = compare(*approx.auroc, *exact.auroc, Measure::absolute),
                             ap = compare(*approx.ap, *exact.ap, Measure::absolute),
                             f1 = compare(*approx.f1max, *exact.f1max, Measure::absolute),
                             aupro = compare(*approx.aupro, *exact.aupro, Measure::absolute);
  Errors e{auroc.error, ap.error, f1.error, aupro.error};
  const double slack = 1e-12;  // rounding of the sums themselves
  CHECK_CLOSE(auroc, approx.auroc_bound + slack);
  CHECK_CLOSE(ap, approx.ap_bound + slack);
  CHECK_CLOSE(f1, approx.f1max_bound + slack);
  CHECK(*approx.f1max <= *exact.f1max + slack);  // bin edges are real thresholds
  CHECK_CLOSE(aupro, approx.aupro_bound + slack);
  MESSAGE("bins: errors AUROC ", e.auroc, " AP ", e.ap, " F1 ", e.f1, " AUPRO ", e.aupro, "; bounds ",
          approx.auroc_bound, " ", approx.ap_bound, " ", approx.f1max_bound, " ", approx.aupro_bound);
  return e;
}

}  // namespace

TEST_CASE("streaming pixel metrics stay within their stated error bounds") {
  // Nearly distinct scores and heavy ties; a budget far below the class's pixels, so most
  // images stream into the histogram after the switch.
  for (auto [levels, denom] : {std::pair<uint32_t, uint32_t>{1u << 20, 999983u}, {1600u, 1531u}}) {
    CAPTURE(levels);
    testing::PixelClass data = testing::pixel_class(12, 128, 96, 31, levels, denom);
    PixelMetrics exact = streamed_metrics(data, {});
    double previous_auroc_bound = 1.0;
    for (int bins : {64, 1024, 1 << 16}) {
      CAPTURE(bins);
      PixelMetricOptions small;
      small.exact_memory_bytes = 3 * 128 * 96 * sizeof(float);  // switches during image 4
      small.histogram_bins = bins;
      PixelMetrics approx = streamed_metrics(data, small);
      Errors e = check_within_bounds(exact, approx);
      CHECK(approx.auroc_bound <= previous_auroc_bound);
      previous_auroc_bound = approx.auroc_bound;
      if (bins == (1 << 16) && levels == (1u << 20)) {
        // Fine bins over distinct scores: the bounds themselves are small.
        CHECK(approx.auroc_bound < 1e-3);
        CHECK(approx.ap_bound < 1e-2);
        CHECK(approx.f1max_bound < 1e-2);
        CHECK(approx.aupro_bound < 1e-2);
        CHECK(e.auroc < 1e-4);
      }
    }
  }
}

TEST_CASE("streaming from the first image: equal to exact when every bin holds one distinct score") {
  // 300 score levels spread over a range where 2^20 bins are far finer than the gaps
  // between levels: every bin holds at most one distinct score, so the quantised metrics
  // are the exact ones (the bounds cannot know that and stay positive).
  testing::PixelClass data = testing::pixel_class(6, 40, 40, 5, 200, 211);
  PixelMetrics exact = streamed_metrics(data, {});
  size_t defects = 0;
  for (uint8_t m : data.masks) defects += m;
  PixelMetricOptions tight;
  tight.exact_memory_bytes = defects * sizeof(float) - 1;
  CHECK_THROWS_AS(streamed_metrics(data, tight), dn::Error);  // the defect pixels alone exceed it
  tight.exact_memory_bytes = defects * sizeof(float);  // room for the defect pixels only
  PixelMetrics approx = streamed_metrics(data, tight);
  REQUIRE_FALSE(approx.exact);
  CHECK(*approx.auroc == doctest::Approx(*exact.auroc).epsilon(1e-12));
  CHECK(*approx.ap == doctest::Approx(*exact.ap).epsilon(1e-12));
  CHECK(*approx.f1max == doctest::Approx(*exact.f1max).epsilon(1e-12));
  CHECK(*approx.f1_threshold <= *exact.f1_threshold);  // the lowest value of its bin
  check_within_bounds(exact, approx);
}

TEST_CASE("KeyHistogram keeps counts in the right bins while its range grows both ways") {
  KeyHistogram h(8);
  std::vector<float> values = {0.5f, 0.5000001f, 0.75f, -2.0f, 100.0f, 0.0f, -0.0f, 1e-30f, -1e30f};
  for (float v : values) h.add(v, v > 0.6f);
  CHECK(h.total() == values.size());
  uint64_t pos = 0, neg = 0;
  for (int b = 0; b < h.bins(); ++b) {
    pos += h.positives(b);
    neg += h.negatives(b);
  }
  CHECK(pos == 2);
  CHECK(neg == values.size() - 2);
  // Every value lies in the bin that bin_of_key names, and bins are ordered like values.
  for (float v : values) {
    int b = h.bin_of_key(float_key(v));
    REQUIRE(b >= 0);
    REQUIRE(b < h.bins());
    CHECK(h.lowest_value(b) <= v);
    CHECK(v <= h.highest_value(b));
  }
  CHECK_THROWS_AS(KeyHistogram(7), dn::Error);
  CHECK_THROWS_AS(h.add(std::nanf(""), false), dn::Error);
}

TEST_CASE("histogram_metrics equals the exact metrics of the quantised scores") {
  testing::RankingSet s = testing::ranking_set(20000, 3, 200, 1u << 20, 1u << 18, 1u << 20);
  KeyHistogram h(256);
  h.add(s.scores, s.labels);
  // Quantise each score to its bin's lowest value: the exact metrics of those must agree.
  std::vector<float> quantised;
  for (float v : s.scores) quantised.push_back(h.lowest_value(h.bin_of_key(float_key(v))));
  RankingMetrics q = ranking_metrics(quantised, s.labels);
  HistogramMetrics hm = histogram_metrics(h);
  CHECK(*hm.metrics.auroc == doctest::Approx(*q.auroc).epsilon(1e-12));
  CHECK(*hm.metrics.ap == doctest::Approx(*q.ap).epsilon(1e-12));
  CHECK(*hm.metrics.f1max == doctest::Approx(*q.f1max).epsilon(1e-12));
  CHECK(*hm.metrics.f1_threshold == *q.f1_threshold);
  RankingMetrics exact = ranking_metrics(s.scores, s.labels);
  CHECK_CLOSE(dn::test::compare(*hm.metrics.auroc, *exact.auroc, dn::test::Measure::absolute), hm.auroc_bound);
  CHECK_CLOSE(dn::test::compare(*hm.metrics.ap, *exact.ap, dn::test::Measure::absolute), hm.ap_bound);
  CHECK_CLOSE(dn::test::compare(*hm.metrics.f1max, *exact.f1max, dn::test::Measure::absolute), hm.f1max_bound + 1e-15);
  CHECK(hm.auroc_bound > 0);  // 256 bins over 2^20 levels: quantisation is real here
}
