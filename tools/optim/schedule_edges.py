#!/usr/bin/python3
"""The learning-rate schedule and hard-mining ramp at their edges, as the reference computes
them with NumPy (utils.py WarmCosineScheduler; the training loop's
p = min(p_final * it / ramp, p_final)). Writes tests/fixtures/optim/schedule_edges.json.

Run with Debian's interpreter: /usr/bin/python3 tools/optim/schedule_edges.py
"""
import json
import os

import numpy as np


def warm_cosine(base, final, total, warmup, start=0.0):
    # The reference's WarmCosineScheduler.__init__, line for line.
    warmup_schedule = np.array([])
    if warmup > 0:
        warmup_schedule = np.linspace(start, base, warmup)
    iters = np.arange(total - warmup)
    schedule = final + 0.5 * (base - final) * (1 + np.cos(np.pi * iters / len(iters))) if len(iters) else np.array([])
    return np.concatenate((warmup_schedule, schedule))


def lr_at(schedule, final, step):
    return final if step >= len(schedule) else float(schedule[step])


cases = []
for total, warmup in [(10, 0), (10, 1), (10, 2), (10, 10), (1, 1), (10000, 100)]:
    base, final = 2e-3, 2e-4
    s = warm_cosine(base, final, total, warmup)
    steps = sorted({0, 1, 2, warmup - 1, warmup, warmup + 1, total - 1, total, total + 5} - {-1})
    cases.append({"base": base, "final": final, "total": total, "warmup": warmup,
                  "steps": steps, "lr": [lr_at(s, final, i) for i in steps]})

ramps = []
for ramp in [1, 2, 1000]:
    its = [0, 1, 2, 3, ramp - 1, ramp, ramp + 1, 5000]
    ramps.append({"ramp": ramp, "p_final": 0.9, "its": its,
                  "p": [min(0.9 * it / ramp, 0.9) for it in its]})

out = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "optim", "schedule_edges.json")
with open(out, "w") as f:
    json.dump({"numpy": np.__version__, "schedules": cases, "hard_mining": ramps}, f, indent=1)
print("wrote", os.path.normpath(out))
