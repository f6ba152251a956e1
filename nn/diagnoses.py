"""When learning fails, say why: diagnoses in the article's words, with the numbers that show it.

``fit`` watches every run for the failures a learner meets first -- a learning rate that makes
the cost blow up, ReLU neurons that died, gradients that vanish or explode through the layers,
a cost that stopped moving short of the goal, sigmoid or tanh neurons stuck where their slope
is zero -- and names each one once, as a :class:`Diagnosis` in ``History.diagnosis`` and a
:class:`TrainingWarning`. A healthy run says nothing: a warning that cries wolf teaches people
to ignore warnings, so every threshold below is set well past what healthy runs show.

:func:`diagnose` is the same check-up on demand, for one batch, before or after training.

>>> from nn import MLP, SGD, data, fit
>>> X, y = data.moons(40, seed=0)
>>> model = MLP(2, [8, 1], seed=0)
>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     history = fit(model, X, y, optimizer=SGD(model.parameters(), lr=1e3), progress=False)
>>> [d.kind for d in history.diagnosis]
['diverged']
>>> print(history.diagnosis[0].message.split(":")[0])
the cost J diverged at epoch 2
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd import Value, ops

__all__ = [
    "Diagnosis",
    "TrainingWarning",
    "Checkup",
    "diagnose",
    "layer_grad_norms",
    "KINDS",
    "RISING_EPOCHS",
    "RISE_FACTOR",
    "JUMP_FACTOR",
    "DEAD_FRACTION",
    "GRADIENT_RATIO",
    "GRADIENT_EPOCHS",
    "PLATEAU_EPOCHS",
    "PLATEAU_CHANGE",
    "PLATEAU_ACCURACY",
    "FLAT_SLOPE",
    "SATURATED_EXAMPLES",
    "SATURATED_FRACTION",
    "SAMPLE",
]

#: The kinds of diagnosis, in the order a learner should read them.
KINDS = ("diverged", "dead", "vanishing", "exploding", "plateau", "saturated")

RISING_EPOCHS = 5
"""Diverged, slowly: the cost rose in each of this many epochs in a row. One or two rising
epochs are normal with minibatches (each epoch sees the examples in another order); five in a
row, ending above :data:`RISE_FACTOR` times the lowest cost, is a step that overshoots."""

RISE_FACTOR = 1.5
"""How far above its lowest the cost must have climbed for a rise to count as divergence."""

JUMP_FACTOR = 100.0
"""Diverged, at once: the cost jumped to this many times its lowest so far. A healthy epoch
never multiplies the cost by a hundred; an overshooting step does it in one or two."""

DEAD_FRACTION = 0.5
"""Dead ReLUs: report a hidden layer when at least this share of its ReLU neurons output 0 for
every example. A few dead neurons are common in healthy networks (the rest carry on); half a
layer is capacity lost, and the usual cause is a learning rate or an initialisation."""

GRADIENT_RATIO = 1e3
"""Vanishing or exploding: the first layer's gradient norm is this many times smaller (or
larger) than the last layer's. Healthy networks stay within a factor of ~10-100; a thousand
means the early layers learn a thousand times slower (or faster) than the last."""

GRADIENT_EPOCHS = 5
"""Gradient flow is judged on the first this many epochs (the median of their ratios): an
untrained network shows it plainest, and a converged one has gradients near 0 everywhere."""

PLATEAU_EPOCHS = 20
"""A plateau is judged over the last this many epochs (and only in a run at least this long)."""

PLATEAU_CHANGE = 1e-3
"""...during which the cost changed by less than this fraction of itself..."""

PLATEAU_ACCURACY = 0.9
"""...while the training accuracy stayed below this. Only for a model with a hidden layer: a
single layer that cannot separate the data (a perceptron on XOR) is the lesson of chapter 10,
not a training problem -- its fix is a hidden layer, not a hyper-parameter."""

FLAT_SLOPE = 0.05
"""A sigmoid or tanh neuron is *flat* on an example where its slope is below this share of
its steepest (σ' at most 0.25, tanh' at most 1): the gradient through it is ~0 there."""

SATURATED_EXAMPLES = 0.9
"""A neuron is saturated when it is flat on at least this share of the examples."""

SATURATED_FRACTION = 0.5
"""Report a hidden layer when at least this share of its sigmoid/tanh neurons is saturated.
(The output layer is left out: a confident output is the goal, and bce keeps its gradient.)"""

SAMPLE = 256
"""Dead and saturated neurons are looked for on at most this many examples (spread over the
data), at the end of training: cheap, and a neuron flagged there is checked on every example
before it is called dead."""


class TrainingWarning(UserWarning):
    """Training went wrong in a way gradstep can name: the message says why and what to try.

    >>> issubclass(TrainingWarning, UserWarning)
    True
    """


@dataclass(frozen=True)
class Diagnosis:
    """One finding: its ``kind`` (one of :data:`KINDS`), the ``epoch`` it was seen (1-based;
    None in a one-batch check-up), the ``layer`` (1-based, as W1, W2...; None for the whole
    model) and the ``message`` in plain words.

    >>> d = Diagnosis("dead", 12, 1, "...")
    >>> d.kind, d.layer
    ('dead', 1)
    """

    kind: str
    epoch: int | None
    layer: int | None
    message: str

    def __str__(self) -> str:
        return self.message


# --- what the model is made of ----------------------------------------------------------------


def layers_of(model: Any) -> list[Any] | None:
    """The model's layers in order (an MLP's; a Layer or a Neuron is one), or None for a model
    of your own, whose structure is not known here."""
    from .layers import MLP, Layer, Neuron

    if isinstance(model, MLP):
        return list(model.layers)
    if isinstance(model, (Layer, Neuron)):
        return [model]
    return None


def _activation(layer: Any) -> str:
    return str(layer.activation)


def hidden_activation(model: Any) -> str | None:
    """The activation every hidden layer shares, or None (none known, or several)."""
    layers = layers_of(model)
    kinds = {_activation(layer) for layer in (layers or [])[:-1]}
    return kinds.pop() if len(kinds) == 1 else None


def layer_grad_norms(model: Any, groups: Sequence[Sequence[Value]] | None = None) -> list[float]:
    """Each layer's gradient size: the L2 norm of its parameters' ``.grad`` (layer 1 first; an
    empty list for a model whose layers are not known). ``groups``: each layer's
    ``parameters()``, if the caller keeps them (fit does, to walk the model once per run).

    >>> from nn import MLP
    >>> m = MLP(2, [3, 1], seed=0)
    >>> m.layers[1].neurons[0].b.grad = 3.0
    >>> layer_grad_norms(m)
    [0.0, 3.0]
    """
    if groups is None:
        layers = layers_of(model)
        groups = [] if layers is None else [layer.parameters() for layer in layers]
    norms = []
    for params in groups:
        squares = [p.grad * p.grad for p in params]
        finite = all(map(math.isfinite, squares))
        norms.append(math.sqrt(math.fsum(squares)) if finite else math.inf)
    return norms


# --- the checks ------------------------------------------------------------------------------


def check_divergence(cost: Sequence[float], lr: Any) -> Diagnosis | None:
    """The cost became inf/NaN, or rose :data:`RISING_EPOCHS` epochs in a row."""
    epoch = len(cost)
    now = cost[-1]
    finite = [c for c in cost if math.isfinite(c)]
    if not math.isfinite(now):
        why = f"the cost J diverged at epoch {epoch}: it became {now} (it was "
        why += f"{finite[-1]:.4g} at epoch {len(finite)})" if finite else "so from the start)"
    elif finite and now > JUMP_FACTOR * max(min(finite), 1e-12):
        why = (
            f"the cost J diverged at epoch {epoch}: it jumped to {now:.4g}, "
            f"{_times(now / max(min(finite), 1e-12))} its lowest ({min(finite):.4g})"
        )
    elif (
        epoch > RISING_EPOCHS
        and all(cost[-k] > cost[-k - 1] for k in range(1, RISING_EPOCHS + 1))
        and now > RISE_FACTOR * min(finite)
    ):
        why = (
            f"the cost J diverged at epoch {epoch}: it rose {RISING_EPOCHS} epochs in a row, "
            f"to {now:.4g} from its lowest {min(finite):.4g}"
        )
    else:
        return None
    rate = f" with the learning rate α = lr = {lr:g}" if isinstance(lr, (int, float)) else ""
    return Diagnosis(
        "diverged",
        epoch,
        None,
        f"{why}. Each step w := w - α·dJ/dw overshoots the valley{rate}: the steps are too "
        "big. Try a learning rate ten times smaller"
        + (f" (lr={lr / 10:g})" if isinstance(lr, (int, float)) else "")
        + ". Training stopped and the weights were put back to those of the epoch with the "
        "lowest cost.",
    )


#: Why a gradient shrinks on its way back, by the hidden layers' activation.
_WHY_VANISHING = {
    "sigmoid": "The chain rule multiplies one local derivative per layer, and σ' is at most "
    "0.25: through many sigmoid layers the product shrinks. Try tanh or relu in the hidden "
    "layers, or fewer layers.",
    "tanh": "The chain rule multiplies one local derivative per layer, and tanh' = 1 - A² is "
    "small wherever |Z| is large: through many layers the product shrinks. Try relu, smaller "
    "initial weights, or fewer layers.",
    "relu": "A ReLU whose Z < 0 passes no gradient back (its slope is 0): when most neurons of "
    "a layer are off, little or nothing reaches the layers before it. Try a smaller learning "
    "rate, another seed, or activation='tanh'.",
}


def check_gradients(
    norms: Sequence[Sequence[float]], epoch: int | None, activation: str | None = None
) -> Diagnosis | None:
    """Vanishing or exploding: the first layer's gradient norm against the last's, the median
    over the first epochs (where gradients flow through an untrained network). ``activation``
    (the hidden layers', if one for all) picks the explanation."""
    # (ratio, epoch, layer 1's norm, the last layer's norm) of each epoch that has them all
    seen = []
    for e, per_layer in enumerate(norms[:GRADIENT_EPOCHS]):
        if len(per_layer) < 2 or not all(map(math.isfinite, per_layer)):
            continue
        first, last = per_layer[0], per_layer[-1]
        if last > 0:
            seen.append((first / last if first > 0 else 0.0, e + 1, first, last))
    if not seen:
        return None
    # The median epoch itself (the lower one of an even count), so the figures quoted are
    # the very ones the ratio was taken from: a learner can check the division.
    ratio, at, first, last = sorted(seen)[(len(seen) - 1) // 2]
    n = len(norms[0])
    where = f"epoch {at}, " if len(seen) > 1 else ""
    figures = f"({where}layer 1: {first:.2g}, layer {n}: {last:.2g})"
    if ratio <= 1 / GRADIENT_RATIO:
        return Diagnosis(
            "vanishing",
            epoch,
            1,
            f"vanishing gradients: layer 1's gradient is "
            f"{_times(1 / ratio) + ' smaller than' if ratio else '0, against'} layer "
            f"{n}'s {figures}, so the first layers barely learn. "
            + _WHY_VANISHING.get(
                str(activation),
                "The chain rule multiplies one local derivative per layer: where they are "
                "below 1 the product shrinks layer after layer. Try relu or tanh in the hidden "
                "layers, smaller initial weights, or fewer layers.",
            ),
        )
    if ratio >= GRADIENT_RATIO:
        return Diagnosis(
            "exploding",
            epoch,
            1,
            f"exploding gradients: layer 1's gradient is {_times(ratio)} larger than layer "
            f"{n}'s {figures}: the products of the chain rule grow layer after layer, so a "
            "step that suits the last layer throws the first ones far. Try smaller initial "
            "weights (init='xavier'), a smaller learning rate, or fewer layers.",
        )
    return None


def _times(x: float) -> str:
    """A ratio as a learner reads it: ``1,234 times``; ``3e+13 times`` past a million."""
    if not math.isfinite(x):
        return "infinitely many times"
    return f"{x:,.0f} times" if x < 1e6 else f"{x:.2g} times"


def check_plateau(
    cost: Sequence[float], accuracy: Sequence[float | None], hidden: bool, lr: Any
) -> Diagnosis | None:
    """The cost stopped moving while the accuracy is well short of 100%."""
    if not hidden or len(cost) < PLATEAU_EPOCHS or not accuracy or accuracy[-1] is None:
        return None
    window = cost[-PLATEAU_EPOCHS:]
    if not all(map(math.isfinite, window)):
        return None
    change = max(window) - min(window)
    if change > PLATEAU_CHANGE * max(abs(window[-1]), 1e-12) or accuracy[-1] >= PLATEAU_ACCURACY:
        return None
    epoch = len(cost)
    return Diagnosis(
        "plateau",
        epoch,
        None,
        f"a plateau: the cost J has stayed at {window[-1]:.4g} for {PLATEAU_EPOCHS} epochs "
        f"while the training accuracy is {accuracy[-1]:.0%}. Gradient descent has settled "
        "where the gradient is ~0 -- a local minimum, or a flat region -- short of a good "
        "answer. Try another seed (other starting weights), more hidden neurons, another "
        "activation, or a larger learning rate"
        + (f" than {lr:g}." if isinstance(lr, (int, float)) else "."),
    )


@dataclass
class LayerActivity:
    """What one hidden layer's neurons did on the sample: how many never fired (ReLU) or were
    flat on most examples (sigmoid/tanh), of how many."""

    layer: int
    activation: str
    neurons: int
    dead: list[int] = field(default_factory=list)
    saturated: list[int] = field(default_factory=list)


#: The hidden activations' primitives: their forward and derivative rules from
#: ``autograd.ops``, run on plain floats (no graph). None: linear, A = Z.
_RULES: dict[str, ops.Op | None] = {
    "relu": ops.RELU,
    "tanh": ops.TANH,
    "sigmoid": ops.SIGMOID,
    "linear": None,
}


def _hidden_values(
    hidden: list[Any], rules: list[ops.Op | None], X: Sequence[Sequence[float]]
) -> list[tuple[list[list[float]], list[list[float]]]]:
    """(Z, A) of every hidden layer on the examples ``X``: one row per neuron, one entry per
    example, with the engine's own forward rules and no graph.

    With NumPy at hand a layer is one matrix product (:func:`autograd.ops.dot_layer`, the
    compiled backend's form of DOT) and the activation's array form: a wide layer (784
    inputs) costs milliseconds. Without it, the float rules example by example."""
    np: Any
    try:
        import numpy as np
    except ImportError:
        np = None
    weights = [[([w.data for w in n.w], n.b.data) for n in layer.neurons] for layer in hidden]
    found = []
    if np is not None:
        values = np.array(X, dtype=float).T  # (inputs, examples)
        for neurons, op in zip(weights, rules):
            W = np.array([w for w, _ in neurons], dtype=float)
            b = np.array([[b] for _, b in neurons], dtype=float)
            zs = ops.dot_layer(W, values, b)
            values = zs if op is None else op.vforward(zs)  # type: ignore[misc]
            found.append((zs.tolist(), values.tolist()))
        return found
    dot = ops.DOT.forward
    rows: list[tuple[list[list[float]], list[list[float]]]] = [
        ([[] for _ in n], [[] for _ in n]) for n in weights
    ]
    for x in X:
        example = [float(v) for v in x]
        for (z_rows, a_rows), neurons, op in zip(rows, weights, rules):
            zs = [dot(*w, *example, b) for w, b in neurons]
            example = zs if op is None else [op.forward(z) for z in zs]
            for row, z in zip(z_rows, zs):
                row.append(z)
            for row, a in zip(a_rows, example):
                row.append(a)
    return rows


def activity(model: Any, X: Sequence[Sequence[float]]) -> list[LayerActivity]:
    """Dead and saturated neurons of each hidden layer on the examples ``X``."""
    layers = layers_of(model)
    if layers is None or len(layers) < 2 or not len(X):
        return []
    hidden = layers[:-1]
    if any(_activation(layer) not in _RULES for layer in hidden):
        return []  # the step activation: no slope to speak of
    rules = [_RULES[_activation(layer)] for layer in hidden]
    found = []
    for i, (layer, op, (z_rows, a_rows)) in enumerate(
        zip(hidden, rules, _hidden_values(hidden, rules, X))
    ):
        act = _activation(layer)
        entry = LayerActivity(i + 1, act, len(layer.neurons))
        if op is not None and act != "relu":  # sigmoid, tanh: the slope, from the op's rule
            steepest = op.derivative(0.0, op.forward(0.0))[0]
        for j, (zs, activations) in enumerate(zip(z_rows, a_rows)):
            if act == "relu":
                if all(a <= 0 for a in activations):
                    entry.dead.append(j)
            elif op is not None:
                flat = sum(
                    op.derivative(z, a)[0] < FLAT_SLOPE * steepest
                    for z, a in zip(zs, activations)
                )
                if flat >= SATURATED_EXAMPLES * len(zs):
                    entry.saturated.append(j)
        found.append(entry)
    return found


def spread(X: Sequence[Any], n: int = SAMPLE) -> list[Any]:
    """At most ``n`` examples spread evenly over ``X`` (the same ones every time)."""
    if len(X) <= n:
        return list(X)
    step = len(X) / n
    return [X[int(k * step)] for k in range(n)]


def check_activity(
    model: Any,
    X: Sequence[Sequence[float]],
    epoch: int | None,
    sampled: list[LayerActivity] | None = None,
) -> list[Diagnosis]:
    """Dead ReLUs and saturated sigmoid/tanh neurons, per hidden layer (``sampled``: the
    :func:`activity` of ``spread(X)``, if the caller has it already)."""
    found = []
    for entry in activity(model, spread(X)) if sampled is None else sampled:
        share = DEAD_FRACTION * entry.neurons
        if entry.dead and len(entry.dead) >= share and len(X) > SAMPLE:
            # Seen on the sample; a neuron is dead only if it fires for no example at all.
            full = activity(model, X)[entry.layer - 1]
            entry.dead = full.dead
        if entry.dead and len(entry.dead) >= share:
            found.append(
                Diagnosis(
                    "dead",
                    epoch,
                    entry.layer,
                    f"dead neurons: {len(entry.dead)} of the {entry.neurons} ReLU neurons of "
                    f"layer {entry.layer} output 0 for every example (A{entry.layer}"
                    f"{_indices(entry.dead)}). Where Z < 0 the ReLU's slope is 0, so no "
                    "gradient reaches their weights: they can never learn again. Usually a "
                    "learning rate too large knocked them there; try a smaller one, another "
                    "seed, or activation='tanh'.",
                )
            )
        if entry.saturated and len(entry.saturated) >= SATURATED_FRACTION * entry.neurons:
            slope = "σ'(Z) = A(1 - A)" if entry.activation == "sigmoid" else "tanh'(Z) = 1 - A²"
            found.append(
                Diagnosis(
                    "saturated",
                    epoch,
                    entry.layer,
                    f"saturated neurons: {len(entry.saturated)} of the {entry.neurons} "
                    f"{entry.activation} neurons of layer {entry.layer} sit where their slope "
                    f"{slope} is ~0 on most examples (A{entry.layer}"
                    f"{_indices(entry.saturated)}), so little gradient passes through them. "
                    "Their Z is too large: scale the inputs (standardize), start from smaller "
                    "weights, or use a smaller learning rate.",
                )
            )
    return found


def _indices(js: list[int]) -> str:
    shown = ", ".join(f"[{j}]" for j in js[:6])
    return shown + (", ..." if len(js) > 6 else "")


# --- the one-batch check-up ----------------------------------------------------------------


@dataclass
class Checkup:
    """What :func:`diagnose` found: per-layer gradient norms, each hidden layer's dead and
    saturated neurons, and the findings in words. Prints as text; shows as a card in Jupyter.
    """

    cost: float
    grad_norms: list[float]
    layers: list[LayerActivity]
    findings: list[Diagnosis]

    def __str__(self) -> str:
        lines = [f"check-up on one batch: cost J = {self.cost:.4g}"]
        for i, norm in enumerate(self.grad_norms):
            lines.append(f"  layer {i + 1}: gradient norm {norm:.3g}")
        for entry in self.layers:
            kind = "dead" if entry.activation == "relu" else "saturated"
            count = len(entry.dead if kind == "dead" else entry.saturated)
            if entry.activation in ("relu", "sigmoid", "tanh"):
                lines.append(
                    f"  layer {entry.layer} ({entry.activation}): {count} of {entry.neurons} "
                    f"neurons {kind}"
                )
        lines += [f"- {d.message}" for d in self.findings] or ["no problem found"]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head, *rest = str(self).splitlines()
        items = "".join(f"<li>{html.escape(line.lstrip('- '))}</li>" for line in rest)
        return (
            '<div class="gradstep-checkup" style="font-family:sans-serif;max-width:800px">'
            f"<b>{html.escape(head)}</b><ul>{items}</ul></div>"
        )


def diagnose(model: Any, X: Sequence[Any], y: Sequence[Any], loss: Any = "mse") -> Checkup:
    """A check-up on one batch (``X``, ``y``: up to :data:`SAMPLE` examples spread over them),
    before or after training: forward, backward, then each layer's gradient norm, the dead and
    saturated neurons of each hidden layer, and what they mean in words. The model's ``.grad``
    are left as they were.

    >>> from nn import MLP, data
    >>> X, y = data.moons(50, seed=0)
    >>> deep = MLP(2, [8] * 8 + [1], activation="sigmoid", seed=0)
    >>> report = diagnose(deep, X, y, loss="bce_with_logits")
    >>> [d.kind for d in report.findings]
    ['vanishing']
    """
    from .losses import get_loss

    loss_fn = get_loss(loss)
    xs, ys = spread(X), spread(list(y))
    params = model.parameters()
    saved = [p.grad for p in params]
    try:
        for p in params:
            p.grad = 0.0
        cost: Value = loss_fn([model(x) for x in xs], ys)
        cost.backward()
        norms = layer_grad_norms(model)
    finally:
        for p, g in zip(params, saved):
            p.grad = g
    gradients = check_gradients([norms], None, hidden_activation(model)) if norms else None
    findings = [gradients] if gradients is not None else []
    layers = activity(model, xs)
    findings += check_activity(model, xs, None, layers)
    return Checkup(cost.data, norms, layers, findings)
