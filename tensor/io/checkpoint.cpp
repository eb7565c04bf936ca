#include "tensor/io/checkpoint.h"

#include <cstdio>

#include "tensor/error.h"
#include "tensor/io/pth.h"
#include "tensor/io/safetensors.h"

namespace dn::io {

NamedTensors read_checkpoint(const std::string& path) {
  unsigned char magic[2] = {0, 0};
  std::FILE* f = std::fopen(path.c_str(), "rb");
  DN_CHECK(f, path, ": cannot open");
  size_t got = std::fread(magic, 1, 2, f);
  std::fclose(f);
  if (got == 2 && magic[0] == 'P' && magic[1] == 'K') return read_pth(path).tensors;
  // torch.save before PyTorch 1.6 (or with _use_new_zipfile_serialization=False) wrote a
  // bare pickle stream, which starts with the PROTO opcode 0x80.
  DN_CHECK(!(got >= 1 && magic[0] == 0x80), path,
           ": a legacy (pre-1.6) torch.save file; load and re-save it with a current PyTorch");
  return read_safetensors(path).tensors;
}

}  // namespace dn::io
