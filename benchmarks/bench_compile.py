"""One training step, five ways: micrograd, gradstep eager, compiled Python, compiled NumPy,
PyTorch -- and ``fit(compile=True)`` on a real experiment.

Run by hand (never by CI):

    pip install -e ".[bench,fast]" && python benchmarks/bench_compile.py
    (PyTorch joins when installed: pip install torch)

The step is micrograd's demo recipe: MLP(2, [16, 16, 1]) on 100 moons points, hinge loss +
1e-4 L2, full batch, SGD. Every engine starts from the same weights and takes its steps in
turn in one process, garbage collector on; the table shows medians and ratios (the machine is
shared and noisy: trust ratios from one run, not absolute times). Before timing, it checks
that the compiled steps compute what the eager step computes.
"""

from __future__ import annotations

import os

# One BLAS thread, as PyTorch gets one below: on a shared 2-core machine a second thread
# makes NumPy's small matrix products several times slower, not faster.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import math
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import micrograd.engine
import micrograd.nn

import autograd
import nn
from nn import data

SIZES = [16, 16, 1]
LR = 0.05
ALPHA = 1e-4


# --- the step in each engine -------------------------------------------------------------------


def micrograd_step(model: Any, X: list, y: list) -> float:
    inputs = [[micrograd.engine.Value(v) for v in row] for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    total = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in model.parameters())
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= LR * p.grad
    return total.data


def eager_step(model: nn.MLP, opt: nn.SGD, X: list, y: list) -> float:
    total = nn.hinge([model(x) for x in X], y) + nn.l2(model.parameters(), ALPHA)
    opt.zero_grad()
    total.backward()
    opt.step()
    return total.data


class CompiledStep:
    """The same step with the per-example loss compiled and replayed over the batch."""

    def __init__(self, model: nn.MLP, X: list, y: list, backend: str) -> None:
        self.opt = nn.SGD(model.parameters(), lr=LR)
        self.batch = list(zip(X, y))
        self.backend = backend
        params = model.parameters()
        self.loss = autograd.compile(lambda x, t: nn.hinge([model(x)], [t]), backend=backend)
        self.l2 = autograd.compile(lambda: nn.l2(params, ALPHA), backend="python")

    def __call__(self) -> float:
        self.opt.zero_grad()
        cost = self.loss.backward_batch(self.batch, plus=self.l2)  # mean + L2, as eager adds
        self.opt.step()
        return float(cost)


class FitStep:
    """The step as ``fit(compile=True)`` takes it: NumPy, with the parameters and the
    optimizer's numbers kept in arrays between steps (written back when fit ends an epoch)."""

    def __init__(self, model: nn.MLP, X: list, y: list) -> None:
        from nn.steps import CompiledStep

        self.model = model
        opt = nn.SGD(model.parameters(), lr=LR)
        self.step = CompiledStep(model, X, y, nn.hinge, opt, ALPHA, "numpy", resident=True)
        self.batch = list(range(len(X)))

    def __call__(self) -> float:
        return self.step(self.batch)[0]

    def flush(self) -> None:
        self.step.flush()


def torch_step_factory(X: list, y: list, weights: list[list[list[float]]]) -> Callable[[], float]:
    import torch

    torch.set_num_threads(1)
    Xt = torch.tensor(X, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)
    params = []
    for W in weights:  # W: one row per neuron, [w..., b]
        t = torch.tensor(W, dtype=torch.float64)
        params.append(t[:, :-1].T.contiguous().requires_grad_())
        params.append(t[:, -1].contiguous().requires_grad_())

    def step() -> float:
        h = Xt
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = h.relu()
        loss = (1 - yt * h[:, 0]).relu().mean() + ALPHA * sum((p * p).sum() for p in params)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
        return loss.item()

    return step


# --- setup: one set of starting weights for every engine ---------------------------------------


def layer_weights(model: nn.MLP) -> list[list[list[float]]]:
    """Per layer, per neuron: [w_1, ..., w_n, b]."""
    return [
        [[w.data for w in neuron.w] + [neuron.b.data] for neuron in layer.neurons]
        for layer in model.layers
    ]


def load(model: Any, weights: list[list[list[float]]]) -> Any:
    """Set either engine's MLP to ``weights`` (both have .layers, .neurons, .w and .b)."""
    for layer, rows in zip(model.layers, weights):
        for neuron, row in zip(layer.neurons, rows):
            for w, v in zip(neuron.w, row[:-1]):
                w.data = v
            neuron.b.data = row[-1]
    return model


def copy_into_micrograd(weights: list[list[list[float]]]) -> Any:
    random.seed(0)
    return load(micrograd.nn.MLP(2, SIZES), weights)


def fresh(weights: list[list[list[float]]]) -> nn.MLP:
    return load(nn.MLP(2, SIZES, init="uniform", seed=0), weights)


def check_agreement(weights: list, X: list, y: list) -> None:
    """Five steps of each gradstep way from the same start: the same costs and weights."""
    runs = {}
    for way in ("eager", "python", "numpy", "fit"):
        model = fresh(weights)
        if way == "eager":
            opt = nn.SGD(model.parameters(), lr=LR)
            costs = [eager_step(model, opt, X, y) for _ in range(5)]
        elif way == "fit":
            fit_step = FitStep(model, X, y)
            costs = [fit_step() for _ in range(5)]
            fit_step.flush()
        else:
            step = CompiledStep(model, X, y, way)
            costs = [step() for _ in range(5)]
        runs[way] = (costs, [p.data for p in model.parameters()])
    for way in ("python", "numpy", "fit"):
        for a, b in zip(runs[way][0] + runs[way][1], runs["eager"][0] + runs["eager"][1]):
            assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15), (way, a, b)
    print("check: 5 steps compiled (Python, NumPy, fit's) = eager, costs and weights to 1e-12\n")


def first_call_ms(weights: list, X: list, y: list, backend: str) -> float:
    step = CompiledStep(fresh(weights), X, y, backend)
    t0 = time.perf_counter()
    step()  # trace + generate code (+ plan the NumPy groups) + run
    return (time.perf_counter() - t0) * 1e3


# --- fit(compile=True) --------------------------------------------------------------------------


def fit_seconds(compile: bool, epochs: int, batch_size: int | None) -> tuple[float, Any]:
    X, y = data.moons(1000, noise=0.1, seed=0, labels="pm1")
    model = nn.MLP(2, [32, 32, 1], seed=0)
    opt = nn.SGD(model.parameters(), lr=0.05)
    t0 = time.perf_counter()
    history = nn.fit(
        model,
        X,
        y,
        loss="hinge",
        l2_alpha=ALPHA,
        optimizer=opt,
        epochs=epochs,
        batch_size=batch_size,
        progress=False,
        compile=compile,
    )
    return time.perf_counter() - t0, history


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=9, help="timed micrograd/eager steps")
    parser.add_argument("--epochs", type=int, default=100, help="fit(compile=True) epochs")
    args = parser.parse_args()

    X, y = data.moons(100, noise=0.1, seed=0, labels="pm1")
    weights = layer_weights(nn.MLP(2, SIZES, init="uniform", seed=0))
    check_agreement(weights, X, y)

    steps: dict[str, Callable[[], float]] = {}
    mg = copy_into_micrograd(weights)
    steps["micrograd"] = lambda: micrograd_step(mg, X, y)
    eager_model = fresh(weights)
    eager_opt = nn.SGD(eager_model.parameters(), lr=LR)
    steps["gradstep eager"] = lambda: eager_step(eager_model, eager_opt, X, y)
    steps["compiled, Python"] = CompiledStep(fresh(weights), X, y, "python")
    steps["compiled, NumPy"] = CompiledStep(fresh(weights), X, y, "numpy")
    steps["fit's step (NumPy, arrays kept)"] = FitStep(fresh(weights), X, y)
    try:
        import torch

        steps[f"PyTorch {torch.__version__} batched f64"] = torch_step_factory(X, y, weights)
    except ImportError:
        print("(PyTorch is not installed: pip install torch to add it to the table)\n")
    for step in steps.values():
        step()  # warm up: traces, caches

    # Rounds: each engine takes its steps in turn, so all see the same machine conditions;
    # the fast ones take more steps per round to be timed above the clock's noise.
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(args.steps):
        for name, step in steps.items():
            repeat = 1 if name in ("micrograd", "gradstep eager") else 20
            t0 = time.perf_counter()
            for _ in range(repeat):
                step()
            times[name].append((time.perf_counter() - t0) / repeat)
    median = {name: statistics.median(ts) for name, ts in times.items()}
    mg_time = median["micrograd"]
    torch_name = next((n for n in steps if n.startswith("PyTorch")), None)

    print(
        "one training step: MLP(2, [16, 16, 1]), 100 moons points, hinge + 1e-4 L2, SGD "
        f"(medians of {args.steps} rounds)\n"
    )
    header = f"| {'engine':34} | {'one step':>10} | {'vs micrograd':>14} |"
    rule = f"| {'-' * 34} | {'-' * 9}: | {'-' * 13}: |"
    if torch_name:
        header += " time ÷ PyTorch's |"
        rule += " --------------: |"
    print(header)
    print(rule)
    for name, t in median.items():
        row = f"| {name:34} | {t * 1e3:7.2f} ms | {mg_time / t:7.0f}x faster |"
        if torch_name:
            row += f" {t / median[torch_name]:15.2f} |"
        print(row)
    eager_ms = median["gradstep eager"] * 1e3
    for backend in ("python", "numpy"):
        first = first_call_ms(weights, X, y, backend)
        print(
            f"\nfirst compiled step ({backend}: trace + code + run): {first:.0f} ms = "
            f"{first / eager_ms:.1f} eager steps"
        )

    print(
        f"\nfit(compile=True): moons(1000), MLP(2, [32, 32, 1]), hinge + L2, {args.epochs} epochs"
    )
    for batch_size in (None, 32):
        seconds, history = fit_seconds(True, args.epochs, batch_size)
        print(
            f"  batch_size={batch_size!s:4}: {seconds:5.2f} s   "
            f"(cost {history.cost[0]:.3f} -> {history.cost[-1]:.3f}, "
            f"accuracy {history.accuracy[-1]:.0%})"
        )
    seconds, _ = fit_seconds(False, 2, None)
    print(
        f"  eager, for scale: {seconds / 2:.2f} s per full-batch epoch, so ~"
        f"{seconds / 2 * args.epochs:.0f} s for {args.epochs} epochs"
    )


if __name__ == "__main__":
    main()
