"""Dinomaly as the official code computes it, restated in PyTorch for the parity fixtures.

Written from docs/reference.md (which reads guojiajeremy/Dinomaly at
c5c76d0 and the DINOv2 code it vendors), module by module, with the same parameter names as
ViTill.state_dict(). Runs on Debian's PyTorch 1.13 (CPU).
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# ----------------------------------------------------------------------------- encoder
class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class LayerScale(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * self.gamma


class Attention(nn.Module):  # dinov2/layers/attention.py
    def __init__(self, dim, heads):
        super().__init__()
        self.num_heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * self.scale, qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)).softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj(x), attn


class EncoderBlock(nn.Module):  # dinov2/layers/block.py as edited by Dinomaly
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.ls1 = LayerScale(dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, 4 * dim)
        self.ls2 = LayerScale(dim)

    def forward(self, x):
        y, _ = self.attn(self.norm1(x))
        x = x + self.ls1(y)
        return x + self.ls2(self.mlp(self.norm2(x)))


class PatchEmbed(nn.Module):
    def __init__(self, patch, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class DinoVisionTransformer(nn.Module):
    def __init__(self, dim, depth, heads, pos_grid, patch=14, registers=4):
        super().__init__()
        self.patch_size = patch
        self.interpolate_offset = 0.1
        self.patch_embed = PatchEmbed(patch, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + pos_grid * pos_grid, dim))
        self.register_tokens = nn.Parameter(torch.zeros(1, registers, dim))
        self.blocks = nn.ModuleList([EncoderBlock(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.mask_token = nn.Parameter(torch.zeros(1, dim))

    def interpolate_pos_encoding(self, x, w, h):  # the legacy path: antialias off, +0.1
        previous_dtype = x.dtype
        npatch = x.shape[1] - 1
        N = self.pos_embed.shape[1] - 1
        if npatch == N and w == h:
            return self.pos_embed
        pos_embed = self.pos_embed.to(x.dtype)
        class_pos_embed = pos_embed[:, 0]
        patch_pos_embed = pos_embed[:, 1:]
        dim = x.shape[-1]
        w0 = w // self.patch_size + self.interpolate_offset
        h0 = h // self.patch_size + self.interpolate_offset
        sqrt_N = math.sqrt(N)
        sx, sy = float(w0) / sqrt_N, float(h0) / sqrt_N
        patch_pos_embed = F.interpolate(
            patch_pos_embed.reshape(1, int(sqrt_N), int(sqrt_N), dim).permute(0, 3, 1, 2),
            scale_factor=(sx, sy), mode="bicubic", antialias=False)
        assert int(w0) == patch_pos_embed.shape[-2] and int(h0) == patch_pos_embed.shape[-1]
        patch_pos_embed = patch_pos_embed.permute(0, 2, 3, 1).view(1, -1, dim)
        return torch.cat((class_pos_embed.unsqueeze(0), patch_pos_embed), dim=1).to(previous_dtype)

    def prepare_tokens(self, x):
        B, nc, w, h = x.shape
        x = self.patch_embed(x)
        x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1)
        x = x + self.interpolate_pos_encoding(x, w, h)
        return torch.cat((x[:, :1], self.register_tokens.expand(x.shape[0], -1, -1), x[:, 1:]), dim=1)


# ------------------------------------------------------------------ bottleneck, decoder
class bMlp(nn.Module):  # models/vision_transformer.py: dropout three times
    def __init__(self, dim, hidden, drop):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)
        self.drop = nn.Dropout(drop)

    def forward(self, x):
        x = self.drop(x)
        x = self.fc1(x)
        x = self.act(x)
        x = self.drop(x)
        x = self.fc2(x)
        return self.drop(x)


class LinearAttention2(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.num_heads = heads
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        q = F.elu(q) + 1.
        k = F.elu(k) + 1.
        kv = torch.einsum('...sd,...se->...de', k, v)
        z = 1.0 / torch.einsum('...sd,...d->...s', q, k.sum(dim=-2))
        x = torch.einsum('...de,...sd,...s->...se', kv, q, z)
        x = x.transpose(1, 2).reshape(B, N, C)
        return self.proj(x), None


class DecoderBlock(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-8)
        self.attn = LinearAttention2(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-8)
        self.mlp = Mlp(dim, 4 * dim)

    def forward(self, x):
        y, _ = self.attn(self.norm1(x))
        x = x + y
        return x + self.mlp(self.norm2(x))


class ViTill(nn.Module):  # models/uad.py
    def __init__(self, encoder, bottleneck, decoder, target_layers, fuse_enc, fuse_dec):
        super().__init__()
        self.encoder = encoder
        self.bottleneck = bottleneck
        self.decoder = decoder
        self.target_layers = target_layers
        self.fuse_layer_encoder = fuse_enc
        self.fuse_layer_decoder = fuse_dec

    def forward(self, x):
        x = self.encoder.prepare_tokens(x)
        en_list = []
        for i, blk in enumerate(self.encoder.blocks):
            if i <= self.target_layers[-1]:
                with torch.no_grad():
                    x = blk(x)
            else:
                continue
            if i in self.target_layers:
                en_list.append(x)
        side = int(math.sqrt(en_list[0].shape[1] - 1 - 4))
        x = torch.stack(en_list, dim=1).mean(dim=1)
        for blk in self.bottleneck:
            x = blk(x)
        de_list = []
        for blk in self.decoder:
            x = blk(x)
            de_list.append(x)
        de_list = de_list[::-1]
        en = [torch.stack([en_list[i] for i in idxs], dim=1).mean(dim=1) for idxs in self.fuse_layer_encoder]
        de = [torch.stack([de_list[i] for i in idxs], dim=1).mean(dim=1) for idxs in self.fuse_layer_decoder]
        en = [e[:, 1 + 4:, :] for e in en]
        de = [d[:, 1 + 4:, :] for d in de]
        en = [e.permute(0, 2, 1).reshape([x.shape[0], -1, side, side]).contiguous() for e in en]
        de = [d.permute(0, 2, 1).reshape([x.shape[0], -1, side, side]).contiguous() for d in de]
        return en, de, en_list


# ------------------------------------------------------------------------ loss, optim
def modify_grad(x, inds, factor=0.):
    inds = inds.expand_as(x)
    x[inds] *= factor
    return x


def global_cosine_hm_percent(a, b, p=0.9, factor=0.):
    cos_loss = torch.nn.CosineSimilarity()
    loss = 0
    for item in range(len(a)):
        a_ = a[item].detach()
        b_ = b[item]
        with torch.no_grad():
            point_dist = 1 - cos_loss(a_, b_).unsqueeze(1)
        thresh = torch.topk(point_dist.reshape(-1), k=int(point_dist.numel() * (1 - p)))[0][-1]
        loss += torch.mean(1 - cos_loss(a_.reshape(a_.shape[0], -1), b_.reshape(b_.shape[0], -1)))
        from functools import partial
        b_.register_hook(partial(modify_grad, inds=point_dist < thresh, factor=factor))
    return loss / len(a)


class StableAdamW(torch.optim.Optimizer):
    """The update of optimizers/StableAdamW.py as docs/reference.md §4.2 states it."""

    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-10, weight_decay=1e-4, amsgrad=True,
                 clip_threshold=1.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, clip_threshold=clip_threshold))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            for p in group['params']:
                if p.grad is None:
                    continue
                grad = p.grad
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = 0
                    state['exp_avg'] = torch.zeros_like(p)
                    state['exp_avg_sq'] = torch.zeros_like(p)
                    state['max_exp_avg_sq'] = torch.zeros_like(p)
                p.data.mul_(1 - group['lr'] * group['weight_decay'])
                state['step'] += 1
                bias_correction1 = 1 - beta1 ** state['step']
                bias_correction2 = 1 - beta2 ** state['step']
                state['exp_avg'].mul_(beta1).add_(grad, alpha=1 - beta1)
                state['exp_avg_sq'].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                torch.maximum(state['max_exp_avg_sq'], state['exp_avg_sq'], out=state['max_exp_avg_sq'])
                denom = (state['max_exp_avg_sq'].sqrt() / math.sqrt(bias_correction2)).add_(group['eps'])
                rms = torch.div(grad, denom).pow(2).mean().sqrt()
                s = max(1.0, rms / group['clip_threshold'])  # 1.0, or a 0-dim tensor
                step_size = group['lr'] / bias_correction1 / s
                p.data.addcdiv_(state['exp_avg'], denom, value=-step_size)


def warm_cosine_schedule(base, final, total, warmup):
    warmup_schedule = np.linspace(0, base, warmup)
    iters = np.arange(total - warmup)
    schedule = final + 0.5 * (base - final) * (1 + np.cos(np.pi * iters / len(iters)))
    return np.concatenate((warmup_schedule, schedule))


# -------------------------------------------------------------------- anomaly map, score
def get_gaussian_kernel(kernel_size=5, sigma=4, dtype=torch.float32):
    """The reference's kernel (utils.py), computed in `dtype`: float32 as the reference does,
    float64 for the float64 replay (so that comparison is not limited by float32 rounding)."""
    x_coord = torch.arange(kernel_size)
    x_grid = x_coord.repeat(kernel_size).view(kernel_size, kernel_size)
    y_grid = x_grid.t()
    xy_grid = torch.stack([x_grid, y_grid], dim=-1).to(dtype)
    mean = (kernel_size - 1) / 2.
    variance = sigma ** 2.
    k = (1. / (2. * math.pi * variance)) * torch.exp(-torch.sum((xy_grid - mean) ** 2., dim=-1) / (2 * variance))
    k = k / torch.sum(k)
    return k.view(1, 1, kernel_size, kernel_size)


def anomaly_map_and_score(en, de, crop, out_size=256, max_ratio=0.01):
    maps = []
    for fs, ft in zip(en, de):
        a = 1 - F.cosine_similarity(fs, ft)
        a = F.interpolate(a.unsqueeze(1), size=(crop, crop), mode='bilinear', align_corners=True)
        maps.append(a)
    amap = torch.cat(maps, dim=1).mean(dim=1, keepdim=True)
    amap = F.interpolate(amap, size=out_size, mode='bilinear', align_corners=False)
    amap = F.conv2d(amap, get_gaussian_kernel(dtype=amap.dtype), padding=2)
    flat = amap.flatten(1)
    score = torch.sort(flat, dim=1, descending=True)[0][:, :int(flat.shape[1] * max_ratio)].mean(dim=1)
    return amap, score
