"""How live the playground is: epochs per second and the cost of one redraw, and one epoch
against micrograd in the same run.

Run by hand (never by CI):  pip install -e ".[bench]" && python benchmarks/bench_playground.py

1. ``viz.Playground()``'s default set-up (moons, 200 points, half of them for testing,
   MLP(2, [4, 4, 1]) tanh, SGD α = 0.03, batch 10): one ``train(1)`` (ten compiled steps,
   the train and test cost, the decision picture), and one redraw of the live app (the
   network with each neuron's picture, the output, the curves). Medians.
2. The same epoch -- 100 points, batches of 10, MLP(2, [4, 4, 1]) -- as micrograd can write
   it (ReLU, hinge loss: micrograd has no tanh or log), eager micrograd against the
   playground's compiled step on the same recipe. The ratio is micrograd ÷ gradstep.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import micrograd.engine
import micrograd.nn

import nn
from nn import data
from viz import Playground
from viz.playground_views import App


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def micrograd_epoch(model, X, y, size=10, lr=0.03):
    for start in range(0, len(X), size):
        xb, yb = X[start : start + size], y[start : start + size]
        scores = [model([micrograd.engine.Value(v) for v in x]) for x in xb]
        losses = [(1 + -t * s).relu() for t, s in zip(yb, scores)]
        cost = sum(losses) * (1.0 / len(losses))
        model.zero_grad()
        cost.backward()
        for p in model.parameters():
            p.data -= lr * p.grad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    pg = Playground()
    pg.train(3)  # warm
    epoch = median_time(lambda: pg.train(1), args.repeats)
    app = App(pg)
    redraw = median_time(app.redraw, max(5, args.repeats // 3))
    print(f"playground, default set-up: {1 / epoch:.0f} epochs/s ({epoch * 1e3:.1f} ms per epoch)")
    print(f"one redraw of the live app: {redraw * 1e3:.0f} ms")
    bursts = 0.25 / epoch
    print(f"playing (bursts of 0.25 s, then a redraw): ~{bursts / (0.25 + redraw):.0f} epochs/s, "
          f"{1 / (0.25 + redraw):.1f} redraws/s")

    X, y = data.moons(100, noise=0.1, seed=0, labels="pm1")
    random.seed(0)
    micro = micrograd.nn.MLP(2, [4, 4, 1])
    ours = nn.MLP(2, [4, 4, 1], seed=0)
    opt = nn.SGD(ours.parameters(), lr=0.03)
    from nn.steps import CompiledStep

    step = CompiledStep(ours, X, y, nn.hinge, opt, 0.0, backend="numpy")
    order = list(range(len(X)))

    def gradstep_epoch():
        for start in range(0, len(order), 10):
            step(order[start : start + 10])

    gradstep_epoch()
    a = median_time(lambda: micrograd_epoch(micro, X, y), max(5, args.repeats // 3))
    b = median_time(gradstep_epoch, args.repeats)
    print(f"one epoch, MLP(2, [4, 4, 1]) relu, hinge, 100 points, batch 10: micrograd "
          f"{a * 1e3:.1f} ms, gradstep compiled {b * 1e3:.1f} ms: {a / b:.1f}x faster")


if __name__ == "__main__":
    main()
