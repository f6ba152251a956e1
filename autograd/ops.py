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
from dataclasses import dataclass, field
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
    #: ``derivative`` when a backward pass first meets the op (``backprop._chain_step``) and
    #: kept here so the op's lifetime is the cache's. Not an argument, not in ``==``/repr.
    _chain: Callable[..., None] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


# --- helpers that work on floats and on Values --------------------------------------------
# A rule written with these runs unchanged on floats (first-order backward) and on Values
# (create_graph=True): each helper takes the float branch for plain numbers and otherwise
# calls the Value method, which records the operation so it can be differentiated again.


# They take NumPy arrays too (``autograd.compile`` replays rules on a whole batch at once):
# branches on the data become elementwise ``where``. NumPy is only touched when an array is
# passed in, so it is never imported here.


def _data(x: Any) -> float:
    """The number inside ``x``: ``x`` itself for a float, ``x.data`` for a Value."""
    return x if isinstance(x, (int, float)) else x.data


def _is_array(x: Any) -> bool:
    return hasattr(x, "__array_ufunc__") and not isinstance(x, (int, float))


def _np() -> Any:
    import numpy  # only reached with an array in hand: NumPy is loaded already

    return numpy


def _log(x: Any) -> Any:
    if isinstance(x, (int, float)):
        return math.log(x)
    if _is_array(x):
        return _np().log(x)
    return x.log()


def _exp(x: Any) -> Any:
    if isinstance(x, (int, float)):
        return safe_exp(x)
    if _is_array(x):
        return _np().exp(x)
    return x.exp()


def _sigmoid(x: Any) -> Any:
    if isinstance(x, (int, float)):
        return stable_sigmoid(x)
    if _is_array(x):
        return _vsigmoid(x)
    return x.sigmoid()


def _pow(x: Any, exponent: Any) -> Any:
    """``x ** exponent`` for a derivative rule: a pole (0 ** negative) is +inf, not an error --
    on floats, Values and arrays alike, so every order of derivative agrees with the first."""
    if isinstance(x, (int, float)) and isinstance(exponent, (int, float)):
        if x == 0 and exponent < 0:
            return math.inf
        return checked_pow(x, exponent)
    if _is_array(x) or _is_array(exponent):
        with _quiet():
            return _np().power(x, exponent)  # 0 ** negative is inf there already
    if _data(x) == 0 and _data(exponent) < 0:
        from .value import pole  # value imports this module: import it when first needed

        return pole(x, exponent)
    return x**exponent


def _log_of_base(x: Any) -> Any:
    """``log(x)`` where ``d(x**y)/dy = x**y * log(x)`` needs it.

    For ``x == 0`` the limit of ``0**y`` (y > 0) is flat, so the term is 0; for a negative
    base the real power has no derivative in ``y`` and the honest answer is NaN.
    """
    if not isinstance(x, (int, float)) and _is_array(x):  # floats first: the eager path
        np = _np()
        with _quiet():
            return np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.where(x == 0, 0.0, np.nan))
    base = _data(x)
    if base > 0:
        return _log(x)
    return 0.0 if base == 0 else math.nan


def _pow_base_derivative(a: Any, b: Any) -> Any:
    """``d(a**b)/da = b * a**(b-1)``, with the 0 ** 0 corner (flat: 0, not 0 * inf)."""
    floats = isinstance(a, (int, float)) and isinstance(b, (int, float))  # the eager path
    if not floats and (_is_array(a) or _is_array(b)):
        np = _np()
        with _quiet():
            return np.where((a == 0) & (b == 0), 0.0, b * _pow(a, b - 1))
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


def softplus(x: float) -> float:
    """``log(1 + e**x)`` for any finite ``x``, without overflow (log1p keeps small values exact).

    >>> round(softplus(0.0), 6), softplus(1000.0), softplus(-1000.0)
    (0.693147, 1000.0, 0.0)
    """
    if x > 0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))  # NaN lands here and passes through


def logsumexp(*xs: float) -> float:
    """``log(e**x_1 + ... + e**x_n)``, shifted by the largest x so nothing overflows.

    >>> round(logsumexp(1000.0, 1000.0), 6), logsumexp(-math.inf, -math.inf)
    (1000.693147, -inf)
    """
    if any(x != x for x in xs):
        return math.nan
    m = max(xs)
    if math.isinf(m):
        return m  # all -inf: log 0; any +inf: +inf
    return m + math.log(fsum(math.exp(x - m) for x in xs))


# --- the same forward values on NumPy arrays (compile's vectorised backend) ------------------
# Each checks what the scalar forward checks and, on a bad element, calls the scalar forward
# on it: the very same error, the same message, in one place.


def _quiet() -> Any:
    return _np().errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore")


def _first_bad(bad: Any, *arrays: Any) -> tuple[float, ...]:
    index = tuple(a[0] for a in bad.nonzero())
    return tuple(float(a[index]) if _is_array(a) else float(a) for a in arrays)


def _vdivide(a: Any, b: Any) -> Any:
    np = _np()
    zero = np.asarray(b) == 0
    if zero.any():
        divide(
            *_first_bad(np.broadcast_to(zero, np.broadcast(a, b).shape), *np.broadcast_arrays(a, b))
        )
    with _quiet():
        return a / b


def _vpow(x: Any, y: Any) -> Any:
    np = _np()
    x, y = np.broadcast_arrays(x, y)
    bad = ((x == 0) & (y < 0)) | ((x < 0) & np.isfinite(y) & (y != np.floor(y)))
    if bad.any():
        checked_pow(*_first_bad(bad, x, y))
    with _quiet():
        return np.power(x, y)


def _vlog(x: Any) -> Any:
    np = _np()
    bad = x <= 0
    if bad.any():
        safe_log(*_first_bad(bad, x))
    with _quiet():
        return np.log(x)


def _vexp(x: Any) -> Any:
    with _quiet():
        return _np().exp(x)


def _vsigmoid(x: Any) -> Any:
    np = _np()
    with _quiet():
        e = np.exp(-np.abs(x))  # <= 1: never overflows
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _vrelu(x: Any) -> Any:
    return _np().where(x <= 0, 0.0, x)  # NaN is not <= 0: it passes, as in _relu


def stacked(xs: Any) -> Any:
    """Arrays (and numbers) stacked along a new first axis, broadcast to one shape."""
    np = _np()
    try:
        return np.array(xs, dtype=float)  # all of one shape: one copy, the fast way
    except ValueError:
        return np.stack(np.broadcast_arrays(*xs)).astype(float)


def _vfsum(terms: Any) -> Any:
    """Σ of the arrays ``terms`` (a sequence, or one array stacked along its first axis),
    elementwise, with the rounding error of every addition carried along: as close to
    ``math.fsum`` as arrays allow, so a sum such as 1 + 1e-20 - 1 keeps its 1e-20.

    The running totals s_i = s_(i-1) + x_i come from one ``cumsum``; each addition's exact
    rounding error (Knuth's two-sum, which needs no ordering of the operands) is then found
    for all of them at once and added at the end -- a handful of array operations however
    many terms there are."""
    np = _np()
    with _quiet():
        S = (terms if isinstance(terms, np.ndarray) else stacked(terms)).astype(float, copy=False)
        if len(S) == 1:
            return S[0] + 0.0  # a fresh array, as a sum's result is
        running = np.cumsum(S, axis=0)
        before, x, after = running[:-1], S[1:], running[1:]
        x_part = after - before
        lost = ((before - (after - x_part)) + (x - x_part)).sum(axis=0)
        total = running[-1]
        # Where a term is inf or NaN the carried error is NaN: the plain total is the answer.
        return np.where(np.isfinite(total), total + lost, total)


# The ops of many inputs have their array form on the inputs stacked along a first axis
# (one (inputs, ...) array, as the NumPy backend gathers a wide node's inputs at once);
# ``vforward`` takes them one by one and stacks them.


def _on_stacked(form: Callable[[Any], Any]) -> Callable[..., Any]:
    return lambda *xs: form(stacked(xs))


def _mean_of(S: Any) -> Any:
    return _vfsum(S) / len(S)


def _dot_of(S: Any) -> Any:
    n = len(S) // 2
    with _quiet():
        products = S[:n] * S[n : 2 * n]
    if len(S) % 2:  # the bias, the last term
        products = _np().concatenate((products, S[2 * n :]))
    return _vfsum(products)


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


def _vsoftplus(x: Any) -> Any:
    np = _np()
    with _quiet():
        return np.where(x > 0, x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _logsumexp_of(S: Any) -> Any:
    np = _np()
    with _quiet():
        m = S.max(axis=0)
        safe = np.where(np.isfinite(m), m, 0.0)
        out = safe + np.log(_vfsum(np.exp(S - safe)))
        return np.where(np.isinf(m), m, out)  # NaN stays NaN through max and exp


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
    _vdivide,
)
NEG = Op("neg", "-", operator.neg, lambda a, out: (-1.0,), "d(-a)/da = -1")
POW = Op(
    "pow",
    "**",
    checked_pow,
    lambda a, b, out: (_pow_base_derivative(a, b), out * _log_of_base(a)),
    "d(a**b)/da = b * a**(b-1), d(a**b)/db = a**b * log(a)",
    _vpow,
)
EXP = Op("exp", "exp", safe_exp, lambda a, out: (out,), "d exp(a)/da = exp(a)", _vexp)
LOG = Op("log", "log", safe_log, lambda a, out: (1 / a,), "d log(a)/da = 1/a", _vlog)
TANH = Op(
    "tanh",
    "tanh",
    math.tanh,
    lambda a, out: (1 - out * out,),
    "d tanh(a)/da = 1 - tanh(a)**2",
    lambda a: _np().tanh(a),
)
SIGMOID = Op(
    "sigmoid",
    "σ",
    stable_sigmoid,
    lambda a, out: (out * (1 - out),),
    "d σ(a)/da = σ(a) * (1 - σ(a))",
    _vsigmoid,
)
# softplus(z) = log(1 + e**z): a logistic loss on a raw score is softplus(z) - z*y, stable for
# every z; its derivative is the sigmoid.
SOFTPLUS = Op(
    "softplus",
    "softplus",
    softplus,
    lambda a, out: (_sigmoid(a),),
    "d softplus(a)/da = σ(a)",
    _vsoftplus,
)
# ``(a > 0) * 1.0`` is the step 1/0 for a float, a Value (a comparison reads the data: a
# constant for higher orders) and a NumPy array alike.
RELU = Op(
    "relu",
    "relu",
    _relu,
    lambda a, out: ((a > 0) * 1.0,),
    "d relu(a)/da = 1 if a > 0 else 0",
    _vrelu,
)
ABS = Op(
    "abs",
    "abs",
    abs,
    lambda a, out: ((a > 0) * 1.0 - (a < 0) * 1.0,),
    "d|a|/da = sign(a)  (0 at a = 0)",
    lambda a: _np().abs(a),
)
SUM = Op(
    "sum",
    "Σ",
    lambda *xs: fsum(xs),
    lambda *args: (1.0,) * (len(args) - 1),
    "d(a_1 + ... + a_n)/da_i = 1",
    _on_stacked(_vfsum),
    vstacked=_vfsum,
)
MEAN = Op(
    "mean",
    "mean",
    lambda *xs: fsum(xs) / len(xs),
    lambda *args: (1.0 / (len(args) - 1),) * (len(args) - 1),
    "d mean(a_1..a_n)/da_i = 1/n",
    _on_stacked(_mean_of),
    vstacked=_mean_of,
)
DOT = Op(
    "dot",
    "Σw·x",
    _dot,
    _dot_derivative,
    "d(Σ w_i x_i + b)/dw_i = x_i, /dx_i = w_i, /db = 1",
    _on_stacked(_dot_of),
    vstacked=_dot_of,
)
# log(Σ e**x_i) as one node: the softmax cross-entropy's normaliser; its derivative towards
# x_i is the softmax e**(x_i - out).
LOGSUMEXP = Op(
    "logsumexp",
    "logΣexp",
    logsumexp,
    lambda *args: tuple(_exp(x - args[-1]) for x in args[:-1]),
    "d logΣexp(a)/da_i = exp(a_i - logΣexp(a))  (the softmax)",
    _on_stacked(_logsumexp_of),
    vstacked=_logsumexp_of,
)


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
        lambda a: _vpow(a, n),
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
            forward(*_first_bad(~ok, x))
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
