"""Plots that tell the perceptron story, drawn from numbers the engine computes.

* :func:`plot_history` -- cost and accuracy per epoch, as returned by ``nn.fit``;
* :func:`plot_decision_boundary` -- what a 2-D classifier predicts over the plane;
* :func:`plot_confusion` -- which classes a classifier mixes up (``nn.confusion_matrix``);
* :func:`plot_images` -- examples as images (the digits), mistakes framed in red;
* :func:`plot_weights` -- each first-layer neuron's weights as an image of the input;
* :func:`plot_loss_landscapes` -- the article's three loss pictures: a plain difference loss
  is a straight line in w (no minimum to find), squared error through a sigmoid is wavy and
  non-convex, cross-entropy is a convex bowl -- each with gradient descent run on it for a
  learning rate α that is too small, good, and too large.

Every cost here is computed by a real ``nn.Perceptron(1)`` and an ``nn`` loss, and every
gradient by backprop (``autograd.grad``) -- no closed-form shortcuts, so the pictures are
the engine's own numbers. Each plot returns a ``matplotlib.figure.Figure`` (no pyplot
state, no display needed) and saves it when given ``path`` (.png, .svg or .pdf).
matplotlib is imported only inside the functions that draw.

>>> ws = [-1.3, -1.24, -1.2, 2.7, 2.78, 2.85]
>>> [round(j, 4) for j in cost_curve("mse", DESIGN_X, DESIGN_Y, ws)]
[0.5024, 0.5023, 0.5024, 0.4945, 0.4945, 0.4945]
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import autograd
from nn.layers import Perceptron
from nn.losses import binary_cross_entropy, difference, mse
from nn.metrics import confusion
from nn.train import output_threshold, predict, predict_labels

from .display import COLUMN_INCHES, new_figure

if TYPE_CHECKING:  # only for type hints: importing viz.plots must not import matplotlib
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DESIGN_X",
    "DESIGN_Y",
    "DESIGN_B",
    "LANDSCAPE_LOSSES",
    "LANDSCAPE_DEFAULTS",
    "SAVE_FORMATS",
    "cost_curve",
    "gradient_descent_path",
    "local_minima",
    "plot_loss_landscapes",
    "decision_grid",
    "plot_decision_boundary",
    "plot_history",
    "plot_confusion",
    "plot_images",
    "plot_weights",
]

#: The data of DESIGN.md on which squared error through a sigmoid is visibly wavy: with the
#: bias held at 1.78 its cost has local minima near w = -1.25 and w = 2.77 and a barrier near
#: w = 0.33 between them, while cross-entropy on the same data is convex (minimum near -0.48).
DESIGN_X: list[float] = [1.49, -1.37, 0.86, 1.83]
DESIGN_Y: list[float] = [0.0, 0.0, 0.0, 1.0]
DESIGN_B: float = 1.78

#: The loss names the landscape functions accept, and the ``nn`` loss each one uses.
#: ``"cross_entropy"`` is the *binary* cross-entropy of the sigmoid's probability.
LANDSCAPE_LOSSES = {
    "difference": difference,
    "mse": mse,
    "cross_entropy": binary_cross_entropy,
}

#: Per panel of :func:`plot_loss_landscapes`: the activation, the start w0 and the learning
#: rates (too small, good, too large), chosen by running the engine on the DESIGN data.
#: The difference panel uses a *linear* output (A = w·x + b): that is the article's straight
#: line. Through a sigmoid the difference cost is mean(σ) - mean(y), which on this data rises
#: to a maximum near w = 0.56 and is not monotone -- not the picture the lesson needs.
LANDSCAPE_DEFAULTS: dict[str, dict[str, Any]] = {
    # the slope is mean(x) = 0.7025 everywhere: every α walks downhill for ever
    "difference": {"activation": "linear", "w0": 3.0, "learning_rates": (0.05, 0.2, 0.5)},
    # From w0 = -0.2 descent settles in the worse minimum (-1.25); from w0 = 1.0, right of the
    # barrier at 0.33, the same α reaches the better one (2.77): the start decides.
    "mse": {"activation": "sigmoid", "w0": (-0.2, 1.0), "learning_rates": (3.0, 15.0, 40.0)},
    # curvature ~0.34 at the minimum: α above 2/0.34 ≈ 5.8 over-shoots from side to side
    "cross_entropy": {"activation": "sigmoid", "w0": 3.0, "learning_rates": (0.3, 2.0, 7.5)},
}

_PANEL_TITLES = {
    "difference": "difference loss (A = w·x + b):\na straight line, no minimum",
    "mse": "squared error through a sigmoid:\nwavy, two local minima",
    "cross_entropy": "cross-entropy through a sigmoid:\na convex bowl, one minimum",
}
# Where each panel has room for its legend (clear of the curve and the minima's labels).
_LEGEND_PLACE = {"difference": "upper left", "mse": "upper right", "cross_entropy": "upper center"}
_RATE_NAMES = ("too small", "good", "too large")
_RATE_COLOURS = ("C0", "C2", "C3")
_MORE_STARTS_COLOURS = ("C1", "C4", "C5", "C6")
_WHY_RATES_DIFFER = (
    "Why the learning rates differ between panels: a step moves w by α·dJ/dw, and the slopes "
    "differ. Squared error through a sigmoid is flat (its gradient carries σ′(Z) ≤ 0.25 and "
    "vanishes in the tails), so it needs a large α;\ncross-entropy's gradient is (A − y)·x, "
    "steep and curved (about 0.34 at its minimum), so α above 2/0.34 ≈ 5.8 overshoots; the "
    "difference line has the same slope everywhere, so every α walks downhill for ever."
)
_NO_GOOD_RATE = ("small", "medium", "large")  # the difference loss: no α finds a minimum
_ACTIVATIONS = ("sigmoid", "linear")

#: File suffixes :func:`plot_history` and friends can save to.
SAVE_FORMATS = (".png", ".svg", ".pdf")


# --- validation ----------------------------------------------------------------------------


def _is_real(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _finite(name: str, value: Any) -> float:
    if not _is_real(value) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _check_loss(loss: Any) -> str:
    if not (isinstance(loss, str) and loss in LANDSCAPE_LOSSES):
        accepted = ", ".join(repr(k) for k in LANDSCAPE_LOSSES)
        raise ValueError(f"unknown loss {loss!r}; accepted: {accepted}")
    return loss


def _check_activation(loss: str, activation: Any) -> str:
    if activation not in _ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}; accepted: {', '.join(map(repr, _ACTIVATIONS))}"
        )
    if loss == "cross_entropy" and activation != "sigmoid":
        raise ValueError(
            "loss 'cross_entropy' needs probabilities, so activation='sigmoid'; "
            f"got activation={activation!r}"
        )
    return activation


def _one_feature(X: Any, y: Any) -> tuple[list[float], list[float]]:
    """X as m numbers (a flat list, or m rows of one feature) and y as m finite numbers."""
    for name, items in (("X", X), ("y", y)):
        if isinstance(items, (str, bytes)) or not hasattr(items, "__len__"):
            raise TypeError(f"{name} must be a list, got {type(items).__name__} {items!r}")
    if len(X) == 0:
        raise ValueError("X is empty: the cost is a mean over at least one example")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)} targets")
    xs = []
    for i, row in enumerate(X):
        if not _is_real(row):
            if isinstance(row, (str, bytes)) or not hasattr(row, "__len__") or len(row) != 1:
                raise ValueError(
                    "the single-weight perceptron takes one feature per example; "
                    f"example #{i} is {row!r} (give numbers or one-element rows)"
                )
            row = row[0]
        xs.append(_finite(f"example #{i}", row))
    ys = [_finite(f"target #{i}", t) for i, t in enumerate(y)]
    return xs, ys


def _cost(
    perceptron: Perceptron, loss: str, xs: list[float], ys: list[float], w: float
) -> autograd.Value:
    perceptron.w[0].data = w
    return LANDSCAPE_LOSSES[loss]([perceptron([x]) for x in xs], ys)


def _perceptron(activation: str, b: float) -> Perceptron:
    p = Perceptron(1, activation=activation, seed=0)
    p.b.data = b  # the bias is held fixed: J is a function of the one weight w
    return p


# --- the loss landscapes -------------------------------------------------------------------


def cost_curve(
    loss: str,
    X: Sequence[Any],
    y: Sequence[float],
    ws: Sequence[float],
    b: float = DESIGN_B,
    activation: str = "sigmoid",
) -> list[float]:
    """The cost J(w) of a one-weight ``nn.Perceptron(1)`` at each w in ``ws``, bias fixed.

    ``loss`` is ``"difference"`` (mean of A - y), ``"mse"`` (mean of (A - y)**2) or
    ``"cross_entropy"`` (binary cross-entropy of A); A = activation(w·x + b), with
    ``activation`` ``"sigmoid"`` (the default) or ``"linear"``. ``X`` holds one feature per
    example (numbers or one-element rows).

    >>> [round(j, 4) for j in cost_curve("difference", [1.0, 3.0], [0, 0], [0.0, 1.0],
    ...                                  b=0.0, activation="linear")]   # J = 2w
    [0.0, 2.0]
    >>> round(cost_curve("cross_entropy", [1.0], [1], [0.0], b=0.0)[0], 4)   # log 2
    0.6931
    """
    loss = _check_loss(loss)
    activation = _check_activation(loss, activation)
    xs, ys = _one_feature(X, y)
    b = _finite("b", b)
    if isinstance(ws, (str, bytes)) or not hasattr(ws, "__iter__"):
        raise TypeError(f"ws must be a list of weights, got {type(ws).__name__} {ws!r}")
    weights = [_finite(f"ws[{i}]", w) for i, w in enumerate(ws)]
    p = _perceptron(activation, b)
    with autograd.no_grad():  # values only: no graph to keep
        return [_cost(p, loss, xs, ys, w).data for w in weights]


def gradient_descent_path(
    loss: str,
    X: Sequence[Any],
    y: Sequence[float],
    w0: float,
    lr: float,
    steps: int,
    b: float = DESIGN_B,
    activation: str = "sigmoid",
) -> list[tuple[float, float]]:
    """Gradient descent on the single weight: ``w := w - lr * dJ/dw``, dJ/dw by backprop.

    Returns ``steps + 1`` pairs ``(w_k, J(w_k))``, starting with ``(w0, J(w0))``. The walk
    stops early if w or J stops being a finite number (a learning rate far too large).
    Arguments are as in :func:`cost_curve`.

    >>> path = gradient_descent_path("cross_entropy", DESIGN_X, DESIGN_Y, w0=3.0, lr=2.0,
    ...                              steps=3)
    >>> [(round(w, 2), round(j, 3)) for w, j in path]
    [(3.0, 2.68), (1.89, 2.106), (0.95, 1.725), (0.29, 1.542)]
    """
    loss = _check_loss(loss)
    activation = _check_activation(loss, activation)
    xs, ys = _one_feature(X, y)
    b, w = _finite("b", b), _finite("w0", w0)
    lr = _finite("lr", lr)
    if lr <= 0:
        raise ValueError(f"lr (the learning rate α) must be > 0, got {lr!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be an int >= 0, got {steps!r}")
    p = _perceptron(activation, b)
    path: list[tuple[float, float]] = []
    for k in range(steps + 1):
        J = _cost(p, loss, xs, ys, w)
        if not math.isfinite(J.data):
            break
        path.append((w, J.data))
        if k == steps:
            break
        (dJ_dw,) = autograd.grad(J, [p.w[0]])  # backprop through the perceptron and loss
        w = w - lr * dJ_dw
        if not math.isfinite(w):
            break
    return path


def local_minima(ws: Sequence[float], costs: Sequence[float]) -> list[float]:
    """The w's where a sampled curve has a strict local minimum (lower than both neighbours).

    End points never count: a curve still falling at the edge has no minimum *there*.

    >>> local_minima([0, 1, 2, 3, 4, 5], [3, 1, 2, 0.5, 0.7, 0.2])
    [1, 3]
    >>> local_minima([0, 1, 2], [0, 1, 2])   # monotone: none
    []
    """
    if len(ws) != len(costs):
        raise ValueError(f"ws has {len(ws)} points but costs has {len(costs)}")
    c = list(costs)
    return [ws[i] for i in range(1, len(c) - 1) if c[i - 1] > c[i] < c[i + 1]]


def _per_loss(name: str, value: Any, loss: str, key: str) -> Any:
    if value is None:
        return LANDSCAPE_DEFAULTS[loss][key]
    if isinstance(value, Mapping):
        unknown = set(value) - set(LANDSCAPE_LOSSES)
        if unknown:
            raise ValueError(
                f"{name} has unknown loss(es) {sorted(unknown)}; accepted keys: "
                f"{', '.join(map(repr, LANDSCAPE_LOSSES))}"
            )
        return value.get(loss, LANDSCAPE_DEFAULTS[loss][key])
    return value


def _linspace(lo: float, hi: float, num: int) -> list[float]:
    return [lo + (hi - lo) * i / (num - 1) for i in range(num)]


def _starts(value: Any, loss: str) -> list[float]:
    """One start, or several: the first gets every learning rate, the others the good one."""
    starts = list(value) if isinstance(value, (list, tuple)) else [value]
    if not starts:
        raise ValueError(f"w0 for {loss!r} must be a number or a non-empty list of numbers")
    return [_finite(f"w0 for {loss!r}", w) for w in starts]


def plot_loss_landscapes(
    X: Sequence[Any] | None = None,
    y: Sequence[float] | None = None,
    b: float | None = None,
    learning_rates: Sequence[float] | Mapping[str, Sequence[float]] | None = None,
    w0: float | Sequence[float] | Mapping[str, float | Sequence[float]] | None = None,
    steps: int = 25,
    path: str | Path | None = None,
    w_range: tuple[float, float] = (-4.0, 5.0),
    num: int = 181,
) -> Figure:
    """The article's three cost pictures J(w), each with gradient descent for three α.

    Panels, left to right: the difference loss on a linear output (a straight line: no
    minimum, descent walks off for ever), squared error through a sigmoid (wavy, non-convex:
    runs from two starts end in different valleys) and cross-entropy through a sigmoid (a
    convex bowl). Each run's start is a hollow circle; minima are stars, the lowest one
    marked "global minimum". The caption says why each panel needs its own learning rates.

    In each panel ``ax.lines[0]`` is the cost curve sampled at ``num`` points over
    ``w_range`` (widened to cover the paths), ``ax.lines[1:4]`` are the descent paths
    ``(w_k, J(w_k))`` from the first start for the learning rates (too small, good, too
    large), and any further ``ax.lines`` are the good rate from each further start.

    ``X``, ``y`` and ``b`` default to the DESIGN data (:data:`DESIGN_X`, ...).
    ``learning_rates`` is three rates for every panel or a mapping loss -> three rates;
    ``w0`` is a start (or a list of starts) for every panel, or a mapping loss -> start(s);
    missing entries use :data:`LANDSCAPE_DEFAULTS`.

    >>> fig = plot_loss_landscapes(steps=2, num=5)
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['w', 'w', 'w']
    >>> [len(ax.lines) for ax in fig.axes]   # the squared-error panel has a second start
    [4, 5, 4]
    """
    X = DESIGN_X if X is None else X
    y = DESIGN_Y if y is None else y
    b = DESIGN_B if b is None else b
    if isinstance(num, bool) or not isinstance(num, int) or num < 3:
        raise ValueError(f"num (points on each cost curve) must be an int >= 3, got {num!r}")
    if not (isinstance(w_range, (tuple, list)) and len(w_range) == 2):
        raise ValueError(f"w_range must be a pair (low, high), got {w_range!r}")
    lo, hi = _finite("w_range[0]", w_range[0]), _finite("w_range[1]", w_range[1])
    if not lo < hi:
        raise ValueError(f"w_range must have low < high, got {w_range!r}")
    _check_save_path(path)

    # One panel per row: the notebook's column is ~830 px wide and scrolls downwards.
    fig = new_figure(figsize=(8, 11.5), layout="constrained")
    axes = fig.subplots(3, 1)
    for ax, loss in zip(axes, LANDSCAPE_LOSSES):
        activation = LANDSCAPE_DEFAULTS[loss]["activation"]
        rates = _per_loss("learning_rates", learning_rates, loss, "learning_rates")
        if isinstance(rates, (str, bytes)) or not hasattr(rates, "__len__") or len(rates) != 3:
            raise ValueError(
                f"learning_rates for {loss!r} must be three numbers (too small, good, too "
                f"large), got {rates!r}"
            )
        starts = _starts(_per_loss("w0", w0, loss, "w0"), loss)
        names = _NO_GOOD_RATE if loss == "difference" else _RATE_NAMES
        runs = [
            (starts[0], lr, f"α = {lr:g} ({n})", c) for lr, n, c in zip(rates, names, _RATE_COLOURS)
        ]
        runs += [
            (start, rates[1], f"α = {rates[1]:g} ({names[1]}) from w0 = {start:g}", colour)
            for start, colour in zip(starts[1:], itertools.cycle(_MORE_STARTS_COLOURS))
        ]
        paths = [
            gradient_descent_path(loss, X, y, start, lr, steps, b=b, activation=activation)
            for start, lr, _, _ in runs
        ]
        seen = [w for p in paths for w, _ in p]
        ws = _linspace(min(lo, *seen), max(hi, *seen), num)
        costs = cost_curve(loss, X, y, ws, b=b, activation=activation)
        ax.plot(ws, costs, color="0.25", lw=2, label="cost J(w)")
        for (start, _, label, colour), p in zip(runs, paths):
            if len(starts) > 1 and start == starts[0]:
                label += f" from w0 = {start:g}"
            ax.plot(
                [w for w, _ in p],
                [j for _, j in p],
                "o-",
                ms=3.5,
                lw=1,
                color=colour,
                alpha=0.85,
                label=label,
            )
            ax.scatter(
                [p[0][0]],
                [p[0][1]],
                s=90,
                facecolors="none",
                edgecolors=colour,
                linewidths=2,
                zorder=5,
            )
        at = functools.partial(_cost_at, loss, X, y, b, activation)
        _mark_minima(ax, ws, costs, at)
        ax.scatter(
            [], [], s=90, facecolors="none", edgecolors="0.3", linewidths=2, label="start of a run"
        )
        ax.set_title(_PANEL_TITLES[loss], fontsize=10)
        ax.set_xlabel("w")
        ax.set_ylabel("cost J(w)")
        ax.legend(fontsize=7.5, loc=_LEGEND_PLACE[loss])
    fig.suptitle(
        f"The cost J(w) of a one-weight perceptron (bias b = {float(b):g}, m = {len(X)})\n"
        f"and gradient descent w := w − α·dJ/dw, {steps} steps from each start",
        fontsize=11,
    )
    fig.supxlabel(textwrap.fill(" ".join(_WHY_RATES_DIFFER.split()), 100), fontsize=9, color="0.25")
    _save(fig, path)
    return fig


def _cost_at(loss: str, X: Any, y: Any, b: float, activation: str, w: float) -> float:
    return cost_curve(loss, X, y, [w], b=b, activation=activation)[0]


def _refine_minimum(cost: Any, lo: float, hi: float) -> tuple[float, float]:
    """The minimum of a unimodal ``cost`` on [lo, hi] by golden-section search."""
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(40):
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if cost(a) < cost(b):
            hi = b
        else:
            lo = a
    w = (lo + hi) / 2
    return w, cost(w)


def _mark_minima(ax: Axes, ws: list[float], costs: list[float], cost: Any) -> None:
    """Stars on the curve's minima (refined between samples); the lowest is the global one."""
    found = [
        _refine_minimum(cost, ws[i - 1], ws[i + 1])
        for i in range(1, len(ws) - 1)
        if costs[i - 1] > costs[i] < costs[i + 1]
    ]
    if not found:
        return
    low, high = ax.get_ylim()
    ax.set_ylim(low - 0.16 * (high - low), high)  # room for the labels under the stars
    best = min(found, key=lambda p: p[1])
    for w, c in found:
        if len(found) == 1:
            text = "minimum"
        else:
            text = "global minimum" if (w, c) == best else "local minimum"
        ax.scatter([w], [c], marker="*", s=220, color="gold", edgecolors="k", zorder=6)
        ax.annotate(
            f"{text}\nw = {w:.2f}",
            (w, c),
            xytext=(0, -30),
            textcoords="offset points",
            ha="center",
            fontsize=8,
            arrowprops={"arrowstyle": "-", "color": "0.5"},
        )


# --- decision boundary ---------------------------------------------------------------------


def _two_features(X: Any, y: Any) -> tuple[list[list[float]], list[Any]]:
    for name, items in (("X", X), ("y", y)):
        if isinstance(items, (str, bytes)) or not hasattr(items, "__len__"):
            raise TypeError(f"{name} must be a list, got {type(items).__name__} {items!r}")
    if len(X) == 0:
        raise ValueError("X is empty: there are no points to draw")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)} labels")
    rows = []
    for i, row in enumerate(X):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__len__") or len(row) != 2:
            raise ValueError(
                "plot_decision_boundary() draws 2-D data: each example needs exactly 2 "
                f"features, example #{i} is {row!r}"
            )
        rows.append([_finite(f"example #{i} feature {j}", v) for j, v in enumerate(row)])
    for i, t in enumerate(y):
        if not _is_real(t) or float(t) != int(t):
            raise ValueError(f"label #{i} must be a class (0/1, -1/+1 or 0..k-1), got {t!r}")
    return rows, [int(t) for t in y]


def _grid(
    model: Any, X: Any, y: Any, resolution: Any, padding: Any
) -> tuple[list[list[float]], list[int], list[float], list[float], list[list[float]], str]:
    """Checked data, the grid's axes, its points (row by row) and the labels' convention."""
    rows, labels = _two_features(X, y)
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an int >= 2, got {resolution!r}")
    padding = _finite("padding", padding)
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding!r}")
    nin = getattr(model, "nin", 2)
    if nin != 2:
        raise ValueError(f"the model takes {nin} features per example; a 2-D plot needs 2")
    spans = []
    for k in range(2):
        lo = min(r[k] for r in rows) - padding
        hi = max(r[k] for r in rows) + padding
        if lo == hi:  # every point on one line: open the window a little
            lo, hi = lo - 1.0, hi + 1.0
        spans.append(_linspace(lo, hi, resolution))
    xs, ys = spans
    convention = "pm1" if set(labels) <= {-1, 1} and -1 in labels else "01"
    points = [[gx, gy] for gy in ys for gx in xs]
    return rows, labels, xs, ys, points, convention


def decision_grid(
    model: Any,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    resolution: int = 100,
    padding: float = 0.5,
) -> tuple[list[float], list[float], list[list[int]]]:
    """The class the model predicts on a ``resolution`` x ``resolution`` grid over X.

    Returns ``(xs, ys, classes)`` with ``classes[i][j]`` the prediction at
    ``(xs[j], ys[i])``, read as ``nn.predict_labels`` does (argmax for several outputs, else
    the threshold ``nn.accuracy`` uses), in y's label convention (0/1 or -1/+1).
    The grid spans X's range plus ``padding`` on every side.

    >>> from nn import Perceptron
    >>> p = Perceptron(2, seed=0)
    >>> p.w[0].data, p.w[1].data = 1.0, 0.0        # class 1 where x1 > 0
    >>> xs, ys, classes = decision_grid(p, [[-1, 0], [1, 0]], [0, 1], resolution=3,
    ...                                 padding=0.0)
    >>> xs, classes
    ([-1.0, 0.0, 1.0], [[0, 1, 1], [0, 1, 1], [0, 1, 1]])
    """
    _, _, xs, ys, points, convention = _grid(model, X, y, resolution, padding)
    flat = predict_labels(model, points, convention)  # records no graph (it uses no_grad)
    classes = [flat[i * resolution : (i + 1) * resolution] for i in range(resolution)]
    return xs, ys, classes


def _margins(
    model: Any, points: list[list[float]], convention: str
) -> tuple[list[int], list[list[float]]]:
    """For every class, how far each point is inside its region (> 0: predicted there).

    One output: the score minus the threshold (and its negative for the other class); k
    outputs: score_i minus the best other score. Each margin is continuous in the input, so
    its zero contour is the smooth boundary the model really draws.
    """
    scores = predict(model, points)
    if scores and isinstance(scores[0], list):
        k = len(scores[0])
        margins = [
            [s[i] - max(s[j] for j in range(k) if j != i) if k > 1 else 1.0 for s in scores]
            for i in range(k)
        ]
        return list(range(k)), margins
    cut = output_threshold(model, convention)
    positive = [float(s) - cut for s in scores]
    negative_class = -1 if convention == "pm1" else 0
    return [negative_class, 1], [[-m for m in positive], positive]


def plot_decision_boundary(
    model: Any,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    path: str | Path | None = None,
    resolution: int = 100,
    padding: float = 0.5,
) -> Figure:
    """A 2-D classifier's regions, its decision boundary, and the data, with a class legend.

    Each class's region is where the model predicts it (as ``nn.predict_labels`` reads the
    outputs); the boundary is the zero line of the model's continuous margin, so it is
    smooth, not the staircase of a grid. The points are coloured by their label with the
    regions' colours, so a point on the wrong colour is a mistake.

    >>> from nn import Perceptron
    >>> fig = plot_decision_boundary(Perceptron(2, seed=0), [[0, 0], [1, 1]], [0, 1],
    ...                              resolution=5)
    >>> ax = fig.axes[0]
    >>> ax.get_xlabel(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('x1', ['class 0', 'class 1', 'decision boundary'])
    """
    rows, labels, xs, ys, points, convention = _grid(model, X, y, resolution, padding)
    _check_save_path(path)
    classes, margins = _margins(model, points, convention)
    found = sorted(set(labels) | set(classes))
    palette = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3"]
    colour = {c: palette[i % len(palette)] for i, c in enumerate(found)}

    fig = new_figure(figsize=(6.4, 5), layout="constrained")
    ax = fig.subplots()
    n = len(xs)
    for c, margin in zip(classes, margins):
        grid = [margin[i * n : (i + 1) * n] for i in range(len(ys))]
        top = max(max(margin), 0.0) + 1.0
        if max(margin) > 0:
            ax.contourf(xs, ys, grid, levels=[0.0, top], colors=[colour[c]], alpha=0.3)
        if min(margin) < 0 < max(margin):
            ax.contour(xs, ys, grid, levels=[0.0], colors="k", linewidths=1.4)
    for c in found:
        mine = [r for r, t in zip(rows, labels) if t == c]
        ax.scatter(
            [r[0] for r in mine],
            [r[1] for r in mine],
            color=colour[c],
            edgecolors="k",
            linewidths=0.6,
            s=28,
            label=f"class {c}",
        )
    ax.plot([], [], color="k", lw=1.4, label="decision boundary")
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.legend(loc="best", fontsize=8, framealpha=0.85)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(f"decision regions of {type(model).__name__}")
    _save(fig, path)
    return fig


# --- training history ----------------------------------------------------------------------


def plot_history(history: Any, path: str | Path | None = None) -> Figure:
    """Cost J per epoch and, when recorded, accuracy per epoch (epochs counted from 1); with a
    validation set (``fit(..., validation=...)``) its curves too, dashed.

    ``history`` is an ``nn.History`` (anything with ``cost`` and ``accuracy`` lists). The
    accuracy panel is left out when every accuracy is None (regression); single None
    entries become gaps.

    >>> from nn import History
    >>> fig = plot_history(History(cost=[0.7, 0.4, 0.3], accuracy=[0.5, 0.75, 1.0]))
    >>> fig.axes[0].lines[0].get_xydata().tolist()
    [[1.0, 0.7], [2.0, 0.4], [3.0, 0.3]]
    >>> len(plot_history(History(cost=[1.0], accuracy=[None])).axes)
    1
    """
    cost = getattr(history, "cost", None)
    acc = getattr(history, "accuracy", None)
    if cost is None or isinstance(cost, (str, bytes)) or not hasattr(cost, "__len__"):
        raise TypeError(
            "plot_history() takes an nn.History (with .cost and .accuracy lists), "
            f"got {type(history).__name__}"
        )
    if len(cost) == 0:
        raise ValueError("the history is empty: train for at least one epoch first")
    costs = [_finite(f"cost of epoch {i + 1}", c) for i, c in enumerate(cost)]
    accs = list(acc) if acc is not None else [None] * len(costs)
    if len(accs) != len(costs):
        raise ValueError(f"history has {len(costs)} costs but {len(accs)} accuracies")
    for i, a in enumerate(accs):
        if a is not None and not (_is_real(a) and 0.0 <= float(a) <= 1.0):
            raise ValueError(f"accuracy of epoch {i + 1} must be None or in [0, 1], got {a!r}")
    _check_save_path(path)
    epochs = list(range(1, len(costs) + 1))
    show_acc = any(a is not None for a in accs)
    fig = new_figure(figsize=(8 if show_acc else 5.5, 3.4), layout="constrained")
    axes = fig.subplots(1, 2 if show_acc else 1, squeeze=False)[0]
    ax: Axes = axes[0]
    val_cost = list(getattr(history, "val_cost", None) or [])
    val_acc = list(getattr(history, "val_accuracy", None) or [])
    if val_cost and len(val_cost) != len(costs):
        raise ValueError(f"history has {len(costs)} costs but {len(val_cost)} validation costs")
    style = "o-" if len(costs) < 40 else "-"
    ax.plot(epochs, costs, style, ms=3, color="C0", label="training")
    if val_cost:  # the examples it does not train on: where the curves part, it memorises
        ys = [math.nan if v is None or not math.isfinite(v) else float(v) for v in val_cost]
        ax.plot(epochs, ys, style.replace("-", "--"), ms=3, color="C1", label="validation")
        ax.legend(fontsize=8, frameon=False)
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost J")
    ax.set_title("cost J per epoch\n(mean loss over the data)", fontsize=10)
    if show_acc:
        ax = axes[1]
        ys = [math.nan if a is None else float(a) for a in accs]
        ax.plot(epochs, ys, style, ms=3, color="C2", label="training")
        if val_acc and len(val_acc) == len(costs):
            vs = [math.nan if a is None else float(a) for a in val_acc]
            ax.plot(epochs, vs, style.replace("-", "--"), ms=3, color="C1", label="validation")
            ax.legend(fontsize=8, frameon=False)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy")
        title = "accuracy per epoch" if val_acc else "training accuracy per epoch"
        ax.set_title(title, fontsize=10)
    _save(fig, path)
    return fig


def plot_gradient_flow(
    history: Any, path: str | Path | None = None, *, title: str | None = None
) -> Figure:
    """Each layer's gradient size per epoch: one line per layer, on a log scale.

    The size is the L2 norm of the layer's ∂J/∂w and ∂J/∂b at the end of the epoch, as
    ``fit`` records it in ``History.grad_norms`` (with ``diagnose=True``, the default).
    Healthy training keeps the lines within a few powers of ten of each other; lines that
    fan out towards layer 1 are vanishing gradients (the first layers barely learn), lines
    that fan out the other way are exploding ones. A norm of 0 (no gradient at all) or an
    infinite one cannot sit on a log scale: it is drawn as a gap, with ✕ marks at the bottom
    or the top. The epochs of the run's diagnoses are marked and named.

    >>> from nn import History
    >>> fig = plot_gradient_flow(History(cost=[0.7, 0.5], grad_norms=[[1e-4, 0.5], [1e-5, 0.4]]))
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['layer 1', 'layer 2']
    >>> fig.axes[0].get_yscale()
    'log'
    """
    norms = getattr(history, "grad_norms", None)
    if norms is None or isinstance(norms, (str, bytes)) or not hasattr(norms, "__len__"):
        raise TypeError(
            "plot_gradient_flow() takes an nn.History (with .grad_norms, one list of layer "
            f"norms per epoch), got {type(history).__name__}"
        )
    if len(norms) == 0:
        raise ValueError(
            "the history holds no gradient norms: fit(..., diagnose=True) (the default) records "
            "them for an MLP, a Layer or a Neuron, one list per epoch"
        )
    rows: list[list[float]] = []
    for i, row in enumerate(norms):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__len__"):
            raise TypeError(f"grad_norms[{i}] must be a list of numbers, got {row!r}")
        values = []
        for k, v in enumerate(row):
            if not _is_real(v) or float(v) < 0 or math.isnan(float(v)):
                raise ValueError(f"grad_norms[{i}][{k}] must be a number >= 0, got {v!r}")
            values.append(float(v))
        rows.append(values)
    layers = {len(row) for row in rows}
    if len(layers) != 1 or 0 in layers:
        raise ValueError(f"every epoch needs one norm per layer, got {sorted(layers)} norms")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str, got {type(title).__name__}")
    _check_save_path(path)
    import matplotlib
    import matplotlib.ticker

    n = layers.pop()
    epochs = list(range(1, len(rows) + 1))
    fig = new_figure(figsize=(6.4, 3.6), layout="constrained")
    ax: Axes = fig.subplots()
    shown = [v for row in rows for v in row if 0 < v < math.inf]
    low, high = (min(shown), max(shown)) if shown else (1e-3, 1.0)
    # Layer 1 darkest, the last layer lightest: a fan towards the dark lines is vanishing.
    colours = matplotlib.colormaps["viridis"]
    style = "o-" if len(rows) < 40 else "-"
    marked: set[float] = set()
    for k in range(n):
        ys = [row[k] if 0 < row[k] < math.inf else math.nan for row in rows]
        colour = colours(0.85 * k / max(1, n - 1))
        ax.plot(epochs, ys, style, ms=3, color=colour, label=f"layer {k + 1}")
        for edge, bad in ((0.03, 0.0), (0.97, math.inf)):  # on the frame, not on a line
            xs = [e for e, row in zip(epochs, rows) if row[k] == bad]
            if xs:
                said = bad in marked
                marked.add(bad)
                what = "✕ gradient 0 (none at all)" if bad == 0 else "✕ gradient infinite"
                ax.plot(
                    xs, [edge] * len(xs), "x", color=colour, ms=6, clip_on=False,
                    transform=ax.get_xaxis_transform(), label="_nolegend_" if said else what,
                )
    ax.set_yscale("log")
    ax.set_ylim(low / 3, high * 3)
    ax.set_xlabel("epoch")
    ax.set_ylabel("gradient norm ‖∂J/∂(w, b)‖")
    ax.set_title(
        title if title is not None else "gradient size per layer (log scale)", fontsize=10
    )
    for d in getattr(history, "diagnosis", None) or []:
        if isinstance(getattr(d, "epoch", None), int) and 1 <= d.epoch <= len(rows):
            ax.axvline(d.epoch, color="0.5", ls=":", lw=1)
            late = d.epoch > (1 + len(rows)) / 2  # name it on the side with room
            ax.annotate(
                d.kind, (d.epoch, 1), xycoords=("data", "axes fraction"),
                xytext=(-3 if late else 3, -12), textcoords="offset points",
                ha="right" if late else "left", fontsize=8, color="0.35",
            )
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    # Beside the plot, not over the lines: layer 1 on top, as the network reads.
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: not labels[i].startswith("layer"))
    ax.legend(
        [handles[i] for i in order], [labels[i] for i in order],
        fontsize=8, ncols=1 if n <= 12 else 2, loc="upper left", bbox_to_anchor=(1.01, 1.0),
        frameon=False,
    )
    ax.grid(True, which="major", alpha=0.3)
    _save(fig, path)
    return fig


# --- digits: the confusion matrix, the images, the first layer's weights -------------------


def plot_confusion(
    model: Any,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    path: str | Path | None = None,
) -> Figure:
    """The confusion matrix (``nn.confusion_matrix``) as a picture, each cell's count in it.

    Rows are the true class, columns the predicted one: the diagonal is what the model gets
    right, a dark cell off it a pair of classes it mixes up. The title gives the accuracy
    (the diagonal over all the examples).

    >>> from nn import Perceptron
    >>> p = Perceptron(1, seed=0)
    >>> p.w[0].data, p.b.data = 1.0, 0.0
    >>> fig = plot_confusion(p, [[2.0], [-1.0], [0.5], [-3.0]], [1, 0, 0, 0])
    >>> ax = fig.axes[0]
    >>> [t.get_text() for t in ax.texts], ax.get_title()
    (['2', '1', '0', '1'], 'accuracy 75.0% on 4 examples')
    """
    classes, matrix, _ = confusion(model, X, y)
    _check_save_path(path)
    total = sum(map(sum, matrix))
    right = sum(matrix[i][i] for i in range(len(classes)))
    k = len(classes)
    side = min(COLUMN_INCHES, max(3.2, 1.2 + 0.45 * k))
    fig = new_figure(figsize=(side + 0.9, side), layout="constrained")
    ax: Axes = fig.subplots()
    image = ax.imshow(matrix, cmap="Blues", vmin=0, vmax=max(1, max(map(max, matrix))))
    dark = 0.5 * max(1, max(map(max, matrix)))
    size = 9 if k <= 12 else 7
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            ax.text(
                j, i, str(count), ha="center", va="center", fontsize=size,
                # white on dark cells; a 0 in grey, so the mistakes off the diagonal stand out
                color="white" if count > dark else ("black" if count else "0.65"),
            )
    ax.set_xticks(range(k), [str(c) for c in classes])
    ax.set_yticks(range(k), [str(c) for c in classes])
    ax.tick_params(length=0)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(f"accuracy {100 * right / total:.1f}% on {total} examples", fontsize=10)
    fig.colorbar(image, ax=ax, shrink=0.8, label="examples")
    _save(fig, path)
    return fig


def _image_rows(X: Any, shape: Any) -> tuple[list[list[float]], tuple[int, int]]:
    """X as lists of floats, each ``rows * cols`` long for ``shape = (rows, cols)``."""
    if (
        not isinstance(shape, (tuple, list))
        or len(shape) != 2
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in shape)
    ):
        raise ValueError(f"shape must be (rows, columns), two ints >= 1, got {shape!r}")
    h, w = int(shape[0]), int(shape[1])
    if isinstance(X, (str, bytes)) or not hasattr(X, "__len__"):
        raise TypeError(f"X must be a list of examples, got {type(X).__name__}")
    if len(X) == 0:
        raise ValueError("X is empty: there are no images to draw")
    rows = []
    for i, row in enumerate(X):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__len__"):
            raise ValueError(f"example #{i} must be a list of pixel values, got {row!r}")
        if len(row) != h * w:
            raise ValueError(
                f"shape {(h, w)} needs {h * w} values per example, got {len(row)}"
                + (f" (example #{i})" if i else "")
            )
        rows.append([_finite(f"pixel {k} of example #{i}", v) for k, v in enumerate(row)])
    return rows, (h, w)


def _reshaped(values: Sequence[float], shape: tuple[int, int]) -> list[list[float]]:
    h, w = shape
    return [list(values[r * w : (r + 1) * w]) for r in range(h)]  # row by row, top row first


def _tile_grid(
    count: int, columns: int, tile: float, caption: str | None = None, row_extra: float = 0.0
) -> tuple[Figure, list[Axes]]:
    """A grid of ``count`` tiles, ``columns`` wide, and a caption above, wrapped to fit;
    ``row_extra`` inches per row leave room for text under each tile."""
    cols = min(count, columns)
    rows = math.ceil(count / cols)
    width = min(COLUMN_INCHES, cols * tile)
    if caption is not None:
        width = max(width, 3.2)  # room for the caption over a handful of tiles
        caption = textwrap.fill(caption, width=int(width * 18))  # ~18 characters per inch at 8 pt
    lines = 0 if caption is None else caption.count("\n") + 1
    height = rows * (tile * 1.15 + row_extra) + 0.18 * lines
    fig = new_figure(figsize=(width, height), layout="constrained")
    if caption is not None:
        fig.suptitle(caption, fontsize=8, color="0.25")
    axes = fig.subplots(rows, cols, squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax in flat[count:]:
        ax.axis("off")  # the grid's last row may be short
    return fig, flat[:count]


def plot_images(
    X: Sequence[Sequence[float]],
    y: Sequence[Any] | None = None,
    shape: tuple[int, int] = (8, 8),
    predicted: Sequence[Any] | None = None,
    n: int = 40,
    path: str | Path | None = None,
) -> Figure:
    """The first ``n`` examples as grey images, each row of X reshaped to ``shape`` row by
    row (``X[i][:8]`` is the top row of an 8×8 image), titled with its label.

    With ``predicted`` (one predicted label per example, e.g. ``nn.predict_labels(model,
    X)``) a right answer is titled with its label, "3", and a mistake with the true label
    and the prediction, "3 → 8", in red in a red frame. All tiles share one grey scale, so
    a pale stroke is a small value in every tile.

    >>> fig = plot_images([[0, 1, 1, 0], [1, 0, 0, 1]], [0, 1], shape=(2, 2), predicted=[0, 0])
    >>> [ax.get_title() for ax in fig.axes]
    ['0', '1 → 0']
    """
    rows, size = _image_rows(X, shape)
    for name, labels in (("y", y), ("predicted", predicted)):
        if labels is None:
            continue
        if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
            raise TypeError(f"{name} must be a list of labels, got {type(labels).__name__}")
        if len(labels) != len(rows):
            raise ValueError(f"X has {len(rows)} examples but {name} has {len(labels)} labels")
    if predicted is not None and y is None:
        raise ValueError("predicted= is compared with the true labels: give y as well")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n (how many examples to show) must be an int >= 1, got {n!r}")
    _check_save_path(path)
    count = min(n, len(rows))
    shown = [v for row in rows[:count] for v in row]
    low, high = min(shown), max(shown)
    caption = None
    if predicted is not None and y is not None:
        wrong_count = sum(p != t for p, t in zip(predicted[:count], y[:count]))
        caption = f"{count} examples, {wrong_count} wrong (true → predicted, in red)"
    fig, axes = _tile_grid(count, 10, 0.8, caption)
    for i, ax in enumerate(axes):
        ax.imshow(
            _reshaped(rows[i], size), cmap="gray_r", vmin=low, vmax=high if high > low else low + 1,
            interpolation="nearest",
        )
        ax.set_xticks([])
        ax.set_yticks([])
        if y is None:
            continue
        wrong = predicted is not None and predicted[i] != y[i]
        title = f"{y[i]} → {predicted[i]}" if wrong and predicted is not None else f"{y[i]}"
        ax.set_title(title, fontsize=9, color="#c0392b" if wrong else "black", pad=2)
        for spine in ax.spines.values():
            spine.set_color("#c0392b" if wrong else "0.75")
            spine.set_linewidth(2.0 if wrong else 0.6)
    _save(fig, path)
    return fig


def _first_layer(model: Any) -> tuple[list[Any], str]:
    """The neurons whose weights read the inputs, and the name pattern of their weights."""
    from nn.layers import MLP, Layer, Neuron

    if isinstance(model, MLP):
        return list(model.layers[0].neurons), "W1[{j},·]"
    if isinstance(model, Layer):
        return list(model.neurons), "W[{j},·]"
    if isinstance(model, Neuron):
        return [model], "w"
    raise TypeError(
        "plot_weights() draws the first layer of an nn.MLP, an nn.Layer or an nn.Neuron, "
        f"got {type(model).__name__}"
    )


def plot_weights(
    model: Any, shape: tuple[int, int] = (8, 8), path: str | Path | None = None
) -> Figure:
    """What each first-layer neuron looks for: its weight vector as an image of ``shape``.

    Neuron j of the first layer computes ``Z1[j] = W1[j,·]·x + b1[j]``: the weight W1[j,k]
    multiplies pixel k, so reshaped like the image it shows which pixels push Z1[j] up
    (red) and which push it down (blue). The colours are centred at 0 and symmetric per
    neuron (its largest |weight| is the deepest colour, written under the tile). An
    ``nn.Layer`` names them W[j,·]; an ``nn.Neuron`` has one image, of ``w``.

    >>> from nn import Layer
    >>> fig = plot_weights(Layer(4, 2, seed=0), shape=(2, 2))
    >>> [ax.get_title() for ax in fig.axes]
    ['W[0,·]', 'W[1,·]']
    """
    neurons, name = _first_layer(model)
    nin = len(neurons[0].w)
    try:
        h, w = _image_rows([[0.0] * nin], shape)[1]
    except ValueError as error:  # say it of the weights, not of an example
        raise ValueError(
            str(error).replace(" per example", " per neuron") + f": {type(model).__name__}"
            f"'s first layer reads {nin} inputs"
        ) from None
    _check_save_path(path)
    caption = "first-layer weights: red pushes Z up, blue pushes it down; scale ±max|w| per tile"
    fig, axes = _tile_grid(len(neurons), 8, 1.0, caption, row_extra=0.15)
    for j, (ax, neuron) in enumerate(zip(axes, neurons)):
        weights = [p.data for p in neuron.w]
        limit = max(abs(v) for v in weights) or 1.0
        ax.imshow(
            _reshaped(weights, (h, w)), cmap="RdBu_r", vmin=-limit, vmax=limit,
            interpolation="nearest",
        )
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(name.format(j=j), fontsize=8, pad=2)
        ax.set_xlabel(f"±{limit:.2g}", fontsize=7, labelpad=1, color="0.35")
    _save(fig, path)
    return fig


# --- saving --------------------------------------------------------------------------------


def _check_save_path(path: str | Path | None) -> None:
    if path is None:
        return
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
    suffix = Path(path).suffix.lower()
    if suffix not in SAVE_FORMATS:
        raise ValueError(
            f"cannot save a plot as {str(path)!r}: unknown format {suffix or '(no suffix)'!r}; "
            f"accepted: {', '.join(SAVE_FORMATS)}"
        )


def _save(fig: Figure, path: str | Path | None) -> None:
    # Checked before drawing too, so a bad suffix fails fast; this is the same check.
    if path is None:
        return
    _check_save_path(path)
    fig.savefig(path, format=Path(path).suffix.lower()[1:])
