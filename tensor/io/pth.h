// Reading PyTorch .pth / .pt files written by torch.save (the zip format, PyTorch >= 1.6).
//
// Layout of the archive (all entries stored uncompressed by torch.save):
//
//   <name>/data.pkl       the pickled object: a dict of tensors, whose storages are replaced
//                         by persistent ids ('storage', torch.FloatStorage, '<key>', ...)
//   <name>/data/<key>     the raw bytes of storage <key>, little-endian, numel * element size
//   <name>/version        the format version ("3")
//   <name>/byteorder      "little" (absent in older files, which are little-endian too)
//
// <name> is the file's stem or "archive"; it is found from the data.pkl entry. A tensor is
// a view of a storage (size, stride, storage offset): views keep their strides and offset,
// and tensors that shared a storage when saved share one dn::Storage when loaded.
//
// The pickle is run by the restricted unpickler of pickle.h: only dicts, OrderedDicts,
// tensors and storages are accepted, and nothing is ever executed. Nested dicts become
// dotted names ({'model': {'fc.weight': t}} -> "model.fc.weight"); entries that are not
// tensors or dicts (an epoch number, a string) are skipped and listed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/io/named_tensors.h"

namespace dn::io {

struct PthContents {
  NamedTensors tensors;              // in the order the pickle holds them
  std::vector<std::string> skipped;  // dotted names of the entries that are not tensors
};

// Storages are read into fresh memory (the data entries are read once each; the memory map
// of safetensors does not apply to zip entries). Throws dn::Error naming the file and the
// fault on anything malformed or outside the supported subset.
PthContents read_pth(const std::string& path);

// The same over bytes in memory (tests, the fuzzer).
PthContents parse_pth(const uint8_t* data, size_t size, const std::string& origin);

}  // namespace dn::io
