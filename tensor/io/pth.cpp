#include "tensor/io/pth.h"

#include <set>

#include "tensor/io/pickle.h"
#include "tensor/io/zip_archive.h"

namespace dn::io {

namespace {

using pickle::Document;
using pickle::Kind;
using pickle::Value;

constexpr int kMaxNesting = 64;  // dicts inside dicts; real checkpoints use two or three

// The folder that holds data.pkl: "<name>/data.pkl" with no further slash in <name>.
std::string find_prefix(const ZipArchive& zip) {
  std::string prefix;
  const std::string suffix = "/data.pkl";
  for (const std::string& name : zip.names()) {
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    std::string folder = name.substr(0, name.size() - suffix.size());
    if (folder.find('/') != std::string::npos) continue;
    DN_CHECK(prefix.empty() || prefix == folder, zip.origin(), ": two pickles in one archive ('", prefix,
             "/data.pkl' and '", name, "')");
    prefix = folder;
  }
  DN_CHECK(!prefix.empty(), zip.origin(), ": a zip archive without <name>/data.pkl, so not a torch.save file");
  return prefix;
}

// Turns nested dicts into dotted names.
class Flattener {
 public:
  Flattener(const Document& doc, const std::vector<Tensor>& tensors, const std::string& origin)
      : doc_(doc), tensors_(tensors), origin_(origin), visited_(doc.dicts.size(), false) {}

  PthContents run() {
    DN_CHECK(doc_.root.kind == Kind::dict, origin_, ": the file holds a ", pickle::kind_name(doc_.root.kind),
             ", not a dict of tensors");
    visit(doc_.root, "", 0);
    return std::move(out_);
  }

 private:
  void visit(const Value& dict, const std::string& prefix, int depth) {
    DN_CHECK(depth < kMaxNesting, origin_, ": dicts nested more than ", kMaxNesting, " deep at '", prefix, "'");
    // A dict reached twice (shared, or containing itself) would give its tensors two names.
    DN_CHECK(!visited_[size_t(dict.number)], origin_, ": the dict at '", prefix, "' appears twice in the file");
    visited_[size_t(dict.number)] = true;
    for (const auto& [key, value] : doc_.entries(dict)) {
      std::string name = prefix.empty() ? key_text(key, prefix) : prefix + "." + key_text(key, prefix);
      if (value.kind == Kind::tensor) {
        DN_CHECK(names_.insert(name).second, origin_, ": the name '", name, "' occurs twice");
        out_.tensors.emplace_back(name, tensors_[size_t(value.number)]);
      } else if (value.kind == Kind::dict) {
        visit(value, name, depth + 1);
      } else {
        out_.skipped.push_back(name);
      }
    }
  }

  std::string key_text(const Value& key, const std::string& prefix) const {
    if (key.kind == Kind::string) return doc_.text(key);
    if (key.kind == Kind::integer) return std::to_string(key.number);
    fail(origin_, ": a dict key of type ", pickle::kind_name(key.kind), " under '", prefix, "'");
  }

  const Document& doc_;
  const std::vector<Tensor>& tensors_;
  const std::string& origin_;
  std::vector<bool> visited_;
  std::set<std::string> names_;
  PthContents out_;
};

PthContents load(const ZipArchive& zip) {
  const std::string& origin = zip.origin();
  std::string prefix = find_prefix(zip);
  if (zip.contains(prefix + "/byteorder")) {
    std::string order = zip.read_text(prefix + "/byteorder", 16);
    DN_CHECK(order == "little", origin, ": byteorder is '", order, "'; only little-endian files are supported");
  }

  std::string pkl_name = prefix + "/data.pkl";
  std::vector<uint8_t> pkl(size_t(zip.entry_size(pkl_name)));
  zip.read(pkl_name, pkl.data(), pkl.size());
  Document doc = pickle::unpickle(pkl.data(), pkl.size(), origin + " (" + pkl_name + ")");

  // One dn::Storage per torch storage: tensors that shared one keep sharing it.
  std::vector<std::shared_ptr<Storage>> storages;
  for (const pickle::StorageRef& s : doc.storages) {
    std::string entry = prefix + "/data/" + s.key;
    uint64_t nbytes = uint64_t(s.numel) * dtype_size(s.dtype);  // checked in the unpickler
    uint64_t found = zip.entry_size(entry);
    DN_CHECK(found == nbytes, origin, ": storage '", s.key, "' should hold ", s.numel, " ", dtype_name(s.dtype),
             " (", nbytes, " bytes) but its entry has ", found, " bytes");
    auto storage = Storage::allocate(size_t(nbytes), Device::cpu());
    zip.read(entry, storage->data(), nbytes);
    if (s.dtype == DType::bool_) {
      const uint8_t* bytes = static_cast<const uint8_t*>(storage->data());
      for (uint64_t i = 0; i < nbytes; ++i)
        DN_CHECK(bytes[i] <= 1, origin, ": bool storage '", s.key, "' holds the byte ", int(bytes[i]));
    }
    storages.push_back(std::move(storage));
  }

  std::vector<Tensor> tensors;
  for (const pickle::TensorRef& t : doc.tensors)
    tensors.push_back(make_view(storages[t.storage], t.shape, t.strides, t.offset, doc.storages[t.storage].dtype));
  return Flattener(doc, tensors, origin).run();
}

}  // namespace

PthContents read_pth(const std::string& path) { return load(ZipArchive::open_file(path)); }

PthContents parse_pth(const uint8_t* data, size_t size, const std::string& origin) {
  return load(ZipArchive::open_memory(data, size, origin));
}

}  // namespace dn::io
