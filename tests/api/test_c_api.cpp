// The C interface (dinomaly/dinomaly.h): results as the C++ interface gives them, and every
// failure as a NULL or non-zero return with a message, never an exception or a crash.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <string>

#include "dinomaly/detector.h"
#include "dinomaly/dinomaly.h"
#include "tests/api/fixture.h"
#include "tests/apps/app_runner.h"

using namespace dn::test;

namespace {

bool contains(const char* text, const std::string& part) { return std::string(text).find(part) != std::string::npos; }

// A detector on the trained run, closed at the end of the test.
struct OpenDetector {
  dn_detector* d = nullptr;
  OpenDetector() {
    char err[512] = "unset";
    d = dn_open(api_trained_run().c_str(), "cpu", err, sizeof err);
    REQUIRE_MESSAGE(d != nullptr, err);
    CHECK(std::string(err).empty());
  }
  ~OpenDetector() { dn_close(d); }
};

}  // namespace

TEST_CASE("dn_predict_file and dn_predict_rgb give the C++ interface's results") {
  OpenDetector open;
  dn::Detector cpp = dn::Detector::open(api_trained_run());
  const dn::Prediction expected = cpp.predict(non_square_image());
  char err[512];
  dn_result r;
  REQUIRE_MESSAGE(dn_predict_file(open.d, non_square_image().c_str(), &r, err, sizeof err) == 0, err);
  CHECK(r.score == expected.score);
  CHECK(r.anomalous == expected.anomalous);
  CHECK((r.normalized_score == expected.normalized_score));
  REQUIRE(r.width == expected.width);
  REQUIRE(r.height == expected.height);
  REQUIRE(r.map != nullptr);
  int differ = 0;
  for (size_t i = 0; i < expected.map.size(); ++i)
    differ += !(r.map[i] == expected.map[i] || (std::isnan(r.map[i]) && std::isnan(expected.map[i])));
  CHECK(differ == 0);
  CHECK(std::isnan(r.map[0]));  // the top-left corner is outside the crop
}

TEST_CASE("dn_open: a missing run directory or a NULL path gives NULL and a message") {
  char err[512] = "";
  CHECK(dn_open("/nonexistent/run", "cpu", err, sizeof err) == nullptr);
  CHECK(contains(err, "/nonexistent/run"));
  err[0] = '\0';
  CHECK(dn_open(nullptr, "cpu", err, sizeof err) == nullptr);
  CHECK(contains(err, "NULL"));
  err[0] = '\0';
  CHECK(dn_open(api_trained_run().c_str(), "tpu", err, sizeof err) == nullptr);
  CHECK(contains(err, "tpu"));
  err[0] = '\0';
  CHECK(dn_open_checkpoint("/nonexistent/model.pth", "test-tiny", nullptr, 0, 0, "cpu", err, sizeof err) == nullptr);
  CHECK(contains(err, "/nonexistent/model.pth"));
  // No room for a message is allowed too: only the return value says what happened.
  CHECK(dn_open("/nonexistent/run", "cpu", nullptr, 0) == nullptr);
}

TEST_CASE("dn_predict_file: a missing or corrupt image gives non-zero and a message naming it") {
  OpenDetector open;
  char err[512] = "";
  dn_result r;
  r.map = reinterpret_cast<const float*>(&r);  // must be reset by the failed call
  CHECK(dn_predict_file(open.d, "/nonexistent/part.png", &r, err, sizeof err) != 0);
  CHECK(contains(err, "/nonexistent/part.png"));
  CHECK(r.map == nullptr);
  CHECK(r.width == 0);

  const std::string corrupt = temp_dir("api_corrupt") + "/broken.png";
  std::ofstream(corrupt, std::ios::binary) << "\x89PNG\r\n\x1a\n this is not the rest of a PNG";
  err[0] = '\0';
  CHECK(dn_predict_file(open.d, corrupt.c_str(), &r, err, sizeof err) != 0);
  CHECK(contains(err, "broken.png"));

  // The detector still works after a failure.
  CHECK(dn_predict_file(open.d, api_images()[0].c_str(), &r, err, sizeof err) == 0);
}

TEST_CASE("NULL pointers and bad sizes give non-zero and a message, never a crash") {
  OpenDetector open;
  char err[512] = "";
  dn_result r;
  const std::string image = api_images()[0];
  CHECK(dn_predict_file(nullptr, image.c_str(), &r, err, sizeof err) != 0);
  CHECK(contains(err, "detector is NULL"));
  CHECK(dn_predict_file(open.d, nullptr, &r, err, sizeof err) != 0);
  CHECK(contains(err, "image path is NULL"));
  CHECK(dn_predict_file(open.d, image.c_str(), nullptr, err, sizeof err) != 0);
  CHECK(contains(err, "result pointer is NULL"));
  CHECK(dn_predict_rgb(open.d, nullptr, 4, 4, &r, err, sizeof err) != 0);
  CHECK(contains(err, "null pointer"));
  const unsigned char pixels[4 * 4 * 3] = {};
  CHECK(dn_predict_rgb(open.d, pixels, 0, 4, &r, err, sizeof err) != 0);
  CHECK(contains(err, "0 x 4"));
  CHECK(dn_predict_rgb(open.d, pixels, 4, -1, &r, err, sizeof err) != 0);
  CHECK(dn_predict_file(open.d, image.c_str(), &r, nullptr, 0) == 0);  // no error buffer is fine
  dn_close(nullptr);
}

TEST_CASE("a message longer than the buffer is cut and still NUL-terminated") {
  char err[8];
  std::fill(std::begin(err), std::end(err), 'x');
  CHECK(dn_open("/nonexistent/run", "cpu", err, sizeof err) == nullptr);
  CHECK(std::string(err).size() == 7);
}
