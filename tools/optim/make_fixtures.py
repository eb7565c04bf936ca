#!/usr/bin/python3
"""20 optimisation steps of a small MLP in PyTorch 1.13, float64: global-norm clipping 0.1,
StableAdamW with AMSGrad (tools/models/reference_model.py restates the official update), the
warm-up cosine schedule (warm-up 5 of 20 steps); and the same with torch.optim.AdamW(amsgrad).

Run from the repository root:  /usr/bin/python3 tools/optim/make_fixtures.py
Writes tests/fixtures/optim/mlp20.safetensors: the inputs, targets, initial weights, the loss of
every step, and the weights after 20 steps, for both optimisers.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "models"))
import reference_model as R  # noqa: E402
from make_fixtures import write_safetensors  # noqa: E402

STEPS, WARMUP = 20, 5


def model():
    torch.manual_seed(3)
    return torch.nn.Sequential(torch.nn.Linear(7, 16), torch.nn.GELU(), torch.nn.Linear(16, 5)).double()


def train(opt_kind, x, y, init):
    m = model()
    m.load_state_dict(init)
    params = list(m.parameters())
    if opt_kind == "stable":
        opt = R.StableAdamW(params, lr=0.05, eps=1e-10, weight_decay=1e-4)
    else:
        opt = torch.optim.AdamW(params, lr=0.05, eps=1e-10, weight_decay=1e-4, amsgrad=True)
    lrs = R.warm_cosine_schedule(0.05, 0.005, STEPS, WARMUP)
    losses = []
    for it in range(STEPS):
        for g in opt.param_groups:
            g["lr"] = lrs[it]
        loss = ((m(x) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, max_norm=0.1)
        opt.step()
        losses.append(loss.detach())
    return torch.stack(losses), m.state_dict()


def main():
    torch.manual_seed(0)
    x = torch.randn(32, 7, dtype=torch.float64)
    y = torch.randn(32, 5, dtype=torch.float64)
    init = model().state_dict()
    out = {"x": x, "y": y}
    out.update({"init." + k: v for k, v in init.items()})
    for kind in ("stable", "adamw"):
        losses, final = train(kind, x, y, init)
        out[kind + ".losses"] = losses
        out.update({kind + ".final." + k: v for k, v in final.items()})
    os.makedirs("tests/fixtures/optim", exist_ok=True)
    write_safetensors("tests/fixtures/optim/mlp20.safetensors", out)
    print(len(out), "tensors")


if __name__ == "__main__":
    main()
