"""The real-data recipe, side by side: gradstep's compiled ``fit`` against PyTorch (float64).

Run by hand (never by CI):
    pip install -e ".[bench,fast,data]" torch==2.13.0 && python benchmarks/bench_digits.py

The recipe of issue 15: scikit-learn's 8×8 digits, ``nn.data.split(seed=0)`` (1347 train /
450 test), standardised; MLP(64, [32, 10]) ReLU with linear logits, softmax cross-entropy,
Adam(lr=0.01), 20 epochs, batches of 32, the batches drawn in the same order.

* **gradstep**: ``nn.fit(..., compile=True)``, everything a learner gets included: the
  History (cost and training accuracy per epoch), the diagnoses, the checks.
* **PyTorch**: the loop a PyTorch user writes -- the same initial weights, float64,
  ``zero_grad``/``backward``/``step`` per batch, the epoch's mean loss and training accuracy
  recorded as History does (``loss.item()`` per batch, one argmax per batch). One thread for
  both (``torch.set_num_threads(1)`` and one BLAS thread), so neither gets the second core.
* **micrograd** has no exp or log (no softmax), so it joins on a recipe it can write: one step
  of the same network on a batch of 32 with squared error on one-hot targets and SGD, against
  the compiled gradstep step on the same recipe.

Whole runs alternate between the engines; medians of ``--repeats``. The ratios are what to read
(this machine is shared and noisy).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: one BLAS thread
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import random
import statistics
import time
import warnings

import autograd
import nn
from nn import data

EPOCHS, BATCH, LR = 20, 32, 0.01


def the_data():
    X, y = data.digits()
    (Xtr, ytr), (Xte, yte) = data.split(X, y, test_fraction=0.25, seed=0)
    Xtr, Xte = data.standardize(Xtr, Xte)
    return Xtr, ytr, Xte, yte


def gradstep_run(Xtr, ytr, Xte, yte):
    model = nn.MLP(64, [32, 10], seed=0)
    opt = nn.Adam(model.parameters(), lr=LR)
    start = time.perf_counter()
    nn.fit(
        model,
        Xtr,
        ytr,
        loss="cross_entropy",
        optimizer=opt,
        epochs=EPOCHS,
        batch_size=BATCH,
        compile=True,
        progress=False,
    )
    seconds = time.perf_counter() - start
    return seconds, nn.accuracy(model, Xte, yte)


def torch_model(torch):
    """PyTorch's twin of MLP(64, [32, 10], seed=0): the same initial weights."""
    return torch_model_of(torch, nn.MLP(64, [32, 10], seed=0))


def torch_model_of(torch, model):
    """A torch.nn.Sequential with ``model``'s weights (Linear, ReLU, ..., Linear)."""
    layers = []
    for i, layer in enumerate(model.layers):
        linear = torch.nn.Linear(layer.nin, layer.nout, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons]))
            linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons]))
        layers.append(linear)
        if i < len(model.layers) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def torch_run(torch, Xtr, ytr, Xte, yte):
    X = torch.tensor(Xtr, dtype=torch.float64)
    y = torch.tensor(ytr)
    model = torch_model(torch)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = torch.nn.functional.cross_entropy
    rng = random.Random(0)  # fit's shuffle: the same batches in the same order
    order = list(range(len(Xtr)))
    start = time.perf_counter()
    history = []
    for _ in range(EPOCHS):
        rng.shuffle(order)
        index = torch.tensor(order)
        total, correct = 0.0, 0
        for b in range(0, len(order), BATCH):
            idx = index[b : b + BATCH]
            xb, yb = X[idx], y[idx]
            logits = model(xb)
            loss = loss_fn(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            correct += int((logits.argmax(dim=1) == yb).sum())
        history.append((total / len(order), correct / len(order)))
    seconds = time.perf_counter() - start
    with torch.no_grad():
        predicted = model(torch.tensor(Xte, dtype=torch.float64)).argmax(dim=1)
    return seconds, float((predicted == torch.tensor(yte)).double().mean())


def micrograd_step_time(Xtr, ytr, repeats):
    """One step of the squared-error recipe: micrograd eager vs gradstep compiled (seconds)."""
    import micrograd.engine
    import micrograd.nn

    random.seed(0)
    micro = micrograd.nn.MLP(64, [32, 10])
    onehot = [[float(j == t) for j in range(10)] for t in ytr]
    batch = list(range(BATCH))

    def micro_step():
        scores = [micro([micrograd.engine.Value(v) for v in Xtr[i]]) for i in batch]
        losses = [
            sum((s - t) ** 2 for s, t in zip(row, onehot[i])) for row, i in zip(scores, batch)
        ]
        cost = sum(losses) * (1.0 / len(losses))
        micro.zero_grad()
        cost.backward()
        for p in micro.parameters():
            p.data -= 0.01 * p.grad

    ours = nn.MLP(64, [32, 10], seed=0)
    opt = nn.SGD(ours.parameters(), lr=0.01)

    @autograd.compile
    def squared_error(x, t):
        return autograd.sum([(s - ti) ** 2 for s, ti in zip(ours(x), t)])

    rows = [(Xtr[i], onehot[i]) for i in batch]

    def step(batch):
        opt.zero_grad()
        squared_error.backward_batch(rows, backend="numpy")
        opt.step()

    step(batch)  # warm
    times = {"micrograd": [], "gradstep": []}
    for _ in range(repeats):
        for name, fn in (("micrograd", micro_step), ("gradstep", lambda: step(batch))):
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {k: statistics.median(v) for k, v in times.items()}


def wide_step_times(torch, d=784, hidden=128, batch=100, repeats=15):
    """One training step of a wide model, MLP(d, [hidden, 10]) on random inputs: gradstep's
    compiled step as fit runs it (parameters kept in arrays) vs PyTorch float64 (seconds)."""
    from nn.steps import CompiledStep

    rng = random.Random(0)
    X = [[rng.gauss(0, 1) for _ in range(d)] for _ in range(batch)]
    y = [rng.randrange(10) for _ in X]
    model = nn.MLP(d, [hidden, 10], seed=0)
    step = CompiledStep(model, X, y, nn.cross_entropy, nn.Adam(model.parameters(), lr=1e-3),
                        0.0, "numpy", resident=True)
    rows = list(range(batch))
    twin = torch_model_of(torch, model)
    opt = torch.optim.Adam(twin.parameters(), lr=1e-3)
    Xt, yt = torch.tensor(X, dtype=torch.float64), torch.tensor(y)

    def torch_step():
        loss = torch.nn.functional.cross_entropy(twin(Xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    times = {"gradstep": [], "torch": []}
    for _ in range(repeats):
        for name, fn in (("gradstep", lambda: step(rows)), ("torch", torch_step)):
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="whole runs per engine")
    args = parser.parse_args()
    Xtr, ytr, Xte, yte = the_data()
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is not installed (pip install torch==2.13.0): gradstep alone")
    else:
        torch.set_num_threads(1)
    warnings.simplefilter("ignore")  # a diagnosis would be a finding, not a timing
    runs = {"gradstep": [], "torch": []}
    accuracy = {}
    for _ in range(args.repeats):
        seconds, accuracy["gradstep"] = gradstep_run(Xtr, ytr, Xte, yte)
        runs["gradstep"].append(seconds)
        if torch is not None:
            seconds, accuracy["torch"] = torch_run(torch, Xtr, ytr, Xte, yte)
            runs["torch"].append(seconds)
    ours = statistics.median(runs["gradstep"])
    steps = EPOCHS * -(-len(Xtr) // BATCH)
    print(
        f"digits, MLP(64, [32, 10]) relu, Adam {LR}, {EPOCHS} epochs, batch {BATCH} "
        f"({steps} steps), medians of {args.repeats}:"
    )
    print(
        f"  gradstep fit(compile=True): {ours:.3f} s  ({ours / steps * 1e3:.2f} ms/step), "
        f"test accuracy {accuracy['gradstep']:.1%}"
    )
    if torch is not None:
        theirs = statistics.median(runs["torch"])
        print(
            f"  PyTorch float64 loop:       {theirs:.3f} s  ({theirs / steps * 1e3:.2f} ms/step), "
            f"test accuracy {accuracy['torch']:.1%}"
        )
        print(f"  gradstep ÷ PyTorch time: {ours / theirs:.2f}x")
    if torch is not None:
        wide = wide_step_times(torch)
        print(f"one step of a wide model, MLP(784, [128, 10]), batch 100: gradstep "
              f"{wide['gradstep'] * 1e3:.2f} ms, PyTorch {wide['torch'] * 1e3:.2f} ms: "
              f"gradstep ÷ PyTorch {wide['gradstep'] / wide['torch']:.2f}x")
    micro = micrograd_step_time(Xtr, ytr, max(3, args.repeats))
    print("one step, squared error on one-hot targets, SGD, batch 32 (micrograd's recipe):")
    print(
        f"  micrograd {micro['micrograd'] * 1e3:.1f} ms, gradstep compiled "
        f"{micro['gradstep'] * 1e3:.2f} ms: gradstep "
        f"{micro['micrograd'] / micro['gradstep']:.0f}x faster"
    )


if __name__ == "__main__":
    main()
