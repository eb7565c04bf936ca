// A restricted unpickler: enough of Python's pickle format to read what torch.save writes
// for a state dict, and nothing that could run code.
//
// How pickle works: a pickle is a program for a small stack machine. Each opcode is one
// byte, followed by its arguments. Opcodes push values (None, ints, floats, strings), build
// containers from what is on the stack (TUPLE2 pops two values and pushes a tuple; SETITEMS
// pops key/value pairs down to a MARK and stores them in the dict below), and save or fetch
// values in a "memo" table (BINPUT / BINGET), which is how one object is referenced twice.
// STOP ends the program; the value on top of the stack is the result.
//
// Two opcodes make pickle dangerous: GLOBAL pushes any Python callable by name (say
// `posix.system`), and REDUCE calls a callable with a tuple of arguments. This reader never
// calls anything: GLOBAL accepts only a fixed list of names, and REDUCE knows, for each of
// them, what to build instead:
//
//   collections.OrderedDict()                 -> an empty dict
//   torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
//                                   backward_hooks[, metadata])
//                                             -> a tensor view of a storage
//   torch._utils._rebuild_parameter(tensor, requires_grad, backward_hooks) -> the tensor
//   torch.FloatStorage, torch.HalfStorage, ... -> only as storage types (below)
//
// Storages come through a second door, BINPERSID ("persistent id"): torch.save replaces each
// storage by the tuple ('storage', torch.FloatStorage, '<key>', '<location>', numel) and
// writes its bytes elsewhere (in a .pth, the zip entry data/<key>). This reader records the
// storage and leaves fetching its bytes to the caller (pth.h).
//
// Every container lives in arenas owned by the Document and is referenced by index, so a
// hostile pickle cannot build reference cycles or deep chains of owners, and copying a value
// never copies a string or a container.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tensor/dtype.h"
#include "tensor/shape.h"

namespace dn::io::pickle {

enum class Kind : uint8_t {
  none, boolean, integer, floating,  // plain values: `number` or `real`
  string, bytes, global,             // Document::strings[index] (global: "module.name")
  tuple, list,                       // Document::sequences[index]
  dict,                              // Document::dicts[index] (dict and OrderedDict)
  storage,                           // Document::storages[index]
  tensor,                            // Document::tensors[index]
};
const char* kind_name(Kind kind);

struct Value {
  Kind kind = Kind::none;
  int64_t number = 0;  // boolean, integer; the arena index for the kinds that have one
  double real = 0;     // floating
};

struct StorageRef {
  std::string key;       // the zip entry data/<key> holds its bytes
  DType dtype;
  int64_t numel;         // in elements
  std::string location;  // "cpu", "cuda:0": where it lived when saved (ignored on load)
};

// A tensor view, already checked to lie inside its storage.
struct TensorRef {
  size_t storage;  // index into Document::storages
  int64_t offset;  // in elements
  Shape shape, strides;
  bool requires_grad = false;
};

using Pair = std::pair<Value, Value>;

struct Document {
  Value root;
  std::vector<std::string> strings;
  std::vector<std::vector<Value>> sequences;
  std::vector<std::vector<Pair>> dicts;
  std::vector<StorageRef> storages;  // one per distinct key: shared storages appear once
  std::vector<TensorRef> tensors;

  const std::string& text(const Value& v) const { return strings.at(size_t(v.number)); }
  const std::vector<Value>& items(const Value& v) const { return sequences.at(size_t(v.number)); }
  const std::vector<Pair>& entries(const Value& v) const { return dicts.at(size_t(v.number)); }
};

// Runs the pickle program in `data`. Throws dn::Error naming `origin`, the byte offset and
// the fault on anything outside the supported subset or malformed.
Document unpickle(const uint8_t* data, size_t size, const std::string& origin);

}  // namespace dn::io::pickle
