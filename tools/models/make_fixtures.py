#!/usr/bin/python3
"""Writes the Dinomaly parity fixtures under tests/fixtures/models/.

Run from the repository root with Debian's PyTorch 1.13:  /usr/bin/python3 tools/models/make_fixtures.py

Two configurations, both with weights from tools/models/formula_weights.py (so the C++ test
computes the same weights instead of reading 88 MB of ViT-S from a fixture):
  tiny  test-tiny encoder (D 32, 4 blocks, 2 heads, 4x4 position grid), 4 decoder blocks,
        groups [[0,1],[2,3]], crop 70 (5x5 patches), batch 2. Everything up to 20000 elements
        is stored whole (the input and the 256x256 maps as digests), and the weights are also written as files (original and HuggingFace naming,
        safetensors and torch.save .pth) to test the loaders end to end.
  vits  ViT-S/14-reg4 (D 384, heads 6), default targets 2..9 and groups, crop 224, batch 2.
        Large tensors are stored as digests: every k-th element (about 2000 samples), plus
        the sum and the sum of squares of all elements.
For each, in float64 and float32: the input, the raw outputs of the target layers, en/de per
group, the anomaly map and the image score (eval mode), then 3 training steps (dropout 0,
hard-mining p ramped 0 -> 0.45 -> 0.9, clip 0.1, StableAdamW, warm-cosine lr) with the
loss of each step, the raw gradients of step 1 (where the hook is active) and the
parameters after the 3 steps.
"""
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import reference_model as R  # noqa: E402
from formula_weights import formula_values  # noqa: E402

OUT = "tests/fixtures/models"
STEPS = 3
LR_BASE, LR_FINAL, LR_TOTAL, LR_WARMUP = 2e-3, 2e-4, 10, 2
HM_FINAL, HM_RAMP = 0.9, 2


def write_safetensors(path, tensors):
    """A safetensors writer written from the format's description (no safetensors package)."""
    names = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def build(cfg, dtype):
    enc = R.DinoVisionTransformer(cfg["dim"], cfg["depth"], cfg["heads"], cfg["pos_grid"])
    bottleneck = torch.nn.ModuleList([R.bMlp(cfg["dim"], 4 * cfg["dim"], 0.0)])
    decoder = torch.nn.ModuleList([R.DecoderBlock(cfg["dim"], cfg["heads"]) for _ in range(cfg["decoder_depth"])])
    model = R.ViTill(enc, bottleneck, decoder, cfg["targets"], cfg["groups"], cfg["groups"]).to(dtype)
    with torch.no_grad():  # the formula's float64 values, rounded once to `dtype`
        for name, p in model.state_dict().items():
            p.copy_(torch.from_numpy(formula_values(name, p.numel()).reshape(p.shape)))
    for p in enc.parameters():
        p.requires_grad_(False)
    return model


def digest(t):
    """Every k-th element plus (sum, sum of squares): enough to compare a large tensor."""
    flat = t.detach().reshape(-1).to(torch.float64)
    step = max(1, flat.numel() // 2000)
    return flat[::step].clone(), torch.stack([flat.sum(), (flat * flat).sum()])


def run(cfg, dtype, prefix, store):
    model = build(cfg, dtype)
    b, crop = cfg["batch"], cfg["crop"]
    img = torch.from_numpy(formula_values("input", b * 3 * crop * crop).reshape(b, 3, crop, crop)).to(dtype)
    store(prefix + "input", img)

    model.eval()
    with torch.no_grad():
        en, de, en_list = model(img)
        amap, score = R.anomaly_map_and_score(en, de, crop)
    for i, layer in zip(cfg["targets"], en_list):
        store(prefix + f"encoder.{i}", layer)
    for g in range(len(en)):
        store(prefix + f"en.{g}", en[g])
        store(prefix + f"de.{g}", de[g])
    store(prefix + "map", amap)
    store(prefix + "score", score)

    model.train()
    trainable = torch.nn.ModuleList([model.bottleneck, model.decoder])
    opt = R.StableAdamW(trainable.parameters(), lr=LR_BASE)
    lrs = R.warm_cosine_schedule(LR_BASE, LR_FINAL, LR_TOTAL, LR_WARMUP)
    losses = []
    for it in range(STEPS):
        for group in opt.param_groups:
            group["lr"] = lrs[it]
        en, de, _ = model(img)
        p = min(HM_FINAL * it / HM_RAMP, HM_FINAL)
        loss = R.global_cosine_hm_percent(en, de, p=p, factor=0.1)
        opt.zero_grad()
        loss.backward()
        losses.append(loss.detach())
        if it == 1:
            for name, prm in trainable.named_parameters():
                store(prefix + "grad1/" + ("bottleneck." if name.startswith("0.") else "decoder.") + name[2:], prm.grad)
        torch.nn.utils.clip_grad_norm_(trainable.parameters(), max_norm=0.1)
        opt.step()
    store(prefix + "losses", torch.stack(losses))
    for name, prm in trainable.named_parameters():
        store(prefix + "after3/" + ("bottleneck." if name.startswith("0.") else "decoder.") + name[2:], prm)
    return model


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(2)
    tiny = dict(dim=32, depth=4, heads=2, pos_grid=4, targets=[0, 1, 2, 3], groups=[[0, 1], [2, 3]],
                decoder_depth=4, crop=70, batch=2)
    vits = dict(dim=384, depth=12, heads=6, pos_grid=37, targets=[2, 3, 4, 5, 6, 7, 8, 9],
                groups=[[0, 1, 2, 3], [4, 5, 6, 7]], decoder_depth=8, crop=224, batch=2)

    for name, cfg in (("tiny", tiny), ("vits", vits)):
        out = {}
        whole = name == "tiny"

        def store(key, t):
            if t.numel() <= 64 or (whole and t.numel() <= 20000):
                out[key] = t.detach().clone()
            else:
                samples, stats = digest(t)
                out["digest/" + key] = samples
                out["stats/" + key] = stats

        model = None
        for dtype, tag in ((torch.float64, "f64/"), (torch.float32, "f32/")):
            model = run(cfg, dtype, tag, store)
        write_safetensors(f"{OUT}/{name}_reference.safetensors", out)
        print(name, len(out), "tensors")

    # Weight files of the tiny model, to load through every path.
    model = build(tiny, torch.float32)
    sd = model.state_dict()
    write_safetensors(f"{OUT}/tiny_model.safetensors", sd)  # ViTill names
    enc = {k[len("encoder."):]: v for k, v in sd.items() if k.startswith("encoder.")}
    torch.save(enc, f"{OUT}/tiny_encoder.pth")  # original DINOv2 names, as torch.save writes them
    hf = {}
    for k, v in enc.items():
        hf.update(to_hf(k, v))
    write_safetensors(f"{OUT}/tiny_encoder_hf.safetensors", hf)


def to_hf(name, t):
    """Original DINOv2 name -> HuggingFace Dinov2WithRegistersModel name(s).

    As docs/reference.md §9.2 gives them."""
    simple = {"cls_token": "embeddings.cls_token", "mask_token": "embeddings.mask_token",
              "register_tokens": "embeddings.register_tokens", "pos_embed": "embeddings.position_embeddings",
              "patch_embed.proj.weight": "embeddings.patch_embeddings.projection.weight",
              "patch_embed.proj.bias": "embeddings.patch_embeddings.projection.bias",
              "norm.weight": "layernorm.weight", "norm.bias": "layernorm.bias"}
    if name in simple:
        return {simple[name]: t}
    parts = name.split(".")
    i, rest = parts[1], ".".join(parts[2:])
    base = f"encoder.layer.{i}."
    if rest.startswith("attn.qkv."):
        kind = rest.split(".")[-1]
        q, k, v = t.chunk(3, dim=0)
        att = base + "attention.attention."
        return {att + "query." + kind: q, att + "key." + kind: k, att + "value." + kind: v}
    renames = {"attn.proj.": "attention.output.dense.", "ls1.gamma": "layer_scale1.lambda1",
               "ls2.gamma": "layer_scale2.lambda1", "norm1.": "norm1.", "norm2.": "norm2.",
               "mlp.fc1.": "mlp.fc1.", "mlp.fc2.": "mlp.fc2."}
    for src, dst in renames.items():
        if rest.startswith(src):
            return {base + dst + rest[len(src):]: t}
    raise KeyError(name)


if __name__ == "__main__":
    main()
