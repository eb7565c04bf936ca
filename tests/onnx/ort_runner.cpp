#include "tests/onnx/ort_runner.h"

#include "tests/support/compare.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

#include "tensor/ops.h"
#include "tests/apps/app_runner.h"

namespace dn::test {

namespace {
std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

void write_floats(const std::string& path, const Tensor& t) {
  Tensor c = kernel::contiguous(kernel::to(t, DType::f32));
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(c.data<float>()), std::streamsize(c.numel() * sizeof(float)));
  DN_CHECK(out.good(), path, ": cannot write");
}

Tensor read_floats(const std::string& path, const Shape& shape) {
  Tensor t = zeros(shape, DType::f32);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(t.data<float>()), std::streamsize(t.numel() * sizeof(float)));
  DN_CHECK(in.good() && in.gcount() == std::streamsize(t.numel() * sizeof(float)), path, ": too short for ",
           t.numel(), " floats");
  return t;
}
}  // namespace

std::string onnx_runtime_missing() {
  const std::string dir = env("DN_ORT_DIR");
  if (dir.empty()) return "DN_ORT_DIR is not set";
  if (!std::filesystem::exists(dir + "/node_modules/onnxruntime-node/package.json"))
    return "onnxruntime-node is not installed in " + dir + " (tools/install_onnxruntime.sh installs it with npm; "
           "was the npm registry reachable?)";
  if (std::system("node --version >/dev/null 2>&1") != 0) return "node is not on PATH";
  return "";
}

OrtOutputs run_onnx_runtime(const std::string& model_path, const Tensor& images, const std::string& scratch) {
  const std::string input = scratch + "/input.f32", prefix = scratch + "/ort";
  write_floats(input, images);
  std::string dims;
  for (int64_t d : images.shape()) dims += (dims.empty() ? "" : ",") + std::to_string(d);
  const Run r = run_program("node", {env("DN_ORT_SCRIPT"), env("DN_ORT_DIR"), model_path, input, dims, prefix, "2"});
  DN_CHECK(r.code == 0, "run_ort.mjs failed (exit ", r.code, "): ", r.err);
  const int64_t n = images.size(0);
  return {read_floats(prefix + ".map.f32", {n, 1, 256, 256}), read_floats(prefix + ".score.f32", {n})};
}

double relative_error(const Tensor& a, const Tensor& b) {
  // The project's one comparison: a NaN or infinity on either side is an infinite error.
  return compare(a, b, Measure::relative_to_max).error;
}

}  // namespace dn::test
