// The ONNX export without ONNX Runtime: the graph passes ONNX's checker when read back from
// the file, has the documented inputs, outputs, opset and metadata, and the export app
// fails on bad input with one line, leaving an earlier file as it was.
#include <doctest/doctest.h>

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <map>
#include <nlohmann/json.hpp>

#include "export/onnx_export.h"
#include "tests/onnx/tiny_run.h"

using namespace dn;
using namespace dn::test;

namespace {

std::vector<std::string> dims_of(const onnx::ValueInfoProto& v) {
  std::vector<std::string> out;
  for (const auto& d : v.type().tensor_type().shape().dim())
    out.push_back(d.has_dim_param() ? d.dim_param() : std::to_string(d.dim_value()));
  return out;
}

std::map<std::string, std::string> metadata_of(const onnx::ModelProto& m) {
  std::map<std::string, std::string> out;
  for (const auto& p : m.metadata_props()) out[p.key()] = p.value();
  return out;
}

// The failure is the last line on stderr (the note on a random encoder may precede it).
void check_one_line_error(const Run& r, const std::string& contains) {
  CAPTURE(r.err);
  CHECK(r.code != 0);
  REQUIRE(!r.err.empty());
  const size_t start = r.err.rfind('\n', r.err.size() - 2);
  const std::string last = r.err.substr(start == std::string::npos ? 0 : start + 1);
  CHECK(last.rfind("export: error: ", 0) == 0);
  CHECK(count_lines(last) == 1);
  CHECK(last.find(contains) != std::string::npos);
}

}  // namespace

TEST_CASE("a run's export: checker, shape inference, inputs, outputs, opset and the run's metadata") {
  const std::string out = temp_dir("export_run") + "/model.onnx";
  Run r = run_app("export", {"--run", tiny_run(), "--out", out});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const onnx::ModelProto m = onnx_export::read_model(out);
  CHECK_NOTHROW(onnx::checker::check_model(out));
  REQUIRE(m.graph().input_size() == 1);
  CHECK(m.graph().input(0).name() == "image");
  CHECK(dims_of(m.graph().input(0)) == std::vector<std::string>{"N", "3", "70", "70"});
  REQUIRE(m.graph().output_size() == 2);
  CHECK(m.graph().output(0).name() == "map");
  CHECK(dims_of(m.graph().output(0)) == std::vector<std::string>{"N", "1", "256", "256"});
  CHECK(m.graph().output(1).name() == "score");
  CHECK(dims_of(m.graph().output(1)) == std::vector<std::string>{"N"});
  REQUIRE(m.opset_import_size() == 1);
  CHECK(m.opset_import(0).version() == onnx_export::kOpset);

  // ONNX's strict shape inference (the checker's full check) runs through every node and
  // reaches the declared output shapes.
  onnx::ModelProto inferred = m;
  CHECK_NOTHROW(onnx::shape_inference::InferShapes(inferred, onnx::OpSchemaRegistry::Instance(),
                                                   onnx::ShapeInferenceOptions(true, 1, false)));

  auto meta = metadata_of(m);
  CHECK(meta["resize"] == "84");
  CHECK(meta["crop"] == "70");
  CHECK(nlohmann::json::parse(meta["mean"]).size() == 3);
  CHECK(nlohmann::json::parse(meta["std"]).size() == 3);
  CHECK(nlohmann::json::parse(meta["encoder"]).at("name") == "test-tiny");
  CHECK(nlohmann::json::parse(meta["encoder"]).at("weights") == "random");
  CHECK(nlohmann::json::parse(meta["config"]).at("crop") == 70);
  CHECK(nlohmann::json::parse(meta["classes"]).size() == 2);
  const nlohmann::json threshold = nlohmann::json::parse(meta["threshold"]);
  const nlohmann::json fitted = nlohmann::json::parse(read_file(tiny_run() + "/threshold.json"));
  CHECK(threshold.at("threshold").get<double>() == fitted.at("threshold").get<double>());
  // the whole of threshold.json: the pixel threshold and each class's thresholds too
  CHECK(threshold == fitted);
  CHECK(threshold.at("classes").size() == 2);
  CHECK(threshold.contains("pixel_threshold"));
}

TEST_CASE("export: bad input gives one line and leaves an earlier file as it was") {
  const std::string dir = temp_dir("export_errors");
  const std::string out = dir + "/model.onnx";
  REQUIRE(run_app("export", {"--run", tiny_run(), "--out", out}).code == 0);
  const std::string before = read_file(out);
  SUBCASE("no such run") { check_one_line_error(run_app("export", {"--run", dir + "/nothing", "--out", out}), "nothing"); }
  SUBCASE("--class with a multi-class run") {
    check_one_line_error(run_app("export", {"--run", tiny_run(), "--class", "x", "--out", out}), "multi-class");
  }
  SUBCASE("a checkpoint that does not exist") {
    check_one_line_error(run_app("export", {"--checkpoint", dir + "/none.pth", "--encoder", "test-tiny", "--out", out}),
                         "none.pth");
  }
  SUBCASE("an unwritable --out") {
    check_one_line_error(run_app("export", {"--run", tiny_run(), "--out", "/dev/null/model.onnx"}), "/dev/null/model.onnx");
  }
  SUBCASE("a full disk") {
    check_one_line_error(run_app("export", {"--run", tiny_run(), "--out", out}, "trap '' XFSZ; ulimit -f 1;"), out);
  }
  CHECK(read_file(out) == before);
}
