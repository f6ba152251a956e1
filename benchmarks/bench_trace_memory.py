"""What a compiled trace costs in memory, and a loss of your own under fit(compile=True).

Run by hand (never a timed test): ``python benchmarks/bench_trace_memory.py``.

1. Peak memory per node (tracemalloc) of compiling a chain and running it forward and
   backward once, for traces written out as code and traces replayed as a tape.
2. ``fit(MLP(2, [32, 32, 1]), moons(1000), loss=<your own mean squared error>)``, full batch:
   eager vs compiled, time and peak memory, in the same run.
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc

import autograd
from autograd.compiler import codegen
from nn import MLP, data, fit


def chain(n: int):
    def fn(x):
        for i in range(n):
            x = (x * 1.0001).tanh() if i % 2 else x + 0.5
        return x

    return fn


def trace_memory(n: int) -> tuple[int, float, str]:
    gc.collect()
    tracemalloc.start()
    c = autograd.compile(chain(n), backend="python")
    c.backward(0.3)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    nodes = len(c.trace.order)
    replay = "tape" if next(iter(c._entries.values())).python.tape is not None else "code"
    return nodes, peak / nodes, replay


def my_mean_sq(outputs, targets):
    return autograd.mean([(o - t) ** 2 for o, t in zip(outputs, targets)])


def train(compile: bool | str, epochs: int) -> tuple[float, float, float]:
    """Seconds for ``epochs`` (no tracemalloc: it slows Python down), then the peak memory
    of one epoch (tracemalloc), and the final cost."""
    X, y = data.moons(1000, noise=0.1, seed=0)

    def run(epochs: int) -> float:
        model = MLP(2, [32, 32, 1], seed=0)
        history = fit(model, X, y, loss=my_mean_sq, epochs=epochs, progress=False, compile=compile)
        return history.cost[-1]

    gc.collect()
    start = time.perf_counter()
    cost = run(epochs)
    seconds = time.perf_counter() - start
    gc.collect()
    tracemalloc.start()
    run(1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, cost


def main() -> None:
    print(f"code is generated up to {codegen.GENERATE_UP_TO:,} operands; past that, a tape")
    print("| chain nodes | replay | peak bytes per node |")
    print("| ---: | --- | ---: |")
    for n in (800, 4_000, 80_000):
        nodes, per_node, replay = trace_memory(n)
        print(f"| {nodes:,} | {replay} | {per_node:,.0f} |")
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print(f"\nfit, a loss of your own, moons(1000), MLP(2, [32, 32, 1]), {epochs} epochs")
    print("| fit | time | peak memory (one epoch) | final cost |")
    print("| --- | ---: | ---: | ---: |")
    rows = {}
    for compile in (False, "python", "numpy"):
        rows[compile] = train(compile, epochs)
        seconds, mb, cost = rows[compile]
        print(f"| compile={compile!r} | {seconds:.2f} s | {mb:.0f} MB | {cost:.6f} |")
    for compile in ("python", "numpy"):
        print(f"compile={compile!r}: {rows[False][0] / rows[compile][0]:.1f}x faster than eager")


if __name__ == "__main__":
    main()
