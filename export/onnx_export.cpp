#include "export/onnx_export.h"

#include <onnx/checker.h>

#include <fstream>
#include <limits>

#include "export/parts.h"
#include "tensor/io/atomic_file.h"

namespace dn::onnx_export {

onnx::ModelProto build_model(models::Dinomaly& model, int64_t crop, const Metadata& metadata) {
  NoGradGuard guard;
  const models::DinomalyConfig& c = model.config;
  DN_CHECK(crop > 0 && crop % c.encoder.patch == 0, "onnx export: crop ", crop, " is not a multiple of the patch size ",
           c.encoder.patch);
  const int64_t grid = crop / c.encoder.patch, tokens = 1 + c.encoder.registers + grid * grid;
  const models::AnomalyMapOptions map_options;

  onnx::ModelProto m;
  m.set_ir_version(8);  // the IR of opset 17
  m.set_producer_name("dinomaly.cpp");
  m.set_doc_string("Dinomaly anomaly detector: image [N,3,crop,crop] -> map [N,1,256,256], score [N]");
  onnx::OperatorSetIdProto* opset = m.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  for (const auto& [key, value] : metadata) {
    onnx::StringStringEntryProto* p = m.add_metadata_props();
    p->set_key(key);
    p->set_value(value);
  }

  onnx::GraphProto* graph = m.mutable_graph();
  graph->set_name("dinomaly");
  GraphBuilder g(graph);
  g.input("image", {-1, 3, crop, crop});
  const std::vector<std::string> layers = encoder_layers(g, "image", *model.encoder, c.target_layers, crop);
  const GroupFeatures features = group_features(g, model, layers, tokens);
  const MapAndScore out = anomaly_map(g, features, grid, crop, map_options);
  g.output("map", out.map, {-1, 1, map_options.out_size, map_options.out_size});
  g.output("score", out.score, {-1});

  try {
    onnx::checker::check_model(m);
  } catch (const std::exception& e) {
    fail("onnx export: the ONNX checker rejects the graph: ", e.what());
  }
  return m;
}

void write_model(const onnx::ModelProto& model, const std::string& path) {
  // protobuf cannot serialise a message of 2 GiB or more (ViT-L's weights come near it).
  const size_t bytes = model.ByteSizeLong();
  DN_CHECK(bytes < size_t(std::numeric_limits<int32_t>::max()), path, ": the model is ", bytes >> 20,
           " MiB, over protobuf's 2 GiB limit for one file");
  std::string data;
  DN_CHECK(model.SerializeToString(&data), path, ": protobuf could not serialise the model");
  io::write_file_atomic(path, [&](std::FILE* f) { io::write_bytes(f, data.data(), data.size(), path); });
}

onnx::ModelProto read_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  DN_CHECK(in.good(), path, ": cannot open the file");
  onnx::ModelProto m;
  DN_CHECK(m.ParseFromIstream(&in), path, ": not an ONNX model (protobuf could not parse it)");
  return m;
}

}  // namespace dn::onnx_export
