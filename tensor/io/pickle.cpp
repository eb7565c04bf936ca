#include "tensor/io/pickle.h"

#include <cstring>
#include <map>
#include <unordered_map>

#include "tensor/error.h"

namespace dn::io::pickle {

namespace {

// The opcodes this reader understands (the names are those of Python's pickletools).
enum Op : uint8_t {
  MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2',
  NONE = 'N', NEWTRUE = 0x88, NEWFALSE = 0x89,
  BININT = 'J', BININT1 = 'K', BININT2 = 'M', LONG1 = 0x8a, LONG4 = 0x8b, BINFLOAT = 'G',
  BINUNICODE = 'X', SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d,
  BINBYTES = 'B', SHORT_BINBYTES = 'C', BINBYTES8 = 0x8e,
  EMPTY_TUPLE = ')', TUPLE = 't', TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87,
  EMPTY_LIST = ']', LIST = 'l', APPEND = 'a', APPENDS = 'e',
  EMPTY_DICT = '}', DICT = 'd', SETITEM = 's', SETITEMS = 'u',
  BINPUT = 'q', LONG_BINPUT = 'r', MEMOIZE = 0x94, BINGET = 'h', LONG_BINGET = 'j',
  GLOBAL = 'c', STACK_GLOBAL = 0x93, REDUCE = 'R', BUILD = 'b', BINPERSID = 'Q',
  PROTO = 0x80, FRAME = 0x95,
};

// The only globals a pickle may name. Everything else (posix.system, builtins.eval, a
// model class, numpy scalars...) is refused by name.
const std::map<std::string, DType> kStorageTypes = {
    {"torch.FloatStorage", DType::f32},   {"torch.DoubleStorage", DType::f64},
    {"torch.HalfStorage", DType::f16},    {"torch.BFloat16Storage", DType::bf16},
    {"torch.LongStorage", DType::i64},    {"torch.IntStorage", DType::i32},
    {"torch.ShortStorage", DType::i16},   {"torch.CharStorage", DType::i8},
    {"torch.ByteStorage", DType::u8},     {"torch.BoolStorage", DType::bool_},
};
const char* const kOrderedDict = "collections.OrderedDict";
const char* const kRebuildTensor = "torch._utils._rebuild_tensor_v2";
const char* const kRebuildParameter = "torch._utils._rebuild_parameter";
const char* const kRebuildParameterWithState = "torch._utils._rebuild_parameter_with_state";

bool allowed_global(const std::string& name) {
  return name == kOrderedDict || name == kRebuildTensor || name == kRebuildParameter ||
         name == kRebuildParameterWithState || kStorageTypes.count(name) > 0;
}

class Machine {
 public:
  Machine(const uint8_t* data, size_t size, std::string origin)
      : data_(data), size_(size), origin_(std::move(origin)) {}

  Document run() {
    while (true) {
      op_start_ = pos_;
      uint8_t op = read_u8();
      if (op == STOP) {
        doc_.root = pop();
        return std::move(doc_);
      }
      step(op);
    }
  }

 private:
  template <class... Parts>
  [[noreturn]] void bad(const Parts&... parts) const {
    fail("pickle ", origin_, ": byte ", op_start_, ": ", parts...);
  }

  // --- reading the program ------------------------------------------------------------------
  const uint8_t* take(uint64_t n) {
    if (n > size_ - pos_) bad("truncated: ", n, " more bytes needed, ", size_ - pos_, " left");
    const uint8_t* p = data_ + pos_;
    pos_ += size_t(n);
    return p;
  }
  uint8_t read_u8() { return *take(1); }
  uint64_t read_le(int bytes) {  // unsigned little-endian
    const uint8_t* p = take(uint64_t(bytes));
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
  }
  std::string read_line() {  // GLOBAL's arguments: "module\n" and "name\n"
    size_t start = pos_;
    while (pos_ < size_ && data_[pos_] != '\n') {
      if (pos_ - start > 256) bad("GLOBAL name longer than 256 bytes");
      ++pos_;
    }
    if (pos_ == size_) bad("truncated GLOBAL name");
    std::string line(reinterpret_cast<const char*>(data_ + start), pos_ - start);
    ++pos_;
    return line;
  }

  // --- the stack, with MARK positions -------------------------------------------------------
  void push(Value v) { stack_.push_back(v); }
  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  Value pop() {
    if (stack_.size() <= floor()) bad("stack underflow");
    Value v = stack_.back();
    stack_.pop_back();
    return v;
  }
  Value& top() {
    if (stack_.size() <= floor()) bad("stack underflow");
    return stack_.back();
  }
  std::vector<Value> pop_to_mark() {  // everything pushed since the last MARK, and the MARK
    if (marks_.empty()) bad("no MARK to pop to");
    std::vector<Value> items(stack_.begin() + long(marks_.back()), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }

  // --- building values ------------------------------------------------------------------------
  Value make(Kind kind, int64_t number) { return Value{kind, number, 0}; }
  Value make_string(Kind kind, const uint8_t* p, uint64_t n) {
    doc_.strings.emplace_back(reinterpret_cast<const char*>(p), size_t(n));
    return make(kind, int64_t(doc_.strings.size() - 1));
  }
  Value make_sequence(Kind kind, std::vector<Value> items) {
    doc_.sequences.push_back(std::move(items));
    return make(kind, int64_t(doc_.sequences.size() - 1));
  }
  Value make_dict() {
    doc_.dicts.emplace_back();
    return make(Kind::dict, int64_t(doc_.dicts.size() - 1));
  }
  std::vector<Value>& list_of(const Value& v, const char* op) {
    if (v.kind != Kind::list) bad(op, " needs a list, found a ", kind_name(v.kind));
    return doc_.sequences[size_t(v.number)];
  }
  std::vector<Pair>& dict_of(const Value& v, const char* op) {
    if (v.kind != Kind::dict) bad(op, " needs a dict, found a ", kind_name(v.kind));
    return doc_.dicts[size_t(v.number)];
  }
  void set_items(const std::vector<Value>& items, const char* op) {
    if (items.size() % 2) bad(op, ": an odd number of items (", items.size(), ") for key/value pairs");
    auto& dict = dict_of(top(), op);
    for (size_t i = 0; i < items.size(); i += 2) dict.emplace_back(items[i], items[i + 1]);
  }

  // --- typed access to arguments --------------------------------------------------------------
  const std::vector<Value>& tuple_of(const Value& v, const char* what) {
    if (v.kind != Kind::tuple) bad(what, " must be a tuple, found a ", kind_name(v.kind));
    return doc_.sequences[size_t(v.number)];
  }
  int64_t int_of(const Value& v, const char* what) {
    if (v.kind != Kind::integer) bad(what, " must be an integer, found a ", kind_name(v.kind));
    return v.number;
  }
  Shape ints_of(const Value& v, const char* what) {
    Shape out;
    for (const Value& item : tuple_of(v, what)) {
      int64_t n = int_of(item, what);
      if (n < 0) bad(what, " holds a negative value ", n);
      out.push_back(n);
    }
    return out;
  }
  const std::string& text_of(const Value& v, const char* what) {
    if (v.kind != Kind::string) bad(what, " must be a string, found a ", kind_name(v.kind));
    return doc_.strings[size_t(v.number)];
  }

  // --- the two doors to the outside: persistent ids and callables ---------------------------
  // ('storage', torch.FloatStorage, '<key>', '<location>', numel) -> a storage reference.
  Value persistent_load(const Value& pid) {
    const auto& parts = tuple_of(pid, "a persistent id");
    if (parts.size() != 5 || parts[0].kind != Kind::string || doc_.text(parts[0]) != "storage")
      bad("unsupported persistent id (expected ('storage', type, key, location, numel))");
    if (parts[1].kind != Kind::global || !kStorageTypes.count(doc_.text(parts[1])))
      bad("persistent id: the storage type is not a torch storage class");
    StorageRef ref{text_of(parts[2], "storage key"), kStorageTypes.at(doc_.text(parts[1])),
                   int_of(parts[4], "storage numel"), text_of(parts[3], "storage location")};
    int64_t nbytes;
    if (ref.numel < 0 || __builtin_mul_overflow(ref.numel, int64_t(dtype_size(ref.dtype)), &nbytes))
      bad("storage '", ref.key, "': absurd element count ", ref.numel);
    // torch.save names each storage once per reference; one key means one shared storage.
    auto [it, inserted] = storage_by_key_.emplace(ref.key, doc_.storages.size());
    if (inserted) {
      doc_.storages.push_back(ref);
    } else {
      const StorageRef& first = doc_.storages[it->second];
      if (first.dtype != ref.dtype || first.numel != ref.numel)
        bad("storage '", ref.key, "' is declared twice with different types or sizes");
    }
    return make(Kind::storage, int64_t(it->second));
  }

  // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, meta])
  Value rebuild_tensor(const std::vector<Value>& args) {
    if (args.size() != 6 && args.size() != 7)
      bad(kRebuildTensor, " takes 6 or 7 arguments, got ", args.size());
    if (args[0].kind != Kind::storage) bad(kRebuildTensor, ": the first argument is not a storage");
    TensorRef t{size_t(args[0].number), int_of(args[1], "storage_offset"),
                ints_of(args[2], "tensor size"), ints_of(args[3], "tensor stride"), false};
    if (args[4].kind != Kind::boolean) bad(kRebuildTensor, ": requires_grad is not a bool");
    t.requires_grad = args[4].number != 0;
    check_inside_storage(t);
    doc_.tensors.push_back(std::move(t));
    return make(Kind::tensor, int64_t(doc_.tensors.size() - 1));
  }

  // The highest element a view touches must exist: offset + sum((size-1)*stride) < numel.
  void check_inside_storage(const TensorRef& t) {
    const StorageRef& s = doc_.storages[t.storage];
    if (t.shape.size() != t.strides.size())
      bad("tensor size ", shape_str(t.shape), " and stride ", shape_str(t.strides), " differ in length");
    if (t.offset < 0) bad("negative storage offset ", t.offset);
    int64_t numel = 1, last = t.offset;
    for (size_t d = 0; d < t.shape.size(); ++d) {
      int64_t span;
      if (__builtin_mul_overflow(numel, t.shape[d], &numel) ||
          (t.shape[d] > 0 && (__builtin_mul_overflow(t.shape[d] - 1, t.strides[d], &span) ||
                              __builtin_add_overflow(last, span, &last))))
        bad("absurd tensor size ", shape_str(t.shape), " with stride ", shape_str(t.strides));
    }
    bool inside = numel == 0 ? t.offset <= s.numel : last < s.numel;
    if (!inside)
      bad("tensor of size ", shape_str(t.shape), ", stride ", shape_str(t.strides), " at offset ",
          t.offset, " reaches past the end of storage '", s.key, "' (", s.numel, " elements)");
  }

  Value reduce(const Value& callable, const Value& args_value) {
    if (callable.kind != Kind::global) bad("REDUCE of a ", kind_name(callable.kind), " (only globals can be called)");
    const std::string& name = doc_.text(callable);
    const auto& args = tuple_of(args_value, "REDUCE arguments");
    if (name == kOrderedDict) {
      if (!args.empty()) bad(kOrderedDict, " with arguments is not supported");
      return make_dict();
    }
    if (name == kRebuildTensor) return rebuild_tensor(args);
    if (name == kRebuildParameter || name == kRebuildParameterWithState) {
      if (args.size() < 3 || args[0].kind != Kind::tensor) bad(name, ": expected (tensor, requires_grad, hooks, ...)");
      if (args[1].kind == Kind::boolean) doc_.tensors[size_t(args[0].number)].requires_grad = args[1].number != 0;
      return args[0];
    }
    bad("'", name, "' cannot be called");
  }

  // --- one opcode -----------------------------------------------------------------------------
  void step(uint8_t op) {
    switch (op) {
      case PROTO: {
        uint8_t version = read_u8();
        if (version > 5) bad("unsupported pickle protocol ", int(version));
        return;
      }
      case FRAME: read_le(8); return;  // a framing hint for buffered readers; no meaning here
      case MARK: marks_.push_back(stack_.size()); return;
      case POP: pop(); return;
      case POP_MARK: pop_to_mark(); return;
      case DUP: { Value v = top(); push(v); return; }

      case NONE: push(Value{}); return;
      case NEWTRUE: push(make(Kind::boolean, 1)); return;
      case NEWFALSE: push(make(Kind::boolean, 0)); return;
      case BININT: push(make(Kind::integer, int32_t(uint32_t(read_le(4))))); return;
      case BININT1: push(make(Kind::integer, int64_t(read_le(1)))); return;
      case BININT2: push(make(Kind::integer, int64_t(read_le(2)))); return;
      case LONG1: push(read_long(read_le(1))); return;
      case LONG4: push(read_long(read_le(4))); return;
      case BINFLOAT: {  // the only big-endian field in pickle
        uint64_t bits = 0;
        for (const uint8_t* p = take(8), *end = p + 8; p != end; ++p) bits = (bits << 8) | *p;
        double d;
        std::memcpy(&d, &bits, 8);
        push(Value{Kind::floating, 0, d});
        return;
      }

      case SHORT_BINUNICODE: { uint64_t n = read_le(1); push(make_string(Kind::string, take(n), n)); return; }
      case BINUNICODE: { uint64_t n = read_le(4); push(make_string(Kind::string, take(n), n)); return; }
      case BINUNICODE8: { uint64_t n = read_le(8); push(make_string(Kind::string, take(n), n)); return; }
      case SHORT_BINBYTES: { uint64_t n = read_le(1); push(make_string(Kind::bytes, take(n), n)); return; }
      case BINBYTES: { uint64_t n = read_le(4); push(make_string(Kind::bytes, take(n), n)); return; }
      case BINBYTES8: { uint64_t n = read_le(8); push(make_string(Kind::bytes, take(n), n)); return; }

      case EMPTY_TUPLE: push(make_sequence(Kind::tuple, {})); return;
      case TUPLE: push(make_sequence(Kind::tuple, pop_to_mark())); return;
      case TUPLE1: case TUPLE2: case TUPLE3: {
        std::vector<Value> items(size_t(op - TUPLE1 + 1));
        for (size_t i = items.size(); i-- > 0;) items[i] = pop();
        push(make_sequence(Kind::tuple, std::move(items)));
        return;
      }
      case EMPTY_LIST: push(make_sequence(Kind::list, {})); return;
      case LIST: push(make_sequence(Kind::list, pop_to_mark())); return;
      case APPEND: { Value v = pop(); list_of(top(), "APPEND").push_back(v); return; }
      case APPENDS: {
        std::vector<Value> items = pop_to_mark();
        auto& list = list_of(top(), "APPENDS");
        list.insert(list.end(), items.begin(), items.end());
        return;
      }
      case EMPTY_DICT: push(make_dict()); return;
      case DICT: {
        std::vector<Value> items = pop_to_mark();
        push(make_dict());
        set_items(items, "DICT");
        return;
      }
      case SETITEM: {
        Value value = pop(), key = pop();
        set_items({key, value}, "SETITEM");
        return;
      }
      case SETITEMS: set_items(pop_to_mark(), "SETITEMS"); return;

      case BINPUT: memo_[read_le(1)] = top(); return;
      case LONG_BINPUT: memo_[read_le(4)] = top(); return;
      case MEMOIZE: memo_[memo_.size()] = top(); return;
      case BINGET: push(memo_get(read_le(1))); return;
      case LONG_BINGET: push(memo_get(read_le(4))); return;

      case GLOBAL: {
        std::string module = read_line();
        std::string name = read_line();
        push(global(module + "." + name));
        return;
      }
      case STACK_GLOBAL: {
        Value name = pop(), module = pop();
        push(global(text_of(module, "STACK_GLOBAL module") + "." + text_of(name, "STACK_GLOBAL name")));
        return;
      }
      case REDUCE: {
        Value args = pop(), callable = pop();
        push(reduce(callable, args));
        return;
      }
      case BUILD: {
        // Sets attributes (the state) on the object below. For an OrderedDict that is
        // state_dict's `_metadata` (module versions), which loading does not need.
        pop();
        Kind target = top().kind;
        if (target != Kind::dict && target != Kind::tensor) bad("BUILD on a ", kind_name(target), " is not supported");
        return;
      }
      case BINPERSID: push(persistent_load(pop())); return;
      default:
        bad("unsupported opcode 0x", hex(op), printable(op));
    }
  }

  Value read_long(uint64_t nbytes) {  // little-endian two's complement of nbytes bytes
    if (nbytes > 8) bad("integer of ", nbytes, " bytes does not fit in 64 bits");
    uint64_t v = read_le(int(nbytes));
    if (nbytes > 0 && nbytes < 8 && (v >> (8 * nbytes - 1)) & 1) v |= ~uint64_t(0) << (8 * nbytes);
    return make(Kind::integer, int64_t(v));
  }

  Value memo_get(uint64_t index) {
    auto it = memo_.find(index);
    if (it == memo_.end()) bad("memo entry ", index, " was never stored");
    return it->second;
  }

  Value global(const std::string& name) {
    if (!allowed_global(name))
      bad("global '", name, "' is not allowed (a state dict holds only OrderedDicts, tensors and storages)");
    return make_string(Kind::global, reinterpret_cast<const uint8_t*>(name.data()), name.size());
  }

  static std::string hex(uint8_t v) {
    const char* digits = "0123456789abcdef";
    return {digits[v >> 4], digits[v & 15]};
  }
  static std::string printable(uint8_t v) {
    return v >= 0x20 && v < 0x7f ? std::string(" ('") + char(v) + "')" : std::string();
  }

  const uint8_t* data_;
  size_t size_;
  std::string origin_;
  size_t pos_ = 0, op_start_ = 0;
  std::vector<Value> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, Value> memo_;
  std::map<std::string, size_t> storage_by_key_;
  Document doc_;
};

}  // namespace

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::none: return "None";
    case Kind::boolean: return "bool";
    case Kind::integer: return "int";
    case Kind::floating: return "float";
    case Kind::string: return "str";
    case Kind::bytes: return "bytes";
    case Kind::global: return "global";
    case Kind::tuple: return "tuple";
    case Kind::list: return "list";
    case Kind::dict: return "dict";
    case Kind::storage: return "storage";
    case Kind::tensor: return "tensor";
  }
  return "?";
}

Document unpickle(const uint8_t* data, size_t size, const std::string& origin) {
  return Machine(data, size, origin).run();
}

}  // namespace dn::io::pickle
