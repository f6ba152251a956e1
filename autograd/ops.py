"""The primitive operations: each one's forward value and local derivative, side by side.

This module is the cheat sheet of the engine. Every primitive is one :class:`Op` holding

* ``forward(*inputs)`` -- the value, computed on plain floats, and
* ``derivative(*inputs, out)`` -- the local derivative of the output with respect to each
  input, as a tuple in parent order.

The derivative rules are written with ordinary arithmetic (and the small helpers below), so
the *same* rule runs on floats (the fast ``backward()`` path, and the teaching view that asks a
node for its local derivatives) and on :class:`~autograd.Value` objects (``grad(...,
create_graph=True)``, which is how second and third derivatives come out). There is no second
copy of the math anywhere.

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
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any

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
    "power",
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

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


# --- helpers that work on floats and on Values --------------------------------------------
# A rule written with these runs unchanged on floats (first-order backward) and on Values
# (create_graph=True): each helper takes the float branch for plain numbers and otherwise
# calls the Value method, which records the operation so it can be differentiated again.


def _data(x: Any) -> float:
    """The number inside ``x``: ``x`` itself for a float, ``x.data`` for a Value."""
    return x if isinstance(x, (int, float)) else x.data


def _log(x: Any) -> Any:
    return math.log(x) if isinstance(x, (int, float)) else x.log()


def _pow(x: Any, exponent: Any) -> Any:
    """``x ** exponent`` for a derivative rule: a pole (0 ** negative) is +inf, not an error --
    on floats and on Values alike, so every order of derivative agrees with the first."""
    if isinstance(x, (int, float)) and isinstance(exponent, (int, float)):
        if x == 0 and exponent < 0:
            return math.inf
        return checked_pow(x, exponent)
    if _data(x) == 0 and _data(exponent) < 0:
        from .value import pole  # value imports this module: import it when first needed

        return pole(x, exponent)
    return x**exponent


def _log_of_base(x: Any) -> Any:
    """``log(x)`` where ``d(x**y)/dy = x**y * log(x)`` needs it.

    For ``x == 0`` the limit of ``0**y`` (y > 0) is flat, so the term is 0; for a negative
    base the real power has no derivative in ``y`` and the honest answer is NaN.
    """
    base = _data(x)
    if base > 0:
        return _log(x)
    return 0.0 if base == 0 else math.nan


def _pow_base_derivative(a: Any, b: Any) -> Any:
    """``d(a**b)/da = b * a**(b-1)``, with the 0 ** 0 corner (flat: 0, not 0 * inf)."""
    if _data(a) == 0 and _data(b) == 0:
        return 0.0
    return b * _pow(a, b - 1)


# --- numerically safe forward functions ---------------------------------------------------


def checked_pow(x: float, y: float) -> float:
    """``x ** y`` on reals, with errors that name the operands instead of a silent complex.

    >>> checked_pow(2.0, 3.0)
    8.0
    >>> checked_pow(-8.0, 0.5)
    Traceback (most recent call last):
    ...
    ValueError: -8.0 ** 0.5: a negative base needs an integer exponent (the result would be complex)
    """
    if x == 0 and y < 0:
        raise ZeroDivisionError(f"{x!r} ** {y!r}: zero cannot be raised to a negative power")
    if x < 0 and math.isfinite(y) and not float(y).is_integer():
        raise ValueError(
            f"{x!r} ** {y!r}: a negative base needs an integer exponent "
            "(the result would be complex)"
        )
    try:
        return float(x**y)
    except OverflowError:
        # Only finite integer exponents reach here with a negative base; odd ones keep the sign.
        return -math.inf if x < 0 and float(y) % 2 == 1 else math.inf


def safe_exp(x: float) -> float:
    """``e ** x``; past ~709.78 the float range ends and the result is ``inf`` (no error)."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def safe_log(x: float) -> float:
    """Natural log; a non-positive input raises a ValueError naming it (NaN passes through)."""
    if x <= 0:
        raise ValueError(f"log() needs a positive input, got {x!r}")
    return math.log(x)


def stable_sigmoid(x: float) -> float:
    """``1 / (1 + e**-x)`` without overflow for any finite ``x``."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)  # x < 0, so this cannot overflow
    return z / (1.0 + z)


def fsum(values: Any) -> float:
    """The exactly rounded sum of ``values``; where the float range ends, what ``+`` gives.

    ``math.fsum`` raises on an intermediate overflow and on ``inf + -inf``; a chain of ``+``
    gives ``inf`` or ``nan`` there, and so does this (so ``sum`` and ``mean`` nodes fail the
    way the binary graph would, and ``detect_anomaly`` can name them).

    >>> fsum([0.1] * 10), fsum([1e308, 1e308]), fsum([math.inf, -math.inf])
    (1.0, inf, nan)
    """
    values = list(values)
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):
        total = 0.0
        for v in values:
            total += v
        return total


def divide(a: float, b: float) -> float:
    """``a / b``; dividing by zero raises an error that names both operands.

    >>> divide(1e-309, 1e-309)
    1.0
    """
    if b == 0:
        raise ZeroDivisionError(f"division by zero: {a!r} / {b!r} (the divisor is zero)")
    return a / b


def _relu(x: float) -> float:
    return 0.0 if x <= 0 else x  # NaN is not <= 0, so it passes through


def _dot(*xs: float) -> float:
    # Parents are (w_1..w_n, x_1..x_n) and optionally a trailing bias b.
    n = len(xs) // 2
    return fsum([*map(operator.mul, xs[:n], xs[n : 2 * n]), *xs[2 * n :]])


def _dot_derivative(*args: Any) -> tuple[Any, ...]:
    # d(sum w_i x_i + b)/dw_i = x_i, /dx_i = w_i, /db = 1.  ``args`` ends with the output.
    k = len(args) - 1
    n = k // 2
    return (*islice(args, n, 2 * n), *islice(args, n), *((1.0,) if k % 2 else ()))


# --- the table --------------------------------------------------------------------------

ADD = Op("add", "+", operator.add, lambda a, b, out: (1.0, 1.0), "d(a+b)/da = 1, d(a+b)/db = 1")
MUL = Op("mul", "*", operator.mul, lambda a, b, out: (b, a), "d(a*b)/da = b, d(a*b)/db = a")
# d(a/b)/db = -a/b**2, written as -(a/b)/b: b**2 would underflow (or overflow) long before
# the quotient does, so division is exact over the whole float range.
DIV = Op(
    "div",
    "/",
    divide,
    lambda a, b, out: (1 / b, -out / b),
    "d(a/b)/da = 1/b, d(a/b)/db = -(a/b)/b",
)
NEG = Op("neg", "-", operator.neg, lambda a, out: (-1.0,), "d(-a)/da = -1")
POW = Op(
    "pow",
    "**",
    checked_pow,
    lambda a, b, out: (_pow_base_derivative(a, b), out * _log_of_base(a)),
    "d(a**b)/da = b * a**(b-1), d(a**b)/db = a**b * log(a)",
)
EXP = Op("exp", "exp", safe_exp, lambda a, out: (out,), "d exp(a)/da = exp(a)")
LOG = Op("log", "log", safe_log, lambda a, out: (1 / a,), "d log(a)/da = 1/a")
TANH = Op(
    "tanh", "tanh", math.tanh, lambda a, out: (1 - out * out,), "d tanh(a)/da = 1 - tanh(a)**2"
)
SIGMOID = Op(
    "sigmoid",
    "σ",
    stable_sigmoid,
    lambda a, out: (out * (1 - out),),
    "d σ(a)/da = σ(a) * (1 - σ(a))",
)
# ``(a > 0) * 1.0`` is the step 1/0 for a float, a Value (a comparison reads the data: a
# constant for higher orders) and a NumPy array alike.
RELU = Op(
    "relu",
    "relu",
    _relu,
    lambda a, out: ((a > 0) * 1.0,),
    "d relu(a)/da = 1 if a > 0 else 0",
)
ABS = Op(
    "abs",
    "abs",
    abs,
    lambda a, out: ((a > 0) * 1.0 - (a < 0) * 1.0,),
    "d|a|/da = sign(a)  (0 at a = 0)",
)
SUM = Op(
    "sum",
    "Σ",
    lambda *xs: fsum(xs),
    lambda *args: (1.0,) * (len(args) - 1),
    "d(a_1 + ... + a_n)/da_i = 1",
)
MEAN = Op(
    "mean",
    "mean",
    lambda *xs: fsum(xs) / len(xs),
    lambda *args: (1.0 / (len(args) - 1),) * (len(args) - 1),
    "d mean(a_1..a_n)/da_i = 1/n",
)
DOT = Op(
    "dot",
    "Σw·x",
    _dot,
    _dot_derivative,
    "d(Σ w_i x_i + b)/dw_i = x_i, /dx_i = w_i, /db = 1",
)


@lru_cache(maxsize=256)
def power(exponent: float) -> Op:
    """The primitive ``x ** exponent`` for a constant exponent (no derivative toward it).

    >>> power(3.0).derivative(2.0, 8.0)
    (12.0,)
    """
    n = float(exponent)
    if n.is_integer() and n >= 1:
        # a ** (n - 1) with a whole power >= 0 is defined everywhere: no pole to guard.
        k = n - 1

        def derivative(a: Any, out: Any) -> tuple[Any, ...]:
            return (n * a**k,)
    else:

        def derivative(a: Any, out: Any) -> tuple[Any, ...]:
            return (n * _pow(a, n - 1) if n != 0 else 0.0,)

    return Op(
        "pow",
        f"**{n:g}",
        lambda a: checked_pow(a, n),
        derivative,
        f"d(a**{n:g})/da = {n:g} * a**{n - 1:g}",
    )


#: The fixed primitives by name (``power(n)`` makes the constant-exponent family on demand).
PRIMITIVES: dict[str, Op] = {
    op.name: op
    for op in (ADD, MUL, DIV, NEG, POW, EXP, LOG, TANH, SIGMOID, RELU, ABS, SUM, MEAN, DOT)
}
