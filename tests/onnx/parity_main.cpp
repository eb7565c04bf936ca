// main() of the `onnx_parity` suite: without ONNX Runtime (not installed: no access to the
// npm registry) or without the magnetic-tile images it says so and exits 77, which meson
// reports as SKIP -- never as a pass.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "tests/onnx/ort_runner.h"

int main(int argc, char** argv) {
  const std::string missing = dn::test::onnx_runtime_missing();
  if (!missing.empty()) {
    std::printf("ONNX Runtime unavailable: skipping (%s)\n", missing.c_str());
    return 77;
  }
  const char* shared = std::getenv("DN_SHARED_DATA");
  const std::string tiles = std::string(shared ? shared : "") + "/magnetic_tile";
  if (!std::filesystem::is_directory(tiles)) {
    std::printf("no magnetic-tile images at '%s': skipping (set DN_SHARED_DATA)\n", tiles.c_str());
    return 77;
  }
  doctest::Context context(argc, argv);
  return context.run();
}
