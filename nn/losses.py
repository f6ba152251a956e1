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
import sys
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, NamedTuple

import autograd
from autograd import Constant, Value
from autograd.functional import check_within

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


def _float_targets(name: str, targets: list[Any]) -> list[Any]:
    """Numbers as checked floats; Values (a compiled function's inputs) as they are.

    A Value target is taken as given -- no check reads its data -- so that a function using
    a loss can be compiled with the targets as inputs.
    """
    out: list[Any] = []
    for i, y in enumerate(targets):
        if isinstance(y, Value):
            out.append(y)
            continue
        if not isinstance(y, numbers.Real):
            raise TypeError(
                f"{name}() takes real numbers as targets; target #{i} is {type(y).__name__} {y!r}"
            )
        y = float(y)
        if not math.isfinite(y):
            raise ValueError(f"{name}() needs finite targets; target #{i} is {y!r}")
        out.append(y)
    return out


class _Targets(NamedTuple):
    """Which targets a loss accepts: closed ranges, and what to say about another one."""

    ranges: tuple[tuple[float, float], ...]
    message: Callable[[str, int, float], str]  # (loss name, target index, target) -> text

    def check(self, name: str, i: int, y: Any) -> Any:
        """A number is checked now. A Value target is read and checked now -- or, while a
        compiled function is being traced, goes through a check node that checks it at
        every call (its number now is only the trace's)."""
        if isinstance(y, Value):
            if autograd.is_tracing():
                return check_within(y, self.ranges, partial(self.message, name, i))
            number = y.data
        else:
            number = y
        if not any(lo <= number <= hi for lo, hi in self.ranges):
            raise ValueError(self.message(name, i, number))
        return y


def _finite(name: str, i: int, y: float) -> str:
    return f"{name}() needs finite targets; target #{i} is {y!r}"


def _unit_interval(name: str, i: int, y: float) -> str:
    return f"{name}() needs targets in [0, 1] (class labels 0 and 1); target #{i} is {y!r}"


def _pm1(name: str, i: int, y: float) -> str:
    hint = " (convert 0/1 labels with nn.data.to_pm1)" if y == 0.0 else ""
    return f"{name}() needs labels -1 or +1; target #{i} is {y!r}{hint}"


def _probability(name: str, i: int, p: float) -> str:
    return f"{name}() needs class probabilities in [0, 1]; target #{i} has {p!r}"


_PROBABILITY = _Targets(((0.0, 1.0),), _probability)
_ANY_TARGET = _Targets(((-sys.float_info.max, sys.float_info.max),), _finite)
_UNIT_TARGET = _Targets(((0.0, 1.0),), _unit_interval)
_PM1_TARGET = _Targets(((-1.0, -1.0), (1.0, 1.0)), _pm1)
#: The targets each loss of one number per example accepts.
_ACCEPTED = {
    "difference": _ANY_TARGET,
    "mse": _ANY_TARGET,
    "binary_cross_entropy": _UNIT_TARGET,
    "bce_with_logits": _UNIT_TARGET,
    "hinge": _PM1_TARGET,
}


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
    # The article's names: one example's loss is L, the cost (their mean) is J. With several
    # examples in one picture the views number them, L(1), L(2), ...
    for loss in losses:
        loss.label = "L"
    if reduction == "mean":
        out = autograd.mean(losses)
        out.label = "J"
    else:
        out = autograd.sum(losses)
        out.label = "ΣL"
    return out


def _target(y: Any, label: str = "y") -> Any:
    """A target number as a Constant named ``y``, so every view tells it from an input (a
    Value -- a compiled function's input -- is taken as it is)."""
    return y if isinstance(y, Value) else Constant(y, label=label)


def _elementwise(
    name: str,
    predictions: Sequence[Value | float],
    targets: Sequence[float],
    reduction: str,
    per_example: Callable[[Value, float], Value],
    check_prediction: Callable[[int, Value], Value] | None = None,
) -> Value:
    _check_reduction(name, reduction)
    accepted = _ACCEPTED[name]
    preds, ys = _pairs(name, predictions, targets)
    values = [_lift(name, p, i) for i, p in enumerate(preds)]
    floats = [accepted.check(name, i, y) for i, y in enumerate(_float_targets(name, ys))]
    if check_prediction is not None:
        values = [check_prediction(i, p) for i, p in enumerate(values)]
    return _reduce([per_example(p, y) for p, y in zip(values, floats)], reduction)


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
    return _elementwise("difference", predictions, targets, reduction, lambda p, y: p - _target(y))


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
    return _elementwise("mse", predictions, targets, reduction, lambda p, y: (p - _target(y)) ** 2)


def _bce_one(p: Value, y: Any) -> Value:
    # Held inside [EPS, 1 - EPS], so log() never meets 0; where it is held the gradient
    # towards p is exactly 0, as for any clamp. A clamp node, not an ``if p.data < EPS``:
    # the same graph for every p, so a compiled function keeps deciding at every call.
    q = p.clamp(EPS, 1.0 - EPS)
    return -(_target(y) * q.log() + _target(1.0 - y, "1-y") * (1.0 - q).log())


def binary_cross_entropy(
    predictions: Sequence[Value | float], targets: Sequence[float], reduction: str = "mean"
) -> Value:
    """Log loss on probabilities: ``-(y log p + (1 - y) log(1 - p))``.

    ``predictions`` are probabilities in [0, 1] (e.g. a sigmoid output); ``targets`` are in
    [0, 1], normally the class labels 0 and 1. A probability outside [0, 1] is a ValueError
    (a raw score was probably passed: use :func:`bce_with_logits`).

    To keep ``log`` finite, p goes through a clamp node to [1e-12, 1 - 1e-12]: where p is
    outside that range the loss uses the bound instead, so the loss is at most about 27.6 per
    example and **the gradient towards p is then 0**, like any clamp.
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

    def check_prediction(i: int, p: Value) -> Value:
        message = (
            f"{name}() needs probabilities in [0, 1] as predictions; prediction #{i} is "
            "{!r} (for raw scores use bce_with_logits)"
        )
        if autograd.is_tracing():  # a check node: a compiled function checks at every call
            return check_within(p, [(0.0, 1.0)], message.format)
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(message.format(p.data))
        return p

    return _elementwise(
        name,
        predictions,
        targets,
        reduction,
        _bce_one,
        check_prediction,
    )


def _bce_logits_one(z: Value, y: Any) -> Value:
    # -(y log σ(z) + (1-y) log(1-σ(z))) = softplus(z) - z*y. softplus is one primitive,
    # computed stably for every z (it never exponentiates a positive number), and its
    # derivative is σ(z): the gradient is σ(z) - y everywhere, also at z = 0, where a
    # model starts (max(z, 0) and |z| written as relu() and abs() would give -y there).
    return z.softplus() - z * _target(y)


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
    return _elementwise(name, predictions, targets, reduction, _bce_logits_one)


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
        "hinge",
        predictions,
        targets,
        reduction,
        lambda s, y: (1.0 - _target(y) * s).relu(),
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


def _cross_entropy_one(row: list[Value], t: int | list[Any]) -> Value:
    # -log softmax(l)_t = log Σ_j exp(l_j - l_t): the differences first (exact for close
    # logits, however large), then one log-sum-exp node, which shifts by its largest input
    # so nothing overflows. The gradient is softmax(l) - y. The target's logit is
    # l_t = Σ_j y_j l_j with y the one-hot vector of t (or the class probabilities): exactly
    # l_t, and a graph that does not depend on which class is right -- the same graph a
    # compiled function replays for every example.
    y = t if isinstance(t, list) else [float(j == t) for j in range(len(row))]
    target = autograd.dot([_target(p, f"y[{j}]") for j, p in enumerate(y)], row)
    return autograd.logsumexp([v - target for v in row])


def cross_entropy(
    predictions: Sequence[Sequence[Value | float]],
    targets: Sequence[int | Sequence[Any]],
    reduction: str = "mean",
) -> Value:
    """Softmax cross-entropy for k classes: ``-log softmax(logits)[target]``.

    ``predictions`` has one row of k raw scores (logits) per example; every row has the same
    k >= 1. Each target is an integer class index in [0, k), or a list of k class
    probabilities (one-hot, or soft labels; Values are taken as given, for compiling). The
    log-sum-exp is one stable node, so any finite logits work; the gradient towards logit j
    is ``softmax_j - target_j``.

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
    indices = [_class_target(name, y, i, k) for i, y in enumerate(ys)]
    return _reduce([_cross_entropy_one(r, t) for r, t in zip(lifted, indices)], reduction)


def _class_target(name: str, y: Any, i: int, k: int) -> int | list[Any]:
    """A class index, or a list of k probabilities (numbers checked, Values as given)."""
    if isinstance(y, (list, tuple)):
        if len(y) != k:
            raise ValueError(
                f"{name}() needs {k} class probabilities per target (one per logit); "
                f"target #{i} has {len(y)}"
            )
        probabilities = [
            _PROBABILITY.check(name, i, p) if isinstance(p, Value) else p
            for p in _float_targets(name, list(y))
        ]
        numbers_ = [p for p in probabilities if not isinstance(p, Value)]
        if any(not 0.0 <= p <= 1.0 for p in numbers_) or (
            len(numbers_) == k and abs(math.fsum(numbers_) - 1.0) > 1e-9
        ):
            raise ValueError(
                f"{name}() needs class probabilities in [0, 1] that sum to 1; target #{i} is "
                f"{list(y)!r}"
            )
        return probabilities
    if isinstance(y, Value):
        raise TypeError(
            f"{name}() takes a class index (int) or a list of k class probabilities as a "
            f"target; target #{i} is a Value ({y!r}): a compiled function passes one-hot "
            "lists of Values"
        )
    return _class_index(name, y, i, k)


def check_targets(loss: Loss, targets: Sequence[Any], k: int = 1) -> None:
    """Raise what the built-in ``loss`` raises for these ``targets`` (k outputs per
    example), without computing it: the same checks and the same messages, in a fraction of
    the time -- fit checks a whole training set once, up front, this way.

    >>> check_targets(hinge, [1, -1, 0])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: hinge() needs labels -1 or +1; target #2 is 0.0 (convert 0/1 labels ...)
    """
    name = loss.__name__
    ys = _as_list(name, targets, "targets")
    if loss is cross_entropy:
        for i, y in enumerate(ys):
            _class_target(name, y, i, k)
        return
    accepted = _ACCEPTED[name]
    for i, y in enumerate(_float_targets(name, ys)):
        accepted.check(name, i, y)


def l2(params: Iterable[Value | float], alpha: float) -> Value:
    """L2 regularisation (weight decay) ``alpha * sum(p*p)``, with the sum as one Σp·p node.

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
    out = float(alpha) * autograd.dot(values, values)  # Σ p·p, one node
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
