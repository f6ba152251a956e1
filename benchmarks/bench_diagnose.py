"""What diagnosing costs: ``fit(diagnose=True)`` against ``fit(diagnose=False)``, same run.

Run by hand (never by CI):  pip install -e ".[bench]" && python benchmarks/bench_diagnose.py

Two recipes, each trained alternately with and without diagnoses (same seed, same weights at
the start, garbage collector on), compiled and eager:

- moons(1000), MLP(2, [16, 16, 1]), bce_with_logits, Adam(lr=0.01), batch 32;
- 64 inputs, 10 classes (blobs(1000, k=10, dim=64)), MLP(64, [32, 10]), cross_entropy,
  Adam(lr=0.01), batch 32.

It prints the median time of each and the ratio with ÷ without (1.00: free). micrograd has
no diagnoses to compare with; ``bench_nn.py`` and ``bench_compile.py`` hold those ratios.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import nn
from nn import data


def recipes(eager_epochs: int, compiled_epochs: int):
    moons = data.moons(1000, noise=0.1, seed=0)
    blobs = data.blobs(1000, k=10, dim=64, seed=0)
    for compiled, epochs in (("numpy", compiled_epochs), (False, eager_epochs)):
        mode = "compiled" if compiled else "eager"
        yield (
            f"moons(1000) MLP(2, [16, 16, 1]) {mode}, {epochs} epochs",
            lambda: nn.MLP(2, [16, 16, 1], seed=0),
            moons,
            "bce_with_logits",
            compiled,
            epochs,
        )
        yield (
            f"64 inputs, 10 classes MLP(64, [32, 10]) {mode}, {max(1, epochs // 4)} epochs",
            lambda: nn.MLP(64, [32, 10], seed=0),
            blobs,
            "cross_entropy",
            compiled,
            max(1, epochs // 4),
        )


def timed(build, dataset, loss, compiled, epochs, diagnose: bool) -> float:
    model = build()
    X, y = dataset
    opt = nn.Adam(model.parameters(), lr=0.01)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nn.TrainingWarning)
        nn.fit(model, X, y, loss=loss, optimizer=opt, epochs=epochs, batch_size=32,
               progress=False, compile=compiled, diagnose=diagnose)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs of each, alternating")
    parser.add_argument("--epochs", type=int, default=20, help="compiled epochs (eager: 1/10)")
    args = parser.parse_args()
    print(f"{'recipe':58s} {'without':>9s} {'with':>9s} {'with/without':>13s}")
    for name, build, dataset, loss, compiled, epochs in recipes(
        max(1, args.epochs // 10), args.epochs
    ):
        timed(build, dataset, loss, compiled, 1, True)  # warm up: the compile cache, imports
        off, on = [], []
        for _ in range(args.repeats):
            off.append(timed(build, dataset, loss, compiled, epochs, False))
            on.append(timed(build, dataset, loss, compiled, epochs, True))
        a, b = statistics.median(off), statistics.median(on)
        print(f"{name:58s} {a:8.3f}s {b:8.3f}s {b / a:12.3f}x")


if __name__ == "__main__":
    main()
