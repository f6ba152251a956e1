"""The playground: watch a network learn a two-class picture, and change it while it learns.

Like TensorFlow Playground, on gradstep's own graph: pick a data set and input features,
hidden layers, activation, learning rate α and L2, then train and watch the decision
boundary, every hidden neuron's picture and the train and test cost move. Every control is
also a call, so a lesson or a test can drive it:

>>> from viz import Playground
>>> pg = Playground("xor", hidden=[], features=("x1*x2",), lr=0.3, seed=0)
>>> history = pg.train(epochs=40)
>>> pg.epoch, history.val_accuracy[-1] > 0.9      # XOR, no hidden layer: x1·x2 is enough
(40, True)
>>> pg.set(lr=0.1)        # keeps the weights
>>> pg.set(hidden=[4])    # a new architecture: a new model, back at epoch 0
>>> pg.epoch
0

As a cell's last line it is a live app (with ipywidgets); ``pg.snapshot()`` is what it shows
now as a Figure, and ``pg.save("run.html")`` the run so far as one page that replays it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import autograd
from autograd import ops
from autograd.messages import brief, describe
from nn import MLP, SGD, History, bce_with_logits, data
from nn.steps import CompiledStep

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Playground", "DATASETS", "FEATURES", "ACTIVATIONS"]


def _moons(n: int, noise: float, seed: int) -> data.Dataset:
    X, y = data.moons(n, noise=noise, seed=seed)
    return [[a - 0.5, b - 0.25] for a, b in X], y  # centred at the origin


def _linear(n: int, noise: float, seed: int) -> data.Dataset:
    X, y = data.linearly_separable(n, dim=2, seed=seed)
    rng = random.Random(seed + 1)
    return [[a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)] for a, b in X], y


#: Data set name -> (n, noise, seed) -> (X, y): two classes, 0 and 1, around the origin.
DATASETS: dict[str, Callable[[int, float, int], data.Dataset]] = {
    "moons": _moons,
    "circles": lambda n, noise, seed: data.circles(n, noise=noise, seed=seed),
    "xor": lambda n, noise, seed: data.quadrants(n, noise=noise, seed=seed),
    "gaussian": lambda n, noise, seed: data.gaussians(n, noise=noise, seed=seed),
    "spiral": lambda n, noise, seed: data.spiral(n, noise=noise, seed=seed),
    "linear": _linear,
}

#: Input feature name -> its value at the point (x1, x2).
FEATURES: dict[str, Callable[[float, float], float]] = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: math.sin(a),
    "sin(x2)": lambda a, b: math.sin(b),
}

#: The hidden layers' activations a playground offers.
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")

#: Settings that keep the weights when changed; the others rebuild the model.
KEEP_WEIGHTS = ("lr", "l2", "batch_size")

#: How many points per side the decision picture is computed on.
GRID = 40

_DEFAULTS: dict[str, Any] = {
    "dataset": "moons",
    "n": 200,
    "noise": 0.1,
    "test_fraction": 0.5,
    "hidden": [4, 4],
    "activation": "tanh",
    "lr": 0.03,
    "l2": 0.0,
    "batch_size": 10,
    "features": ("x1", "x2"),
    "seed": 0,
}


def _choice(name: str, value: Any, choices: Iterable[str]) -> str:
    options = list(choices)
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"unknown {name} {brief(value)}; choose one of {', '.join(options)}")
    return value


def _int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {describe(value)}")
    return int(value)


def _real(name: str, value: Any, ok: Callable[[float], bool], accepted: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be {accepted}, got {describe(value)}")
    x = float(value)
    if not (math.isfinite(x) and ok(x)):
        raise ValueError(f"{name} must be {accepted}, got {value!r}")
    return x


def _check(settings: dict[str, Any]) -> dict[str, Any]:
    """Every setting checked, in its canonical form; a ValueError naming the accepted values."""
    s = dict(settings)
    s["dataset"] = _choice("dataset", s["dataset"], DATASETS)
    s["activation"] = _choice("activation", s["activation"], ACTIVATIONS)
    s["n"] = _int("n", s["n"], 4)
    s["seed"] = _int("seed", s["seed"], 0)
    s["batch_size"] = _int("batch_size", s["batch_size"], 1)
    s["noise"] = _real("noise", s["noise"], lambda x: x >= 0, "a number >= 0")
    s["test_fraction"] = _real(
        "test_fraction", s["test_fraction"], lambda x: 0 < x < 1, "a number in (0, 1)"
    )
    s["lr"] = _real("lr", s["lr"], lambda x: x > 0, "a number > 0")
    s["l2"] = _real("l2", s["l2"], lambda x: x >= 0, "a number >= 0")
    hidden = s["hidden"]
    if isinstance(hidden, (str, bytes, int)) or not isinstance(hidden, Sequence):
        raise ValueError(f"hidden must be a list of layer widths (or []), got {describe(hidden)}")
    s["hidden"] = [_int("each hidden layer's width", h, 1) for h in hidden]
    features = s["features"]
    if isinstance(features, str):
        features = (features,)
    if not isinstance(features, Iterable) or not list(features):
        raise ValueError(f"features must name at least one of {', '.join(FEATURES)}")
    chosen = [_choice("feature", f, FEATURES) for f in features]
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"features lists one twice: {chosen}")
    s["features"] = tuple(chosen)
    return s


def _numpy_backend() -> str:
    try:
        import numpy  # noqa: F401
    except ImportError:
        return "python"
    return "numpy"


class Playground:
    """A network learning a 2-D, two-class data set, driven by calls or by its live app.

    ``dataset``: one of :data:`DATASETS` (TensorFlow Playground's, centred at the origin,
    plus ``"linear"``), ``n`` points with ``noise``, split (stratified, seeded) into a
    training set and a test set of ``test_fraction``. ``features``: which of
    :data:`FEATURES` the network reads. ``hidden``: the hidden layers' widths (``[]``: one
    neuron on the features) with ``activation``; the output is one logit, read through σ.
    Training is minibatch SGD with learning rate ``lr`` on binary cross-entropy plus ``l2``
    times the sum of squared weights, ``batch_size`` points per step, compiled.

    ``history`` holds per epoch the cost (binary cross-entropy, without the L2 term) and
    accuracy on the training set and (as ``val_cost``, ``val_accuracy``) on the test set.
    """

    def __init__(
        self,
        dataset: str = "moons",
        n: int = 200,
        noise: float = 0.1,
        test_fraction: float = 0.5,
        hidden: Sequence[int] = (4, 4),
        activation: str = "tanh",
        lr: float = 0.03,
        l2: float = 0.0,
        batch_size: int = 10,
        features: Sequence[str] = ("x1", "x2"),
        seed: int = 0,
    ) -> None:
        given = dict(
            dataset=dataset, n=n, noise=noise, test_fraction=test_fraction, hidden=hidden,
            activation=activation, lr=lr, l2=l2, batch_size=batch_size, features=features,
            seed=seed,
        )  # fmt: skip
        self._settings = _check(given)
        self._app: Any = None
        self._build_data()
        self._build_model()

    # --- what it is now ---------------------------------------------------------------------

    @property
    def settings(self) -> dict[str, Any]:
        """The current settings (a copy)."""
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self._settings.items()}

    @property
    def epoch(self) -> int:
        """How many epochs the current model has trained."""
        return len(self.history)

    @property
    def model(self) -> MLP:
        """The network: an ``nn.MLP`` on the chosen features, one logit out."""
        return self._model

    @property
    def history(self) -> History:
        """Train and test cost and accuracy per epoch (``cost``, ``accuracy``, ``val_cost``,
        ``val_accuracy``)."""
        return self._history

    @property
    def train_data(self) -> tuple[list[list[float]], list[int]]:
        """The training points (x1, x2) and their classes."""
        return self._train

    @property
    def test_data(self) -> tuple[list[list[float]], list[int]]:
        """The test points (x1, x2) and their classes: never trained on."""
        return self._test

    def __repr__(self) -> str:
        s = self._settings
        return (
            f"Playground({s['dataset']!r}, features={list(s['features'])}, hidden={s['hidden']}, "
            f"activation={s['activation']!r}, lr={s['lr']:g}, l2={s['l2']:g}, "
            f"batch_size={s['batch_size']}, epoch {self.epoch})"
        )

    # --- building -----------------------------------------------------------------------------

    def _build_data(self) -> None:
        s = self._settings
        X, y = DATASETS[s["dataset"]](s["n"], s["noise"], s["seed"])
        self._train, self._test = data.split(X, y, s["test_fraction"], seed=s["seed"])
        points = X
        pad = 0.15
        lo = [min(p[k] for p in points) for k in range(2)]
        hi = [max(p[k] for p in points) for k in range(2)]
        span = max(hi[0] - lo[0], hi[1] - lo[1]) * (1 + 2 * pad) / 2
        mid = [(lo[k] + hi[k]) / 2 for k in range(2)]
        #: The square window pictures cover: [xmin, xmax, ymin, ymax].
        self.extent = [mid[0] - span, mid[0] + span, mid[1] - span, mid[1] + span]

    def features_of(self, points: Sequence[Sequence[float]]) -> list[list[float]]:
        """Each point (x1, x2) as the network reads it: the chosen features' values."""
        fs = [FEATURES[f] for f in self._settings["features"]]
        return [[f(p[0], p[1]) for f in fs] for p in points]

    def _build_model(self) -> None:
        s = self._settings
        self._model = MLP(
            len(s["features"]), [*s["hidden"], 1], activation=s["activation"], seed=s["seed"]
        )
        self._optimizer = SGD(self._model.parameters(), lr=s["lr"])
        self._history = History()
        self._rng = random.Random(s["seed"])
        self._frames: list[dict[str, Any]] = []
        self._build_step()
        self._record()

    def _build_step(self) -> None:
        s = self._settings
        Xf = self.features_of(self._train[0])
        backend = _numpy_backend()
        self._step = CompiledStep(
            self._model, Xf, list(self._train[1]), bce_with_logits, self._optimizer, s["l2"],
            backend=backend, resident=True,
        )  # fmt: skip
        hidden = self._model.layers[:-1]

        def hidden_outputs(x: list[Any]) -> tuple[Any, ...]:
            out: list[Any] = []
            values = x
            for layer in hidden:
                values = layer(values)
                out += values
            return tuple(out)

        self._hidden = autograd.compile(hidden_outputs, backend=backend) if hidden else None
        self._test_rows = self._step.rows_of(self.features_of(self._test[0]), self._test[1])
        gx = [
            self.extent[0] + (self.extent[1] - self.extent[0]) * (i + 0.5) / GRID
            for i in range(GRID)
        ]
        gy = [
            self.extent[3] - (self.extent[3] - self.extent[2]) * (j + 0.5) / GRID
            for j in range(GRID)
        ]
        self._grid_points = [[a, b] for b in gy for a in gx]  # row 0 at the top
        self._grid_rows = [(f, 0) for f in self.features_of(self._grid_points)]

    # --- the controls, as calls ---------------------------------------------------------------

    def train(self, epochs: int = 1) -> History:
        """Train ``epochs`` more epochs (what Step does) and return the history.

        Each epoch visits the training points once in a fresh random order (seeded), in
        minibatches of ``batch_size``, one SGD step per minibatch."""
        self._train_epochs(_int("epochs", epochs, 1))
        self._refresh()
        return self._history

    def _refresh(self) -> None:
        # A live app showing this playground follows calls made from other cells too.
        if self._app is not None:
            self._app.redraw()

    def _train_epochs(self, epochs: int) -> None:
        order = list(range(len(self._train[0])))
        size = self._settings["batch_size"]
        for _ in range(epochs):
            self._rng.shuffle(order)
            try:
                for start in range(0, len(order), size):
                    self._step(order[start : start + size])
            finally:
                self._step.flush()  # the model as the epoch left it, for what is drawn
            self._evaluate()
            self._record()

    def _scores(self, rows: list[tuple[Any, Any]]) -> tuple[float, float]:
        """Mean loss and accuracy of the model on ``rows`` (features, class)."""
        loss, outputs = self._step.measure(rows)
        if not outputs:
            return math.nan, math.nan
        right = sum((out[0] > 0) == bool(t) for out, (_, t) in zip(outputs, rows))
        return loss, right / len(outputs)

    def _evaluate(self) -> None:
        cost, acc = self._scores(self._step.rows)
        h = self._history
        h.cost.append(cost)
        h.accuracy.append(acc)
        if self._test_rows:
            val_cost, val_acc = self._scores(self._test_rows)
            h.val_cost.append(val_cost)
            h.val_accuracy.append(val_acc)

    def set(self, **settings: Any) -> None:
        """Change settings. ``lr``, ``l2`` and ``batch_size`` keep the weights and the history
        (training goes on from here); any other (data, features, architecture, activation,
        seed) builds a new model at epoch 0."""
        unknown = sorted(set(settings) - set(_DEFAULTS))
        if unknown:
            raise TypeError(
                f"set() got unknown settings {unknown}; the settings are {', '.join(_DEFAULTS)}"
            )
        merged = _check({**self._settings, **settings})
        changed = {k for k in settings if merged[k] != self._settings[k]}
        self._settings = merged
        if not changed:
            return
        if changed <= set(KEEP_WEIGHTS):
            self._optimizer.lr = merged["lr"]
            if "l2" in changed:
                self._build_step()  # the L2 term is part of the compiled step
            self._refresh()
            return
        if changed & {"dataset", "n", "noise", "test_fraction", "seed"}:
            self._build_data()
        self._build_model()
        self._refresh()

    def reset(self) -> None:
        """Back to the seeded start: the same first weights, epoch 0, the history cleared."""
        self._build_model()
        self._refresh()

    # --- what it shows --------------------------------------------------------------------------

    def decision(self) -> list[list[float]]:
        """The model's P(class 1) on a ``GRID`` × ``GRID`` grid over :attr:`extent` (row 0 at
        the top, y = ymax), the picture behind the points."""
        logits = [out[0] for out in self._step.measure(self._grid_rows)[1]]
        probabilities = [ops.SIGMOID.forward(z) for z in logits]  # the engine's own σ
        return [probabilities[r * GRID : (r + 1) * GRID] for r in range(GRID)]

    def neuron_pictures(self) -> list[list[list[list[float]]]]:
        """Each hidden neuron's output A over the grid: ``[layer][neuron]`` -> GRID × GRID."""
        if self._hidden is None:
            return []
        outs = self._hidden.forward_batch([(f,) for f, _ in self._grid_rows])
        pictures: list[list[list[list[float]]]] = []
        k = 0
        for width in self._settings["hidden"]:
            layer = []
            for _ in range(width):
                column = [o[k] if isinstance(o, tuple) else o for o in outs]
                layer.append([column[r * GRID : (r + 1) * GRID] for r in range(GRID)])
                k += 1
            pictures.append(layer)
        return pictures

    def _record(self) -> None:
        h = self._history
        last = len(h) - 1
        self._frames.append(
            {
                "epoch": len(h),
                "cost": h.cost[last] if h.cost else self._scores(self._step.rows)[0],
                "val_cost": h.val_cost[last] if h.val_cost else None,
                "accuracy": h.accuracy[last] if h.accuracy else None,
                "val_accuracy": h.val_accuracy[last] if h.val_accuracy else None,
                "heat": [[round(p, 3) for p in row] for row in self.decision()],
            }
        )

    def title(self) -> str:
        s = self._settings
        layers = f"hidden {s['hidden']}" if s["hidden"] else "no hidden layer"
        return (
            f"{s['dataset']} · features {', '.join(s['features'])} · {layers} · "
            f"{s['activation']} · α = {s['lr']:g}" + (f" · L2 {s['l2']:g}" if s["l2"] else "")
        )

    def run(self, max_frames: int = 300) -> dict[str, Any]:
        """The run so far as plain data (what :meth:`save` writes): the points, and one frame
        per epoch from epoch 0 (at most ``max_frames``, evenly spaced, the last one kept)."""
        frames = [_finite_frame(f) for f in self._frames]
        if len(frames) > max_frames:
            step = (len(frames) - 1) / (max_frames - 1)
            frames = [frames[round(i * step)] for i in range(max_frames)]
        return {
            "title": self.title(),
            "extent": list(self.extent),
            "train": [[a, b, t] for (a, b), t in zip(*self._train)],
            "test": [[a, b, t] for (a, b), t in zip(*self._test)],
            "frames": frames,
        }

    def save(self, path: str | Path) -> Path:
        """Write the run so far as one self-contained HTML page that replays it (Play/Pause
        and a slider over the epochs; no kernel, no network): for a teacher's slides."""
        from .replay import save_replay

        return save_replay(self.run(), path)

    def snapshot(self) -> Figure:
        """What the playground shows now, as a Figure that displays itself: the decision
        picture with the train (●) and test (○) points, the cost curves, and each hidden
        neuron's picture."""
        from .playground_views import snapshot_figure

        return snapshot_figure(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from .playground_views import mimebundle

        return mimebundle(self, include, exclude)


def _finite_frame(frame: dict[str, Any]) -> dict[str, Any]:
    """A frame as a page can show it: a cost that overflowed (the learning rate too large) is
    None, a probability that became NaN is 0.5 (no opinion)."""

    def number(x: Any) -> Any:
        return x if x is None or math.isfinite(x) else None

    return {
        **{k: number(v) for k, v in frame.items() if k not in ("epoch", "heat")},
        "epoch": frame["epoch"],
        "heat": [[p if p == p else 0.5 for p in row] for row in frame["heat"]],
    }
