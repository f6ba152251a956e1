"""One training step of MLP(2, [16, 16, 1]) on 100 moons points: gradstep vs micrograd.

Run by hand (never by CI):  pip install -e ".[bench]" && python benchmarks/bench_nn.py

The step is micrograd's own demo recipe -- hinge loss + 1e-4 L2, full batch, SGD --
written for each engine's nn package, run alternately in the same process, garbage
collector on. It prints medians and the ratio micrograd ÷ gradstep (> 1: gradstep faster).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time

import micrograd.engine
import micrograd.nn

import nn
from nn import data


def micrograd_step(model, X, y, lr):
    inputs = [[micrograd.engine.Value(v) for v in row] for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return total.data


def gradstep_step(model, optimizer, X, y):
    scores = [model(x) for x in X]
    total = nn.hinge(scores, y) + nn.l2(model.parameters(), 1e-4)
    optimizer.zero_grad()
    total.backward()
    optimizer.step()
    return total.data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=15, help="timed steps per engine")
    args = parser.parse_args()

    X, y = data.moons(100, noise=0.1, seed=0, labels="pm1")
    random.seed(0)
    mg_model = micrograd.nn.MLP(2, [16, 16, 1])
    gs_model = nn.MLP(2, [16, 16, 1], init="uniform", seed=0)
    optimizer = nn.SGD(gs_model.parameters(), lr=0.05)
    times: dict[str, list[float]] = {"gradstep": [], "micrograd": []}
    for _ in range(args.steps):  # alternate, so both see the same machine conditions
        t0 = time.perf_counter()
        gradstep_step(gs_model, optimizer, X, y)
        times["gradstep"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        micrograd_step(mg_model, X, y, 0.05)
        times["micrograd"].append(time.perf_counter() - t0)
    gc.collect()
    g, m = (statistics.median(times[k]) for k in ("gradstep", "micrograd"))
    print(
        f"one training step, MLP(2, [16, 16, 1]), 100 moons points, hinge + L2 "
        f"(median of {args.steps}):"
    )
    print(
        f"  gradstep {g * 1e3:7.1f} ms   micrograd {m * 1e3:7.1f} ms   "
        f"gradstep is {m / g:.1f}x faster"
    )


if __name__ == "__main__":
    main()
