"""Loss functions: how far a prediction is from the truth, as a differentiable ``Value``.

A *loss* compares one prediction with one target; the *cost* J is the mean of the losses over
the m examples, and it is what gradient descent minimises. Every loss here takes
``(predictions, targets, reduction="mean")`` and returns one ``Value``:

* ``reduction="mean"`` (the default) gives the cost J as ONE ``autograd.mean`` node whose m
  parents are the per-example losses (drawn as a single node, as in the textbook picture);
* ``reduction="sum"`` gives their total as one ``autograd.sum`` node.

Each per-example loss is built from ordinary ``Value`` operations, so ``backward()`` reaches
the parameters through it.

>>> from autograd import Value
>>> w = Value(0.5, label="w")
>>> J = mse([w * 1.0, w * 2.0], [1.0, 2.0])   # J(w) = ((w-1)**2 + (2w-2)**2) / 2
>>> J.op.name, len(J.parents), J.data
('mean', 2, 0.625)
>>> J.backward()
>>> w.grad                                     # dJ/dw = (w-1) + 4(w-1)
-2.5

Which loss for which output:

=========================  ====================  ==============================
loss                       prediction            targets
=========================  ====================  ==============================
``difference``             any score             any number (a warning example)
``mse``                    any score             any number
``binary_cross_entropy``   probability in [0,1]  in [0, 1] (usually 0 or 1)
``bce_with_logits``        raw score (logit)     in [0, 1] (usually 0 or 1)
``hinge``                  raw score             -1 or +1
``cross_entropy``          k raw scores          class index 0 .. k-1
=========================  ====================  ==============================
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import autograd
from autograd import Constant, Value

__all__ = [
    "difference",
    "mse",
    "binary_cross_entropy",
    "bce_with_logits",
    "hinge",
    "cross_entropy",
    "l2",
    "LOSSES",
    "get_loss",
    "REDUCTIONS",
    "EPS",
]

#: The accepted values of ``reduction``.
REDUCTIONS = ("mean", "sum")

#: How close to 0 or 1 ``binary_cross_entropy`` lets a probability get before clamping it.
EPS = 1e-12

Loss = Callable[..., Value]


# --- shared validation and reduction -----------------------------------------------------


def _check_reduction(name: str, reduction: Any) -> None:
    if not (isinstance(reduction, str) and reduction in REDUCTIONS):
        raise ValueError(
            f"{name}() got reduction={reduction!r}; accepted: 'mean' (the cost J) or 'sum'"
        )


def _as_list(name: str, items: Any, what: str) -> list[Any]:
    if isinstance(items, (Value, numbers.Number, str, bytes)):
        raise TypeError(
            f"{name}() takes a list of {what}, got {type(items).__name__} {items!r}; "
            f"for a single example pass [{items!r}]"
        )
    try:
        return list(items)
    except TypeError:
        raise TypeError(
            f"{name}() takes a list of {what}, got {type(items).__name__} {items!r}"
        ) from None


def _lift(name: str, x: Any, i: int) -> Value:
    """A prediction as a Value: Values pass through, real numbers become constant leaves."""
    if isinstance(x, Value):
        return x
    try:
        return Constant(x)
    except TypeError:
        raise TypeError(
            f"{name}() takes Values or real numbers as predictions; "
            f"prediction #{i} is {type(x).__name__} {x!r}"
        ) from None


def _float_targets(name: str, targets: list[Any]) -> list[float]:
    out = []
    for i, y in enumerate(targets):
        if isinstance(y, Value):
            raise TypeError(
                f"{name}() takes plain numbers as targets; target #{i} is a Value ({y!r}), "
                "use its .data"
            )
        if not isinstance(y, numbers.Real):
            raise TypeError(
                f"{name}() takes real numbers as targets; target #{i} is {type(y).__name__} {y!r}"
            )
        y = float(y)
        if not math.isfinite(y):
            raise ValueError(f"{name}() needs finite targets; target #{i} is {y!r}")
        out.append(y)
    return out


def _pairs(name: str, predictions: Any, targets: Any) -> tuple[list[Any], list[Any]]:
    preds = _as_list(name, predictions, "predictions")
    ys = _as_list(name, targets, "targets")
    if not preds or not ys:
        raise ValueError(
            f"{name}() needs at least one example, got {len(preds)} predictions "
            f"and {len(ys)} targets"
        )
    if len(preds) != len(ys):
        raise ValueError(
            f"{name}() needs one target per prediction, got {len(preds)} predictions "
            f"and {len(ys)} targets"
        )
    return preds, ys


def _reduce(losses: list[Value], reduction: str) -> Value:
    for i, loss in enumerate(losses):
        loss.label = f"loss[{i}]"
    if reduction == "mean":
        out = autograd.mean(losses)
        out.label = "J"
    else:
        out = autograd.sum(losses)
        out.label = "sum(loss)"
    return out


def _elementwise(
    name: str,
    predictions: Sequence[Value | float],
    targets: Sequence[float],
    reduction: str,
    per_example: Callable[[Value, float], Value],
    check_target: Callable[[int, float], None] | None = None,
    check_prediction: Callable[[int, Value], None] | None = None,
) -> Value:
    _check_reduction(name, reduction)
    preds, ys = _pairs(name, predictions, targets)
    values = [_lift(name, p, i) for i, p in enumerate(preds)]
    floats = _float_targets(name, ys)
    if check_target is not None:
        for i, y in enumerate(floats):
            check_target(i, y)
    if check_prediction is not None:
        for i, p in enumerate(values):
            check_prediction(i, p)
    return _reduce([per_example(p, y) for p, y in zip(values, floats)], reduction)


def _unit_interval_targets(name: str) -> Callable[[int, float], None]:
    def check(i: int, y: float) -> None:
        if not 0.0 <= y <= 1.0:
            raise ValueError(
                f"{name}() needs targets in [0, 1] (class labels 0 and 1); target #{i} is {y!r}"
            )

    return check


# --- the losses --------------------------------------------------------------------------


def difference(
    predictions: Sequence[Value | float], targets: Sequence[float], reduction: str = "mean"
) -> Value:
    """The plain signed difference ``y_hat - y`` -- a loss that does NOT work, on purpose.

    It is the first idea everyone has, and it shows why a loss must be bounded below: the
    cost is *linear* in the prediction (and so in w for a linear model), it has no minimum,
    and its gradient is the constant 1 whatever the error. Gradient descent simply pushes
    every prediction towards minus infinity; over-shooting and under-shooting cancel in
    the mean. Use ``mse`` or a cross-entropy instead.

    >>> from autograd import Value
    >>> w = Value(1.0)
    >>> J = difference([w * 2.0, w * -1.0], [3.0, 0.0])
    >>> J.data            # ((2 - 3) + (-1 - 0)) / 2
    -1.0
    >>> J.backward()
    >>> w.grad            # (2 + -1) / 2, wherever w is: a straight line
    0.5
    """
    return _elementwise("difference", predictions, targets, reduction, lambda p, y: p - y)


def mse(
    predictions: Sequence[Value | float], targets: Sequence[float], reduction: str = "mean"
) -> Value:
    """Squared error ``(y_hat - y)**2``; with the mean, the mean squared error.

    >>> J = mse([2.0, 0.0], [1.0, 2.0])   # (1 + 4) / 2
    >>> J.data
    2.5
    >>> mse([2.0, 0.0], [1.0, 2.0], reduction="sum").data
    5.0
    """
    return _elementwise("mse", predictions, targets, reduction, lambda p, y: (p - y) ** 2)


def _clamp_probability(p: Value) -> Value:
    # Outside [EPS, 1 - EPS] the loss sees a constant, so log() never meets 0. ``p * 0.0``
    # keeps p in the graph (the picture still shows where the number came from) and sends
    # it a gradient of exactly 0 -- the derivative of a clamp outside its range.
    if p.data < EPS:
        return p * 0.0 + EPS
    if p.data > 1.0 - EPS:
        return p * 0.0 + (1.0 - EPS)
    return p


def _bce_one(p: Value, y: float) -> Value:
    q = _clamp_probability(p)
    return -(y * q.log() + (1.0 - y) * (1.0 - q).log())


def binary_cross_entropy(
    predictions: Sequence[Value | float], targets: Sequence[float], reduction: str = "mean"
) -> Value:
    """Log loss on probabilities: ``-(y log p + (1 - y) log(1 - p))``.

    ``predictions`` are probabilities in [0, 1] (e.g. a sigmoid output); ``targets`` are in
    [0, 1], normally the class labels 0 and 1. A probability outside [0, 1] is a ValueError
    (a raw score was probably passed: use :func:`bce_with_logits`).

    To keep ``log`` finite, p is clamped to [1e-12, 1 - 1e-12]: where ``p.data`` is outside
    that range the loss uses the constant ``p * 0 + eps`` (or ``1 - eps``), so the loss is at
    most about 27.6 per example and **the gradient towards p is then 0**, like any clamp.
    A confidently wrong sigmoid output therefore stops learning; :func:`bce_with_logits` on the
    raw score does not have this problem.

    >>> from autograd import Value
    >>> p = Value(0.8)
    >>> J = binary_cross_entropy([p], [1])
    >>> round(J.data, 4)          # -log(0.8)
    0.2231
    >>> J.backward()
    >>> round(p.grad, 4)          # -1/p
    -1.25
    >>> round(binary_cross_entropy([0.0], [1]).data, 2)   # clamped: -log(1e-12)
    27.63
    """
    name = "binary_cross_entropy"

    def check_prediction(i: int, p: Value) -> None:
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(
                f"{name}() needs probabilities in [0, 1] as predictions; prediction #{i} is "
                f"{p.data!r} (for raw scores use bce_with_logits)"
            )

    return _elementwise(
        name,
        predictions,
        targets,
        reduction,
        _bce_one,
        _unit_interval_targets(name),
        check_prediction,
    )


def _bce_logits_one(z: Value, y: float) -> Value:
    # max(z, 0) - z*y + log(1 + exp(-|z|)), with max and |.| resolved by the sign of z.data.
    # exp only ever sees -|z| <= 0, so nothing overflows for any finite z. Writing max and |.|
    # as relu() and abs() would give the same value, but at z == 0 their one-sided
    # derivatives (both 0) would make the gradient -y instead of sigmoid(0) - y = 0.5 - y --
    # exactly where a zero-initialised model starts. Each branch below is smooth there.
    if z.data >= 0:
        return z * (1.0 - y) + (1.0 + (-z).exp()).log()
    return z * -y + (1.0 + z.exp()).log()


def bce_with_logits(
    predictions: Sequence[Value | float], targets: Sequence[float], reduction: str = "mean"
) -> Value:
    """Binary cross-entropy on raw scores z (logits): ``bce(sigmoid(z), y)``, computed stably.

    Per example the loss is ``max(z, 0) - z*y + log(1 + exp(-|z|))``, which never overflows:
    it is finite for every finite z (even ±1e6), and its gradient is exactly
    ``sigmoid(z) - y``. Targets are in [0, 1], normally the labels 0 and 1.

    >>> from autograd import Value
    >>> z = Value(0.0)
    >>> J = bce_with_logits([z], [1])
    >>> round(J.data, 4)          # log 2
    0.6931
    >>> J.backward()
    >>> z.grad                    # sigmoid(0) - 1
    -0.5
    >>> bce_with_logits([1e6, -1e6], [1, 1], reduction="sum").data   # no overflow
    1000000.0
    """
    name = "bce_with_logits"
    return _elementwise(
        name, predictions, targets, reduction, _bce_logits_one, _unit_interval_targets(name)
    )


def _pm1_targets(i: int, y: float) -> None:
    if y not in (-1.0, 1.0):
        hint = " (convert 0/1 labels with nn.data.to_pm1)" if y == 0.0 else ""
        raise ValueError(f"hinge() needs labels -1 or +1; target #{i} is {y!r}{hint}")


def hinge(
    predictions: Sequence[Value | float], targets: Sequence[float], reduction: str = "mean"
) -> Value:
    """Max-margin loss ``max(0, 1 - y * score)`` for labels y in {-1, +1}.

    A score on the right side with margin at least 1 costs nothing (and gets no gradient);
    anything else costs linearly. Labels must be -1 or +1: a 0 label is a ValueError, because
    with y = 0 the loss would be the constant 1 and nothing would be learned.

    >>> from autograd import Value
    >>> s = Value(0.25)
    >>> J = hinge([s, 3.0], [1, 1])    # (0.75 + 0) / 2
    >>> J.data
    0.375
    >>> J.backward()
    >>> s.grad                         # -y / m
    -0.5
    """
    return _elementwise(
        "hinge", predictions, targets, reduction, lambda s, y: (1.0 - y * s).relu(), _pm1_targets
    )


def _class_index(name: str, y: Any, i: int, k: int) -> int:
    if isinstance(y, bool) or not isinstance(y, numbers.Integral):
        raise TypeError(
            f"{name}() takes integer class indices as targets; "
            f"target #{i} is {type(y).__name__} {y!r}"
        )
    if not 0 <= int(y) < k:
        raise ValueError(
            f"{name}() needs class indices in [0, {k}) for {k} classes; target #{i} is {y!r}"
        )
    return int(y)


def _cross_entropy_one(row: list[Value], t: int) -> Value:
    # log sum_j exp(l_j) - l_t, shifted by the largest logit m (a plain float, not part of the
    # graph): log sum_j exp(l_j - m) - (l_t - m). Every exp sees a number <= 0, so nothing
    # overflows, and the gradient is still softmax(l) - onehot(t) since m is a constant.
    m = max(v.data for v in row)
    shifted = [v + (-m) for v in row]
    return autograd.sum([s.exp() for s in shifted]).log() - shifted[t]


def cross_entropy(
    predictions: Sequence[Sequence[Value | float]],
    targets: Sequence[int],
    reduction: str = "mean",
) -> Value:
    """Softmax cross-entropy for k classes: ``-log softmax(logits)[target]``.

    ``predictions`` has one row of k raw scores (logits) per example; every row has the same
    k >= 1. ``targets`` are integer class indices in [0, k). The log-sum-exp is shifted by each
    row's largest logit, so any finite logits work; the gradient towards logit j is
    ``softmax_j - [j == target]``.

    >>> from autograd import Value
    >>> row = [Value(2.0), Value(0.0), Value(0.0)]
    >>> J = cross_entropy([row], [0])
    >>> round(J.data, 4)              # -log(e**2 / (e**2 + 2))
    0.2395
    >>> J.backward()
    >>> [round(v.grad, 4) for v in row]
    [-0.213, 0.1065, 0.1065]
    """
    name = "cross_entropy"
    _check_reduction(name, reduction)
    rows, ys = _pairs(name, predictions, targets)
    lifted: list[list[Value]] = []
    k = None
    for i, row in enumerate(rows):
        if isinstance(row, (Value, numbers.Number, str, bytes)):
            raise TypeError(
                f"{name}() takes one list of k logits per example; row #{i} is "
                f"{type(row).__name__} {row!r}"
            )
        row = list(row)
        if k is None:
            k = len(row)
            if k == 0:
                raise ValueError(f"{name}() needs at least one logit per row; row #0 is empty")
        elif len(row) != k:
            raise ValueError(
                f"{name}() needs the same number of logits in every row (ragged logits): "
                f"row #0 has {k}, row #{i} has {len(row)}"
            )
        lifted.append([_lift(name, x, i) for x in row])
    assert k is not None
    indices = [_class_index(name, y, i, k) for i, y in enumerate(ys)]
    return _reduce([_cross_entropy_one(r, t) for r, t in zip(lifted, indices)], reduction)


def l2(params: Iterable[Value | float], alpha: float) -> Value:
    """L2 regularisation (weight decay) ``alpha * sum(p*p)``, with the sum as one node.

    Add it to the cost: ``J = mse(...) + l2(model.parameters(), 1e-3)``. Its gradient towards
    each parameter is ``2 * alpha * p``. ``alpha`` must be a finite number >= 0.

    >>> from autograd import Value
    >>> w = [Value(1.0), Value(-2.0)]
    >>> r = l2(w, 0.1)
    >>> round(r.data, 4)              # 0.1 * (1 + 4)
    0.5
    >>> r.backward()
    >>> [round(p.grad, 4) for p in w]
    [0.2, -0.4]
    """
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"l2() takes a real number as alpha, got {type(alpha).__name__} {alpha!r}")
    if not (math.isfinite(alpha) and alpha >= 0):
        raise ValueError(f"l2() needs a finite alpha >= 0, got {alpha!r}")
    values = [_lift("l2", p, i) for i, p in enumerate(_as_list("l2", params, "parameters"))]
    if not values:
        raise ValueError("l2() needs at least one parameter, got none")
    out = float(alpha) * autograd.sum([p * p for p in values])
    out.label = "l2"
    return out


#: Every loss by name; each takes ``(predictions, targets, reduction="mean")``.
LOSSES: dict[str, Loss] = {
    "difference": difference,
    "mse": mse,
    "binary_cross_entropy": binary_cross_entropy,
    "bce_with_logits": bce_with_logits,
    "hinge": hinge,
    "cross_entropy": cross_entropy,
}


def get_loss(name_or_callable: str | Loss) -> Loss:
    """The loss function called ``name`` in :data:`LOSSES`; a callable is returned as is.

    >>> get_loss("mse") is mse
    True
    >>> get_loss("msee")
    Traceback (most recent call last):
    ...
    ValueError: unknown loss 'msee'; accepted: 'difference', 'mse', ...
    """
    if isinstance(name_or_callable, str):
        try:
            return LOSSES[name_or_callable]
        except KeyError:
            accepted = ", ".join(repr(k) for k in LOSSES)
            raise ValueError(
                f"unknown loss {name_or_callable!r}; accepted: {accepted} (or a callable)"
            ) from None
    if callable(name_or_callable):
        return name_or_callable
    raise TypeError(
        "get_loss() takes a loss name or a callable, got "
        f"{type(name_or_callable).__name__} {name_or_callable!r}"
    )
