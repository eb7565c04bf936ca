// The report files: schema of metrics.json (parsed back), null handling, the unweighted
// mean over defined values, CSV quoting, the printed table, and atomic writing.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "eval/report.h"
#include "tensor/error.h"

using namespace dn::eval;

namespace {

ClassMetrics make_class(const std::string& name, double base, bool with_pixels) {
  ClassMetrics c;
  c.name = name;
  c.n_test = 10;
  c.n_anomalous = 4;
  c.image.auroc = base;
  c.image.ap = base - 0.01;
  c.image.f1max = base - 0.02;
  if (with_pixels) {
    c.pixel.auroc = base - 0.03;
    c.pixel.ap = base - 0.3;
    c.pixel.f1max = base - 0.35;
    c.pixel.aupro = base - 0.1;
  } else {
    c.warnings.push_back(name + ": pixel metrics undefined: no masks");
  }
  return c;
}

RunReport sample() {
  RunReport r;
  r.setting = "multi";
  r.classes = {make_class("bottle", 0.99, true), make_class("cable", 0.90, true), make_class("weird", 0.80, false)};
  return r;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("metrics.json has exactly the schema of docs/architecture.md section 4") {
  RunReport r = sample();
  nlohmann::json j = nlohmann::json::parse(metrics_json(r).dump());
  CHECK(j.size() == 3);
  CHECK(j["setting"] == "multi");
  REQUIRE(j["classes"].size() == 3);
  const std::vector<std::string> keys = {"i_auroc", "i_ap", "i_f1max", "p_auroc", "p_ap", "p_f1max",
                                         "p_aupro", "n_test", "n_anomalous", "at_threshold"};
  for (const auto& [name, entry] : j["classes"].items()) {
    CAPTURE(name);
    CHECK(entry.size() == keys.size());
    for (const auto& k : keys) CHECK(entry.contains(k));
    CHECK(entry["n_test"].is_number_integer());
    for (int k = 0; k < kMetricCount; ++k) {
      const auto& v = entry[kMetricKeys[k]];
      CHECK((v.is_null() || (v.is_number_float() && v.get<double>() >= 0 && v.get<double>() <= 1)));
    }
  }
  CHECK(j["classes"]["weird"]["p_auroc"].is_null());
  CHECK(j["classes"]["weird"]["p_aupro"].is_null());
  CHECK(j["classes"]["weird"]["at_threshold"].is_null());  // no deployed threshold
  CHECK(j["classes"]["bottle"]["i_auroc"].get<double>() == 0.99);  // full precision
  CHECK(j["mean"].size() == 7);
  // Unweighted mean over the classes that define the metric.
  CHECK(j["mean"]["i_auroc"].get<double>() == doctest::Approx((0.99 + 0.90 + 0.80) / 3));
  CHECK(j["mean"]["p_auroc"].get<double>() == doctest::Approx((0.96 + 0.87) / 2));
}

TEST_CASE("a metric no class defines has a null mean; bad settings and duplicate classes are refused") {
  RunReport r;
  r.setting = "separate";
  r.classes = {make_class("a", 0.9, false)};
  nlohmann::json j = nlohmann::json::parse(metrics_json(r).dump());
  CHECK(j["mean"]["p_aupro"].is_null());
  CHECK(j["mean"]["i_auroc"].get<double>() == doctest::Approx(0.9));
  r.setting = "both";
  CHECK_THROWS_AS(metrics_json(r), dn::Error);
  r.setting = "multi";
  r.classes.push_back(make_class("a", 0.5, true));
  CHECK_THROWS_AS(metrics_csv(r), dn::Error);
}

TEST_CASE("metrics.csv, scores.csv, metrics.md and the printed table") {
  RunReport r = sample();
  std::string csv = metrics_csv(r);
  CHECK(csv.rfind("class,i_auroc,i_ap,i_f1max,p_auroc,p_ap,p_f1max,p_aupro,n_test,n_anomalous,"
                  "threshold,fitted_on,fpr,recall,precision,tp,fp,tn,fn\n", 0) == 0);
  CHECK(csv.find("\nweird,0.8,0.79,0.78,,,,,10,4,,,,,,,,,\n") != std::string::npos);
  CHECK(csv.find("\nmean,") != std::string::npos);

  std::vector<ScoreRow> rows = {{"bottle", "test/good/000.png", 0, 0.125f, "vis/bottle/good_000.png"},
                                {"bottle", "odd,name \"x\".png", 1, 0.3f, ""}};
  std::string scores = scores_csv(rows);
  CHECK(scores == "class,path,label,score,picture\nbottle,test/good/000.png,0,0.125,vis/bottle/good_000.png\n"
                  "bottle,\"odd,name \"\"x\"\".png\",1,0.3,\n");

  std::string md = metrics_markdown(r);
  CHECK(md.find("| bottle | 99.0 | 98.0 | 97.0 | 96.0 | 69.0 | 64.0 | 89.0 | 10 | 4 |") != std::string::npos);
  CHECK(md.find("| weird | 80.0 | 79.0 | 78.0 | - | - | - | - |") != std::string::npos);
  CHECK(md.find("(2/3)") != std::string::npos);  // the mean says over how many classes
  CHECK(md.find("left out of that metric's mean") != std::string::npos);
  CHECK(md.find("weird: pixel metrics undefined: no masks") != std::string::npos);
  CHECK(md.find("For comparison, the standard") == std::string::npos);  // only when computed
  r.classes[0].pixel.aupro_standard = 0.912;
  CHECK(metrics_markdown(r).find("| bottle | 89.0 | 91.2 |") != std::string::npos);

  std::string table = summary_table(r);
  CHECK(table.find("I-AUROC") != std::string::npos);
  CHECK(table.find("AUPRO") != std::string::npos);
  CHECK(table.find("bottle     99.0     98.0     97.0     96.0     69.0     64.0     89.0") != std::string::npos);
  CHECK(table.find("mean       89.7") != std::string::npos);

  std::ostringstream printed;
  print_summary(printed, r);
  CHECK(printed.str().rfind(table, 0) == 0);
  CHECK(printed.str().find("warning: weird: pixel metrics undefined: no masks\n") != std::string::npos);
}

TEST_CASE("decisions at a deployed threshold: confusion counts and rates by hand, in all three reports") {
  // Normal 0.1 and 0.5, anomalous 0.4, 0.9 and 0.5; threshold 0.5 (score >= threshold is
  // anomalous): fp 1 (0.5), tn 1, tp 2 (0.9, 0.5), fn 1 (0.4). FPR 1/2, recall and precision 2/3.
  const std::vector<ScoreRow> rows = {{"a", "n1", 0, 0.1f, ""}, {"a", "n2", 0, 0.5f, ""}, {"a", "d1", 1, 0.4f, ""},
                                      {"a", "d2", 1, 0.9f, ""}, {"a", "d3", 1, 0.5f, ""}};
  const Decisions d = count_decisions(rows, 0.5, "class");
  CHECK(d.tp == 2);
  CHECK(d.fp == 1);
  CHECK(d.tn == 1);
  CHECK(d.fn == 1);
  CHECK(d.false_positive_rate() == 0.5);
  CHECK(d.recall() == 2.0 / 3.0);
  CHECK(d.precision() == 2.0 / 3.0);
  // No anomalous image: recall undefined; nothing flagged: precision undefined.
  const std::vector<ScoreRow> normal_only = {{"a", "n1", 0, 0.1f, ""}};
  const Decisions none = count_decisions(normal_only, 0.5, "pooled");
  CHECK(!none.recall().has_value());
  CHECK(!none.precision().has_value());
  CHECK(none.false_positive_rate() == 0.0);

  RunReport r = sample();
  r.classes[0].decisions = d;
  const std::string csv = metrics_csv(r);
  const size_t bottle = csv.find("\nbottle,");
  REQUIRE(bottle != std::string::npos);
  const std::string line = csv.substr(bottle + 1, csv.find('\n', bottle + 1) - bottle - 1);
  const std::string tail = ",10,4,0.5,class,0.5,0.6666666666666666,0.6666666666666666,2,1,1,1";
  CAPTURE(line);
  CHECK(line.size() > tail.size());
  CHECK(line.substr(line.size() - tail.size()) == tail);
  nlohmann::json j = nlohmann::json::parse(metrics_json(r).dump());
  const auto& at = j["classes"]["bottle"]["at_threshold"];
  CHECK(at["threshold"] == 0.5);
  CHECK(at["fitted_on"] == "class");
  CHECK(at["fpr"] == 0.5);
  CHECK(at["recall"].get<double>() == 2.0 / 3.0);
  CHECK(at["tp"] == 2);
  CHECK(at["fn"] == 1);
  CHECK(j["classes"]["cable"]["at_threshold"].is_null());
  CHECK(metrics_markdown(r).find("| bottle | 0.5 | class | 50.0 | 66.7 | 66.7 | 2 | 1 | 1 | 1 |") != std::string::npos);
}

TEST_CASE("write_reports writes all four files atomically and they read back") {
  auto dir = std::filesystem::temp_directory_path() / ("dn_eval_report_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  RunReport r = sample();
  std::vector<ScoreRow> rows = {{"bottle", "a.png", 0, 0.5f, ""}};
  write_reports((dir / "out").string(), r, rows);
  for (const char* f : {"metrics.json", "metrics.csv", "metrics.md", "scores.csv"})
    CHECK(std::filesystem::is_regular_file(dir / "out" / f));
  nlohmann::json j = nlohmann::json::parse(read_file(dir / "out" / "metrics.json"));
  CHECK(j["classes"]["cable"]["i_auroc"].get<double>() == 0.90);
  // No temporary file is left behind.
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir / "out")) files += e.is_regular_file();
  CHECK(files == 4);
  // A directory that cannot be created gives a clear error, not a crash.
  std::ofstream(dir / "blocker") << "x";
  CHECK_THROWS_AS(write_reports((dir / "blocker" / "sub").string(), r, rows), dn::Error);
  std::filesystem::remove_all(dir);
}
