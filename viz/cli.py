"""The ``gradstep`` command. ``gradstep demo`` tells the perceptron story in the terminal.

1. A perceptron (Z = w·x + b, A = sigmoid(Z)) learns a linearly separable set.
2. It cannot learn XOR; a small MLP can.
3. MLP(2, [16, 16, 1]) learns 100 moons points, epoch by epoch.

With ``--out DIR`` it also writes the pictures: the perceptron's graph and the network's, one
box per neuron (SVG), the backprop stepper (HTML), the training curve and the decision
boundary (PNG).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograd import Value
from nn import MLP, Adam, Perceptron, accuracy, data, fit, mse
from nn.losses import get_loss

DATASETS = ("moons", "circles", "xor", "linear", "blobs", "digits")
#: Act 3 trains on all its points in one batch, so its time and memory grow with -n (about
#: 5 s and 250 MB an epoch at this many points): beyond it the demo is no demo.
MAX_POINTS = 10_000
#: Adam moves each weight by about lr per step, from weights of about 0.5: above this a run
#: only diverges, and near 1e100 the cost overflows and training stops with an error.
MAX_LR = 10.0


def _load(name: str, n: int, seed: int) -> tuple[list[list[float]], list[int], int]:
    """(X, y, number of classes) for the chosen data set."""
    if name == "moons":
        X, y = data.moons(n, noise=0.1, seed=seed)
    elif name == "circles":
        X, y = data.circles(n, noise=0.05, seed=seed)
    elif name == "xor":
        X, y = data.xor(n, noise=0.1, seed=seed)
    elif name == "linear":
        X, y = data.linearly_separable(n, seed=seed)
    else:
        X, y = data.blobs(n, k=3, seed=seed)
        return X, y, 3
    return X, y, 2


def _report_every(epochs: int) -> int:
    return max(1, epochs // 10)


def demo(
    dataset: str = "moons",
    epochs: int = 100,
    lr: float = 0.05,
    seed: int = 0,
    n: int = 100,
    progress: bool | None = None,
    out: Any = None,
    out_dir: str | os.PathLike[str] | None = None,
) -> float:
    """Run the three acts; return the final training accuracy of act 3.

    With ``out_dir``, also write the pictures there and print their paths.
    """
    from tqdm import tqdm

    out = out or sys.stdout  # looked up now, so redirected output is honoured

    def say(text: str = "") -> None:
        tqdm.write(text, file=out)  # prints above a live progress bar instead of through it

    say("1. The perceptron: Z = w·x + b, A = sigmoid(Z), on linearly separable points")
    X, y = data.linearly_separable(100, seed=seed)
    p = Perceptron(2, seed=seed)
    hist = fit(
        p,
        X,
        y,
        loss="binary_cross_entropy",
        optimizer=Adam(p.parameters(), lr=0.1),
        epochs=60,
        progress=False,
    )
    perceptron, example = p, (X[0], y[0])
    w1, w2 = (w.data for w in p.w)
    say(
        f"   learned w = ({w1:.2f}, {w2:.2f}), b = {p.b.data:.2f}; cost J {hist.cost[0]:.3f} -> "
        f"{hist.cost[-1]:.3f}; training accuracy {accuracy(p, X, y):.0%}"
    )

    say("\n2. XOR: one straight line cannot split it")
    X, y = data.xor()
    p = Perceptron(2, seed=seed)
    fit(
        p,
        X,
        y,
        loss="binary_cross_entropy",
        optimizer=Adam(p.parameters(), lr=0.1),
        epochs=200,
        progress=False,
    )
    m = MLP(2, [8, 1], activation="tanh", output="sigmoid", seed=seed)
    fit(
        m,
        X,
        y,
        loss="binary_cross_entropy",
        optimizer=Adam(m.parameters(), lr=0.1),
        epochs=200,
        progress=False,
    )
    say(
        f"   perceptron: {accuracy(p, X, y):.0%}   MLP(2, [8, 1]) with a hidden layer: "
        f"{accuracy(m, X, y):.0%}"
    )

    X, y, k = _load(dataset, n, seed)
    sizes = [16, 16, 1 if k == 2 else k]
    loss = "bce_with_logits" if k == 2 else "cross_entropy"
    say(
        f"\n3. MLP(2, {sizes}) on {len(X)} {dataset} points: {loss}, Adam(lr={lr}), {epochs} epochs"
    )
    model = MLP(2, sizes, seed=seed)
    every = _report_every(epochs)

    def show(epoch: int, cost: float, acc: float | None) -> None:
        if epoch % every == 0 or epoch == 1:
            say(f"   epoch {epoch:4d}   cost J = {cost:.4f}   accuracy = {acc:.0%}")

    hist = fit(
        model,
        X,
        y,
        loss=loss,
        optimizer=Adam(model.parameters(), lr=lr),
        epochs=epochs,
        seed=seed,
        callback=show,
        progress=progress,
    )
    final = accuracy(model, X, y)
    say(f"   training accuracy: {final:.0%} ({model.num_parameters()} parameters)")
    if out_dir is not None:
        say("\n4. Pictures")
        for path in write_pictures(Path(out_dir), perceptron, example, model, X, y, hist, loss):
            say(f"   {path}")
    return final


def digits_demo(
    epochs: int = 20,
    lr: float = 0.01,
    seed: int = 0,
    progress: bool | None = None,
    out: Any = None,
    out_dir: str | os.PathLike[str] | None = None,
) -> tuple[float, float]:
    """A real problem: handwritten 8×8 digits, a quarter held out for testing. Trains
    MLP(64, [32, 10]) compiled, and returns (training accuracy, test accuracy)."""
    import time

    out = out or sys.stdout
    X, y = data.digits()
    (X_train, y_train), (X_test, y_test) = data.split(X, y, test_fraction=0.25, seed=seed)
    raw_test = X_test  # the pixels as drawn (0-16), for the pictures
    X_train, X_test = data.standardize(X_train, X_test)
    print(
        f"handwritten digits: {len(X)} images of 8×8 pixels, classes 0-9; "
        f"{len(X_train)} to train on, {len(X_test)} held out to test",
        file=out,
    )
    print(
        f"MLP(64, [32, 10]) relu, cross-entropy, Adam(lr={lr:g}), {epochs} epochs of batches "
        "of 32, compiled",
        file=out,
    )
    model = MLP(64, [32, 10], seed=seed)
    start = time.perf_counter()
    history = fit(
        model, X_train, y_train, loss="cross_entropy", optimizer=Adam(model.parameters(), lr=lr),
        epochs=epochs, batch_size=32, seed=seed, compile=True, progress=progress,
        validation=(X_test, y_test),
    )  # fmt: skip
    seconds = time.perf_counter() - start
    every = _report_every(len(history))
    rows = zip(history.cost, history.accuracy, history.val_accuracy)
    for i, (cost, acc, test) in enumerate(rows):
        if (i + 1) % every == 0 or i == 0:
            print(
                f"   epoch {i + 1:4d}   cost J = {cost:.4f}   train accuracy = {acc:.1%}"
                f"   test accuracy = {test:.1%}",
                file=out,
            )
    train_acc = accuracy(model, X_train, y_train)
    test_acc = accuracy(model, X_test, y_test)
    print(
        f"   train accuracy {train_acc:.1%}, test accuracy {test_acc:.1%} "
        f"({model.num_parameters()} parameters, {seconds:.1f} s)",
        file=out,
    )
    if out_dir is not None:
        from nn import predict_labels

        from .plots import plot_confusion, plot_history, plot_images, plot_weights

        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        predicted = predict_labels(model, X_test)
        pictures = {
            "digits_history.png": lambda p: plot_history(history, p),
            "digits_confusion.png": lambda p: plot_confusion(model, X_test, y_test, path=p),
            "digits_test_images.png": lambda p: plot_images(
                raw_test, y_test, shape=(8, 8), predicted=predicted, path=p
            ),
            "digits_weights.png": lambda p: plot_weights(model, shape=(8, 8), path=p),
        }
        for name, draw in pictures.items():
            draw(folder / name)
            print(f"   wrote {folder / name}", file=out)
    return train_acc, test_acc


def write_pictures(
    out_dir: Path,
    perceptron: Perceptron,
    example: tuple[list[float], int],
    model: MLP,
    X: list[list[float]],
    y: list[int],
    history: Any,
    loss_name: str = "bce_with_logits",
) -> list[Path]:
    """The demo's pictures: the neuron's graph, the network one box per neuron, the backprop
    stepper, the training curve and the decision boundary."""
    from viz.graph import render
    from viz.html import backprop_html
    from viz.plots import plot_decision_boundary, plot_history

    out_dir.mkdir(parents=True, exist_ok=True)
    x, target = example
    a = perceptron([Value(v, label=f"x{i + 1}") for i, v in enumerate(x)])  # labelled z, a
    loss = mse([a], [target])
    loss.label = "J"
    loss.backward()  # so the pictures show gradients, not zeros
    net_loss = get_loss(loss_name)([model(X[0])], [y[0]])  # one example: one box per neuron
    net_loss.backward()
    svg, network, html, curve, boundary = (
        out_dir / name
        for name in (
            "neuron.svg",
            "network.svg",
            "backprop.html",
            "training.png",
            "decision_boundary.png",
        )
    )
    render(loss, svg)
    render(net_loss, network, detail="neuron")
    backprop_html(loss, html)
    plot_history(history, curve)
    plot_decision_boundary(model, X, y, boundary)
    return [svg, network, html, curve, boundary]


def missing_picture_packages() -> list[str]:
    """What ``--out`` needs and does not find: packages, and a program that renders graphs."""
    import importlib.util

    from viz.graph import find_renderer

    missing = [
        name for name in ("matplotlib", "graphviz") if importlib.util.find_spec(name) is None
    ]
    if find_renderer() is None:
        missing.append("a graph renderer (graphviz-pure or the system Graphviz)")
    return missing


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gradstep")
    except PackageNotFoundError:  # run from a source tree that was never installed
        import autograd

        return autograd.__version__


def _at_least(minimum: int, maximum: int | None = None) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum}, got {value}")
        return value

    return parse


def _learning_rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    if value > MAX_LR:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_LR:g}, got {text}")
    return value


def _picture_dir(text: str) -> str:
    """``text`` if the pictures can be written there: checked before training, not after."""
    path = Path(text)
    try:
        if path.exists():
            if not path.is_dir():
                raise argparse.ArgumentTypeError(f"{text!r} is a file, not a directory")
            ancestor = path
        else:  # it will be created, with any missing parents, under the nearest that exists
            ancestor = next(p for p in path.absolute().parents if p.exists())
            if not ancestor.is_dir():
                raise argparse.ArgumentTypeError(
                    f"cannot create {text!r}: {str(ancestor)!r} is not a directory"
                )
    except OSError as e:  # e.g. a parent that may not be looked into
        raise argparse.ArgumentTypeError(f"cannot reach {text!r}: {e.strerror}") from None
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"{str(ancestor)!r} is not writable")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gradstep`` command line (``gradstep demo --help`` lists the options).

    >>> main(["demo", "--epochs", "0"])
    Traceback (most recent call last):
    ...
    SystemExit: 2
    """
    parser = argparse.ArgumentParser(prog="gradstep", description="See backprop at work.")
    parser.add_argument(
        "--version",
        action="version",
        version=f"gradstep {_version()} (Python {sys.version.split()[0]})",
    )
    sub = parser.add_subparsers(dest="command")
    d = sub.add_parser("demo", help="train a perceptron and an MLP, epoch by epoch")
    d.add_argument(
        "--dataset",
        choices=DATASETS,
        default="moons",
        help="data for act 3; 'digits': a real problem instead (8×8 handwritten digits, "
        "train and test accuracy; needs scikit-learn)",
    )
    d.add_argument(
        "--epochs",
        type=_at_least(1),
        default=None,
        help="epochs for act 3 (default 100; 20 with --dataset digits)",
    )
    d.add_argument(
        "--lr",
        type=_learning_rate,
        default=None,
        help=f"Adam learning rate (default 0.05, 0.01 with --dataset digits; at most {MAX_LR:g}: "
        "Adam moves each weight by about lr per step, so larger rates only diverge)",
    )
    d.add_argument(
        "--seed", type=_at_least(0), default=0, help="seed for data and weights (default 0)"
    )
    d.add_argument(
        "-n",
        type=_at_least(4, MAX_POINTS),
        default=100,
        help=f"number of points for act 3 (default 100, at most {MAX_POINTS}: they are all "
        "trained on at once, so time and memory grow with n)",
    )
    d.add_argument("--quiet", action="store_true", help="no progress bar")
    d.add_argument(
        "--out",
        metavar="DIR",
        type=_picture_dir,
        help="also write the pictures (SVG, HTML, PNG) here; created if missing",
    )
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "demo")  # the demo is the main job: `gradstep` alone runs it
    args = parser.parse_args(argv)
    missing = missing_picture_packages() if args.out else []
    if missing:  # say so before training, not after
        d.error(
            f"--out needs {', '.join(missing)} for the pictures; "
            'install them with: pip install "gradstep[viz]"  (or pip install -e ".[viz]")'
        )
    progress = False if args.quiet else None
    if args.dataset == "digits":
        if importlib.util.find_spec("sklearn") is None:
            d.error(
                "--dataset digits reads scikit-learn's bundled copy of the digits: "
                'pip install "gradstep[data]"  (or pip install -e ".[data]")'
            )
        digits_demo(
            args.epochs or 20, args.lr or 0.01, args.seed, progress=progress, out_dir=args.out
        )
        return 0
    demo(
        args.dataset,
        args.epochs or 100,
        args.lr or 0.05,
        args.seed,
        args.n,
        progress=progress,
        out_dir=args.out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
