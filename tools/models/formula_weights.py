"""Weights defined by a formula, identical in Python and in C++ (tests/support/formula.cpp).

A ViT-S encoder has 22 million parameters: too many to commit as a fixture. Instead both
sides compute every parameter from its name and index:

    h = splitmix64(fnv1a64(name) + i * 0x9E3779B97F4A7C15)      (uint64 arithmetic)
    u = (h >> 11) * 2**-53                                       in [0, 1)
    value = scale(name) * (2u - 1)                                in [-scale, scale)

computed in float64, then cast to the parameter's dtype.
"""
import numpy as np

MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for byte in text.encode():
        h ^= byte
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def splitmix64(x):
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        z = x
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def scale_of(name):
    """How large a parameter's values are, chosen so activations stay well scaled."""
    if name == "input":
        return 1.5
    if name.endswith("ls1.gamma") or name.endswith("ls2.gamma"):
        return 0.5
    if "norm" in name and name.endswith(".weight"):
        return 0.2   # LayerNorm weights: 1 + the formula (see offset_of)
    if name.endswith(".bias"):
        return 0.02
    if name.endswith("cls_token") or name.endswith("register_tokens") or name.endswith("mask_token"):
        return 0.5
    if name.endswith("pos_embed"):
        return 0.1
    return 0.08


def offset_of(name):
    return 1.0 if ("norm" in name and name.endswith(".weight")) else 0.0


def formula_values(name, count):
    i = np.arange(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = splitmix64(np.uint64(fnv1a64(name)) + i * np.uint64(0x9E3779B97F4A7C15))
    u = (h >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)
    return offset_of(name) + scale_of(name) * (2.0 * u - 1.0)
