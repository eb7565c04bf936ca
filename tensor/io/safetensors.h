// safetensors: the checkpoint format of HuggingFace, and this project's own.
//
// Layout of a file:
//
//   [8 bytes]  N, the length of the header, an unsigned little-endian 64-bit integer
//   [N bytes]  the header: a UTF-8 JSON object, possibly padded with trailing spaces
//                {"__metadata__": {"format": "pt"},                   (optional, str -> str)
//                 "blocks.0.norm1.weight": {"dtype": "F32", "shape": [384],
//                                           "data_offsets": [0, 1536]}, ...}
//   [rest]     the data buffer: each tensor's bytes, row-major (C order), little-endian,
//              at [begin, end) counted from the start of the buffer (just after the header)
//
// The buffer must be covered exactly: no two tensors overlap, there are no gaps, and the
// last tensor ends at the end of the file. dtype is one of F64 F32 F16 BF16 F8_E4M3 F8_E5M2
// I64 I32 I16 I8 U64 U32 U16 U8 BOOL.
//
// Reading checks all of this and throws dn::Error naming the file and the fault; no size
// read from the file is trusted before it has been checked against the file's length.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "tensor/io/named_tensors.h"

namespace dn::io {

struct SafetensorsContents {
  NamedTensors tensors;  // in the order of their data in the file
  std::map<std::string, std::string> metadata;  // the __metadata__ object, if any
};

enum class ReadMode {
  map,   // tensors view the memory-mapped file: no copy, pages load when first touched
  copy,  // tensors own fresh memory; the file is closed when reading returns
};

// In map mode, a tensor whose bytes are not aligned to its element size in the file (a
// writer that did not pad its header) is copied instead, so every tensor is aligned.
// Mapped tensors are copy-on-write: writing to one never changes the file.
SafetensorsContents read_safetensors(const std::string& path, ReadMode mode = ReadMode::map);

// The same reader over bytes already in memory (tests, the fuzzer); the tensors are copies.
// `origin` names the bytes in error messages.
SafetensorsContents parse_safetensors(const uint8_t* data, size_t size, const std::string& origin);

// Writes the tensors, each made contiguous (and copied to the CPU if needed), in the given
// order, with the header's keys in that same order (after __metadata__, which is written
// only when not empty). The header is padded with spaces to a multiple of 8 bytes, so
// tensors that follow 8-byte-aligned ones stay aligned. Names must be unique. Atomic: the
// file appears complete or not at all.
void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// "F32", "BF16", ...: the dtype's name in a safetensors header.
const char* safetensors_dtype_name(DType dtype);

}  // namespace dn::io
