#!/usr/bin/python3
"""Fixtures for the checkpoint I/O tests (tests/io) and seeds for the fuzzers (fuzz/corpus).

Run with Debian's Python, which has PyTorch 1.13:   /usr/bin/python3 tools/io/make_fixtures.py

Writes into tests/fixtures/io/:
  <case>.pth + <case>.json   files written by torch.save, and what they hold: for every
                             tensor its dtype, shape, stride, storage offset, a storage group
                             (tensors with the same group share one storage) and every value
                             in row-major order; plus the non-tensor entries to be skipped
  independent.safetensors    a safetensors file written here by hand (struct + json, no
  + independent.json         safetensors package): mixed dtypes, an unpadded header (so some
                             tensors are misaligned), header keys not in data order, metadata
  tiny_dinov2.pth            a 2-block DINOv2-shaped state dict in original names, and the
  tiny_dinov2_hf.safetensors same weights in HuggingFace names, converted here independently
  hostile/*.pth              broken and malicious archives (each test names the fault)
and small seed inputs into fuzz/corpus/{safetensors,pickle,pth}/.

Everything is deterministic (fixed seeds, fixed zip timestamps), so rerunning reproduces the
committed files for a given PyTorch version, except hostile/legacy.pth, whose storage keys
are memory addresses.
"""
import collections
import io
import json
import os
import struct
import zipfile

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "io")
HOSTILE = os.path.join(OUT, "hostile")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")

DTYPE_NAMES = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16",
    torch.bfloat16: "bfloat16", torch.int64: "int64", torch.int32: "int32",
    torch.int16: "int16", torch.int8: "int8", torch.uint8: "uint8", torch.bool: "bool",
}


def values_of(t):
    """Every value, row-major, as exact JSON numbers (f16/bf16 widen to float exactly)."""
    flat = t.detach().reshape(-1)
    if t.dtype == torch.bool:
        return [int(v) for v in flat.tolist()]
    if t.dtype in (torch.float16, torch.bfloat16):
        flat = flat.double()
    return flat.tolist()


def describe(named, skipped):
    groups = {}
    tensors = []
    for name, t in named:
        ptr = t.storage().data_ptr()
        groups.setdefault(ptr, len(groups))
        tensors.append({
            "name": name, "dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape),
            "stride": list(t.stride()), "offset": t.storage_offset(),
            "storage_group": groups[ptr], "values": values_of(t),
        })
    return {"tensors": tensors, "skipped": skipped}


def flatten(obj, prefix=""):
    """Dotted names for nested dicts, as the C++ reader does; non-tensors are 'skipped'."""
    named, skipped = [], []
    for key, value in obj.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, torch.Tensor):
            named.append((name, value))
        elif isinstance(value, dict):
            n, s = flatten(value, name)
            named += n
            skipped += s
        else:
            skipped.append(name)
    return named, skipped


def save_case(name, obj):
    path = os.path.join(OUT, name + ".pth")
    torch.save(obj, path)
    named, skipped = flatten(obj)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(describe(named, skipped), f, indent=1)
    return path


# --- files written by torch.save -------------------------------------------------------------

def make_torch_cases():
    g = torch.Generator().manual_seed(1234)
    plain = collections.OrderedDict()
    plain["f32"] = torch.randn(3, 4, generator=g)
    plain["f64"] = torch.randn(2, 3, generator=g, dtype=torch.float64)
    plain["f16"] = torch.randn(5, generator=g).half()
    plain["bf16"] = torch.randn(2, 2, generator=g).bfloat16()
    plain["i64"] = torch.tensor([-(2 ** 62), 3, 2 ** 40 + 7, -1])
    plain["i32"] = torch.randint(-2 ** 31, 2 ** 31 - 1, (4,), generator=g, dtype=torch.int32)
    plain["i16"] = torch.randint(-2 ** 15, 2 ** 15 - 1, (3,), generator=g, dtype=torch.int16)
    plain["i8"] = torch.randint(-128, 127, (3,), generator=g, dtype=torch.int8)
    plain["u8"] = torch.randint(0, 255, (2, 3), generator=g, dtype=torch.uint8)
    plain["mask"] = torch.tensor([True, False, True, True])
    plain["scalar"] = torch.tensor(3.5)
    plain["empty"] = torch.zeros(0, 3)
    save_case("plain", plain)

    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    views = collections.OrderedDict()
    views["narrow"] = base[1:3]                 # storage offset 6
    views["transposed"] = base.t()              # strides (1, 6)
    views["strided"] = base[:, ::2]             # strides (6, 2)
    views["column"] = base[:, 4]                # offset 4, stride 6
    views["expanded"] = torch.arange(3.0).view(3, 1).expand(3, 4)  # stride 0
    save_case("views", views)

    a = torch.randn(10, generator=g)
    shared = collections.OrderedDict()
    shared["a"] = a
    shared["a_tail"] = a[2:7]
    shared["a_matrix"] = a.view(2, 5)
    shared["param"] = torch.nn.Parameter(torch.randn(3, generator=g))
    shared["independent"] = torch.randn(4, generator=g)
    save_case("shared", shared)

    model = collections.OrderedDict()
    model["fc.weight"] = torch.randn(2, 3, generator=g)
    model["fc.bias"] = torch.randn(2, generator=g)
    nested = {
        "model": model,
        "epoch": 7,
        "optimizer": {"lr": 0.1, "betas": (0.9, 0.999), "state": {}},
        "teacher": {"backbone": collections.OrderedDict(
            [("blocks.0.ls1.gamma", torch.randn(4, generator=g))])},
        "name": "run1",
        "flags": [True, None],
    }
    save_case("nested", nested)

    # A real module's state_dict: an OrderedDict carrying `_metadata` (pickled with BUILD).
    torch.manual_seed(5)
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.LayerNorm(3))
    save_case("module", net.state_dict())


# --- a safetensors file written by hand -----------------------------------------------------

def bf16_bytes(t):
    return t.bfloat16().view(torch.int16).numpy().tobytes()


def fp8_e4m3(byte):
    """Value of an OCP float8 e4m3fn byte (bias 7, no infinities, 0x7f/0xff are NaN)."""
    sign = -1.0 if byte & 0x80 else 1.0
    exp, man = (byte >> 3) & 0xF, byte & 0x7
    if exp == 0:
        return sign * man / 8 * 2.0 ** -6
    return sign * (1 + man / 8) * 2.0 ** (exp - 7)


def fp8_e5m2(byte):
    """Value of a float8 e5m2 byte (bias 15, IEEE-like)."""
    sign = -1.0 if byte & 0x80 else 1.0
    exp, man = (byte >> 2) & 0x1F, byte & 0x3
    if exp == 0:
        return sign * man / 4 * 2.0 ** -14
    return sign * (1 + man / 4) * 2.0 ** (exp - 15)


def write_safetensors_by_hand(path, entries, metadata=None, pad=False, key_order=None):
    """entries: [(name, dtype_tag, shape, raw_bytes)] in data order."""
    header, offset, blob = {}, 0, b""
    for name, tag, shape, raw in entries:
        header[name] = {"dtype": tag, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blob += raw
    if key_order is not None:
        header = {k: header[k] for k in key_order}
    if metadata:
        header = {"__metadata__": metadata, **header}
    text = json.dumps(header).encode()
    if pad:
        text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + blob)


def make_independent_safetensors():
    rng = np.random.default_rng(7)
    e4m3 = [0x00, 0x38, 0xB8, 0x01, 0x7E, 0x40]   # 0, 1, -1, smallest subnormal, 448, 2
    e5m2 = [0x00, 0x3C, 0xBC, 0x01, 0x7B, 0x40]   # 0, 1, -1, smallest subnormal, 57344, 2
    f32 = rng.standard_normal((2, 3)).astype(np.float32)
    f64 = rng.standard_normal(3)
    f16 = rng.standard_normal(5).astype(np.float16)
    bf = torch.from_numpy(rng.standard_normal((2, 2)).astype(np.float32)).bfloat16()
    ints = {
        "I64": np.array([-(2 ** 62), 1, 2 ** 53 + 1], dtype=np.int64),
        "I32": rng.integers(-2 ** 31, 2 ** 31 - 1, 3, dtype=np.int32),
        "I16": rng.integers(-2 ** 15, 2 ** 15 - 1, 3, dtype=np.int16),
        "I8": rng.integers(-128, 127, 3, dtype=np.int8),
        "U64": np.array([0, 2 ** 63 + 5, 2 ** 64 - 1], dtype=np.uint64),
        "U32": rng.integers(0, 2 ** 32 - 1, 3, dtype=np.uint32),
        "U16": rng.integers(0, 2 ** 16 - 1, 3, dtype=np.uint16),
        "U8": rng.integers(0, 255, 3, dtype=np.uint8),
    }
    flags = np.array([1, 0, 0, 1], dtype=np.uint8)
    # Data order chosen so that alignment breaks: one odd-sized tensor first.
    entries = [
        ("flags", "BOOL", [4], flags.tobytes()),
        ("odd", "U8", [3], bytes([7, 8, 9])),
        ("f32", "F32", [2, 3], f32.tobytes()),
        ("f64", "F64", [3], f64.tobytes()),
        ("f16", "F16", [5], f16.tobytes()),
        ("bf16", "BF16", [2, 2], bf16_bytes(bf)),
        ("e4m3", "F8_E4M3", [6], bytes(e4m3)),
        ("e5m2", "F8_E5M2", [2, 3], bytes(e5m2)),
        ("scalar", "F32", [], np.array([2.5], dtype=np.float32).tobytes()),
        ("empty", "F32", [0, 4], b""),
    ] + [(tag.lower(), tag, [3], arr.tobytes()) for tag, arr in ints.items()]
    key_order = sorted(name for name, *_ in entries)  # JSON keys alphabetical, data not
    write_safetensors_by_hand(os.path.join(OUT, "independent.safetensors"), entries,
                              metadata={"format": "pt", "writer": "make_fixtures.py"},
                              key_order=key_order)
    names = {"BOOL": "bool", "U8": "uint8", "F32": "float32", "F64": "float64", "F16": "float16",
             "BF16": "bfloat16", "F8_E4M3": "float8_e4m3", "F8_E5M2": "float8_e5m2",
             "I64": "int64", "I32": "int32", "I16": "int16", "I8": "int8", "U64": "uint64",
             "U32": "uint32", "U16": "uint16"}
    values = {"flags": flags.tolist(), "odd": [7, 8, 9], "f32": f32.ravel().tolist(),
              "f64": f64.tolist(), "f16": f16.astype(np.float64).tolist(),
              "bf16": bf.double().reshape(-1).tolist(), "e4m3": [fp8_e4m3(b) for b in e4m3],
              "e5m2": [fp8_e5m2(b) for b in e5m2], "scalar": [2.5], "empty": []}
    for tag, arr in ints.items():
        values[tag.lower()] = [int(v) for v in arr]
    expected = {"metadata": {"format": "pt", "writer": "make_fixtures.py"},
                "order": [name for name, *_ in entries],
                "tensors": [{"name": name, "dtype": names[tag], "shape": shape, "values": values[name]}
                            for name, tag, shape, _ in entries]}
    with open(os.path.join(OUT, "independent.json"), "w") as f:
        json.dump(expected, f, indent=1)


# --- DINOv2 naming: original .pth and HF safetensors, converted independently ---------------

def make_tiny_dinov2():
    g = torch.Generator().manual_seed(99)
    d, hidden, blocks = 8, 32, 2
    sd = collections.OrderedDict()
    sd["cls_token"] = torch.randn(1, 1, d, generator=g)
    sd["pos_embed"] = torch.randn(1, 5, d, generator=g)
    sd["register_tokens"] = torch.randn(1, 4, d, generator=g)
    sd["mask_token"] = torch.randn(1, d, generator=g)
    sd["patch_embed.proj.weight"] = torch.randn(d, 3, 2, 2, generator=g)
    sd["patch_embed.proj.bias"] = torch.randn(d, generator=g)
    for i in range(blocks):
        p = f"blocks.{i}."
        shapes = [("norm1.weight", [d]), ("norm1.bias", [d]), ("attn.qkv.weight", [3 * d, d]),
                  ("attn.qkv.bias", [3 * d]), ("attn.proj.weight", [d, d]), ("attn.proj.bias", [d]),
                  ("ls1.gamma", [d]), ("norm2.weight", [d]), ("norm2.bias", [d]),
                  ("mlp.fc1.weight", [hidden, d]), ("mlp.fc1.bias", [hidden]),
                  ("mlp.fc2.weight", [d, hidden]), ("mlp.fc2.bias", [d]), ("ls2.gamma", [d])]
        for name, shape in shapes:
            sd[p + name] = torch.randn(*shape, generator=g)
    sd["norm.weight"] = torch.randn(d, generator=g)
    sd["norm.bias"] = torch.randn(d, generator=g)
    torch.save(sd, os.path.join(OUT, "tiny_dinov2.pth"))

    # transformers' convert_dinov2_with_registers_to_hf.py, restated (docs/reference.md §9.2).
    hf = collections.OrderedDict()
    hf["embeddings.cls_token"] = sd["cls_token"]
    hf["embeddings.mask_token"] = sd["mask_token"]
    hf["embeddings.register_tokens"] = sd["register_tokens"]
    hf["embeddings.position_embeddings"] = sd["pos_embed"]
    hf["embeddings.patch_embeddings.projection.weight"] = sd["patch_embed.proj.weight"]
    hf["embeddings.patch_embeddings.projection.bias"] = sd["patch_embed.proj.bias"]
    for i in range(blocks):
        o, h = f"blocks.{i}.", f"encoder.layer.{i}."
        for a, b in [("norm1", "norm1"), ("norm2", "norm2"), ("mlp.fc1", "mlp.fc1"),
                     ("mlp.fc2", "mlp.fc2"), ("attn.proj", "attention.output.dense")]:
            hf[h + b + ".weight"] = sd[o + a + ".weight"]
            hf[h + b + ".bias"] = sd[o + a + ".bias"]
        hf[h + "layer_scale1.lambda1"] = sd[o + "ls1.gamma"]
        hf[h + "layer_scale2.lambda1"] = sd[o + "ls2.gamma"]
        w, bias = sd[o + "attn.qkv.weight"], sd[o + "attn.qkv.bias"]
        for k, part in enumerate(["query", "key", "value"]):
            hf[h + f"attention.attention.{part}.weight"] = w[k * d:(k + 1) * d, :]
            hf[h + f"attention.attention.{part}.bias"] = bias[k * d:(k + 1) * d]
    hf["layernorm.weight"] = sd["norm.weight"]
    hf["layernorm.bias"] = sd["norm.bias"]
    entries = [(name, "F32", list(t.shape), t.contiguous().numpy().tobytes()) for name, t in hf.items()]
    write_safetensors_by_hand(os.path.join(OUT, "tiny_dinov2_hf.safetensors"), entries,
                              metadata={"format": "pt"}, pad=True)


# --- hostile files ----------------------------------------------------------------------------

class Evil:
    """Pickles as a call of os.system: a reader that executes globals would run the command."""
    def __reduce__(self):
        return (os.system, ("touch /tmp/dn_io_pwned",))


def entry(name, compression=zipfile.ZIP_STORED):
    """A zip entry with a fixed timestamp, so that rerunning gives the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = compression
    return info


def rezip(src, dst, keep=lambda name, data: (name, data), compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            item = keep(info.filename, zin.read(info.filename))
            if item is not None:
                zout.writestr(entry(item[0], compression), item[1])


def pickle_program(*ops):
    return b"".join(ops)


def tensor_pickle(numel, size, stride, offset=0):
    """A hand-written protocol-2 pickle: {'t': _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())}."""
    def uni(s):
        b = s.encode()
        return b"X" + struct.pack("<I", len(b)) + b
    def ints(values):
        return b"(" + b"".join(b"J" + struct.pack("<i", v) for v in values) + b"t"
    return pickle_program(
        b"\x80\x02", b"}", uni("t"),
        b"ctorch._utils\n_rebuild_tensor_v2\n",
        b"(",
        b"(", uni("storage"), b"ctorch\nFloatStorage\n", uni("0"), uni("cpu"), b"J" + struct.pack("<i", numel), b"t", b"Q",
        b"J" + struct.pack("<i", offset), ints(size), ints(stride), b"\x89",
        b"ccollections\nOrderedDict\n)R",
        b"t", b"R", b"s", b".")


def hand_archive(path, pkl, storages, prefix="archive", extra=()):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(entry(prefix + "/data.pkl"), pkl)
        for key, data in storages.items():
            z.writestr(entry(prefix + "/data/" + key), data)
        for name, data in extra:
            z.writestr(entry(prefix + "/" + name), data)
        z.writestr(entry(prefix + "/version"), "3\n")


def make_hostile():
    os.makedirs(HOSTILE, exist_ok=True)
    plain = os.path.join(OUT, "plain.pth")
    h = lambda name: os.path.join(HOSTILE, name)

    torch.save({"x": torch.zeros(2), "payload": Evil()}, h("evil_global.pth"))
    torch.save({"x": torch.zeros(2)}, h("legacy.pth"), _use_new_zipfile_serialization=False)
    data = open(plain, "rb").read()
    open(h("truncated.pth"), "wb").write(data[: len(data) * 3 // 5])
    rezip(plain, h("missing_storage.pth"), keep=lambda n, d: None if n == "plain/data/0" else (n, d))
    rezip(plain, h("short_storage.pth"), keep=lambda n, d: (n, d[:-4] if n == "plain/data/0" else d))
    rezip(plain, h("bzip2.pth"), compression=zipfile.ZIP_BZIP2)
    rezip(plain, h("deflate.pth"), compression=zipfile.ZIP_DEFLATED)  # legal: must load
    rezip(plain, h("big_endian.pth"))  # PyTorch 1.13 writes no byteorder entry; add one
    with zipfile.ZipFile(h("big_endian.pth"), "a") as z:
        z.writestr(entry("plain/byteorder"), "big")
    rezip(plain, h("no_pickle.pth"), keep=lambda n, d: None if n.endswith("data.pkl") else (n, d))

    # A byte of a stored storage flipped: the zip's CRC-32 no longer matches.
    raw = bytearray(data)
    with zipfile.ZipFile(plain) as z:
        info = z.getinfo("plain/data/0")
    # The data starts after the local header (30 bytes), its name and its extra field (torch
    # pads that field so data is 64-byte aligned; the central directory's copy may differ).
    name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    raw[start] ^= 0xFF
    open(h("bad_crc.pth"), "wb").write(bytes(raw))

    floats = struct.pack("<4f", 1, 2, 3, 4)
    hand_archive(h("hand_ok.pth"), tensor_pickle(4, [2, 2], [2, 1]), {"0": floats})
    hand_archive(h("view_out_of_range.pth"), tensor_pickle(4, [3, 2], [2, 1]), {"0": floats})
    hand_archive(h("offset_out_of_range.pth"), tensor_pickle(4, [2], [1], offset=3), {"0": floats})
    hand_archive(h("absurd_size.pth"), tensor_pickle(4, [2 ** 31 - 1] * 3, [1, 1, 1]), {"0": floats})
    # NEWOBJ (0x81) after a whitelisted global: an opcode this reader refuses.
    hand_archive(h("bad_opcode.pth"),
                 b"\x80\x02}X\x01\x00\x00\x00kccollections\nOrderedDict\n)\x81s.", {})
    hand_archive(h("not_a_dict.pth"), b"\x80\x02K\x07.", {})
    # Dicts the flattener must refuse: 100 levels deep; a dict inside itself; one dict twice.
    deep = b"\x80\x02" + b"}X\x01\x00\x00\x00k" * 100 + b"}" + b"s" * 100 + b"."
    hand_archive(h("deep_dicts.pth"), deep, {})
    hand_archive(h("self_dict.pth"), b"\x80\x02}q\x00X\x01\x00\x00\x00kh\x00s.", {})
    hand_archive(h("shared_dict.pth"),
                 b"\x80\x02}(X\x01\x00\x00\x00a}q\x00X\x01\x00\x00\x00bh\x00u.", {})


# --- fuzz seeds --------------------------------------------------------------------------------

def make_corpus():
    for target in ("safetensors", "pickle", "pth"):
        os.makedirs(os.path.join(CORPUS, target), exist_ok=True)

    def seed(target, name, data):
        with open(os.path.join(CORPUS, target, name), "wb") as f:
            f.write(data)

    seed("safetensors", "independent", open(os.path.join(OUT, "independent.safetensors"), "rb").read())
    small = os.path.join(CORPUS, "safetensors", "small")
    write_safetensors_by_hand(small, [("a", "F32", [2], struct.pack("<2f", 1, 2)),
                                      ("b", "BOOL", [1], b"\x01")], metadata={"k": "v"}, pad=True)
    seed("safetensors", "empty_header", struct.pack("<Q", 2) + b"{}")
    for case in ("plain", "views", "shared", "nested", "module"):
        path = os.path.join(OUT, case + ".pth")
        seed("pth", case, open(path, "rb").read())
        with zipfile.ZipFile(path) as z:
            seed("pickle", case, z.read(case + "/data.pkl"))
    seed("pth", "hand_ok", open(os.path.join(HOSTILE, "hand_ok.pth"), "rb").read())
    seed("pickle", "hand_tensor", tensor_pickle(4, [2, 2], [2, 1]))


def main():
    os.makedirs(OUT, exist_ok=True)
    make_torch_cases()
    make_independent_safetensors()
    make_tiny_dinov2()
    make_hostile()
    make_corpus()
    print("wrote", OUT, "and", CORPUS)


if __name__ == "__main__":
    main()
