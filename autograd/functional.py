"""N-ary operations: one graph node for a whole sum, mean or weighted sum.

A neuron's ``w·x + b`` built from binary ``*`` and ``+`` costs 2n nodes; ``dot`` makes it
one node (drawn as a single Σ, as in the textbook picture) with the same gradients.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from . import ops
from .value import Constant, Operand, Value, _apply

__all__ = ["sum", "mean", "dot", "logsumexp", "check_within"]


def _values(items: Iterable[Operand], what: str) -> tuple[Value, ...]:
    out = []
    for i, x in enumerate(items):
        if isinstance(x, Value):
            out.append(x)
        else:
            try:
                out.append(Constant(x))
            except TypeError:
                raise TypeError(
                    f"{what}() takes Values or real numbers; item #{i} is {type(x).__name__} {x!r}"
                ) from None
    return tuple(out)


def sum(values: Iterable[Operand]) -> Value:
    """``values[0] + values[1] + ...`` as one node (exactly rounded, via ``math.fsum``).

    >>> from autograd import Value
    >>> import autograd
    >>> autograd.sum([Value(1.0), Value(2.0), 3]).data
    6.0
    """
    parents = _values(values, "sum")
    if not parents:
        raise ValueError("sum() needs at least one value, got an empty sequence")
    return _apply(ops.SUM, parents)


def mean(values: Iterable[Operand]) -> Value:
    """The average of ``values`` as one node -- e.g. the cost J as the mean of the losses.

    >>> import autograd
    >>> autograd.mean([1.0, 2.0, 6.0]).data
    3.0
    """
    parents = _values(values, "mean")
    if not parents:
        raise ValueError("mean() needs at least one value, got an empty sequence")
    return _apply(ops.MEAN, parents)


def logsumexp(values: Iterable[Operand]) -> Value:
    """``log(Σ e**v)`` as one node, stable for any inputs; its gradient is the softmax.

    >>> import autograd
    >>> round(autograd.logsumexp([1000.0, 1000.0]).data, 6)
    1000.693147
    """
    parents = _values(values, "logsumexp")
    if not parents:
        raise ValueError("logsumexp() needs at least one value, got an empty sequence")
    return _apply(ops.LOGSUMEXP, parents)


def check_within(
    value: Value, ranges: Sequence[tuple[float, float]], message: Callable[[float], str]
) -> Value:
    """``value`` itself, through a node that raises ``ValueError(message(x))`` unless x lies
    in one of the closed ``ranges``: a check a compiled function repeats at every call.

    >>> check_within(Value(0.5), [(0.0, 1.0)], "got {!r}".format).data
    0.5
    """
    op = ops.within(tuple((float(lo), float(hi)) for lo, hi in ranges), message)
    return _apply(op, (value,))


def dot(
    weights: Sequence[Operand], inputs: Sequence[Operand], bias: Operand | None = None
) -> Value:
    """``Σ w_i·x_i (+ b)`` as one node whose parents are ``(w_1..w_n, x_1..x_n[, b])``.

    >>> import autograd
    >>> from autograd import Value
    >>> w = [Value(2.0), Value(-1.0)]
    >>> z = autograd.dot(w, [3.0, 4.0], bias=Value(0.5))
    >>> z.data
    2.5
    >>> z.backward()
    >>> [wi.grad for wi in w]
    [3.0, 4.0]
    """
    ws = _values(weights, "dot")
    xs = _values(inputs, "dot")
    if len(ws) != len(xs):
        raise ValueError(f"dot() needs as many weights as inputs, got {len(ws)} and {len(xs)}")
    if not ws:
        raise ValueError("dot() needs at least one weight and input, got none")
    parents = ws + xs if bias is None else ws + xs + _values([bias], "dot")
    return _apply(ops.DOT, parents)


def dot_unchecked(
    weights: tuple[Value, ...], inputs: tuple[Value, ...], bias: Value | None
) -> Value:
    """:func:`dot` for callers that already hold Values of matching lengths (``nn``'s layers).

    It skips the checks and conversions ``dot`` does per item -- a quarter of a network's
    forward pass -- and builds the very same node.
    """
    parents = weights + inputs if bias is None else (*weights, *inputs, bias)
    return _apply(ops.DOT, parents)
