"""The primitive operations: each one's forward value and local derivative, side by side.

This module is the cheat sheet of the engine. Every primitive is one :class:`Op` holding

* ``forward(*inputs)`` -- the value, computed on plain floats, and
* ``derivative(*inputs, out)`` -- the local derivative of the output with respect to each
  input, as a tuple in parent order.

The derivative rules are written with ordinary arithmetic (and the small helpers of
:mod:`autograd.scalars`), so the *same* rule runs on floats (the fast ``backward()`` path,
and the teaching view that asks a node for its local derivatives) and on
:class:`~autograd.Value` objects (``grad(..., create_graph=True)``, which is how second and
third derivatives come out). There is no second copy of the math anywhere.

Subtraction is a composite, ``a + (-b)``, built by :class:`Value`; division is a primitive of
its own so that it is exact over the whole float range.

>>> MUL.derivative(2.0, 3.0, 6.0)   # d(a*b)/da = b, d(a*b)/db = a
(3.0, 2.0)
>>> TANH.derivative(0.0, 0.0)
(1.0,)
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from . import arrays
from .scalars import (
    _dot,
    _dot_derivative,
    _exp,
    _log_of_base,
    _np,
    _pow,
    _pow_base_derivative,
    _relu,
    _sigmoid,
    checked_pow,
    divide,
    fsum,
    logsumexp,
    safe_exp,
    safe_log,
    softplus,
    stable_sigmoid,
)

__all__ = [
    "Op",
    "ADD",
    "MUL",
    "DIV",
    "NEG",
    "POW",
    "EXP",
    "LOG",
    "TANH",
    "SIGMOID",
    "RELU",
    "ABS",
    "SUM",
    "MEAN",
    "DOT",
    "SOFTPLUS",
    "LOGSUMEXP",
    "power",
    "clamp",
    "dot_layer",
    "dot_layer_derivative",
    "within",
    "PRIMITIVES",
]


@dataclass(frozen=True, slots=True, eq=False)
class Op:
    """A primitive operation: its forward value and its local-derivative rule.

    ``forward`` takes the inputs' data (floats) and returns a float. ``derivative`` takes the
    inputs and the output -- all floats, or all :class:`~autograd.Value` objects -- and returns
    one local derivative per input, in parent order. ``formula`` is the rule as a person
    would write it; teaching views print it.

    You can declare your own primitive and apply it with :func:`autograd.apply`. A rule
    written with ``math`` functions (like ``math.cos`` below) serves first-order gradients;
    for ``grad(..., create_graph=True)`` write it with Value arithmetic and methods, which
    work on floats and Values alike (``math.cos`` refuses a Value rather than drop it).

    >>> import math
    >>> from autograd import Op, Value, apply
    >>> SIN = Op("sin", "sin", math.sin, lambda x, out: (math.cos(x),), "d sin(x)/dx = cos(x)")
    >>> y = apply(SIN, Value(0.0))
    >>> y.backward()
    >>> y.parents[0].grad
    1.0
    """

    name: str
    symbol: str
    forward: Callable[..., float]
    derivative: Callable[..., tuple[Any, ...]]
    formula: str = ""
    #: ``forward`` for NumPy arrays (elementwise over a batch; same errors, same values up to
    #: the last bit), for ``autograd.compile``'s vectorised backend. None: ``forward`` itself
    #: works on arrays (``operator.add``); built-in ops all have one. The derivative rules
    #: need no second form: written with plain arithmetic, they work on arrays as they are.
    vforward: Callable[..., Any] | None = None
    #: Ops with the same ``vgroup`` compute the same array function (their messages may
    #: differ), so the vectorised backend runs their nodes as one operation. None: the op
    #: groups with itself only.
    vgroup: Any = None
    #: For an op of many inputs (Σ, mean, dot, logΣexp): its array form on one array with
    #: the inputs stacked along the first axis, which the NumPy backend gathers for a wide
    #: node at once (``vforward`` is this on its arguments stacked).
    vstacked: Callable[[Any], Any] | None = None
    #: Not part of the op: the eager engine's chain-rule step for its nodes, made from
    #: ``derivative`` when a backward pass first meets the op (``chains.chain_step``) and
    #: kept here so the op's lifetime is the cache's. Not an argument, not in ``==``/repr.
    _chain: Callable[..., None] | None = field(default=None, init=False, repr=False, compare=False)

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


# --- the table --------------------------------------------------------------------------

ADD = Op("add", "+", operator.add, lambda a, b, out: (1.0, 1.0), "d(a+b)/da = 1, d(a+b)/db = 1")
MUL = Op("mul", "*", operator.mul, lambda a, b, out: (b, a), "d(a*b)/da = b, d(a*b)/db = a")
# (operator.add, .mul and .neg work on arrays as they are: no vforward needed.)
# d(a/b)/db = -a/b**2, written as -(a/b)/b: b**2 would underflow (or overflow) long before
# the quotient does, so division is exact over the whole float range.
DIV = Op(
    "div",
    "/",
    divide,
    lambda a, b, out: (1 / b, -out / b),
    "d(a/b)/da = 1/b, d(a/b)/db = -(a/b)/b",
    arrays.divide,
)
NEG = Op("neg", "-", operator.neg, lambda a, out: (-1.0,), "d(-a)/da = -1")
POW = Op(
    "pow",
    "**",
    checked_pow,
    lambda a, b, out: (_pow_base_derivative(a, b), out * _log_of_base(a)),
    "d(a**b)/da = b * a**(b-1), d(a**b)/db = a**b * log(a)",
    arrays.power,
)
EXP = Op("exp", "exp", safe_exp, lambda a, out: (out,), "d exp(a)/da = exp(a)", arrays.exp)
LOG = Op("log", "log", safe_log, lambda a, out: (1 / a,), "d log(a)/da = 1/a", arrays.log)
TANH = Op(
    "tanh",
    "tanh",
    math.tanh,
    lambda a, out: (1 - out * out,),
    "d tanh(a)/da = 1 - tanh(a)**2",
    arrays.tanh,
)
SIGMOID = Op(
    "sigmoid",
    "σ",
    stable_sigmoid,
    lambda a, out: (out * (1 - out),),
    "d σ(a)/da = σ(a) * (1 - σ(a))",
    arrays.sigmoid,
)
# softplus(z) = log(1 + e**z): a logistic loss on a raw score is softplus(z) - z*y, stable for
# every z; its derivative is the sigmoid.
SOFTPLUS = Op(
    "softplus",
    "softplus",
    softplus,
    lambda a, out: (_sigmoid(a),),
    "d softplus(a)/da = σ(a)",
    arrays.softplus,
)
# ``(a > 0) * 1.0`` is the step 1/0 for a float, a Value (a comparison reads the data: a
# constant for higher orders) and a NumPy array alike.
RELU = Op(
    "relu",
    "relu",
    _relu,
    lambda a, out: ((a > 0) * 1.0,),
    "d relu(a)/da = 1 if a > 0 else 0",
    arrays.relu,
)
ABS = Op(
    "abs",
    "abs",
    abs,
    lambda a, out: ((a > 0) * 1.0 - (a < 0) * 1.0,),
    "d|a|/da = sign(a)  (0 at a = 0)",
    arrays.absolute,
)
SUM = Op(
    "sum",
    "Σ",
    lambda *xs: fsum(xs),
    lambda *args: (1.0,) * (len(args) - 1),
    "d(a_1 + ... + a_n)/da_i = 1",
    arrays.on_stacked(arrays.fsum),
    vstacked=arrays.fsum,
)
MEAN = Op(
    "mean",
    "mean",
    lambda *xs: fsum(xs) / len(xs),
    lambda *args: (1.0 / (len(args) - 1),) * (len(args) - 1),
    "d mean(a_1..a_n)/da_i = 1/n",
    arrays.on_stacked(arrays.mean),
    vstacked=arrays.mean,
)
DOT = Op(
    "dot",
    "Σw·x",
    _dot,
    _dot_derivative,
    "d(Σ w_i x_i + b)/dw_i = x_i, /dx_i = w_i, /db = 1",
    arrays.on_stacked(arrays.dot),
    vstacked=arrays.dot,
)
# log(Σ e**x_i) as one node: the softmax cross-entropy's normaliser; its derivative towards
# x_i is the softmax e**(x_i - out).
LOGSUMEXP = Op(
    "logsumexp",
    "logΣexp",
    logsumexp,
    lambda *args: tuple(_exp(x - args[-1]) for x in args[:-1]),
    "d logΣexp(a)/da_i = exp(a_i - logΣexp(a))  (the softmax)",
    arrays.on_stacked(arrays.logsumexp),
    vstacked=arrays.logsumexp,
)


# DOT for a whole layer at once (the vectorised backend's form of a network's layer).


def dot_layer(W: Any, X: Any, b: Any = None) -> Any:
    """DOT for a whole layer at once: k nodes ``Σ_i W[j, i] * X[i] + b[j]`` that share their
    inputs ``X`` (n, batch), as one matrix product. (The compiled NumPy backend's form of DOT;
    the same sum, in NumPy's summation order.)"""
    out = W @ X
    return out if b is None else out + b


def dot_layer_derivative(W: Any, X: Any, g: Any, inputs: bool = True) -> tuple[Any, Any]:
    """DOT's rule -- d/dw_i = x_i, d/dx_i = w_i -- for a layer, chained with the gradient
    ``g`` (k, batch) of its outputs: ``(g @ X.T, W.T @ g)``, the weights' gradient summed
    over the batch and the inputs' gradient per example (None unless ``inputs``: a layer on
    the data needs no gradient for it). (d/db = 1: the bias gets ``g``.)"""
    return g @ X.T, (W.T @ g if inputs else None)


@lru_cache(maxsize=256)
def power(exponent: float) -> Op:
    """The primitive ``x ** exponent`` for a constant exponent (no derivative toward it).

    >>> power(3.0).derivative(2.0, 8.0)
    (12.0,)
    """
    n = float(exponent)
    if n == 2:
        # The square, the commonest power: 2a is plain arithmetic (and cannot raise).
        def derivative(a: Any, out: Any) -> tuple[Any, ...]:
            return (n * a,)
    elif n.is_integer() and n >= 1:
        # a ** (n - 1) with a whole power >= 0 has no pole, but float ** raises past the
        # float range where the forward gave inf: _pow gives inf there too.
        k = n - 1

        def derivative(a: Any, out: Any) -> tuple[Any, ...]:
            return (n * _pow(a, k),)
    else:

        def derivative(a: Any, out: Any) -> tuple[Any, ...]:
            return (n * _pow(a, n - 1) if n != 0 else 0.0,)

    return Op(
        "pow",
        f"**{n:g}",
        lambda a: checked_pow(a, n),
        derivative,
        f"d(a**{n:g})/da = {n:g} * a**{n - 1:g}",
        lambda a: arrays.power(a, n),
    )


@lru_cache(maxsize=64)
def clamp(low: float, high: float) -> Op:
    """The primitive that holds its input inside [low, high]: flat (derivative 0) outside.

    Written as an op rather than ``if x.data < low`` so a compiled function keeps the
    decision per call instead of baking the first one in. NaN passes through.

    >>> c = clamp(0.0, 1.0)
    >>> c.forward(1.5), c.forward(0.25), c.derivative(1.5, 1.0), c.derivative(0.25, 0.25)
    (1.0, 0.25, (0.0,), (1.0,))
    """
    lo, hi = float(low), float(high)
    if not lo <= hi:
        raise ValueError(f"clamp needs low <= high, got {low!r} and {high!r}")

    def forward(x: float) -> float:
        return lo if x < lo else (hi if x > hi else x)

    def vforward(x: Any) -> Any:
        np = _np()
        return np.where(x < lo, lo, np.where(x > hi, hi, x))

    return Op(
        "clamp",
        f"clamp[{lo:g},{hi:g}]",
        forward,
        lambda a, out: (1.0 - (a < lo) * 1.0 - (a > hi) * 1.0,),
        f"d clamp(a)/da = 1 if {lo:g} <= a <= {hi:g} else 0",
        vforward,
    )


@lru_cache(maxsize=256)
def within(ranges: tuple[tuple[float, float], ...], message: Callable[[float], str]) -> Op:
    """An identity op that raises ``ValueError(message(x))`` unless ``x`` lies in one of the
    closed ``ranges`` ((low, high) pairs; NaN lies in none).

    A check that is part of the graph: a compiled function makes it at every call, with the
    message an eager call would give.

    >>> check = within(((0.0, 1.0),), "need a probability, got {!r}".format)
    >>> check.forward(0.5)
    0.5
    >>> check.forward(2.0)
    Traceback (most recent call last):
    ...
    ValueError: need a probability, got 2.0
    """
    bounds = tuple((float(lo), float(hi)) for lo, hi in ranges)

    def forward(x: float) -> float:
        if not any(lo <= x <= hi for lo, hi in bounds):
            raise ValueError(message(x))
        return x

    def vforward(x: Any) -> Any:
        np = _np()
        ok = np.zeros(np.shape(x), dtype=bool)
        for lo, hi in bounds:
            ok |= (x >= lo) & (x <= hi)
        if not ok.all():
            forward(*arrays.first_bad(~ok, x))
        return x

    # Checks of the same ranges share one vector operation whatever their messages: a
    # batch that fails one is replayed in Python, which raises the very message.
    return Op(
        "check", "check", forward, lambda a, out: (1.0,), "d a/da = 1", vforward, ("check", bounds)
    )


#: The fixed primitives by name (``power(n)`` makes the constant-exponent family on demand).
PRIMITIVES: dict[str, Op] = {
    op.name: op
    for op in (
        ADD,
        MUL,
        DIV,
        NEG,
        POW,
        EXP,
        LOG,
        TANH,
        SIGMOID,
        SOFTPLUS,
        RELU,
        ABS,
        SUM,
        MEAN,
        DOT,
        LOGSUMEXP,
    )
}
