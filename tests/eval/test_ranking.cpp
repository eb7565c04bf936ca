// Image-level metrics against sklearn (roc_auc_score, average_precision_score, roc_curve)
// and the reference's f1_score_max / best threshold, on committed fixtures: ties, all-equal
// scores, single-class sets, negative scores, and two large generated sets.
#include <doctest/doctest.h>

#include "tests/support/compare.h"

#include <cmath>

#include "eval/ranking.h"
#include "fixture.h"
#include "synthetic.h"
#include "tensor/error.h"

using namespace dn::eval;

namespace {

constexpr double kTolerance = 1e-9;  // 1e-6 was the target; we hold ourselves to 1e-9

void check_against(const nlohmann::json& e, std::span<const float> scores, std::span<const uint8_t> labels) {
  RankingMetrics m = ranking_metrics(scores, labels);
  if (e.is_null()) {  // sklearn refuses: one class only
    CHECK(!m.auroc);
    CHECK(!m.ap);
    CHECK(!m.f1max);
    CHECK(!m.f1_threshold);
    CHECK(roc_curve(scores, labels).empty());
    return;
  }
  REQUIRE(m.auroc);
  CHECK_CLOSE(dn::test::compare(*m.auroc, e["auroc"].get<double>(), dn::test::Measure::absolute), kTolerance);
  CHECK_CLOSE(dn::test::compare(*m.ap, e["ap"].get<double>(), dn::test::Measure::absolute), kTolerance);
  CHECK_CLOSE(dn::test::compare(*m.f1max, e["f1max"].get<double>(), dn::test::Measure::absolute), kTolerance);
  CHECK(*m.f1_threshold == float(e["f1_threshold"].get<double>()));
  if (!e["roc_fpr"].is_null()) {
    std::vector<RocPoint> roc = roc_curve(scores, labels);
    REQUIRE(roc.size() == e["roc_fpr"].size());
    for (size_t i = 0; i < roc.size(); ++i) {
      CHECK(roc[i].fpr == doctest::Approx(e["roc_fpr"][i].get<double>()).epsilon(1e-12));
      CHECK(roc[i].tpr == doctest::Approx(e["roc_tpr"][i].get<double>()).epsilon(1e-12));
    }
  }
}

}  // namespace

TEST_CASE("ranking metrics match sklearn on the explicit fixtures") {
  auto fx = testing::load_fixture("ranking.json");
  int explicit_cases = 0;
  for (const auto& c : fx["cases"]) {
    if (!c.contains("scores")) continue;
    CAPTURE(c["name"].get<std::string>());
    std::vector<float> scores;
    for (double s : c["scores"].get<std::vector<double>>()) scores.push_back(float(s));
    std::vector<uint8_t> labels = c["labels"].get<std::vector<uint8_t>>();
    check_against(c["expect"], scores, labels);
    ++explicit_cases;
  }
  CHECK(explicit_cases >= 10);
}

TEST_CASE("ranking metrics match sklearn on large generated sets (heavy ties and nearly distinct)") {
  auto fx = testing::load_fixture("ranking.json");
  int large = 0;
  for (const auto& c : fx["cases"]) {
    if (!c.contains("generator")) continue;
    CAPTURE(c["name"].get<std::string>());
    const auto& g = c["generator"];
    testing::RankingSet s = testing::ranking_set(g["n"], g["seed"], g["pos_per_1000"], g["levels"],
                                                 g["shift"], g["denom"]);
    // First make sure we rebuilt the same data as the generator.
    int64_t n_pos = 0;
    double sum = 0;
    for (size_t i = 0; i < s.scores.size(); ++i) {
      n_pos += s.labels[i];
      sum += s.scores[i];
    }
    REQUIRE(n_pos == c["checksum"]["n_pos"].get<int64_t>());
    REQUIRE(sum == doctest::Approx(c["checksum"]["score_sum"].get<double>()).epsilon(1e-12));
    check_against(c["expect"], s.scores, s.labels);
    ++large;
  }
  CHECK(large == 2);
}

TEST_CASE("ranking metrics: hand-checked values and bad input") {
  // Two positives above two negatives except one tie: AUROC = (3 + 0.5) / 4.
  std::vector<float> s = {0.9f, 0.5f, 0.5f, 0.1f};
  std::vector<uint8_t> l = {1, 1, 0, 0};
  RankingMetrics m = ranking_metrics(s, l);
  CHECK(*m.auroc == doctest::Approx(0.875));
  // AP: recall 1/2 at precision 1, then recall 1 at precision 2/3.
  CHECK(*m.ap == doctest::Approx(0.5 * 1.0 + 0.5 * 2.0 / 3.0));
  std::vector<uint8_t> short_labels = {1, 0};
  CHECK_THROWS_AS(ranking_metrics(s, short_labels), dn::Error);
  s[2] = std::nanf("");
  CHECK_THROWS_AS(ranking_metrics(s, l), dn::Error);
}

TEST_CASE("RankingSweep refuses groups beyond the announced totals and unfinished sweeps") {
  RankingSweep sweep(1, 1);
  sweep.add_group(1, 0, 0.5f);
  CHECK_THROWS_AS(sweep.result(), dn::Error);
  CHECK_THROWS_AS(sweep.add_group(1, 0, 0.4f), dn::Error);
}
