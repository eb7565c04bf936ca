#!/usr/bin/env python3
"""The PyTorch side of the GPU benchmark: Dinomaly ViT-B/14-reg4 at 392x392, batch 16.

A self-contained restatement of the reference model (guojiajeremy/Dinomaly, see
docs/reference.md) with random weights, timed in PyTorch eager mode:

  train step  the encoder (DINOv2-reg ViT-B/14, blocks 0..9) under no_grad; the mean of
              blocks 2..9 -> bottleneck MLP with Dropout(0.2) three times -> 8 decoder blocks
              with linear attention (elu+1, LayerNorm eps 1e-8); the two fusion groups; the
              hard-mining global cosine loss (p = 0.9, gradient x0.1 hook); backward;
              clip_grad_norm_(0.1); AdamW(amsgrad) step (a stand-in for StableAdamW: same
              state, same memory, timing within noise).
  inference   eval mode, no_grad: the same forward, then the anomaly map (1 - cos per point,
              bilinear 28->392 align_corners, mean over groups, ->256, 5x5 Gaussian) and the
              image score (top 1% mean).

Modes: fp32 (TF32 off for matrix products and convolutions, as the reference's products) and
bf16 (torch.autocast around forward and loss; weights and optimizer stay fp32).

Prints one JSON line per mode and appends it to --out:
  {"mode", "torch", "device", "batch", "crop", "steps", "train_img_s", "train_step_ms",
   "train_peak_mb", "infer_img_s", "infer_ms", "infer_peak_mb", "loss"}
Peak memory is torch.cuda.max_memory_allocated over the timed steps (model, optimizer
state and activations), in MiB. A failing mode prints {"mode", "error"} and the others run.
"""
import argparse
import json
import math
import sys
import time
import traceback
from functools import partial

import torch
import torch.nn as nn
import torch.nn.functional as F

# --------------------------------------------------------------------------------------------
# The model (reference file names and lines in docs/reference.md §1-§3)
# --------------------------------------------------------------------------------------------


class Mlp(nn.Module):
    def __init__(self, dim, hidden, drop=0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)
        self.drop = nn.Dropout(drop)

    def forward(self, x):
        return self.drop(self.fc2(self.drop(self.act(self.fc1(x)))))


class BottleneckMlp(Mlp):
    """bMlp: dropout on the input, the hidden layer and the output."""

    def forward(self, x):
        x = self.drop(x)
        return self.drop(self.fc2(self.drop(self.act(self.fc1(x)))))


class Attention(nn.Module):
    """DINOv2's softmax attention, the explicit form (xformers absent, as in the reference)."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * self.scale, qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, N, C))


class LinearAttention2(nn.Module):
    """Dinomaly's default decoder attention: phi = elu + 1, no scaling, no eps."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        q = F.elu(q) + 1.0
        k = F.elu(k) + 1.0
        kv = torch.einsum("...sd,...se->...de", k, v)
        z = 1.0 / torch.einsum("...sd,...d->...s", q, k.sum(dim=-2))
        x = torch.einsum("...de,...sd,...s->...se", kv, q, z)
        return self.proj(x.transpose(1, 2).reshape(B, N, C))


class EncoderBlock(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.ls1 = nn.Parameter(torch.full((dim,), 0.1))
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, dim * 4)
        self.ls2 = nn.Parameter(torch.full((dim,), 0.1))

    def forward(self, x):
        x = x + self.ls1 * self.attn(self.norm1(x))
        return x + self.ls2 * self.mlp(self.norm2(x))


class DecoderBlock(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-8)
        self.attn = LinearAttention2(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-8)
        self.mlp = Mlp(dim, dim * 4)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class Encoder(nn.Module):
    """DINOv2-with-registers ViT-B/14 (img_size 518: a 37x37 position table), blocks 0..9."""

    def __init__(self, dim=768, heads=12, depth=10, patch=14, registers=4):
        super().__init__()
        self.patch = patch
        self.patch_embed = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.register_tokens = nn.Parameter(torch.randn(1, registers, dim) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, 1 + 37 * 37, dim) * 0.02)
        self.blocks = nn.ModuleList([EncoderBlock(dim, heads) for _ in range(depth)])

    def prepare_tokens(self, img):
        B, _, h, w = img.shape
        x = self.patch_embed(img).flatten(2).transpose(1, 2)
        x = torch.cat((self.cls_token.expand(B, -1, -1), x), dim=1)
        # Dinomaly's legacy interpolation: bicubic, scale factor (w0 + 0.1) / 37, no antialias.
        pos = self.pos_embed.float()
        n = pos.shape[1] - 1
        side = int(math.sqrt(n))
        w0, h0 = h // self.patch + 0.1, w // self.patch + 0.1
        patch_pos = pos[:, 1:].reshape(1, side, side, -1).permute(0, 3, 1, 2)
        patch_pos = F.interpolate(patch_pos, scale_factor=(w0 / side, h0 / side), mode="bicubic",
                                  antialias=False)
        patch_pos = patch_pos.permute(0, 2, 3, 1).reshape(1, -1, pos.shape[-1])
        x = x + torch.cat((pos[:, :1], patch_pos), dim=1).to(x.dtype)
        return torch.cat((x[:, :1], self.register_tokens.expand(B, -1, -1), x[:, 1:]), dim=1)


class Dinomaly(nn.Module):
    target_layers = [2, 3, 4, 5, 6, 7, 8, 9]
    fuse_encoder = [[0, 1, 2, 3], [4, 5, 6, 7]]
    fuse_decoder = [[0, 1, 2, 3], [4, 5, 6, 7]]

    def __init__(self, dim=768, heads=12):
        super().__init__()
        self.encoder = Encoder(dim, heads)
        self.bottleneck = BottleneckMlp(dim, dim * 4, drop=0.2)
        self.decoder = nn.ModuleList([DecoderBlock(dim, heads) for _ in range(8)])
        for m in list(self.bottleneck.modules()) + list(self.decoder.modules()):
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.01, a=-0.03, b=0.03)
                nn.init.zeros_(m.bias)

    def forward(self, img):
        with torch.no_grad():
            x = self.encoder.prepare_tokens(img)
            en_list = []
            for i, blk in enumerate(self.encoder.blocks):
                x = blk(x)
                if i in self.target_layers:
                    en_list.append(x)
        side = int(math.sqrt(en_list[0].shape[1] - 1 - 4))
        x = torch.stack(en_list, dim=1).mean(dim=1)
        x = self.bottleneck(x)
        de_list = []
        for blk in self.decoder:
            x = blk(x)
            de_list.append(x)
        de_list = de_list[::-1]
        en = [torch.stack([en_list[i] for i in g], dim=1).mean(dim=1) for g in self.fuse_encoder]
        de = [torch.stack([de_list[i] for i in g], dim=1).mean(dim=1) for g in self.fuse_decoder]
        en = [e[:, 5:] for e in en]
        de = [d[:, 5:] for d in de]
        B = img.shape[0]
        en = [e.permute(0, 2, 1).reshape(B, -1, side, side).contiguous() for e in en]
        de = [d.permute(0, 2, 1).reshape(B, -1, side, side).contiguous() for d in de]
        return en, de


def modify_grad(grad, inds, factor=0.0):
    grad = grad.clone()
    grad[inds.expand_as(grad)] *= factor
    return grad


def global_cosine_hm_percent(a, b, p=0.9, factor=0.1):
    cos = nn.CosineSimilarity()
    loss = 0
    for item in range(len(a)):
        a_ = a[item].detach()
        b_ = b[item]
        with torch.no_grad():
            point_dist = 1 - cos(a_, b_).unsqueeze(1)
        k = int(point_dist.numel() * (1 - p))
        thresh = torch.topk(point_dist.reshape(-1), k=k)[0][-1]
        loss = loss + torch.mean(1 - cos(a_.reshape(a_.shape[0], -1), b_.reshape(b_.shape[0], -1)))
        b_.register_hook(partial(modify_grad, inds=point_dist < thresh, factor=factor))
    return loss / len(a)


def gaussian_kernel(device, size=5, sigma=4.0):
    ax = torch.arange(size, dtype=torch.float32, device=device) - (size - 1) / 2
    g = torch.exp(-(ax[:, None] ** 2 + ax[None, :] ** 2) / (2 * sigma * sigma))
    return (g / g.sum()).reshape(1, 1, size, size)


def anomaly_scores(en, de, kernel):
    maps = []
    for e, d in zip(en, de):
        a = 1 - F.cosine_similarity(e, d, dim=1).unsqueeze(1)
        maps.append(F.interpolate(a, size=392, mode="bilinear", align_corners=True))
    amap = torch.cat(maps, dim=1).mean(dim=1, keepdim=True)
    amap = F.interpolate(amap, size=256, mode="bilinear", align_corners=False)
    amap = F.conv2d(amap.float(), kernel, padding=2)
    flat = amap.flatten(1)
    return torch.sort(flat, dim=1, descending=True)[0][:, : int(flat.shape[1] * 0.01)].mean(dim=1)


# --------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def reset_peak(device):
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def peak_mb(device):
    return torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else float("nan")


def run_mode(mode, args, device):
    torch.manual_seed(1)
    strict = mode == "fp32"
    torch.backends.cuda.matmul.allow_tf32 = not strict  # bf16 mode: as PyTorch users run it
    torch.backends.cudnn.allow_tf32 = not strict
    dt = device.type
    autocast = (lambda: torch.autocast(dt, dtype=torch.bfloat16)) if mode == "bf16" else None

    model = Dinomaly().to(device)
    trainable = nn.ModuleList([model.bottleneck, model.decoder])
    opt = torch.optim.AdamW(trainable.parameters(), lr=2e-3, betas=(0.9, 0.999), weight_decay=1e-4,
                            eps=1e-10, amsgrad=True)
    img = torch.randn(args.batch, 3, args.crop, args.crop, device=device)
    kernel = gaussian_kernel(device)

    def train_step():
        with (autocast() if autocast else torch.autocast(dt, enabled=False)):
            en, de = model(img)
            loss = global_cosine_hm_percent(en, de, p=0.9, factor=0.1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(trainable.parameters(), max_norm=0.1)
        opt.step()
        return loss

    def infer():
        with torch.no_grad(), (autocast() if autocast else torch.autocast(dt, enabled=False)):
            en, de = model(img)
            return anomaly_scores(en, de, kernel)

    model.train()
    for _ in range(args.warmup):
        loss = train_step()
    sync(device)
    reset_peak(device)
    t0 = time.perf_counter()
    for _ in range(args.steps):
        loss = train_step()
    sync(device)
    train_s = (time.perf_counter() - t0) / args.steps
    train_peak = peak_mb(device)
    loss_value = float(loss)

    model.eval()
    opt.zero_grad(set_to_none=True)
    for _ in range(args.warmup):
        infer()
    sync(device)
    reset_peak(device)
    t0 = time.perf_counter()
    for _ in range(args.steps):
        scores = infer()
    sync(device)
    infer_s = (time.perf_counter() - t0) / args.steps
    infer_peak = peak_mb(device)
    assert torch.isfinite(scores).all(), "non-finite anomaly scores"
    return {
        "mode": mode, "torch": torch.__version__,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "batch": args.batch, "crop": args.crop, "steps": args.steps,
        "train_img_s": args.batch / train_s, "train_step_ms": train_s * 1e3,
        "train_peak_mb": train_peak, "infer_img_s": args.batch / infer_s,
        "infer_ms": infer_s * 1e3, "infer_peak_mb": infer_peak, "loss": loss_value,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--crop", type=int, default=392)
    ap.add_argument("--steps", type=int, default=10, help="timed steps per measurement")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--modes", default="fp32,bf16")
    ap.add_argument("--out", default=None, help="append the JSON lines to this file")
    ap.add_argument("--device", default="cuda", help="cuda, or cpu for a smoke test of this script")
    args = ap.parse_args()
    if args.crop % 14 != 0:
        sys.exit("--crop must be a multiple of 14")
    if args.device == "cuda" and not torch.cuda.is_available():
        line = json.dumps({"mode": args.modes, "error": "no CUDA device visible to PyTorch "
                                                          + torch.__version__})
        print(line)
        if args.out:
            with open(args.out, "a") as f:
                f.write(line + "\n")
        return 1
    device = torch.device("cuda", 0) if args.device == "cuda" else torch.device("cpu")
    status = 0
    for mode in args.modes.split(","):
        try:
            result = run_mode(mode.strip(), args, device)
        except Exception as e:  # one failing mode (OOM, ...) must not hide the others
            traceback.print_exc()
            result = {"mode": mode, "error": "%s: %s" % (type(e).__name__, e)}
            status = 1
        line = json.dumps(result)
        print(line, flush=True)
        if args.out:
            with open(args.out, "a") as f:
                f.write(line + "\n")
        if device.type == "cuda":
            torch.cuda.empty_cache()
    return status


if __name__ == "__main__":
    sys.exit(main())
