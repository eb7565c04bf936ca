// The anomaly map and score as ONNX (models/anomaly_map.cpp):
//   per group: 1 - cos(en, de) over channels, the vectors normalised first as
//              cosine_similarity does: x / sqrt(max(Σx², eps²)), eps 1e-8   -> [N, 1, h, w]
//   Resize linear, align_corners, to the crop; the mean over groups
//   Resize linear, half-pixel (PyTorch's align_corners=False), to 256
//   Conv with the 5×5 Gaussian (sigma 4), zero padding 2
//   score = ReduceMean(TopK(map, 1% of 256²))
// The resize targets are given as sizes built from the input's shape (N dynamic), never as
// scales, whose float rounding could change the output size.
#include "export/parts.h"

namespace dn::onnx_export {

namespace {
// [N, P, D] -> [N, P, D] unit vectors along D.
std::string normalised(GraphBuilder& g, const std::string& x, float eps) {
  const std::string sq = g.node("ReduceSum", {g.node("Mul", {x, x}), g.ints({-1}, "axes")}, {{"keepdims", int64_t(1)}});
  const std::string norm = g.node("Sqrt", {g.node("Max", {sq, g.scalar(eps * eps, "eps_sq")})});
  return g.node("Div", {x, norm});
}

// Resize x [N, C, H, W] to [N, C, side, side], bilinear, with the given coordinate mode.
std::string resize(GraphBuilder& g, const std::string& x, int64_t side, const std::string& coordinates) {
  const std::string leading = g.node("Slice", {g.node("Shape", {x}), g.ints({0}, "start"), g.ints({2}, "end")});
  const std::string sizes = g.node("Concat", {leading, g.ints({side, side}, "side")}, {{"axis", int64_t(0)}});
  return g.node("Resize", {x, "", "", sizes},
                {{"mode", std::string("linear")}, {"coordinate_transformation_mode", coordinates}});
}
}  // namespace

MapAndScore anomaly_map(GraphBuilder& g, const GroupFeatures& f, int64_t grid, int64_t crop,
                        const models::AnomalyMapOptions& o) {
  std::vector<std::string> maps;
  for (size_t i = 0; i < f.en.size(); ++i) {
    const std::string cos = g.node("ReduceSum", {g.node("Mul", {normalised(g, f.en[i], 1e-8f), normalised(g, f.de[i], 1e-8f)}),
                                                 g.ints({-1}, "axes")},
                                   {{"keepdims", int64_t(0)}});  // [N, h·w]
    const std::string distance = g.node("Sub", {g.scalar(1.0f, "one"), cos});
    const std::string grid_map = g.node("Reshape", {distance, g.ints({0, 1, grid, grid}, "shape")});
    maps.push_back(resize(g, grid_map, crop, "align_corners"));
  }
  const std::string all = maps.size() == 1 ? maps[0] : g.node("Concat", maps, {{"axis", int64_t(1)}});
  const std::string mean = g.node("ReduceMean", {all}, {{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t(1)}});
  const std::string resized = resize(g, mean, o.out_size, "pytorch_half_pixel");
  const int64_t k = o.gaussian_size, pad = k / 2;
  const std::string map = g.node("Conv", {resized, g.weight("gaussian_kernel", models::gaussian_kernel(k, o.gaussian_sigma))},
                                 {{"kernel_shape", std::vector<int64_t>{k, k}}, {"pads", std::vector<int64_t>{pad, pad, pad, pad}}});

  const std::string flat = g.node("Reshape", {map, g.ints({0, -1}, "shape")});
  std::string score;
  if (o.top_ratio <= 0) {
    score = g.node("ReduceMax", {flat}, {{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t(0)}});
  } else {
    const int64_t top = int64_t(double(o.out_size * o.out_size) * o.top_ratio);
    DN_CHECK(top >= 1, "onnx export: top ratio ", o.top_ratio, " of ", o.out_size * o.out_size, " pixels is empty");
    const std::string values = g.node("TopK", {flat, g.ints({top}, "k")}, {{"axis", int64_t(1)}}, 2);
    score = g.node("ReduceMean", {values}, {{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t(0)}});
  }
  return {map, score};
}

}  // namespace dn::onnx_export
