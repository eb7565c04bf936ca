#!/usr/bin/python3
"""Forward values of the ops whose exact numerics matter later, from Debian's PyTorch 1.13.

Run from the repository root:  /usr/bin/python3 tools/ops/make_fixtures.py
Writes tests/fixtures/ops/ops_reference.safetensors: for float32 and float64, inputs and
outputs of gelu, layer_norm (eps 1e-6 and 1e-8), softmax, cosine_similarity (eps 1e-8,
including a near-zero vector), bilinear interpolation (align_corners True and False, up and
down), bicubic with scale factor 28.1/37 (the 37 -> 28 position-embedding step) and with
16.1/37, legacy nearest; and statistics of 10^6 draws of trunc_normal(std 0.01, ±0.03).
"""
import json
import os
import struct

import torch
import torch.nn.functional as F

OUT = "tests/fixtures/ops"


def write_safetensors(path, tensors):
    names = {torch.float32: "F32", torch.float64: "F64"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main():
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    out = {}
    for dtype, tag in ((torch.float64, "f64"), (torch.float32, "f32")):
        def put(name, t):
            out[f"{tag}/{name}"] = t.to(dtype)

        x = (torch.randn(4, 33, generator=g, dtype=torch.float64) * 3).to(dtype)
        put("gelu.x", x)
        put("gelu.y", F.gelu(x))
        w = torch.randn(33, generator=g, dtype=torch.float64).to(dtype)
        b = torch.randn(33, generator=g, dtype=torch.float64).to(dtype)
        put("ln.x", x)
        put("ln.w", w)
        put("ln.b", b)
        put("ln.y6", F.layer_norm(x, (33,), w, b, eps=1e-6))
        put("ln.y8", F.layer_norm(x + 100, (33,), w, b, eps=1e-8))
        put("softmax.y", torch.softmax(x, dim=-1))
        put("softmax.y0", torch.softmax(x, dim=0))
        a = torch.randn(3, 16, 5, generator=g, dtype=torch.float64).to(dtype)
        c = torch.randn(3, 16, 5, generator=g, dtype=torch.float64).to(dtype)
        a[0, :, 0] = 1e-10  # a vector whose norm is below eps
        put("cos.a", a)
        put("cos.b", c)
        put("cos.y", F.cosine_similarity(a, c, dim=1, eps=1e-8))
        img = torch.randn(2, 2, 28, 28, generator=g, dtype=torch.float64).to(dtype)
        put("interp.x", img)
        # 28 -> 392 with align_corners (the anomaly-map step), one axis at a time to keep it small
        put("bilinear.up_ac_h", F.interpolate(img[:, :, :, :4], size=(392, 5), mode="bilinear", align_corners=True))
        put("bilinear.up_ac_w", F.interpolate(img[:, :, :4, :], size=(7, 392), mode="bilinear", align_corners=True))
        put("bilinear.down", F.interpolate(img, size=(17, 9), mode="bilinear", align_corners=False))
        put("bilinear.up", F.interpolate(img, size=(61, 40), mode="bilinear", align_corners=False))
        put("nearest.y", F.interpolate(img, size=(256, 11), mode="nearest"))
        pos = torch.randn(1, 8, 37, 37, generator=g, dtype=torch.float64).to(dtype)
        put("bicubic.x", pos)
        put("bicubic.28", F.interpolate(pos, scale_factor=(28.1 / 37, 28.1 / 37), mode="bicubic", antialias=False))
        put("bicubic.16", F.interpolate(pos, scale_factor=(16.1 / 37, 16.1 / 37), mode="bicubic", antialias=False))
        put("bicubic.size", F.interpolate(pos, size=(20, 45), mode="bicubic", align_corners=False))
    t = torch.empty(1000000)
    torch.nn.init.trunc_normal_(t, std=0.01, a=-0.03, b=0.03)
    q = torch.quantile(t.double(), torch.tensor([0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999], dtype=torch.float64))
    out["trunc_normal.stats"] = torch.tensor([t.double().mean(), t.double().std(), t.min(), t.max()], dtype=torch.float64)
    out["trunc_normal.quantiles"] = q
    write_safetensors(f"{OUT}/ops_reference.safetensors", out)
    print(len(out), "tensors")


if __name__ == "__main__":
    torch.manual_seed(0)
    main()
