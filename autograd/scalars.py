"""The arithmetic the derivative rules of :mod:`autograd.ops` are written with.

A rule written with these runs unchanged on floats (the first-order ``backward()``), on
:class:`~autograd.Value` objects (``grad(..., create_graph=True)``: each helper then calls the
Value method, which records the operation so it can be differentiated again) and on NumPy
arrays (``autograd.compile`` replays rules on a whole batch at once: branches on the data
become elementwise ``where``). NumPy is only touched when an array is passed in, so it is
never imported here. Below them, the numerically safe forward functions of the primitives.
"""

from __future__ import annotations

import math
import numbers
import operator
from itertools import islice
from typing import Any

from .messages import describe

# --- floats, Values and arrays alike ----------------------------------------------------


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
        value = exponent if isinstance(x, (int, float)) else x  # one of them is a Value
        return value._pole(x, exponent)  # the node of the power: inf
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


def _quiet() -> Any:
    return _np().errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore")


def _vsigmoid(x: Any) -> Any:
    np = _np()
    with _quiet():
        e = np.exp(-np.abs(x))  # <= 1: never overflows
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def to_float(x: Any) -> float:
    """``x`` as a float if it is a real number (int, float, bool, Fraction, NumPy scalar)."""
    if isinstance(x, float):
        return float(x)  # also turns float subclasses (numpy.float64) into plain floats
    if isinstance(x, numbers.Real):
        try:
            return float(x)
        except OverflowError:  # an int or Fraction beyond the float range
            raise ValueError(
                f"{describe(x)} is too large for a float (the largest is about 1.8e308)"
            ) from None
    # NumPy booleans and 0-d arrays are not registered as numbers.Real; accept real dtypes.
    kind = getattr(getattr(x, "dtype", None), "kind", None)
    if kind in ("b", "i", "u", "f") and getattr(x, "ndim", None) == 0:
        return float(x)
    if hasattr(x, "_parents"):  # a Value
        raise TypeError(
            f"Value() takes a real number, got a Value ({x!r}); "
            "use it directly, or x.detach() for a constant copy"
        )
    raise TypeError(
        f"Value() takes a real number (int, float, bool or a NumPy scalar), got {describe(x)}"
    )
